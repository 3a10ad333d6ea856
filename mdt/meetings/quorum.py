"""Quorum by discipline for a booked meeting: expected from replies, actual from attendance."""

from __future__ import annotations

from dataclasses import dataclass

from mdt.meetings.models import Attendance, Invitation, Meeting, Reply

ATTENDING_REPLIES = (Reply.IN_PERSON, Reply.REMOTE)
ATTENDED = (Attendance.PRESENT, Attendance.REMOTE)


@dataclass
class DisciplineStatus:
    discipline: str
    #: Names of those expected (replied attending) or present, for this discipline.
    people: list[str]
    #: Nobody has replied yet, so it may still be covered.
    pending: list[str]

    @property
    def covered(self) -> bool:
        return bool(self.people)


def _disciplines(meeting: Meeting) -> dict[str, list[Invitation]]:
    out: dict[str, list[Invitation]] = {}
    for inv in meeting.invitations:
        if inv.counts_for_quorum:
            out.setdefault(inv.discipline, []).append(inv)
    return dict(sorted(out.items()))


def _label(inv: Invitation) -> str:
    if inv.covering_for is not None:
        return f"{inv.user.name} (covering for {inv.covering_for.name})"
    return inv.user.name


def expected(meeting: Meeting) -> list[DisciplineStatus]:
    return [
        DisciplineStatus(
            discipline,
            [_label(i) for i in invs if i.reply in ATTENDING_REPLIES],
            [_label(i) for i in invs if i.reply is Reply.NONE],
        )
        for discipline, invs in _disciplines(meeting).items()
    ]


def actual(meeting: Meeting) -> list[DisciplineStatus]:
    return [
        DisciplineStatus(
            discipline,
            [_label(i) for i in invs if i.attendance in ATTENDED],
            [_label(i) for i in invs if i.attendance is None],
        )
        for discipline, invs in _disciplines(meeting).items()
    ]


def is_quorate(statuses: list[DisciplineStatus]) -> bool:
    return all(s.covered for s in statuses)


#: What a reply says about the day: meeting mode offers it until attendance is recorded.
AS_REPLIED = {
    Reply.IN_PERSON: Attendance.PRESENT,
    Reply.REMOTE: Attendance.REMOTE,
    Reply.APOLOGIES: Attendance.APOLOGIES,
}


def as_replied(inv: Invitation) -> Attendance | None:
    """The attendance to show for `inv`: the recorded one, else what the reply said (a named
    cover's invitation replies "in person" for them); None when nobody replied."""
    return inv.attendance if inv.attendance is not None else AS_REPLIED.get(inv.reply)
