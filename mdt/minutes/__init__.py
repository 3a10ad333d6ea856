"""Running a meeting: meeting mode, outcomes per case, closing it and sending the minutes.

Imports: actions, prep, agenda, patients, meetings, teams, reminders, audit, mail, accounts,
core (each below it in the layers, pyproject.toml).
"""
