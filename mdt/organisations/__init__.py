"""GP practices, community health, social care, hospices: their details and identity providers.

Imports: oidc, accounts, core (each below it in the layers, pyproject.toml).
"""
