"""The FHIR R4 API under /fhir/R4: other systems refer patients in and take actions out.

Clients are systems, registered by administrators with their public keys (JWKS), the
organisation they act for and their scopes; they authenticate with a signed JWT (SMART
Backend Services, private_key_jwt) and see what that organisation's people may see.

Imports: minutes, actions, prep, agenda, patients, meetings, slots, teams, organisations, audit,
accounts, core (each below it in the layers, pyproject.toml).
"""
