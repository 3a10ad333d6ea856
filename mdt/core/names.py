"""Names that must be unique (a team's, an organisation's), compared as people read them."""

from __future__ import annotations

import unicodedata


def name_key(name: str) -> str:
    """A name as it is compared: Unicode-normalised (NFKC), case-folded and with its spaces
    collapsed, so "École MDT" and "ÉCOLE  mdt" are one name. Worked out here and stored
    with the name, under a unique index, because the databases' lower() does not agree with
    Python's: SQLite's changes ASCII letters only, PostgreSQL's depends on the locale."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())
