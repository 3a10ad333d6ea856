"""The directory of services and people: last checked, search, stale entries and their reminders.

Imports: teams, organisations, reminders, accounts, core (each below it in the layers,
pyproject.toml).
"""
