"""A new action from a case in meeting mode: its form and its owner, shared by the action's own
page and meeting mode (which keeps a refused action on its case)."""

from __future__ import annotations

from mdt.accounts.models import User
from mdt.actions import operations as ops
from mdt.actions.forms import ActionForm
from mdt.actions.models import ActionPoint
from mdt.agenda.models import Case
from mdt.core.days import today_in
from mdt.core.forms import choices
from mdt.extensions import db
from mdt.meetings.models import Meeting
from mdt.teams.models import Team


def owner_choices(team: Team, exclude: int | None = None) -> list:  # type: ignore[type-arg]
    return _owner_choices(ops.possible_owners(team), exclude)


def _owner_choices(owners: list[tuple[int, str]], exclude: int | None = None) -> list:  # type: ignore[type-arg]
    people = [(i, label) for i, label in owners if i != exclude]
    return choices([(0, "Choose a person"), *people])


def action_form(meeting: Meeting, formdata: bool = True) -> ActionForm:
    """The owners and organisations come from the database by the team's id: meeting mode
    loads the members without their people."""
    form = ActionForm() if formdata else ActionForm(formdata=None)
    people = ops.team_people(meeting.team_id)
    form.owner_id.choices = _owner_choices(people.owners)
    form.contact_organisation_id.choices = choices(
        [(0, "Choose an organisation"), *people.organisations]
    )
    form.today = today_in(meeting.team.time_zone)
    return form


def chosen_owner(form: ActionForm, team: Team) -> User:
    if form.owner_id.data:
        owner = db.session.get(User, form.owner_id.data)
        if owner is None:
            raise ops.ActionRefusal("Choose the one person who owns this action.")
        return owner
    return ops.contact_owner(
        team,
        form.contact_name.data or "",
        form.contact_email.data or "",
        form.contact_organisation_id.data or 0,
    )


def add_action_from(form: ActionForm, meeting: Meeting, case: Case, by: User) -> ActionPoint:
    """The action the form describes, on `case` (flushed); ActionRefusal if it cannot be."""
    return ops.create(
        meeting,
        case,
        owner=chosen_owner(form, meeting.team),
        due=form.due_date.data,
        description=form.description.data,
        by=by,
        today=form.today,  # type: ignore[arg-type]
    )
