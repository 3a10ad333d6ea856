"""MDTs: memberships, roles, disciplines, deputies, team links.

Imports: accounts, core (each below it in the layers, pyproject.toml).
"""
