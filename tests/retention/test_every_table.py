"""A disposal says what it does with every table that names a patient: a new table with a
patient column fails here until it is handled (and the patient's delete would fail on it)."""

from __future__ import annotations

import sqlalchemy as sa

from mdt.actions.models import ActionChange
from mdt.models import Base
from mdt.retention import disposal
from mdt.retention.operations import DISPOSAL
from tests.retention.support import utc
from tests.schema import tables_naming_a_patient


def test_every_table_that_names_a_patient_is_handled_by_disposal():
    assert tables_naming_a_patient(Base.metadata) - DISPOSAL.keys() == set()


def test_an_actions_history_keeps_who_and_when_but_not_the_words(app, clinic, session):
    gone = clinic.patient_closed_on(utc("2018-01-10"))
    action_id = gone.action.id
    session.add(
        ActionChange(action_id=action_id, kind="done", detail="Done: rang Mrs Barnes's son")
    )
    session.commit()
    with app.app_context():
        assert disposal.run(app.config, utc("2026-03-01")).disposed == 1
    session.expire_all()
    history = session.scalars(sa.select(ActionChange).where(ActionChange.action_id == action_id))
    assert [(c.kind, c.detail) for c in history] == [("created", ""), ("done", "")]
