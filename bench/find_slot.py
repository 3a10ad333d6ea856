"""Times "find a slot" for a team of 25 members with 3 commitments each.

    .venv/bin/python bench/find_slot.py [DATABASE_URL]

Uses a fresh SQLite file unless a database URL is given (its tables must not exist yet).
Prints the median and worst of 7 runs for each recurrence kind, including loading the
team's commitments (one query). The target is under 200 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time as clock
from datetime import date, time

from mdt import create_app
from mdt.core import migrate
from mdt.extensions import db
from mdt.slots.finder import find_slots
from mdt.slots.operations import clash_checker

sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parent.parent))
from tests.factories import Factory  # noqa: E402

DISCIPLINES = [
    "General practice",
    "Adult social care",
    "Community nursing",
    "Pharmacy",
    "Palliative care",
]


def build(make: Factory):  # type: ignore[no-untyped-def]
    team = make.team()
    for n in range(25):
        user = make.user(password=None)
        make.member(team, user, discipline=DISCIPLINES[n % 5])
        weekday = (n + n // 5) % 5  # colleagues in one discipline work different days
        make.recurring(
            user, "Morning surgery", weekday=weekday, start_time=time(8, 30), end_time=time(12, 30)
        )
        make.recurring(
            user,
            "Afternoon visits",
            weekday=(weekday + 2) % 5,
            start_time=time(13, 0),
            end_time=time(17, 0),
        )
        make.absence(user, date(2027, 2, 1 + n % 20), date(2027, 2, 5 + n % 20))
    return team


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    migrate.upgrade(url)
    app = create_app({"SECRET_KEY": "bench", "DATABASE_URL": url})
    with app.app_context():
        team = build(Factory(db.session))
        for kind in ("weekly", "fortnightly", "monthly"):
            times = []
            for _ in range(7):
                db.session.expire_all()
                started = clock.perf_counter()
                best = find_slots(
                    clash_checker(team),
                    team.time_zone,
                    date(2027, 1, 4),
                    [0, 1, 2, 3, 4],
                    time(12, 0),
                    time(14, 30),
                    90,
                    kind,
                )
                times.append((clock.perf_counter() - started) * 1000)
            top = best[0].candidate
            print(
                f"{kind:<12} median {statistics.median(times):6.1f} ms   worst {max(times):6.1f} ms"
                f"   best slot: {top.rule.describe()} {top.start_time:%H:%M}"
                f" ({top.quorate}/{top.occurrences} quorate)"
            )


if __name__ == "__main__":
    main()
