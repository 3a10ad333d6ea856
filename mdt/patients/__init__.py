"""Patients, NHS numbers and who may see whom (the routes to a patient that features register).

Imports: meetings, organisations, audit, accounts, core (each below it in the layers,
pyproject.toml).
"""
