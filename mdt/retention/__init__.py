"""Retention and disposal: how long a patient's MDT records are kept, legal holds, and the
daily job that disposes of what is past its time (leaving the reports' counts behind).

Imports: minutes, actions, prep, agenda, patients, meetings, organisations, audit, accounts,
core (each below it in the layers, pyproject.toml).
"""
