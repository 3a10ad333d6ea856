"""Deploying on several nodes: HAProxy, web nodes, schedulers and Redis (deploy/cluster.py)."""
