"""Reminders: rows with a unique key, created by a periodic sweep and sent through the outbox.

Each kind of reminder is one function (see ``kinds.py``) that says who is due what and when;
the sweep (``sweep.py``) turns what has fallen due into rows, skips those whose subject has
been resolved, and mails the rest, alone or in a person's daily digest.
"""
