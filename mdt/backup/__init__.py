"""Backups and restores: a consistent copy of the live database with a manifest, and a
restore into an empty database that neither sends again what was sent nor reports a
scheduler that has not run."""
