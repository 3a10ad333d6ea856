"""Calendar feeds for Outlook, Google and Apple, and meeting invitations they accept.

Imports: actions, prep, agenda, meetings, slots, teams, mail, accounts, core (each below it in
the layers, pyproject.toml).
"""
