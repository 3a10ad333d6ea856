"""The `mdt` command as an operator uses it, including the README's run command end to end."""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from http.cookiejar import CookieJar

import pyotp
import sqlalchemy as sa
from click.testing import CliRunner
from flask.cli import ScriptInfo

from mdt.accounts.models import User
from mdt.cli import main_group
from mdt.teams.models import Team


def run(app, *args):
    result = CliRunner().invoke(main_group, list(args), obj=ScriptInfo(create_app=lambda: app))
    assert result.exit_code == 0, result.output
    return result.output


def test_demo_loads_once_and_prints_the_logins(app, session):
    first = run(app, "demo")
    second = run(app, "demo")
    assert "Demo logins (password for all: mdt-demo-password)" in first
    assert "sam.whitfield@borough-adult-social-care.example.org" in first
    assert first.splitlines()[-16:] == second.splitlines()[-16:]
    assert session.scalar(sa.select(sa.func.count(Team.id))) == 2
    assert session.scalar(sa.select(sa.func.count(User.id))) == 16


def test_create_admin_prints_a_one_time_password_link(app, session):
    output = run(
        app,
        "create-admin",
        "--email",
        "boss@example.org",
        "--name",
        "Boss",
        "--organisation",
        "ICB",
    )
    assert re.search(r"http://mdt.test/password/\S{40,}", output)
    admin = session.scalar(sa.select(User).where(User.email_key == "boss@example.org"))
    assert admin.is_admin and admin.password_hash is None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mdt_help_lists_the_commands_before_anything_is_configured(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("MDT_")}
    done = subprocess.run(
        [sys.executable, "-m", "mdt.cli", "--help"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stderr == ""
    for command in ("bench", "db", "demo", "serve", "scheduler"):
        assert re.search(rf"^  {command} ", done.stdout, re.M), done.stdout


def test_the_run_command_serves_the_demo_and_its_logins_work(empty_database_url, tmp_path):
    """What `make run` does after installing: migrate, load the demo, serve with gunicorn."""
    port = _free_port()
    env = os.environ | {
        "MDT_DATABASE_URL": empty_database_url,
        "MDT_SECRET_KEY": "cli-test-secret",
        "MDT_MAIL_TRANSPORT": "folder",
        "MDT_MAIL_FOLDER": str(tmp_path / "mail"),
        "MDT_SERVER_PORT": str(port),
        "MDT_SERVER_WORKERS": "2",
    }
    mdt = [sys.executable, "-m", "mdt.cli"]
    subprocess.run([*mdt, "db", "upgrade"], env=env, check=True, capture_output=True)
    demo = subprocess.run([*mdt, "demo"], env=env, check=True, capture_output=True, text=True)
    email = re.search(r"^\s+(\S+@\S+)\s", demo.stdout, re.M).group(1)
    password = re.search(r"password for all: (\S+)\)", demo.stdout).group(1)
    server = subprocess.Popen(
        [*mdt, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_for(base + "/healthz")
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(CookieJar()))
        login_page = opener.open(base + "/login").read().decode()
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        data = urllib.parse.urlencode(
            {"email": email, "password": password, "csrf_token": token}
        ).encode()
        dashboard = opener.open(base + "/login", data=data)
        if dashboard.url == base + "/second-factor/verify":
            # The administrator: the authenticator-app key `mdt demo` printed gives the code.
            key = re.search(r"add the key (\S+) to one", demo.stdout).group(1)
            token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', dashboard.read().decode())
            step = urllib.parse.urlencode(
                {"code": pyotp.TOTP(key).now(), "csrf_token": token.group(1)}
            ).encode()
            dashboard = opener.open(base + "/second-factor/verify", data=step)
        assert dashboard.url == base + "/dashboard"
        assert "Your teams" in dashboard.read().decode()
        # Someone else, with no cookie, is not signed in as the previous person.
        for _ in range(4):  # whichever worker answers
            with urllib.request.urlopen(base + "/dashboard") as stranger:
                assert stranger.url.startswith(base + "/login")
    finally:
        server.terminate()
        server.wait(timeout=20)


def _wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            with urllib.request.urlopen(url) as response:
                assert response.status == 200
                return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
