from __future__ import annotations

from wtforms import BooleanField, RadioField, SelectField, TextAreaField
from wtforms.validators import InputRequired, Length, Optional

from mdt.core.forms import BaseForm, choices, revision_field
from mdt.prep.models import Known

LIMIT = [Optional(), Length(max=1000, message="Keep this to 1000 characters or fewer")]


class PrepForm(BaseForm):
    known = RadioField(
        "Is the person known to your service?",
        choices=choices((k.value, k.label) for k in Known),
        validators=[InputRequired("Say whether the person is known to your service")],
    )
    involvement = TextAreaField("Your involvement and latest contact", validators=LIMIT)
    concerns = TextAreaField("Current concerns or risks", validators=LIMIT)
    safeguarding = BooleanField("There is a safeguarding concern")
    needs = TextAreaField("What you need from the meeting", validators=LIMIT)
    revision = revision_field()


class NotKnownForm(BaseForm):
    revision = revision_field()


class HandOverForm(BaseForm):
    colleague_id = SelectField(
        "Colleague", coerce=int, validators=[InputRequired("Choose a colleague")]
    )
