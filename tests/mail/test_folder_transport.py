"""The demo's transport: each message becomes one .eml file in a folder."""

from __future__ import annotations

import email
import re
from email import policy
from pathlib import Path

from mdt.mail.models import OutboxStatus
from tests.conftest import login, submit
from tests.mail.support import deliver, queue, rows


def _read(folder: Path) -> list[email.message.EmailMessage]:
    return [
        email.message_from_bytes(path.read_bytes(), policy=policy.default)  # type: ignore[misc]
        for path in sorted(folder.iterdir())
    ]


def test_each_message_is_one_parseable_eml_file(app, session):
    folder = Path(app.config["MAIL_FOLDER"])
    queue(app, ["sian@example.org"], "Meeting booked", "Hello Siân,\n\nSee you on Tuesday.\n")
    queue(app, ["kit@example.org", "sam@example.org"], "Meeting moved", "It moved.\n")

    assert deliver(app) == (2, 0)

    files = sorted(p.name for p in folder.iterdir())
    assert len(files) == 2 and all(name.endswith(".eml") for name in files), files
    by_subject = {m["Subject"]: m for m in _read(folder)}
    booked, moved = by_subject["Meeting booked"], by_subject["Meeting moved"]
    assert booked["To"] == "sian@example.org"
    assert booked.get_content() == "Hello Siân,\n\nSee you on Tuesday.\n"
    assert moved["To"] == "kit@example.org, sam@example.org"
    assert moved.get_content() == "It moved.\n"
    assert all(r.status == OutboxStatus.SENT for r in rows(session))
    assert deliver(app) == (0, 0)
    assert len(list(folder.iterdir())) == 2


def test_the_emailed_password_link_lands_in_the_folder(app, client, make, session):
    admin = make.admin()
    person = make.user(email="jo@example.org")
    login(client, admin.email)

    page = submit(
        client,
        f"/users/{person.id}/password-link",
        {"send_email": "y"},
        form_url=f"/users/{person.id}",
    ).get_data(as_text=True)

    url = re.search(r'id="password-link">([^<]+)<', page).group(1)
    [message] = _read(Path(app.config["MAIL_FOLDER"]))
    assert message["To"] == "jo@example.org"
    assert url in message.get_content()
    [row] = rows(session)
    assert row.status == OutboxStatus.SENT


def test_a_folder_that_cannot_be_written_keeps_the_message_queued(app, session, tmp_path):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    app.config["MAIL_FOLDER"] = str(blocker / "mail")
    queue(app, ["kit@example.org"])

    assert deliver(app) == (0, 1)

    [row] = rows(session)
    assert row.status == OutboxStatus.QUEUED and row.attempts == 1
    assert "could not write" in row.last_error
