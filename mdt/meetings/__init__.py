"""Booking meetings, invitations, replies, attendance and quorum; the one meeting loader
(`get_meeting_or_404(id, need=...)`) and the signals other features subscribe to.

Imports: slots, availability, teams, reminders, mail, accounts, core (each below it in the
layers, pyproject.toml).
"""
