from __future__ import annotations

from wtforms import RadioField
from wtforms.validators import InputRequired

from mdt.calendar.models import DELIVERY_LABELS
from mdt.core.forms import BaseForm, choices


class DeliveryForm(BaseForm):
    meeting_delivery = RadioField(
        "How should meetings reach your calendar?",
        choices=choices((d.value, label) for d, label in DELIVERY_LABELS.items()),
        validators=[InputRequired("Choose how meetings should reach your calendar")],
    )
