"""`mdt backup` and `mdt restore`: a consistent copy with a manifest, and mail held after a restore
so nothing is sent twice.

Imports: reminders, mail, core (each below it in the layers, pyproject.toml).
"""
