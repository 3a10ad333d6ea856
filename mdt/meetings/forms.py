from __future__ import annotations

from datetime import datetime

from markupsafe import Markup
from wtforms import RadioField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from mdt.core.date_input import NhsDateField
from mdt.core.days import has_begun, local_to_utc, to_local
from mdt.core.fields import UPCOMING, date_field, refuse_clock_change, time_field, video_link_field
from mdt.core.forms import BaseForm, choices, revision_field
from mdt.core.widgets import options
from mdt.meetings.models import REPLY_LABELS, Attendance, Meeting, Reply
from mdt.teams.models import Team

REASON = [DataRequired("Give the reason, so attendees know why"), Length(max=300)]


class WhenFields(BaseForm):
    date = date_field("Date", UPCOMING)
    start_time = time_field("Start time")
    end_time = time_field(
        "End time", after=("start_time", "The end time must be after the start time")
    )
    #: The team's time zone, set by the view: a start in the past or inside a clock change is
    #: refused.
    zone = "Europe/London"

    def validate_start_time(self, field: object) -> None:
        refuse_clock_change(self.date.data, self.start_time.data, self.zone)

    def validate_date(self, field: NhsDateField) -> None:
        """A meeting cannot start in the past: nobody could come, and a past meeting shows in
        nobody's upcoming meetings (its cases' preparation would vanish with it)."""
        if field.data is None:
            return
        if has_begun(field.data, self.start_time.data, self.zone):
            raise ValidationError("The meeting must start in the future: choose a later date")


class AdHocMeetingForm(WhenFields):
    reason = StringField("Why outside protected time", validators=REASON)
    location = StringField("Place", validators=[Optional(), Length(max=200)])
    video_link = video_link_field()


class RescheduleForm(WhenFields):
    reason = StringField("Reason for the change", validators=REASON)
    revision = revision_field()

    @classmethod
    def drawn_from(cls, meeting: Meeting) -> RescheduleForm:
        """The form showing the meeting's times in its team's zone, and its revision."""
        zone = meeting.team.time_zone
        start, end = to_local(meeting.starts_at, zone), to_local(meeting.ends_at, zone)
        form = cls(
            date=start.date(),
            start_time=start.time(),
            end_time=end.time(),
            revision=meeting.revision,
        )
        form.zone = zone
        return form

    def starts_at(self) -> datetime:
        return local_to_utc(self.date.data, self.start_time.data, self.zone)

    def ends_at(self) -> datetime:
        return local_to_utc(self.date.data, self.end_time.data, self.zone)


class CancelForm(BaseForm):
    reason = StringField("Reason for cancelling", validators=REASON)
    revision = revision_field()


class DetailsForm(BaseForm):
    chair_id = SelectField("Chair", coerce=int, validators=[Optional()])
    minute_taker_id = SelectField("Minute-taker", coerce=int, validators=[Optional()])
    location = StringField("Place", validators=[Optional(), Length(max=200)])
    video_link = video_link_field()
    revision = revision_field()

    def saved_message(self) -> str:
        if self.chair_id.data and self.chair_id.data == self.minute_taker_id.data:
            return (
                "Saved. Note: the chair is also taking the minutes; MDT standards ask "
                "for a separate minute-taker."
            )
        return "The meeting's details are saved."


def member_choices(team: Team) -> list[SelectChoice]:
    """The team's members, by name, for choosing a chair or a minute-taker."""
    people = sorted(((m.user_id, m.user.name) for m in team.memberships), key=lambda p: p[1])
    return choices([(0, "Not chosen")] + people)


class ReplyForm(BaseForm):
    reply = RadioField(
        "Will you attend?",
        choices=choices((r.value, REPLY_LABELS[r]) for r in Reply if r is not Reply.NONE),
        validators=[InputRequired("Choose whether you will attend")],
    )
    cover_id = SelectField("Who will cover for you (optional)", coerce=int, validators=[Optional()])


ATTENDANCE_CHOICES = choices([("", "Not recorded")] + [(a.value, a.label) for a in Attendance])


#: The <option>s of an attendance select, written once for each recorded value: meeting mode
#: and the meeting page show one select per invitation.
ATTENDANCE_OPTIONS = {
    str(c.value): options(((c.value, c.label) for c in ATTENDANCE_CHOICES), c.value)
    for c in ATTENDANCE_CHOICES
}


def attendance_options(recorded: Attendance | None) -> Markup:
    """The options of an invitation's attendance select, its recorded value selected."""
    return ATTENDANCE_OPTIONS[recorded.value if recorded is not None else ""]


class AttendanceForm(BaseForm):
    """Fields named attendance-<invitation id> are read from the request by the view."""
