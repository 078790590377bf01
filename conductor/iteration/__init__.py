"""One RL iteration as plain Python calls: generate rollouts -> store -> update -> evaluate.

flows/ wraps these functions in Prefect tasks; they also run from a plain Python call (see campaign.py).
"""
