from __future__ import annotations

from mdt.accounts.models import User
from mdt.core.time import now_utc
from mdt.extensions import db
from mdt.reminders.models import ReminderPreference


def wants_immediate(user: User) -> bool:
    preference = db.session.get(ReminderPreference, user.id)
    return preference is not None and preference.immediate


def set_preference(user: User, immediate: bool) -> None:
    preference = db.session.get(ReminderPreference, user.id)
    if preference is None:
        preference = ReminderPreference(user_id=user.id)
        db.session.add(preference)
    preference.immediate, preference.updated_at = immediate, now_utc()
    db.session.flush()
