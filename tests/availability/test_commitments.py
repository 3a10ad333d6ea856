import sqlalchemy as sa

from mdt.availability.models import Commitment, CommitmentKind
from tests.conftest import login, submit


def _recurring(**over):
    return {
        "kind": "recurring",
        "r-label": "Tuesday morning surgery",
        "r-frequency": "weekly",
        "r-interval": "1",
        "r-weekday": "1",
        "r-ordinal": "1",
        "r-start_date": "2026-01-05",
        "r-end_date": "",
        "r-start_time": "08:30",
        "r-end_time": "12:30",
    } | over


def test_a_gp_records_their_tuesday_surgery_and_leave(client, make, session):
    gp = make.user()
    login(client, gp.email)
    assert submit(client, "/availability", _recurring(), prefix="r-").status_code == 302
    leave = {
        "kind": "absence",
        "a-label": "Annual leave",
        "a-start_date": "2027-02-15",
        "a-end_date": "2027-02-19",
    }
    assert submit(client, "/availability", leave, prefix="a-").status_code == 302
    page = client.get("/availability").text
    assert "Every Tuesday, 08:30–12:30" in page and "15 Feb 2027 to 19 Feb 2027" in page
    kinds = session.scalars(sa.select(Commitment.kind).where(Commitment.user_id == gp.id)).all()
    assert sorted(kinds) == [CommitmentKind.ABSENCE, CommitmentKind.RECURRING]


def test_end_before_start_is_refused_with_what_was_typed_kept(client, make, session):
    gp = make.user()
    login(client, gp.email)
    page = submit(client, "/availability", _recurring(**{"r-end_time": "08:00"}), prefix="r-").text
    assert "The end time must be after the start time" in page
    assert 'value="Tuesday morning surgery"' in page and 'value="08:00"' in page
    leave = {
        "kind": "absence",
        "a-label": "Leave",
        "a-start_date": "2027-02-19",
        "a-end_date": "2027-02-15",
    }
    page = submit(client, "/availability", leave, prefix="a-").text
    assert "last day must be on or after the first day" in page
    assert session.scalar(sa.select(sa.func.count(Commitment.id))) == 0


def test_a_coordinator_records_a_clinic_for_a_member_without_a_login(client, make, session):
    coordinator = make.user()
    team = make.team(coordinator=coordinator)
    contact = make.member(team, make.user(password=None, name="No Login Nurse"))
    login(client, coordinator.email)
    url = f"/teams/{team.id}/members/{contact.id}/availability"
    assert "No Login Nurse" in client.get(url).text
    assert (
        submit(client, url, _recurring(**{"r-label": "Thursday visits"}), prefix="r-").status_code
        == 302
    )
    saved = session.scalar(sa.select(Commitment))
    assert saved.user_id == contact.user_id and saved.created_by_id == coordinator.id


def test_nobody_else_can_see_or_remove_a_persons_commitments(client, make, app):
    owner, stranger = make.user(), make.user()
    commitment = make.recurring(owner)
    login(client, stranger.email)
    response = submit(client, f"/availability/{commitment.id}/remove", {}, form_url="/availability")
    assert response.status_code == 404
