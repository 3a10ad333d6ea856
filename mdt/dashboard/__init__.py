"""The signed-in home page: what you owe, what is next.

Imports: actions, prep, agenda, meetings, teams, reminders, audit, mail, accounts, core (each
below it in the layers, pyproject.toml).
"""
