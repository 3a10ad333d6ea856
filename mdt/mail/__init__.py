"""The outbox and its transports (SMTP, a folder of .eml files): mail is written in the change's
transaction and sent after the commit, retried, never dropped; the refused-mail page.

Imports: accounts, core (each below it in the layers, pyproject.toml).
"""
