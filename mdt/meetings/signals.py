"""What meetings announce, for the features above them to act on.

Agenda, preparation, minutes and calendars sit above meetings and react to what happens to
a meeting; meetings cannot import them, so they connect to these signals at start-up (each
feature's `subscribers` module, imported by `create_app`). Sending is synchronous: every
receiver has run, and flushed, when `send` returns, so a booking's effects still happen in
one request, one transaction, in the order they always did.
"""

from __future__ import annotations

from blinker import Namespace

meeting_signals = Namespace()

#: A meeting is booked: flushed, its members invited, nobody told yet. Sender: the meeting.
meeting_booked = meeting_signals.signal("meeting-booked")

#: Someone who joined the team is invited to an upcoming meeting (flushed), and is to prepare
#: the cases already on it. Sender: the meeting.
member_invited = meeting_signals.signal("member-invited")

#: A named cover stands in for a member who sent apologies. Sender: the meeting;
#: `member_id` and `cover_id` are the user ids.
cover_stands_in = meeting_signals.signal("cover-stands-in")

#: Invitees are about to be emailed about a change (`what`: "booked", "cancelled", ...).
#: Sender: the meeting; `emails` is a list of (person, message). Receivers may add to a
#: message (a calendar invitation) before it goes to the outbox.
invitees_emailed = meeting_signals.signal("invitees-emailed")

#: Asks what calendars show of a meeting: each receiver returns a value that changes when
#: invitees' calendars need an update. Sender: the meeting.
shown_in_calendars = meeting_signals.signal("shown-in-calendars")
