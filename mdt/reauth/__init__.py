"""Confirming who you are again before a sensitive change (password, second factor or provider).

Imports: mfa, accounts, core (each below it in the layers, pyproject.toml).
"""
