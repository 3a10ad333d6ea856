"""Form fields and validators shared by features."""

from __future__ import annotations

from typing import Any
from zoneinfo import available_timezones

from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Optional, ValidationError

from mdt.core.forms import choices
from mdt.slots.recurrence import ORDINALS, WEEKDAYS


def validate_time_zone(_form: object, field: StringField) -> None:
    if field.data and field.data.strip() not in available_timezones():
        raise ValidationError(
            f"{field.data} is not a time zone this service knows; use a name like Europe/London"
        )


class FriendlyDateField(DateField):
    """A date typed as YYYY-MM-DD (what browsers' date pickers send)."""

    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a real date, like 2027-01-12") from None


class FriendlyTimeField(TimeField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a time on the 24-hour clock, like 12:30") from None


def date_field(label: str, required: bool = True) -> FriendlyDateField:
    first = InputRequired(f"Enter the {label.lower()}") if required else Optional()
    return FriendlyDateField(label, validators=[first], format="%Y-%m-%d")


def time_field(label: str, required: bool = True) -> FriendlyTimeField:
    first = InputRequired(f"Enter the {label.lower()}, like 12:30") if required else Optional()
    return FriendlyTimeField(label, validators=[first])


def weekday_field(label: str = "Day of the week") -> SelectField:
    return SelectField(label, coerce=int, choices=choices(enumerate(WEEKDAYS)))


class OrdinalField(SelectField):
    """First to fourth, or last: a fifth weekday does not come every month."""

    def __init__(self, label: str = "Which one in the month", **kw: Any) -> None:
        super().__init__(
            label,
            coerce=int,
            validate_choice=False,
            choices=choices((n, name.capitalize()) for n, name in ORDINALS.items()),
            **kw,
        )

    def pre_validate(self, form: Any) -> None:
        frequency = getattr(form, "frequency", None)
        if frequency is not None and frequency.data != "monthly":
            return  # only monthly rules use it
        if self.data not in ORDINALS:
            raise ValidationError(
                "Choose first, second, third, fourth or last: not every month has a fifth"
            )
