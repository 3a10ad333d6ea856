"""Which tables name a patient: read from the models' metadata, for the tests that make sure
subject access and disposal leave none out."""

from __future__ import annotations

import sqlalchemy as sa


def tables_naming_a_patient(metadata: sa.MetaData) -> set[str]:
    """Tables with a foreign key to patient or a patient_id column, and then every table
    with a foreign key to one of those (a preparation request names its case's patient)."""
    found = {
        t.name
        for t in metadata.tables.values()
        if "patient_id" in t.c or any(fk.column.table.name == "patient" for fk in t.foreign_keys)
    } | ({"patient"} if "patient" in metadata.tables else set())
    while True:
        more = {
            t.name
            for t in metadata.tables.values()
            if any(fk.column.table.name in found for fk in t.foreign_keys)
        } - found
        if not more:
            return found
        found |= more
