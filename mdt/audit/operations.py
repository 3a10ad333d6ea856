"""Writing audit rows. Callers pass what happened; the rows join the request's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, TypedDict

import sqlalchemy as sa
from flask import g, has_request_context, render_template
from flask_login import current_user
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from mdt.audit.chain import link
from mdt.audit.models import AuditChainHead, AuditEvent
from mdt.core.db import UTCDateTime
from mdt.core.time import now_utc
from mdt.extensions import db

#: On PostgreSQL the rows are one INSERT ... SELECT of arrays: an executemany sends one
#: statement per patient (about 30 µs each in the driver: half a millisecond on a list of
#: 17 people), this the same one statement whatever their number. In the arrays' order, so
#: the ids follow the chain.
_CHAINED = (
    sa.func.unnest(
        sa.bindparam("patient_ids", type_=postgresql.ARRAY(sa.Integer)),
        sa.bindparam("previous_hashes", type_=postgresql.ARRAY(sa.String)),
        sa.bindparam("hashes", type_=postgresql.ARRAY(sa.String)),
    )
    .table_valued("patient_id", "previous_hash", "hash", with_ordinality="position")
    .render_derived(name="chained")
)
_INSERT_EACH = sa.insert(AuditEvent.__table__).from_select(
    ["at", "user_id", "client_id", "action", "what", "patient_id", "previous_hash", "hash"],
    sa.select(
        sa.bindparam("at", type_=UTCDateTime),
        sa.bindparam("user_id", type_=sa.Integer),
        sa.bindparam("client_id", type_=sa.Integer),
        sa.bindparam("action", type_=sa.String),
        sa.bindparam("what", type_=sa.String),
        _CHAINED.c.patient_id,
        _CHAINED.c.previous_hash,
        _CHAINED.c.hash,
    ).order_by(_CHAINED.c.position),
)

#: The chain's head, locked until the transaction ends: on PostgreSQL a second writer waits
#: here and then reads the head the first one left (READ COMMITTED re-reads a row it waited
#: for), so no two rows ever follow the same one. SQLite has one writer at a time already.
_TAKE_HEAD = sa.select(AuditChainHead.last_hash).where(AuditChainHead.id == 1).with_for_update()


class Event(TypedDict, total=False):
    at: datetime
    user_id: int | None
    #: An API client acting for its organisation (mdt.fhir), instead of a signed-in person.
    client_id: int | None
    patient_id: int
    action: str
    what: str


def append(session: Session, events: Sequence[Event]) -> None:
    """Write events, each chained to the one before, after the chain's head. On PostgreSQL
    a page's rows (one moment, person, action and what, as record() makes them) go in one
    statement; other events, and every event on SQLite, in an executemany."""
    if not events:
        return
    session.info[UNSAVED] = True
    previous = session.execute(_TAKE_HEAD).scalar_one()
    chained: list[dict[str, Any]] = []
    for event in events:
        made = link(previous, **event)
        chained.append({"client_id": None, **event, "previous_hash": previous, "hash": made})
        previous = made
    if session.get_bind().dialect.name == "postgresql" and _one_shape(events):
        first = chained[0]
        session.execute(
            _INSERT_EACH,
            {key: first[key] for key in ("at", "user_id", "client_id", "action", "what")}
            | {
                "patient_ids": [row["patient_id"] for row in chained],
                "previous_hashes": [row["previous_hash"] for row in chained],
                "hashes": [row["hash"] for row in chained],
            },
        )
    else:
        session.execute(AuditEvent.__table__.insert(), chained)


def _one_shape(events: Sequence[Event]) -> bool:
    first = events[0]
    return all(
        (e["at"], e["user_id"], e.get("client_id"), e["action"], e["what"])
        == (first["at"], first["user_id"], first.get("client_id"), first["action"], first["what"])
        for e in events
    )


def act_as_client(client_pk: int) -> None:
    """For the rest of this request, the actor recorded is this API client (mdt.fhir), not
    a signed-in person: a system acting for its organisation."""
    g.audit_client_pk = client_pk


def _actor() -> tuple[int | None, int | None]:
    client_pk = g.get("audit_client_pk") if has_request_context() else None
    if client_pk is not None:
        return None, client_pk
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    return user_id, None


def record(action: str, patient_ids: Iterable[int], what: str) -> None:
    """One row per patient, inserted in one statement."""
    ids = sorted(set(patient_ids))
    if not ids:
        return
    user_id, client_pk = _actor()
    at = now_utc()
    append(
        db.session,
        [
            Event(
                at=at,
                user_id=user_id,
                client_id=client_pk,
                patient_id=pid,
                action=action,
                what=what[:200],
            )
            for pid in ids
        ],
    )


def render_audited(
    template: str, *, patient_ids: Iterable[int], what: str, verb: str = "view", **context: Any
) -> str:
    """Render a page that shows patient data and record that it was shown; the view
    commits straight after (`page = render_audited(...)`, commit, `return page`). Rendering
    comes first: a commit expires every loaded row, and the template would then load each
    one again with a query of its own. Recording comes after it: the rows take the audit
    chain's head, which waits for every other writer's commit (PostgreSQL), and it is held
    from there to the view's commit only, not while the page is rendered."""
    page = render_template(template, **context)
    record(verb, patient_ids, what)
    return page


#: Set on a session by `append` until its transaction ends: a page that showed patients
#: and returned without committing would have shown them unrecorded.
UNSAVED = "mdt.audit.unsaved"


@sa.event.listens_for(Session, "after_commit")
@sa.event.listens_for(Session, "after_soft_rollback")
def _saved_or_undone(session: Session, *_: object) -> None:
    session.info.pop(UNSAVED, None)


def unsaved(session: Session) -> bool:
    """Whether audit rows were added in the session's transaction and not yet committed."""
    return bool(session.info.get(UNSAVED))
