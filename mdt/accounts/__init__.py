"""People and their sign-in: the User model, passwords, server-side sessions, professions, the
`signed_in_user()` and role loaders, and recent-authentication checks.

Imports: core (each below it in the layers, pyproject.toml).
"""
