"""The SIMULATED worker pool: a known probability model served over an OpenAI-compatible API, and its oracle.

  behaviour.py   the numbers: the irt model (task difficulty, skill curves, repeated calls sharing a worker's
                 take) and the first, independent one; P(correct) by role; the confidence cue; hash draws
  roles.py       what a subtask asks for (solve / review / unfocused), by keyword
  request.py     reading a worker message back (question, subtask, earlier answers)
  answers.py     right and plausible wrong answers in each task's answer format
  responder.py   one reply, the model applied (no HTTP)
  faults.py      injected faults (timeouts, 429, 500, empty, garbage, truncated)
  taskbook.py    the tasks the pool knows, by question text
  server.py      the FastAPI app, SimServer (background thread) and serve() (the CLI)
  oracle.py      the best expected accuracy of any workflow (per task), exact expected accuracy of a given one,
                 5x consensus
  generator.py   synthetic workers drawn at random, described in words from their profiles
Nothing here imports torch. See docs/simulator.md.
"""
