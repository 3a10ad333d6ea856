"""The demo neighbourhood that `make run` loads.

Imports: minutes, actions, prep, agenda, meetings, slots, availability, directory, teams,
organisations, mfa, accounts, core (each below it in the layers, pyproject.toml).
"""
