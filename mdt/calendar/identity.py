"""The domain part of calendar UIDs (meeting-7@<domain>), unique to an installation.

Two installations inviting the same person must not write the same UIDs, or one's meeting
overwrites the other's in that person's calendar; and an installation's own UIDs must never
change, or every calendar holding its events would get each one twice. So, in order: the
setting CALENDAR_UID_DOMAIN; the name an upgraded installation stored (CalendarIdentity);
the host of BASE_URL. Read once per app (worker).
"""

from __future__ import annotations

from urllib.parse import urlsplit

import sqlalchemy as sa
from flask import current_app

from mdt.calendar.models import CalendarIdentity
from mdt.extensions import db

#: What every installation wrote before UIDs were named per installation.
LEGACY_DOMAIN = "mdt-coordinator"


def uid_domain() -> str:
    found = current_app.extensions.get("mdt.calendar.uid_domain")
    if found is None:
        found = _configured() or _stored() or _base_url_host()
        current_app.extensions["mdt.calendar.uid_domain"] = found
    return found


def _configured() -> str:
    return str(current_app.config.get("CALENDAR_UID_DOMAIN") or "").strip()


def _stored() -> str | None:
    return db.session.scalar(sa.select(CalendarIdentity.uid_domain))


def _base_url_host() -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname
    return (host or LEGACY_DOMAIN).lower()
