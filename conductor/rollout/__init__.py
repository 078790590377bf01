"""A batch of rollouts, the way training and evaluation both make them: plans written (by the Conductor or a
baseline) as `RolloutJob`s, executed, verified and rewarded into store rows, so every number in a table
comes from the same code path.

    job.py              RolloutJob: one plan to run for one task, with the text and log-probs that wrote it
    conductor_plans.py  the Conductor writes G plans per task (a pool drawn for each prompt) -> jobs, and the
                        job of a later (recursion) round, one home for training and evaluation
    scoring.py          jobs -> executions (concurrent) -> verdicts -> rewards -> RolloutRow

It sits below both conductor.iteration (training) and conductor.evaluate, and imports neither.
"""
