"""A backup's manifest: what it is, when it was taken, and how to tell it is whole."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path

NAME = "manifest.json"
FORMAT = 1


class BackupError(RuntimeError):
    """A backup cannot be taken or restored; the message is one line for the operator."""


@dataclass(frozen=True)
class Manifest:
    backend: str
    taken_at: datetime
    #: The Alembic revision the database was at.
    schema_revision: str
    #: Rows in each table, counted in the same snapshot as the copy.
    tables: dict[str, int]
    #: The copy's file name, beside the manifest, and its sha256.
    file: str
    sha256: str
    size: int
    format: int = FORMAT

    def write(self, folder: Path) -> None:
        data = asdict(self) | {"taken_at": self.taken_at.isoformat()}
        # Written last, and renamed into place: a backup without a manifest is unfinished.
        partial = folder / (NAME + ".partial")
        partial.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
        partial.rename(folder / NAME)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        path = folder / NAME
        try:
            data = json.loads(path.read_text())
            data["taken_at"] = datetime.fromisoformat(data["taken_at"])
            manifest = cls(**data)
        except FileNotFoundError:
            raise BackupError(f"{path} does not exist: not a finished backup") from None
        except (ValueError, TypeError, KeyError) as exc:
            raise BackupError(f"{path} is not a backup manifest ({exc})") from None
        if manifest.format != FORMAT:
            raise BackupError(f"{path}: backup format {manifest.format} is not known here")
        return manifest

    def check_file(self, folder: Path) -> Path:
        """The copy's path, once its size and checksum match the manifest's."""
        path = folder / self.file
        if not path.is_file():
            raise BackupError(f"{path} is missing")
        if path.stat().st_size != self.size or sha256_of(path) != self.sha256:
            raise BackupError(f"{path} does not match its manifest's checksum: it is damaged")
        return path


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
