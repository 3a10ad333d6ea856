from __future__ import annotations

from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from mdt.core.fields import date_field
from mdt.core.forms import BaseForm, choices, revision_field
from mdt.minutes.models import CHOSEN_OUTCOMES


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
    review_date = date_field("Review date (optional)", required=False)
    override = BooleanField("Record it although the meeting is not quorate")
    override_reason = StringField(
        "Why it cannot wait for a quorate meeting", validators=[Optional(), Length(max=300)]
    )
    #: 0 when the minute-taker started from no outcome; a saved one is then a conflict.
    revision = revision_field()

    def validate_override_reason(self, field: StringField) -> None:
        from wtforms.validators import ValidationError

        if self.override.data and not (field.data or "").strip():
            raise ValidationError("Give the reason for recording it without quorum")
