"""`mdt feed-url EMAIL` for operators, and the production server's access log, which must
never hold a feed token."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.request

from click.testing import CliRunner
from flask.cli import ScriptInfo

from mdt.cli import loggable_path, main_group
from tests.mail.support import free_port


def feed_url(app, email: str):  # type: ignore[no-untyped-def]
    return CliRunner().invoke(
        main_group, ["feed-url", email], obj=ScriptInfo(create_app=lambda: app)
    )


def test_feed_url_prints_a_new_link_and_says_when_it_replaced_one(app, make):
    person = make.user(email="jo.clarke@example.org")

    first = feed_url(app, person.email)
    again = feed_url(app, person.email)

    assert first.exit_code == 0 and "replaced" not in first.output
    old_https, old_webcal = first.output.split()
    assert old_https.startswith("http://mdt.test/calendar/") and old_https.endswith(".ics")
    assert old_webcal == "webcal://" + old_https.removeprefix("http://")
    assert again.exit_code == 0
    assert "jo.clarke@example.org had a calendar link: it is replaced" in again.output
    new_https = again.output.split()[-2]
    client = app.test_client()
    assert client.get(new_https.removeprefix("http://mdt.test")).status_code == 200
    assert client.get(old_https.removeprefix("http://mdt.test")).status_code == 404
    unknown = feed_url(app, "nobody@example.org")
    assert unknown.exit_code != 0 and "nobody@example.org has no account" in unknown.output


def test_secret_paths_are_cut_out_of_access_log_lines():
    assert loggable_path("/calendar/Ab-9_x.ics") == "/calendar/<token>.ics"
    assert loggable_path("/calendar/team/Ab-9_x.ics") == "/calendar/team/<token>.ics"
    assert loggable_path("/password/Ab-9_x") == "/password/<token>"
    assert loggable_path("/calendar/people") == "/calendar/people"


def test_the_production_server_serves_a_feed_and_logs_no_token(empty_database_url, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = os.environ | {
        "MDT_DATABASE_URL": empty_database_url,
        "MDT_SECRET_KEY": "cli-test-secret",
        "MDT_BASE_URL": base,
        "MDT_MAIL_TRANSPORT": "folder",
        "MDT_MAIL_FOLDER": str(tmp_path / "mail"),
        "MDT_SERVER_PORT": str(port),
        "MDT_SERVER_WORKERS": "1",
    }
    mdt = [sys.executable, "-m", "mdt.cli"]
    subprocess.run([*mdt, "db", "upgrade"], env=env, check=True, capture_output=True)
    subprocess.run([*mdt, "demo"], env=env, check=True, capture_output=True)
    printed = subprocess.run(
        [*mdt, "feed-url", "fatima.begum@canal-street-practice.example.org"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    url = printed.split()[0]
    token = re.search(r"/calendar/([^/]+)\.ics$", url)[1]
    log = tmp_path / "access.log"
    with open(log, "wb") as out:
        server = subprocess.Popen([*mdt, "serve"], env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            feed = _get_when_up(url)
            with contextlib.suppress(urllib.error.HTTPError):  # only the log line matters
                urllib.request.urlopen(f"{base}/password/{token}")
        finally:
            server.terminate()
            server.wait(timeout=20)

    assert feed.startswith(b"BEGIN:VCALENDAR\r\n") and b"Frailty huddle" in feed
    written = log.read_text()
    assert '"GET /calendar/<token>.ics" 200' in written
    assert '"GET /password/<token>"' in written
    assert token not in written


def _get_when_up(url: str, seconds: float = 30) -> bytes:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url) as response:
                assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
                return response.read()
        except urllib.error.URLError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
