"""Form fields and validators shared by features."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, time
from typing import Any
from zoneinfo import available_timezones

from wtforms import DateField, SelectField, StringField, TimeField
from wtforms.validators import InputRequired, Optional, ValidationError

from mdt.core.forms import choices
from mdt.core.time import now_utc
from mdt.slots.recurrence import ORDINALS, WEEKDAYS


def validate_time_zone(_form: object, field: StringField) -> None:
    name = (field.data or "").strip()
    if not name:
        return
    if name not in available_timezones():
        raise ValidationError(
            f"{name} is not a time zone this service knows; use a name like Europe/London"
        )
    # Calendar feeds must describe the zone's clock changes as yearly rules that Outlook and
    # Google follow; the few zones whose rules cannot be written so are refused here.
    from mdt.calendar.timezones import UnsupportedTimeZone, yearly_rules, years_from

    try:  # for every window a feed can cover from now on, not just the next few years
        yearly_rules(name, years_from(now_utc().year))
    except UnsupportedTimeZone:
        raise ValidationError(
            f"{name} changes its clocks in a way calendar apps cannot follow; "
            "choose a neighbouring time zone"
        ) from None


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


def time_field(
    label: str, required: bool = True, after: tuple[str, str] | None = None
) -> FriendlyTimeField:
    """A time; `after` = (other field, message) when it must come after another time."""
    first = InputRequired(f"Enter the {label.lower()}, like 12:30") if required else Optional()
    return FriendlyTimeField(label, validators=[first, *([After(*after)] if after else [])])


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


class After:
    """Field validator: this value must come after the value of `other` (a field name); the
    check is skipped while either is missing (their own validators say so)."""

    def __init__(self, other: str, message: str, allow_equal: bool = False) -> None:
        self.other, self.message, self.allow_equal = other, message, allow_equal

    def __call__(self, form: Any, field: Any) -> None:
        earlier = form[self.other].data
        if earlier is None or field.data is None:
            return
        if field.data < earlier or (field.data == earlier and not self.allow_equal):
            raise ValidationError(self.message)


def refuse_clock_change(day: object, at: object, zone: str) -> None:
    """Refuse a start that a clock change in `zone` skips or repeats (when the day, time and
    zone are all valid; their own validators report otherwise)."""
    refuse_clock_changes([day] if day else [], at, zone)


def refuse_clock_changes(days: Iterable[object], at: object, zone: str) -> None:
    """As refuse_clock_change, for the first of `days` (a series' dates) it applies to."""
    from mdt.core.calendar import clock_change_at, clock_change_message

    if not isinstance(at, time) or zone not in available_timezones():
        return
    for day in days:
        if isinstance(day, date) and (change := clock_change_at(day, at, zone)) is not None:
            raise ValidationError(clock_change_message(day, at, zone, change))
