"""From ranked candidates to a few real choices, each saying why it is placed where it is.

A candidate within an hour of a better one on the same day (the same rule: "the first
Monday", "every other Tuesday from this week") is a variant of it, listed under it, not a
proposal of its own. Among proposals that score the same, the next one offered is on a
weekday, then a day, then at a start time, offered least so far: equal choices spread over
the week instead of filling one morning in quarter hours. Reasons come from the same
figures as the score, plus the clash report of each proposal's meetings for the names.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import takewhile
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mdt.core.recurrence import Rule
    from mdt.slots.finder import Candidate, Setting

#: A candidate this close to a better one on the same day is a variant of it.
VARIANT_WINDOW_MINUTES = 60


@dataclass(frozen=True)
class Clash:
    """A member who cannot come to some of a proposal's meetings, and what they have on."""

    name: str
    what: tuple[str, ...]
    meetings: int
    of: int

    @property
    def text(self) -> str:
        return f"{self.name} clashes at {_of(self.meetings, self.of)} ({', '.join(self.what)})"


@dataclass(frozen=True)
class Gap:
    """A core discipline with no free member or deputy at some of a proposal's meetings."""

    discipline: str
    meetings: int
    of: int

    @property
    def text(self) -> str:
        at = _of(self.meetings, self.of)
        return f"Nobody free for {self.discipline} (member or deputy) at {at}"


@dataclass(frozen=True)
class Deputised:
    """A core discipline covered only by a deputy at some of a proposal's meetings."""

    discipline: str
    deputies: tuple[str, ...]
    meetings: int
    of: int

    @property
    def text(self) -> str:
        who = " or ".join(self.deputies)
        return f"{self.discipline} only through the deputy ({who}) at {_of(self.meetings, self.of)}"


@dataclass(frozen=True)
class Variant:
    candidate: Candidate
    #: Where it falls short of its proposal ("" when it is as good).
    shortfall: str


@dataclass(frozen=True)
class Proposal:
    rank: int
    candidate: Candidate
    #: Times within an hour of it on the same day, earliest first.
    variants: tuple[Variant, ...]
    #: Why it is placed here: the best, or where it falls short of the one above.
    placed: str
    #: What is good about it: nobody clashing, every discipline covered, protected time.
    strengths: tuple[str, ...]
    clashes: tuple[Clash, ...]
    gaps: tuple[Gap, ...]
    deputised: tuple[Deputised, ...]

    @property
    def drawbacks(self) -> tuple[str, ...]:
        """Uncovered disciplines first, then who clashes, then cover resting on a deputy."""
        found = (*self.gaps, *self.clashes, *self.deputised)
        return tuple(f.text for f in found)


def propose(ranked: list[Candidate], setting: Setting, best: int) -> list[Proposal]:
    chosen = _spread(_groups(ranked), best)
    out: list[Proposal] = []
    for rank, (candidate, variants) in enumerate(chosen, start=1):
        above = out[-1].candidate if out else None
        out.append(_proposal(rank, candidate, variants, above, setting))
    return out


def _groups(ranked: list[Candidate]) -> list[tuple[Candidate, list[Candidate]]]:
    """Each candidate either starts a group or joins the better one within the window."""
    groups: list[tuple[Candidate, list[Candidate]]] = []
    on_rule: dict[Rule, list[int]] = defaultdict(list)
    for c in ranked:
        near = next((i for i in on_rule[c.rule] if _near(groups[i][0], c)), None)
        if near is None:
            on_rule[c.rule].append(len(groups))
            groups.append((c, []))
        else:
            groups[near][1].append(c)
    return groups


def _near(a: Candidate, b: Candidate) -> bool:
    return abs(a.start_minute - b.start_minute) <= VARIANT_WINDOW_MINUTES


def _spread(
    groups: list[tuple[Candidate, list[Candidate]]], best: int
) -> list[tuple[Candidate, list[Candidate]]]:
    """The best groups in rank order; a tie goes to a weekday, then a day (rule), then a
    start time, chosen fewest times so far, then to the earlier in rank."""
    left = list(groups)
    chosen: list[tuple[Candidate, list[Candidate]]] = []
    while left and len(chosen) < best:
        top = left[0][0].score
        tied = sum(1 for _ in takewhile(lambda g, top=top: g[0].score == top, left))
        picked = [g[0] for g in chosen]
        pick = min(range(tied), key=lambda i: (*_repeats(left[i][0], picked), i))
        chosen.append(left.pop(pick))
    return chosen


def _repeats(c: Candidate, picked: list[Candidate]) -> tuple[int, int, int]:
    """How often its weekday, its day (rule) and its start time were chosen already."""
    return (
        sum(p.rule.weekday == c.rule.weekday for p in picked),
        sum(p.rule == c.rule for p in picked),
        sum(p.start_minute == c.start_minute for p in picked),
    )


def _proposal(
    rank: int,
    c: Candidate,
    variants: list[Candidate],
    above: Candidate | None,
    setting: Setting,
) -> Proposal:
    found = _reports(c, setting)
    return Proposal(
        rank,
        c,
        tuple(Variant(v, _shortfall(v, c)) for v in sorted(variants, key=lambda v: v.start_time)),
        _why_first(c) if above is None else _why_below(c, above, rank - 1),
        _strengths(c, setting, found.inside),
        found.clashes,
        found.gaps,
        found.deputised,
    )


@dataclass(frozen=True)
class _Findings:
    clashes: tuple[Clash, ...]
    gaps: tuple[Gap, ...]
    deputised: tuple[Deputised, ...]
    inside: list[str]


def _reports(c: Candidate, setting: Setting) -> _Findings:
    """Who clashes, which disciplines go uncovered or rest on a deputy, and which protected
    time it falls in, over the candidate's meetings (the full clash report: only for the few
    proposed)."""
    meetings: Counter[str] = Counter()
    what: dict[str, set[str]] = defaultdict(set)
    uncovered: Counter[str] = Counter()
    deputised: Counter[str] = Counter()
    deputies: dict[str, set[str]] = defaultdict(set)
    inside: set[str] = set()
    for day in c.days:
        begins, ends = setting.interval(day, c.start_time, c.duration_minutes)
        report = setting.checker.check(begins, ends)
        for name, labels in report.clashes.items():
            meetings[name] += 1
            what[name].update(labels)
        uncovered.update(d.discipline for d in report.disciplines if not d.covered)
        for d in report.disciplines:
            if d.free_deputies and not d.free_members:
                deputised[d.discipline] += 1
                deputies[d.discipline].update(d.free_deputies)
        inside.update(setting.inside(day, begins, ends))
    n = c.occurrences
    return _Findings(
        tuple(Clash(name, tuple(sorted(what[name])), k, n) for name, k in _most(meetings)),
        tuple(Gap(d, k, n) for d, k in _most(uncovered)),
        tuple(Deputised(d, tuple(sorted(deputies[d])), k, n) for d, k in _most(deputised)),
        sorted(inside),
    )


def _most(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most meetings first, then by name: the same order on every run."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def _strengths(c: Candidate, setting: Setting, inside: list[str]) -> tuple[str, ...]:
    n = c.occurrences
    if n == 0:
        return ()
    found = []
    if c.everyone_free == n:
        found.append(f"Nobody clashes: everyone in the team is free at {_of(n, n)}")
    elif c.free_core == n * len(setting.checker.core):
        found.append(f"Every core member is free at {_of(n, n)}")
    if c.quorate:
        found.append(f"Every core discipline is covered at {_of(c.quorate, n)}")
    if c.protected:
        found.append(f"Inside protected time ({', '.join(inside)}) at {_of(c.protected, n)}")
    return tuple(found)


def _why_first(c: Candidate) -> str:
    n = c.occurrences
    if n == 0:
        return "No meeting of it falls in the next three months."
    if c.everyone_free == n:
        why = "everyone is free at every meeting"
    elif c.quorate == n:
        why = (
            "every core discipline is covered at every meeting, with the most core members "
            f"free ({c.score.free_core:.1f} on average)"
        )
    elif c.quorate:
        why = f"no time is quorate more often ({_of(c.quorate, n)})"
    else:
        free = f"{c.score.free_core:.1f}"
        why = f"no time is ever quorate; this one has the most core members free ({free} a meeting)"
    if c.protected == n:
        why += ", inside protected time"
    return f"Best: {why}."


def _why_below(c: Candidate, above: Candidate, above_rank: int) -> str:
    part = _first_difference(c, above)
    if part is None:
        return f"As good as number {above_rank}: another day or time to choose from."
    if part == "free_core":
        mine, theirs = _averages(c.score.free_core, above.score.free_core)
        return f"Below number {above_rank}: {mine} core members free on average, against {theirs}."
    return f"Below number {above_rank}: {_figure(c, part)}, against {_value(above, part)}."


def _averages(mine: float, theirs: float) -> tuple[str, str]:
    """Both averages to one decimal place, or two where one would show them equal."""
    for places in (1, 2):
        shown = f"{mine:.{places}f}", f"{theirs:.{places}f}"
        if shown[0] != shown[1]:
            break
    return shown


def _shortfall(v: Candidate, parent: Candidate) -> str:
    part = _first_difference(v, parent)
    return "" if part is None else _figure(v, part)


PARTS = ("quorate", "free_core", "everyone_free", "protected")


def _first_difference(c: Candidate, other: Candidate) -> str | None:
    """The score part that ranks `c` apart from `other`, if any."""
    mine, theirs = c.score, other.score
    return next((p for p in PARTS if getattr(mine, p) != getattr(theirs, p)), None)


def _figure(c: Candidate, part: str) -> str:
    n = c.occurrences
    return {
        "quorate": f"quorate at {_of(c.quorate, n)}",
        "free_core": f"{c.score.free_core:.1f} core members free on average",
        "everyone_free": f"everyone free at {_of(c.everyone_free, n)}",
        "protected": f"inside protected time at {_of(c.protected, n)}",
    }[part]


def _value(c: Candidate, part: str) -> str:
    return f"{getattr(c, part)} of {c.occurrences}"


def _of(count: int, n: int) -> str:
    if count == n:
        return "the one meeting" if n == 1 else f"all {n} meetings"
    return f"{count} of {n} meetings"
