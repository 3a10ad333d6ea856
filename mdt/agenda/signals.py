"""The moments a case's place on an agenda changes, for the features above the agenda that
keep records of the case (preparation) to follow it without the agenda importing them.

Signals are synchronous: a receiver runs inside the sending operation and only flushes.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

#: A case joined a meeting's agenda (flushed, so it has its id). Sender: the case;
#: `meeting`: its meeting.
case_added = _signals.signal("case-added")

#: A case is about to leave its meeting for another. Sender: the case; `meeting`: the
#: meeting it leaves (still `case.meeting`).
case_leaving = _signals.signal("case-leaving")

#: A case moved to another meeting's agenda (not yet flushed). Sender: the case; `meeting`:
#: the meeting it joined.
case_moved = _signals.signal("case-moved")
