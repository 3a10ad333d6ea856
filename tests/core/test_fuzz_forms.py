"""Every form, posted with generated values, answers without a server error (issue 20).

The forms are those found by rendering every page of the route inventory as each role that
may see it (tests/form_pages.py), so a new form is fuzzed without a line here. Each form gets
a few fixed awkward posts (every date far away, every number huge, everything blank or
spaces, control characters) over otherwise plausible values, then Hypothesis's generated
ones: text with control characters and any Unicode, huge and negative numbers, odd dates
and times, empty fields and fields left out. Each post runs in a savepoint that is rolled
back, so every one starts from the same world.

Kept short for CI (derandomised, a few examples a form); for a longer run by hand:
    MDT_FUZZ_EXAMPLES=200 MDT_FUZZ_RANDOM=1 pytest -m fuzz
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mdt.extensions import db
from tests.core.test_escaping import _clients
from tests.form_pages import PageForm, crawl
from tests.test_route_inventory import world  # noqa: F401 - the inventory's world

pytestmark = pytest.mark.fuzz

EXAMPLES = int(os.environ.get("MDT_FUZZ_EXAMPLES", "3"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=not os.environ.get("MDT_FUZZ_RANDOM"),
    database=None,
    suppress_health_check=list(HealthCheck),
    print_blob=True,
)

HUGE = "99999999999999999999999999"
AWKWARD = st.sampled_from(
    ["", " ", "\t", "0", "-1", HUGE, "-" + HUGE, "1e309", "NaN", "9999-12-31", "0001-01-01",
     "2026-02-30", "2026-13-01", "24:00", "23:59:60", "00:00", "\x00", "\r\n", "😀" * 30,
     "a" * 5000, "ÉCOLE MDT", "/\\evil", "1 OR 1=1"]
)  # fmt: skip
TEXT = st.text(max_size=200)  # any code point but surrogates: control characters too
NUMBERS = st.integers(min_value=-(10**30), max_value=10**30).map(str)
DATES = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
#: Dates as typed in the three boxes (year-month-day; tests/form_pages.date_boxes splits
#: them): parts left out, impossible, too long, not figures.
BOXES = st.tuples(
    *[st.sampled_from(["", " ", "0", "1", "12", "13", "29", "31", "99", "27", "2027", "x", "٣"])]
    * 3
).map("-".join)
TIMES = st.times().map(lambda t: t.strftime("%H:%M" if t.second == 0 else "%H:%M:%S"))


def _generated(kind: str, options: list[str]) -> st.SearchStrategy[str]:
    by_kind = {"date": st.one_of(DATES, BOXES), "time": TIMES, "number": NUMBERS}
    offered = [st.sampled_from(options)] if options else []
    return st.one_of(*offered, by_kind.get(kind, TEXT), AWKWARD, TEXT)


def plausible(form: PageForm) -> dict[str, str]:
    """Values a person might type: each form's own checks then pass or fail on one field."""
    soon = date.today() + timedelta(days=45)  # noqa: DTZ011 - a day weeks ahead, any zone
    values = {}
    for name, kind in form.fields.items():
        options = [o for o in form.options.get(name, []) if o]
        values[name] = {
            "date": "1950-01-01" if "birth" in name else soon.isoformat(),
            "time": "14:00" if "end" in name or "latest" in name else "12:30",
            "number": "30" if "minutes" in name else "1",
            "email": "fuzz@example.org",
            "url": "https://meet.example.org/fuzz",
            "tel": "01234 567890",
            "textarea": "Some notes",
        }.get(kind, options[0] if options else TYPED.get(name, "Fuzz text"))
    return values


#: Text fields whose plausible value has a shape.
TYPED = {"time_zone": "Europe/London", "nhs_number": "943 476 5919", "q": "fuzz"}


def themes(form: PageForm) -> Iterator[tuple[str, dict[str, str]]]:
    """A few fixed awkward posts: one kind of value made awkward in every field at once;
    then, for each choice of the radios and buttons, each number, date and time left blank
    or spaces while the rest is plausible."""
    base = plausible(form)
    yield "plausible", base
    for theme, kinds, value in (
        ("dates far away", {"date"}, "9999-12-31"),
        ("dates that do not exist", {"date"}, "2027-02-31"),
        ("dates without a month", {"date"}, "2027--12"),
        ("huge numbers", {"number", "select", "radio"}, HUGE),
        ("spaces", None, "  "),
        ("blank", None, ""),
        ("control characters", None, "a\x00\x1b[1m"),
    ):
        awkward = {n: value for n, k in form.fields.items() if kinds is None or k in kinds}
        yield theme, base | awkward
    for chosen, varied in _each_choice(form, base):
        for name, kind in form.fields.items():
            if kind in ("number", "date", "time"):
                yield f"{chosen}{name} blank", varied | {name: ""}
            if kind == "number" and not chosen:  # "  " is not "" to int()
                yield f"{name} spaces", varied | {name: "  "}


def _each_choice(form: PageForm, base: dict[str, str]) -> Iterator[tuple[str, dict[str, str]]]:
    """The plausible values, then with each other option of each radio or button (monthly
    rather than weekly, preview rather than save): some checks apply to one choice only."""
    yield "", base
    for name, kind in form.fields.items():
        if kind in ("radio", "button"):
            for option in form.options[name][1:]:
                yield f"{name}={option}, ", base | {name: option}


@contextmanager
def rolled_back(app) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Whatever the post commits is undone after it (the app's sessions use savepoints)."""
    connection = db.state(app).sessionmaker.kw["bind"]
    savepoint = connection.begin_nested()
    try:
        yield
    finally:
        savepoint.rollback()


def _fuzz_one(app, client, form: PageForm, failures: list[str]) -> int:  # type: ignore[no-untyped-def]
    where = f"{form.method} {form.action}"
    posted = 0

    def post(values: dict[str, str]) -> int:
        with rolled_back(app):
            return form.post(client, values).status_code

    for theme, values in themes(form):
        status = post(values)
        posted += 1
        if status >= 500:
            failures.append(f"{where} [{theme}]: {status} with {values!r}")

    fields = {
        name: _generated(kind, form.options.get(name, [])) for name, kind in form.fields.items()
    }

    @FUZZ
    @given(st.fixed_dictionaries({}, optional=fields))
    def generated(values: dict[str, str]) -> None:
        status = post(values)
        assert status < 500, f"{status} with {values!r}"

    try:
        generated()
    except AssertionError as error:
        failures.append(f"{where} [generated]: {error}")
    return posted + EXAMPLES


def test_every_form_answers_generated_values_without_a_server_error(app, world):  # noqa: F811
    clients = _clients(app, world)
    found = crawl(app, clients, world["ids"])
    failures: list[str] = []
    fuzzed = set()
    for key, (role, form) in found.forms.items():
        if not form.fields and set(form.hidden) <= {"csrf_token"}:
            continue  # a bare button: nothing to generate
        _fuzz_one(app, clients[role], form, failures)
        fuzzed.add(key[1])
    assert len(fuzzed) >= 35, sorted(fuzzed)
    assert failures == [], "\n".join(failures)
