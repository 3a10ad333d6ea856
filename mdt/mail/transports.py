"""Where messages go: an SMTP server, or a folder of .eml files (the demo's default)."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol


class PermanentFailure(Exception):
    """The server refused the message for good; retrying will not help."""


class TemporaryFailure(Exception):
    """The server is down or asked us to try later."""


class Transport(Protocol):
    def send(self, message: EmailMessage, recipients: list[str]) -> None: ...


class SMTPTransport:
    def __init__(self, config: dict[str, Any]) -> None:
        self.host = config["MAIL_SMTP_HOST"]
        self.port = int(config["MAIL_SMTP_PORT"])
        self.timeout = float(config["MAIL_SMTP_TIMEOUT"])
        self.starttls = bool(config["MAIL_SMTP_STARTTLS"])
        self.username = config["MAIL_SMTP_USERNAME"]
        self.password = config["MAIL_SMTP_PASSWORD"]

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls()
                if self.username:
                    smtp.login(self.username, self.password)
                smtp.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            raise _classify(min(codes), str(exc.recipients)) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, exc.smtp_error.decode(errors="replace")) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc


def _classify(code: int, text: str) -> Exception:
    message = f"SMTP {code}: {text}"
    return PermanentFailure(message) if 500 <= code < 600 else TemporaryFailure(message)


class FolderTransport:
    def __init__(self, config: dict[str, Any]) -> None:
        self.folder = Path(config["MAIL_FOLDER"])

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            name = message["Message-ID"].strip("<>").replace("@", "_at_").replace("/", "_")
            (self.folder / f"{name}.eml").write_bytes(bytes(message))
        except OSError as exc:
            raise TemporaryFailure(f"could not write to {self.folder}: {exc}") from exc


def make_transport(config: dict[str, Any]) -> Transport:
    kind = config["MAIL_TRANSPORT"]
    if kind == "smtp":
        return SMTPTransport(config)
    if kind == "folder":
        return FolderTransport(config)
    raise ValueError(f"mail transport must be 'smtp' or 'folder', not {kind!r}")
