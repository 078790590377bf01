"""Serving: the Conductor answering a question with a plan run on the pool (one question -> answer path).

    planner.py   the policy as a Planner, with the paper's inference-time retries
    answer.py    a checkpoint and the settings it was trained with -> the rounds of one question

`conductor ask` is a thin CLI over answer.py; an OpenAI-compatible server would call the same functions.
"""
