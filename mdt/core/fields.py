"""Form fields and validators shared by features."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time, timedelta
from typing import Any
from zoneinfo import available_timezones

from dateutil.relativedelta import relativedelta
from wtforms import SelectField, StringField, TimeField, URLField
from wtforms.validators import (
    URL,
    InputRequired,
    Length,
    Optional,
    StopValidation,
    ValidationError,
)

from mdt.core.date_input import NhsDateField
from mdt.core.forms import choices
from mdt.core.recurrence import ORDINALS, WEEKDAYS
from mdt.core.time import now_utc


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
    from mdt.core.zones import UnsupportedTimeZone, yearly_rules, years_from

    try:  # for every window a feed can cover from now on, not just the next few years
        yearly_rules(name, years_from(now_utc().year))
    except UnsupportedTimeZone:
        raise ValidationError(
            f"{name} changes its clocks in a way calendar apps cannot follow; "
            "choose a neighbouring time zone"
        ) from None


class FriendlyTimeField(TimeField):
    def process_formdata(self, valuelist: list[Any]) -> None:
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError("Enter a time on the 24-hour clock, like 12:30") from None


#: No date typed anywhere may be further ahead than this: nothing the service plans reaches
#: so far, a date beyond is a typo (2207 for 2027), and near year 9999 the times built from it
#: overflow.
YEARS_AHEAD = 5


@dataclass(frozen=True)
class DateWindow:
    """The dates a field accepts. `earliest` is a fixed date, or None for "from today";
    `years_ahead` counts from today (0: up to today)."""

    earliest: date | None
    years_ahead: int = YEARS_AHEAD

    def limits(self, today: date) -> tuple[date, date]:
        # "Today" is the server's (UTC) date, a day early: the form does not know the team's
        # time zone, and west of UTC the local date is still yesterday's. Checks that know
        # the zone (a meeting's start, an action's due date) are exact.
        earliest = self.earliest if self.earliest is not None else today - timedelta(days=1)
        return earliest, today + relativedelta(years=self.years_ahead)

    def contains(self, day: date, today: date) -> bool:
        earliest, latest = self.limits(today)
        return earliest <= day <= latest

    def problem(self, noun: str, day: date, today: date) -> str | None:
        """What is wrong with `day` (`noun` names it, like "The due date"), or None."""
        earliest, latest = self.limits(today)
        if day < earliest:
            if self.earliest is None:
                return f"{noun} must be today or in the future"
            return f"{noun} must be on or after {earliest:%-d %B %Y}"
        if day > latest:
            if self.years_ahead == 0:
                return f"{noun} must be today or in the past"
            return (
                f"{noun} must be within {self.years_ahead} years from today, "
                f"on or before {latest:%-d %B %Y}"
            )
        return None


#: Dates to come: meetings booked or moved, occurrences moved, due and review dates.
UPCOMING = DateWindow(earliest=None)
#: Dates of things that may have begun long ago: protected time, members' commitments and
#: leave, and the periods of reports and the audit log. Nothing the service keeps is older
#: than 2000, and an old series must stay editable without moving its start.
RECORDED = DateWindow(earliest=date(2000, 1, 1))
#: Dates of birth: the oldest person living was born after 1900.
BIRTH = DateWindow(earliest=date(1900, 1, 1), years_ahead=0)


class InWindow:
    """Field validator: the date lies in `window` (a missing date is left to the others)."""

    def __init__(self, window: DateWindow, noun: str) -> None:
        self.window, self.noun = window, noun

    def __call__(self, _form: object, field: NhsDateField) -> None:
        if field.data is None:
            return
        problem = self.window.problem(self.noun, field.data, now_utc().date())
        if problem:
            # Stop: a date out of the window cannot be checked any further (nor be turned
            # into a time).
            raise StopValidation(problem)


def date_field(
    label: str, window: DateWindow, required: bool = True, noun: str | None = None
) -> NhsDateField:
    """A date typed as day, month and year (mdt.core.date_input), refused outside `window`:
    every date field chooses its window. `noun` names the date in messages (by default
    "The <label>")."""
    first = InputRequired(f"Enter the {label.lower()}") if required else Optional()
    noun = noun or f"The {label.lower().removesuffix(' (optional)')}"
    return NhsDateField(label, validators=[first, InWindow(window, noun)], subject=_subject(noun))


def _subject(noun: str) -> str:
    """The date named at the start of a sentence: "Date of birth", "'From' date"."""
    rest = noun.removeprefix("The ")
    first = next((i for i, c in enumerate(rest) if c.isalpha()), 0)
    return rest[:first] + rest[first : first + 1].upper() + rest[first + 1 :]


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
    from mdt.core.days import clock_change_at, clock_change_message

    if not isinstance(at, time) or zone not in available_timezones():
        return
    for day in days:
        if isinstance(day, date) and (change := clock_change_at(day, at, zone)) is not None:
            raise ValidationError(clock_change_message(day, at, zone, change))


def video_link_field(label: str = "Video link") -> URLField:
    """An optional link to a video call (Teams, Zoom...), which must be a full web address."""
    return URLField(
        label,
        validators=[
            Optional(),
            URL(message="Enter the full video link, starting with https://"),
            Length(max=500),
        ],
    )
