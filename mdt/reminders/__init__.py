"""Reminders: rows with a unique key, made by a periodic sweep from the kinds the features
register, sent alone or in a daily digest; the sweep's shards, which several schedulers share;
preferences; the scheduler heartbeat.

Imports: mail, accounts, core (each below it in the layers, pyproject.toml).
"""
