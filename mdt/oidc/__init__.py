"""Sign-in through OpenID Connect providers (NHS CIS2, Microsoft Entra ID).

Imports: mfa, accounts, core (each below it in the layers, pyproject.toml).
"""
