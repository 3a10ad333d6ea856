"""Action points: one owner, a due date, tracked from a meeting until done or cancelled.

Imports: agenda, patients, meetings, teams, organisations, reminders, audit, mail, accounts,
core (each below it in the layers, pyproject.toml).
"""
