"""A second factor: authenticator apps (TOTP), recovery codes and passkeys (WebAuthn).

Imports: mail, accounts, core (each below it in the layers, pyproject.toml).
"""
