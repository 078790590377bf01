"""Evaluation: the Conductor against each single worker, random workflows and the simulator's oracle."""
