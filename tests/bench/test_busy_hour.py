"""The busy hour's arrival schedule: the model's mix at the rate asked, and a dispatcher
that keeps the schedule whatever the server does (open loop). No load is run here."""

from __future__ import annotations

from collections import Counter

import pytest

from bench.busy_hour import MODEL, dispatch, schedule


@pytest.mark.parametrize(("multiple", "seconds"), [(1, 3600), (40, 60), (7.5, 13)])
def test_schedule_has_the_rate_and_the_mix(multiple: float, seconds: int) -> None:
    arrivals = schedule(multiple, seconds)
    per_second = sum(f.per_hour for f in MODEL) * multiple / 3600
    assert len(arrivals) == round(per_second * seconds)
    counts = Counter(name for _t, name in arrivals)
    for flow in MODEL:
        assert abs(counts[flow.name] - flow.per_hour * multiple / 3600 * seconds) < 1
    times = [t for t, _name in arrivals]
    assert times == sorted(times) and times[-1] < seconds


def test_schedule_mixes_the_flows() -> None:
    first_tenth = schedule(40, 60)[: len(schedule(40, 60)) // 10]
    assert {name for _t, name in first_tenth} == {f.name for f in MODEL}


def test_dispatch_does_not_wait_for_answers() -> None:
    """Each flow takes 5 s to answer; the dispatcher starts the next on time regardless."""
    clock = [0.0]
    started: list[float] = []

    def start(_name: str) -> None:
        started.append(clock[0])  # a closed loop would add the 5 s answer here

    def sleep(seconds: float) -> None:
        clock[0] += seconds

    arrivals = [(n * 0.5, "meeting mode") for n in range(10)]
    late = dispatch(arrivals, start, lambda: clock[0], sleep)
    assert started == [t for t, _name in arrivals]
    assert late == 0


def test_dispatch_reports_falling_behind() -> None:
    clock = [0.0]

    def slow_start(_name: str) -> None:
        clock[0] += 0.3  # the load tool itself too slow to keep up

    late = dispatch(
        [(n * 0.1, "x") for n in range(5)], slow_start, lambda: clock[0], lambda s: None
    )
    assert late == pytest.approx(0.8)
