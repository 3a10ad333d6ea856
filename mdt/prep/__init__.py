"""Preparation requests, My prep and readiness: every attendee prepares every patient.

Imports: agenda, patients, meetings, teams, reminders, audit, accounts, core (each below it in
the layers, pyproject.toml).
"""
