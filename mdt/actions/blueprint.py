"""The actions blueprint, shared by views.py (My actions, one action, a new action) and
team.py (the team's actions and their CSV)."""

from flask import Blueprint

bp = Blueprint("actions", __name__)
