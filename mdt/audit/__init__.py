"""The append-only, hash-chained record of who saw or changed which patient's data, its check (`mdt
audit verify`), its viewer, and the guard that every audit row is committed.

Imports: accounts, core (each below it in the layers, pyproject.toml).
"""
