"""What teams announce, for the features above them (meetings) to act on."""

from __future__ import annotations

from blinker import Namespace

team_signals = Namespace()

#: Someone joined the team (flushed). Sender: the team; `membership` is theirs.
member_joined = team_signals.signal("member-joined")
