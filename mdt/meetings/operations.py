from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from flask import render_template

from mdt.accounts.models import User
from mdt.availability.clashes import QUORUM_ROLES
from mdt.core.days import to_local
from mdt.core.fields import UPCOMING, YEARS_AHEAD
from mdt.core.time import now_utc
from mdt.core.web import external_url
from mdt.extensions import db
from mdt.mail import outbox
from mdt.meetings.models import Attendance, Invitation, Meeting, MeetingStatus, Reply
from mdt.meetings.signals import (
    cover_stands_in,
    invitees_emailed,
    meeting_booked,
    member_invited,
    shown_in_calendars,
)
from mdt.slots.models import SlotSeries
from mdt.slots.occurrences import Occurrence
from mdt.teams.models import Membership, Team, TeamRole


class AlreadyBooked(Exception):
    """A meeting is already booked in that occurrence."""


class NotBookable(Exception):
    """The occurrence cannot be booked: it has begun, or it is further ahead than any date
    the service accepts. The message says which."""


def _invite_members(meeting: Meeting, team: Team) -> None:
    for m in team.memberships:
        meeting.invitations.append(
            Invitation(
                user=m.user, discipline=m.discipline, counts_for_quorum=m.role in QUORUM_ROLES
            )
        )


def invite_to_upcoming(team: Team, membership: Membership, now: datetime) -> list[Meeting]:
    """Someone joining a team is invited to its booked meetings still to come, and asked to
    prepare the cases already on them."""
    upcoming = db.session.scalars(
        sa.select(Meeting).where(
            Meeting.team_id == team.id,
            Meeting.status == MeetingStatus.SCHEDULED,
            Meeting.starts_at > now,
        )
    ).all()
    for meeting in upcoming:
        if meeting.invitation_of(membership.user) is None:
            meeting.invitations.append(
                Invitation(
                    user=membership.user,
                    discipline=membership.discipline,
                    counts_for_quorum=membership.role in QUORUM_ROLES,
                )
            )
            db.session.flush()
            meeting.team = team
            member_invited.send(meeting)
    return list(upcoming)


def _team_chair(team: Team) -> User | None:
    return next((m.user for m in team.memberships if m.role is TeamRole.CHAIR), None)


def book_occurrence(team: Team, series: SlotSeries, occ: Occurrence, now: datetime) -> Meeting:
    from mdt.meetings.queries import meeting_in_occurrence

    if occ.starts_at <= now:
        raise NotBookable("That occurrence has already started, so it cannot be booked.")
    if occ.starts_at.date() > UPCOMING.limits(now.date())[1]:
        raise NotBookable(f"Meetings can be booked up to {YEARS_AHEAD} years ahead.")
    if meeting_in_occurrence(series.id, occ.original_date) is not None:
        raise AlreadyBooked()
    meeting = Meeting(
        team=team,
        series=series,
        occurrence_date=occ.original_date,
        starts_at=occ.starts_at,
        ends_at=occ.ends_at,
        location=series.location or team.default_location,
        video_link=series.video_link or team.default_video_link,
        chair=_team_chair(team),
    )
    return _save_new(meeting, team)


def book_adhoc(
    team: Team, starts_at: datetime, ends_at: datetime, reason: str, location: str, video: str
) -> Meeting:
    meeting = Meeting(
        team=team,
        starts_at=starts_at,
        ends_at=ends_at,
        outside_protected_reason=reason.strip(),
        location=location.strip() or team.default_location,
        video_link=video.strip() or team.default_video_link,
        chair=_team_chair(team),
    )
    return _save_new(meeting, team)


def _save_new(meeting: Meeting, team: Team) -> Meeting:
    _invite_members(meeting, team)
    db.session.add(meeting)
    db.session.flush()
    meeting_booked.send(meeting)
    _tell_invitees(meeting, "booked")
    return meeting


def _bump(meeting: Meeting) -> None:
    meeting.bump()
    meeting.updated_at = now_utc()


def reschedule(
    meeting: Meeting, revision: int | None, starts_at: datetime, ends_at: datetime, reason: str
) -> None:
    meeting.check(revision)
    meeting.starts_at, meeting.ends_at = starts_at, ends_at
    meeting.change_reason = reason.strip()
    _bump(meeting)
    db.session.flush()
    _tell_invitees(meeting, "rescheduled")


def cancel(meeting: Meeting, revision: int | None, reason: str) -> None:
    meeting.check(revision)
    meeting.status = MeetingStatus.CANCELLED
    meeting.change_reason = reason.strip()
    _bump(meeting)
    db.session.flush()
    _tell_invitees(meeting, "cancelled")


def update_details(
    meeting: Meeting,
    revision: int | None,
    chair: User | None,
    minute_taker: User | None,
    location: str,
    video_link: str,
) -> None:
    """Save the details; a change to nothing at all leaves the meeting as it was. Any change
    an invitation shows (chair, minute-taker, place, link) reaches calendars as the same
    event, updated (SEQUENCE + 1); a change to nothing shown sends nothing."""
    meeting.check(revision)
    where = (location.strip(), video_link.strip())
    people = (chair.id if chair else None, minute_taker.id if minute_taker else None)
    moved = where != (meeting.location, meeting.video_link)
    if not moved and people == (meeting.chair_id, meeting.minute_taker_id):
        return
    before = _shown(meeting)
    meeting.chair, meeting.minute_taker = chair, minute_taker
    meeting.location, meeting.video_link = where
    _bump(meeting)
    db.session.flush()
    if meeting.status is MeetingStatus.SCHEDULED and _shown(meeting) != before:
        _tell_invitees(meeting, "moved to another place" if moved else "updated")


def reply(meeting: Meeting, invitation: Invitation, answer: Reply, cover: User | None) -> None:
    """A person's own reply; naming a cover invites them in the person's discipline."""
    invitation.reply, invitation.replied_at = answer, now_utc()
    if answer is Reply.APOLOGIES and cover is not None and cover.id != invitation.user_id:
        existing = meeting.invitation_of(cover)
        if existing is None:
            covering = Invitation(
                user=cover,
                discipline=invitation.discipline,
                counts_for_quorum=invitation.counts_for_quorum,
                covering_for_id=invitation.user_id,
                reply=Reply.IN_PERSON,
                replied_at=now_utc(),
            )
            meeting.invitations.append(covering)
            db.session.flush()
            _tell_invitees(meeting, "booked", only=[covering])  # the cover is invited too
        elif invitation.counts_for_quorum and not existing.counts_for_quorum:
            existing.discipline, existing.counts_for_quorum = invitation.discipline, True
            existing.covering_for_id = invitation.user_id
        _hand_prep_to_cover(meeting, invitation.user_id)
    db.session.flush()


def _hand_prep_to_cover(meeting: Meeting, member_id: int) -> None:
    """The cover stands in for the member: the member's preparation becomes theirs."""
    cover = next((i for i in meeting.invitations if i.covering_for_id == member_id), None)
    if cover is not None:
        cover_stands_in.send(meeting, member_id=member_id, cover_id=cover.user_id)


def record_attendance(meeting: Meeting, marks: dict[int, Attendance | None]) -> None:
    now = now_utc()
    for inv in meeting.invitations:
        if inv.id in marks and marks[inv.id] != inv.attendance:
            inv.attendance, inv.attendance_recorded_at = marks[inv.id], now
    db.session.flush()


def _tell_invitees(meeting: Meeting, what: str, only: list[Invitation] | None = None) -> None:
    """One email to each invitee (or to `only` those) through the outbox; no patient detail,
    ever."""
    when = to_local(meeting.starts_at, meeting.team.time_zone)
    subject = f"MDT meeting {what}: {meeting.team.name}, {when:%a %d %b %Y %H:%M}"
    link = external_url("meetings.detail", meeting_id=meeting.id)
    emails = []
    for inv in meeting.invitations if only is None else only:
        body = render_template(
            "meetings/email/change.txt",
            meeting=meeting,
            what=what,
            when=when,
            link=link,
            person=inv.user,
        )
        emails.append((inv.user, outbox.compose([inv.user.email], subject, body)))
    invitees_emailed.send(meeting, what=what, emails=emails)  # calendars attach invitations
    for _person, message in emails:
        outbox.enqueue(message)


def _shown(meeting: Meeting) -> list[object]:
    """What calendars show of the meeting, to compare before and after a change."""
    return [shown for _receiver, shown in shown_in_calendars.send(meeting)]
