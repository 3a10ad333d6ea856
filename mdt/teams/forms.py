from __future__ import annotations

from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from mdt.core.fields import validate_time_zone, video_link_field
from mdt.core.forms import BaseForm, choices, revision_field
from mdt.teams.models import DISCIPLINES, TeamRole

ROLE_CHOICES = [(r.value, r.label) for r in TeamRole]
DISCIPLINE_PAIRS = [("", "Choose a discipline")] + [(d, d) for d in DISCIPLINES]


class TeamForm(BaseForm):
    name = StringField(
        "Team name", validators=[DataRequired("Enter the team's name"), Length(max=120)]
    )
    description = TextAreaField(
        "Description",
        validators=[
            Optional(),
            Length(max=2000, message="Keep the description to 2000 characters or fewer"),
        ],
    )
    time_zone = StringField(
        "Time zone",
        default="Europe/London",
        validators=[
            DataRequired("Enter a time zone, like Europe/London"),
            Length(max=64),
            validate_time_zone,
        ],
    )
    default_location = StringField("Usual meeting place", validators=[Optional(), Length(max=200)])
    default_video_link = video_link_field("Usual video link")
    revision = revision_field()


class NewTeamForm(TeamForm):
    coordinator_id = SelectField(
        "First coordinator",
        coerce=int,
        validators=[DataRequired("Choose who coordinates the team")],
    )
    coordinator_discipline = SelectField(
        "Their discipline in this team",
        choices=choices(DISCIPLINE_PAIRS),
        validators=[DataRequired("Choose the coordinator's discipline")],
    )


class MembershipForm(BaseForm):
    role = SelectField(
        "Role in the team", choices=choices(ROLE_CHOICES), default=TeamRole.CORE_MEMBER.value
    )
    discipline = SelectField(
        "Discipline",
        choices=choices(DISCIPLINE_PAIRS),
        validators=[DataRequired("Choose a discipline")],
    )
    deputy_id = SelectField("Deputy (optional)", coerce=int, validators=[Optional()])

    def validate_deputy_id(self, field: SelectField) -> None:
        if field.data and self.role.data != TeamRole.CORE_MEMBER.value:
            raise ValidationError("Only core members name a deputy; choose 'No deputy'")


class NewMembershipForm(MembershipForm):
    user_id = SelectField("Person", coerce=int, validators=[DataRequired("Choose a person to add")])

    def validate_deputy_id(self, field: SelectField) -> None:
        super().validate_deputy_id(field)
        if field.data and field.data == self.user_id.data:
            raise ValidationError("A person cannot be their own deputy")
