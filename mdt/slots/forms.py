from __future__ import annotations

from datetime import date, datetime, timedelta

from wtforms import (
    BooleanField,
    IntegerField,
    RadioField,
    SelectMultipleField,
    StringField,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from mdt.core.days import has_begun, local_to_utc
from mdt.core.fields import (
    UPCOMING,
    date_field,
    refuse_clock_change,
    refuse_clock_changes,
    time_field,
    validate_time_zone,
    video_link_field,
)
from mdt.core.forms import BaseForm, choices, revision_field
from mdt.core.recurrence import WEEKDAYS, Rule
from mdt.core.recurrence_form import RecurrenceFields

MIN_MINUTES, MAX_MINUTES = 15, 240


class SeriesForm(RecurrenceFields):
    title = StringField(
        "Name",
        default="MDT meeting",
        validators=[DataRequired("Enter a name, like Monthly MDT"), Length(max=120)],
    )
    start_time = time_field("Start time")
    duration_minutes = IntegerField(
        "Length in minutes",
        default=90,
        validators=[InputRequired("Enter the length in minutes, like 90")],
    )
    time_zone = StringField(
        "Time zone",
        default="Europe/London",
        validators=[DataRequired("Enter a time zone, like Europe/London"), validate_time_zone],
    )
    location = StringField("Place", validators=[Optional(), Length(max=200)])
    video_link = video_link_field()
    skip_bank_holidays = BooleanField("Skip bank holidays in England and Wales", default=True)
    revision = revision_field()

    def validate_duration_minutes(self, field: IntegerField) -> None:
        if field.data is None or not MIN_MINUTES <= field.data <= MAX_MINUTES:
            raise ValidationError("The length must be between 15 minutes and 4 hours (240 minutes)")

    def validate_start_time(self, field: object) -> None:
        """No occurrence may start at a time a clock change skips or repeats."""
        refuse_clock_changes(self._rule_dates(), self.start_time.data, self.time_zone.data or "")

    def _rule_dates(self) -> list[date]:
        """The dates the rule typed gives over CLOCK_CHECK_YEARS ([] while it is incomplete)."""
        start, weekday = self.start_date.data, self.weekday.data
        if not isinstance(start, date) or weekday is None or self.start_date.errors:
            return []
        try:
            rule = Rule(
                self.frequency.data,
                weekday,
                start,
                self.interval.data or 1,
                self.ordinal.data or 1,
                self.end_date.data if isinstance(self.end_date.data, date) else None,
            )
            return rule.dates(start, start + timedelta(days=366 * CLOCK_CHECK_YEARS))
        except (ValueError, OverflowError):  # a start near year 9999: its window says so
            return []


#: How far ahead a series' dates are checked against clock changes: past any feed's window.
CLOCK_CHECK_YEARS = 4


class OccurrenceChangeForm(BaseForm):
    action = RadioField(
        "What to do",
        choices=choices([("cancel", "Cancel this occurrence"), ("move", "Move it")]),
        validators=[InputRequired("Choose whether to cancel or move it")],
    )
    new_date = date_field("New date", UPCOMING, required=False)
    new_time = time_field("New start time", required=False)
    reason = StringField(
        "Reason",
        validators=[DataRequired("Give the reason, so the team knows why"), Length(max=300)],
    )

    #: The series' time zone; the view sets it before validating.
    zone: str = "Europe/London"

    @classmethod
    def in_zone(cls, zone: str) -> OccurrenceChangeForm:
        form = cls()
        form.zone = zone
        return form

    def validate(self, extra_validators=None) -> bool:  # type: ignore[no-untyped-def]
        # Here, not as validate_new_date: Optional() stops a blank field's checks, so a move
        # with no date went on to be worked out from nothing (a 500).
        ok = super().validate(extra_validators)
        if self.action.data != "move":
            return ok
        for field, message in (
            (self.new_date, "Enter the new date"),
            (self.new_time, "Enter the new start time, like 12:30"),
        ):
            if field.data is None and not field.errors:
                field.errors = [*field.errors, message]
                ok = False
        return ok

    def moved_to(self) -> datetime | None:
        """Where a move takes the occurrence; None for a cancellation."""
        if self.action.data != "move":
            return None
        return local_to_utc(self.new_date.data, self.new_time.data, self.zone)

    def validate_new_date(self, field: object) -> None:
        if self.action.data != "move" or not self.new_date.data:
            return
        if has_begun(self.new_date.data, self.new_time.data, self.zone):
            raise ValidationError("The new time must be in the future: choose a later date")

    def validate_new_time(self, field: object) -> None:
        if self.action.data == "move" and self.new_date.data and self.new_time.data:
            refuse_clock_change(self.new_date.data, self.new_time.data, self.zone)


class FindSlotForm(BaseForm):
    class Meta:
        csrf = False  # a search: it changes nothing, and its results can be bookmarked

    weekdays = SelectMultipleField(
        "Days",
        coerce=int,
        choices=choices(enumerate(WEEKDAYS[:5])),
        default=[0, 1, 2, 3, 4],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
        validators=[DataRequired("Choose at least one day")],
    )
    earliest = time_field("Earliest start")
    latest_end = time_field(
        "Latest end", after=("earliest", "The latest end must be after the earliest start")
    )
    minutes = IntegerField(
        "Length in minutes", default=90, validators=[InputRequired("Enter the length in minutes")]
    )
    kind = RadioField(
        "How often",
        choices=choices(
            [("weekly", "Weekly"), ("fortnightly", "Every other week"), ("monthly", "Monthly")]
        ),
        default="monthly",
    )

    def validate_minutes(self, field: IntegerField) -> None:
        if field.data is None or not MIN_MINUTES <= field.data <= MAX_MINUTES:
            raise ValidationError("The length must be between 15 minutes and 4 hours (240 minutes)")
