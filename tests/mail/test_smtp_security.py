"""STARTTLS checks the server's certificate; a wrong password delays mail, never fails it."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from aiosmtpd.smtp import AuthResult, LoginPassword

from mdt.core.time import now_utc
from mdt.mail.models import OutboxStatus
from tests.mail.support import SMTPServer, deliver, free_port, our_logs, queue, rows

LATER = timedelta(minutes=3)


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1, trusted by nobody unless told."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl command to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def tls_smtp(app, certificate):  # type: ignore[no-untyped-def]
    """A server that takes mail only after STARTTLS, with the app set to use STARTTLS."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(*certificate)
    server = SMTPServer(free_port(), tls_context=context, require_starttls=True)
    server.start()
    app.config.update(server.app_config(), MAIL_SMTP_STARTTLS=True)
    yield server
    server.stop()


def test_starttls_refuses_a_server_whose_certificate_it_cannot_check(
    app, session, tls_smtp, certificate, monkeypatch
):
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    queue(app, ["kit@example.org"])

    assert deliver(app) == (0, 1)

    assert tls_smtp.received == []
    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED
    assert "CERTIFICATE_VERIFY_FAILED" in row.last_error

    # Once the operator trusts the server's certificate (here through SSL_CERT_FILE, as
    # OpenSSL reads it), the message goes.
    monkeypatch.setenv("SSL_CERT_FILE", str(certificate[0]))
    with time_machine.travel(now_utc() + LATER, tick=False):
        assert deliver(app) == (1, 0)
    [received] = tls_smtp.received
    assert received.rcpt_tos == ["kit@example.org"]


class _Accounts:
    """aiosmtpd authenticator: one account."""

    def __call__(self, server, session, envelope, mechanism, auth_data):  # type: ignore[no-untyped-def]
        ok = isinstance(auth_data, LoginPassword) and auth_data == (b"mdt", b"right-password")
        return AuthResult(success=ok, handled=False)  # aiosmtpd answers 535 itself


@pytest.fixture
def auth_smtp(app):  # type: ignore[no-untyped-def]
    # No TLS here (auth_require_tls=False) to keep the test about the password alone.
    server = SMTPServer(free_port(), authenticator=_Accounts(), auth_require_tls=False)
    server.start()
    app.config.update(server.app_config(), MAIL_SMTP_USERNAME="mdt")
    yield server
    server.stop()


def test_a_wrong_smtp_password_delays_mail_until_it_is_put_right(app, session, auth_smtp, app_logs):
    app.config["MAIL_SMTP_PASSWORD"] = "wrong-password"
    queue(app, ["kit@example.org"])

    assert deliver(app) == (0, 1)

    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED, "a settings problem must not fail mail for good"
    assert "535" in row.last_error
    assert "wrong-password" not in our_logs(app_logs) + row.last_error

    app.config["MAIL_SMTP_PASSWORD"] = "right-password"
    with time_machine.travel(now_utc() + LATER, tick=False):
        assert deliver(app) == (1, 0)
    assert [r.rcpt_tos for r in auth_smtp.received] == [["kit@example.org"]]
