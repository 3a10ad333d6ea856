from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from flask import Flask

from tests.mail.support import SMTPServer, free_port


@pytest.fixture
def smtp_down(app: Flask) -> Iterator[SMTPServer]:
    """The app is set to send by SMTP to a loopback port where nothing listens (yet)."""
    server = SMTPServer(free_port())
    app.config.update(server.app_config())
    yield server
    server.stop()


@pytest.fixture
def smtp(smtp_down: SMTPServer) -> SMTPServer:
    """The app sends by SMTP to a real aiosmtpd server that records what it accepts."""
    smtp_down.start()
    return smtp_down


@pytest.fixture
def app_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every log record our side writes (the test SMTP server's own logs left out)."""
    caplog.set_level(logging.DEBUG)
    return caplog
