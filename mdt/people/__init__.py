"""The pages where people sign in, keep their own details and are administered (the `accounts`
blueprint's views), bringing the identity features together.

Imports: directory, organisations, mfa, mail, accounts, core (each below it in the layers,
pyproject.toml).
"""
