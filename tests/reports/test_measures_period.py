"""A report's period decides which month a moment belongs to by comparing UTC instants;
that must agree with the definition (the local date in the team's zone) at every moment,
clock changes and month ends included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from mdt.core.days import to_local
from mdt.reports.measures import Period


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York", "Pacific/Auckland"])
def test_holds_and_month_of_agree_with_the_local_date(zone):
    period = Period(date(2026, 3, 15), date(2026, 11, 2), zone)
    moment = datetime(2026, 3, 12, 0, 7, tzinfo=UTC)
    while moment < datetime(2026, 11, 5, tzinfo=UTC):
        local = to_local(moment, zone)
        assert period.holds(moment) == (period.first <= local.date() <= period.last), moment
        assert period.month_of(moment) == (local.year, local.month), moment
        moment += timedelta(minutes=37)
