from __future__ import annotations

from typing import Any

from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from mdt.core.fields import UPCOMING, date_field
from mdt.core.forms import BaseForm, choices, revision_field
from mdt.minutes.models import CHOSEN_OUTCOMES, Outcome


class OutcomeForm(BaseForm):
    summary = TextAreaField(
        "Discussion summary",
        validators=[Optional(), Length(max=4000, message="Keep this to 4000 characters or fewer")],
    )
    outcome = RadioField(
        "Outcome",
        choices=choices((o.value, o.label) for o in CHOSEN_OUTCOMES),
        validators=[InputRequired("Choose the outcome")],
    )
    review_date = date_field("Review date (optional)", UPCOMING, required=False)
    override = BooleanField("Record it although the meeting is not quorate")
    override_reason = StringField(
        "Why it cannot wait for a quorate meeting", validators=[Optional(), Length(max=300)]
    )
    #: 0 when the minute-taker started from no outcome; a saved one is then a conflict.
    revision = revision_field()

    def outcome_fields(self) -> dict[str, Any]:
        """What the form records, as `record_outcome` takes it."""
        return {
            "revision": self.revision.data,
            "outcome": Outcome(self.outcome.data),
            "summary": self.summary.data or "",
            "review_date": self.review_date.data,
            "override": self.override_reason.data if self.override.data else None,
        }

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        ok = super().validate(extra_validators)
        if self.override.data and not (self.override_reason.data or "").strip():
            self.override_reason.errors = [
                *self.override_reason.errors,
                "Give the reason for recording it without quorum",
            ]
            return False
        return ok
