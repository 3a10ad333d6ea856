"""Where the app's files are: found from this file, so core needs no import of the package."""

from __future__ import annotations

from pathlib import Path

#: The checkout (or installed tree): templates/, migrations/ and instance/ are under it.
ROOT = Path(__file__).resolve().parents[2]
