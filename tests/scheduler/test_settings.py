"""The scheduler refuses to start on a setting it cannot use, and says which."""

from __future__ import annotations

import pytest

from mdt import create_app
from mdt.config import ConfigError
from scheduler.runner import run


@pytest.mark.parametrize(
    ("setting", "value", "message"),
    [
        ("SCHEDULER_TIME_ZONE", "Mars/Olympus_Mons", "is not an IANA time zone"),
        ("REMINDERS_DIGEST_TIME", "half seven", "must be a time such as 07:30"),
        ("SCHEDULER_DELIVERY_SECONDS", 90, "is not from 1 to 59"),
    ],
)
def test_a_bad_time_setting_is_named_before_anything_runs(database_url, setting, value, message):
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": database_url, setting: value})

    with pytest.raises(ConfigError, match=message) as raised:
        run(app, once=True)

    assert str(value) in str(raised.value)
