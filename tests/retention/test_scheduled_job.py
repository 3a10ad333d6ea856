"""The scheduler runs retention once a day at [retention] run_at, beside its minute sweep."""

from __future__ import annotations

import logging

import pytest

from mdt import create_app
from mdt.config import ConfigError
from mdt.retention import disposal
from scheduler import jobs, runner
from tests.retention.support import utc


def test_a_bad_retention_time_is_named_before_anything_runs(database_url):
    app = create_app({"SECRET_KEY": "k", "DATABASE_URL": database_url, "RETENTION_RUN_AT": "late"})
    with pytest.raises(ConfigError, match="must be a time such as 02:30"):
        runner.run(app, once=True)


class FakeScheduler:
    """Records the jobs added; start() returns at once."""

    made: list[FakeScheduler] = []

    def __init__(self, **_options) -> None:  # type: ignore[no-untyped-def]
        self.jobs: dict[str, tuple] = {}  # type: ignore[type-arg]
        FakeScheduler.made.append(self)

    def add_job(self, func, trigger, args, id, **_more) -> None:  # type: ignore[no-untyped-def]
        self.jobs[id] = (func, trigger, args)

    def start(self) -> None:
        pass

    def shutdown(self, wait: bool = True) -> None:
        pass


def test_the_scheduler_runs_retention_daily_at_its_time(app, monkeypatch):
    monkeypatch.setattr(runner, "BlockingScheduler", FakeScheduler)
    monkeypatch.setattr(runner.signal, "signal", lambda *_args: None)  # leave pytest's alone
    app.config["RETENTION_RUN_AT"] = "03:15"
    zone, seconds = runner.time_zone(app.config), runner.delivery_seconds(app.config)
    runner._run_forever(app, zone, seconds, disposal.run_at(app.config))
    scheduled = FakeScheduler.made[-1].jobs
    assert set(scheduled) == {"sweep", "deliver", "backup-and-audit-check", "retention"}
    func, trigger, args = scheduled["retention"]
    assert func is jobs.retention and args == [app]
    fields = {f.name: str(f) for f in trigger.fields}
    assert (fields["hour"], fields["minute"], fields["day"]) == ("3", "15", "*")
    assert str(trigger.timezone) == "Europe/London"


def test_the_job_disposes_of_what_is_due(app, make, session):
    make.patient(created_at=utc("2010-01-01"))
    result = jobs.retention(app)
    assert result is not None and result.disposed == 1


def test_a_failing_run_is_logged_and_left_for_tomorrow(app, monkeypatch, caplog):
    def broken(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("database went away")

    monkeypatch.setattr(disposal, "run", broken)
    with caplog.at_level(logging.ERROR):
        assert jobs.retention(app) is None
    assert "retention failed; it is tried again tomorrow" in caplog.text
