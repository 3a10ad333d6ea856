"""Members' clinics, visits and leave, and the clash checker that slots and meetings use.

Imports: teams, accounts, core (each below it in the layers, pyproject.toml).
"""
