from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import InputRequired

from mdt.core.forms import BaseForm, choices

DIGEST, IMMEDIATE = "digest", "immediate"


class PreferencesForm(BaseForm):
    how = RadioField(
        "How do you want reminders?",
        choices=choices(
            [
                (DIGEST, "One email a day from each team, with everything due that day"),
                (IMMEDIATE, "Each reminder in its own email, as soon as it is due"),
            ]
        ),
        validators=[InputRequired("Choose how you want reminders")],
    )
