"""Where messages go: an SMTP server, or a folder of .eml files (the demo's default)."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from pathlib import Path
from typing import Any, Protocol

log = logging.getLogger(__name__)


class PermanentFailure(Exception):
    """The server refused the message for good; retrying will not help."""


class TemporaryFailure(Exception):
    """The server is down or asked us to try later."""


class ServerUnavailable(TemporaryFailure):
    """We could not reach or set up the server at all, so the rest of this run would wait
    out the same timeout message after message."""


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
        smtp = self._open()
        try:
            refused = smtp.send_message(message, to_addrs=recipients)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            detail = "; ".join(
                f"{addr}: {_text(text)}" for addr, (_, text) in exc.recipients.items()
            )
            # Retry if any refusal was temporary: a later try may reach that one.
            raise _classify(min(codes), detail) from exc
        except smtplib.SMTPResponseException as exc:
            raise _classify(exc.smtp_code, _text(exc.smtp_error)) from exc
        except (OSError, smtplib.SMTPException) as exc:
            raise TemporaryFailure(f"{type(exc).__name__}: {exc}") from exc
        finally:
            _quit_quietly(smtp)
        if refused:
            # The others have it, so it counts as sent; say how many did not (count only).
            log.warning("SMTP server refused %s of %s recipient(s)", len(refused), len(recipients))

    def _open(self) -> smtplib.SMTP:
        """Connect, and secure and log in if configured. Anything going wrong here is about
        the server or our settings, not this message, so it is always worth retrying."""
        try:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        except (OSError, smtplib.SMTPException) as exc:
            raise ServerUnavailable(f"cannot connect to {self.host}:{self.port}: {exc}") from exc
        try:
            if self.starttls:
                # smtplib's own default context checks neither the certificate nor the
                # host name, which would hand the password to anyone in the middle.
                smtp.starttls(context=ssl.create_default_context())
            if self.username:
                smtp.login(self.username, self.password)
        except (OSError, smtplib.SMTPException) as exc:
            smtp.close()
            raise ServerUnavailable(f"SMTP set-up with {self.host} failed: {exc}") from exc
        return smtp


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    # Once the server has accepted the data the message is delivered; a failed QUIT must
    # not turn that into a retry (a duplicate) or a permanent failure.
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


def _classify(code: int, text: str) -> Exception:
    message = f"SMTP {code}: {text}"
    return PermanentFailure(message) if 500 <= code < 600 else TemporaryFailure(message)


class FolderTransport:
    def __init__(self, config: dict[str, Any]) -> None:
        self.folder = Path(config["MAIL_FOLDER"])

    def send(self, message: EmailMessage, recipients: list[str]) -> None:
        target = self.folder / f"{_file_stem(message)}.eml"
        # Written aside then renamed, so a reader of the folder never sees half a message;
        # the hidden .tmp name does not match *.eml.
        partial = self.folder / f".{target.name}.{uuid.uuid4().hex}.tmp"
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            partial.write_bytes(bytes(message))
            os.replace(partial, target)
        except OSError as exc:
            with contextlib.suppress(OSError):
                partial.unlink(missing_ok=True)
            raise TemporaryFailure(f"could not write to {self.folder}: {exc}") from exc


def _file_stem(message: EmailMessage) -> str:
    # Named after the Message-ID so a retry rewrites the same file rather than adding one;
    # only safe characters, since the header is free text.
    message_id = str(message["Message-ID"] or "").strip().strip("<>")
    stem = re.sub(r"[^A-Za-z0-9._-]", "_", message_id.replace("@", "_at_")).strip("._")
    return stem[:200] or uuid.uuid4().hex


def make_transport(config: dict[str, Any]) -> Transport:
    kind = config["MAIL_TRANSPORT"]
    if kind == "smtp":
        return SMTPTransport(config)
    if kind == "folder":
        return FolderTransport(config)
    raise ValueError(f"mail transport must be 'smtp' or 'folder', not {kind!r}")
