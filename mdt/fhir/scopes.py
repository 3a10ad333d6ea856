"""SMART v2 system scopes (`system/Task.rs`, `system/*.cruds`), with the v1 `.read` and
`.write` forms read as `rs` and `cud`. Pure functions: no database, no request."""

from __future__ import annotations

import re

_SCOPE = re.compile(r"system/(\*|[A-Z][A-Za-z]{1,40})\.(read|write|\*|[cruds]{1,5})")
_V1 = {"read": "rs", "write": "cud", "*": "cruds"}

#: Interactions by their SMART letters.
CREATE, READ, UPDATE, SEARCH = "c", "r", "u", "s"


def parse(scope: str) -> tuple[str, str] | None:
    """(resource or "*", letters) of one scope, or None when it is not a system scope."""
    match = _SCOPE.fullmatch(scope)
    if match is None:
        return None
    return match[1], _V1.get(match[2], match[2])


def is_valid(scope: str) -> bool:
    return parse(scope) is not None


def covers(registered: str, wanted: str) -> bool:
    """Whether the registered scope includes everything the wanted one asks for."""
    have, want = parse(registered), parse(wanted)
    if have is None or want is None:
        return False
    return have[0] in ("*", want[0]) and set(want[1]) <= set(have[1])


def allowed(registered: str, requested: str | None) -> str:
    """What a token gets: the requested scopes the registration covers (all registered
    scopes when none are asked for)."""
    mine = registered.split()
    if not requested:
        return " ".join(mine)
    return " ".join(w for w in requested.split() if any(covers(r, w) for r in mine))


def grants(scope: str, resource: str, interaction: str) -> bool:
    """Whether a token's scope lets it do `interaction` (a SMART letter) on `resource`."""
    for granted in scope.split():
        parsed = parse(granted)
        if parsed and parsed[0] in ("*", resource) and interaction in parsed[1]:
            return True
    return False
