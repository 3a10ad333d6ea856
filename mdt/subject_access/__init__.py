"""Subject access (UK GDPR article 15): everything the service holds about one person.

Imports: fhir, retention, minutes, actions, prep, agenda, patients, meetings, audit, accounts,
core (each below it in the layers, pyproject.toml).
"""
