"""Protected slot series, their occurrences, the clash preview and finding a slot.

Imports: availability, teams, accounts, core (each below it in the layers, pyproject.toml).
"""
