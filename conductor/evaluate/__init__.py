"""Evaluation: the Conductor against each single worker, random workflows and the simulator's oracle.

    jobs.py       the job set of one evaluation: the Conductor's plans and each baseline's, on the same tasks
    baselines.py  single:<id> and random plans
    metrics.py    accuracy per method, the oracle, the expected accuracy of plans on a simulated pool

Scored by conductor.rollout.scoring, as training's rollouts are; conductor.iteration calls it per iteration.
"""
