"""The tables `mdt bench` prints, from given figures (nothing timed here)."""

from __future__ import annotations

from bench.pages import PAGES
from bench.report import comparison_table
from bench.run import round_order
from bench.wrk import Load


def _round(p95: float, p50: float, floor_p50: float) -> dict[str, Load | str]:
    found: dict[str, Load | str] = {name: Load(p50, p95, 100.0, 0) for name, _ in PAGES}
    found["floor"] = Load(2.0, 3.0, 500.0, 0)  # the run's first floor: not the one used
    found |= {f"floor before {name}": Load(floor_p50, 3.0, 500.0, 0) for name, _ in PAGES}
    return found


def test_rounds_give_each_ratio_and_their_median_and_pages_go_by_the_floor_beside_them():
    rounds = [
        [_round(10.0, 5.0, 1.0), _round(12.0, 6.0, 1.0)],
        [_round(10.0, 5.0, 1.0), _round(14.0, 9.0, 2.0)],
        [_round(20.0, 5.0, 1.0), _round(22.0, 8.0, 1.0)],
    ]
    table = comparison_table(rounds, ("practice", "region"))
    row = next(line for line in table.splitlines() if line.startswith("| dashboard |"))
    # p95s: medians 10 and 14; ratios 1.20, 1.40, 1.10 (median 1.20); p50 over the floor
    # beside it: 5, 5, 5 and 6, 4.5, 8 (medians 5.0 and 6.0).
    assert row == "| dashboard | 10.0 | 14.0 | 1.20 | 1.20, 1.40, 1.10 | 5.0 | 6.0 |"


def test_one_round_prints_as_before_without_the_rounds_column():
    table = comparison_table([[_round(10.0, 4.0, 2.0), _round(11.0, 6.0, 2.0)]], ("a", "b"))
    assert table.splitlines()[0] == ("| page | p95 a | p95 b | ratio | p50/floor a | p50/floor b |")
    assert "| my prep | 10.0 | 11.0 | 1.10 | 2.0 | 3.0 |" in table


def test_a_page_not_loaded_on_one_side_shows_the_other_sides_p95_and_why():
    practice, region = _round(10.0, 4.0, 2.0), _round(11.0, 6.0, 2.0)
    region["feed (full)"] = "404"
    table = comparison_table([[practice, region]], ("practice", "region"))
    assert "| feed (full) | 10.0 | 404 | | | |" in table


def test_a_page_goes_by_the_median_of_its_rounds_floors_not_one_slow_floor():
    steady, slowed = _round(10.0, 6.0, 1.0), _round(11.0, 6.0, 1.0)
    slowed["floor before dashboard"] = Load(3.0, 4.0, 300.0, 0)  # one floor, measured slow
    table = comparison_table([[steady, slowed]], ("a", "b"))
    assert "| dashboard | 10.0 | 11.0 | 1.10 | 6.0 | 6.0 |" in table


def test_which_database_goes_first_alternates_by_round():
    assert round_order(["region", "national"], 0) == ["region", "national"]
    assert round_order(["region", "national"], 1) == ["national", "region"]
    assert round_order(round_order(["region", "national"], 3), 3) == ["region", "national"]
