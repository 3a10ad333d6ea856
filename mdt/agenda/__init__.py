"""Cases on a meeting's agenda, the agenda cut-off, deferring, the meeting pack.

Imports: patients, meetings, teams, organisations, audit, accounts, core (each below it in the
layers, pyproject.toml).
"""
