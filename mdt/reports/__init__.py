"""The team report and reports across teams (counts only, never a patient).

Imports: retention, minutes, actions, prep, agenda, meetings, teams, accounts, core (each below
it in the layers, pyproject.toml).
"""
