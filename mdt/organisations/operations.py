from __future__ import annotations

import sqlalchemy as sa

from mdt.accounts import operations as accounts
from mdt.accounts.models import User
from mdt.core.names import name_key
from mdt.extensions import db
from mdt.organisations.models import Organisation, OrganisationType


def name_taken(name: str, except_org: Organisation | None = None) -> bool:
    found = db.session.scalar(
        sa.select(Organisation).where(Organisation.name_key == name_key(name))
    )
    return found is not None and found is not except_org


def create_organisation(
    name: str, type: str, ods_code: str | None = None, retention_years: int | None = None
) -> Organisation:
    org = Organisation(
        name=name.strip(),
        type=OrganisationType(type),
        ods_code=_ods(ods_code),
        retention_years=retention_years,
    )
    db.session.add(org)
    db.session.flush()
    return org


def update_organisation(
    org: Organisation,
    revision: int | None,
    name: str,
    type: str,
    ods_code: str | None,
    retention_years: int | None = None,
) -> None:
    org.check(revision)
    org.name, org.type, org.ods_code = name.strip(), OrganisationType(type), _ods(ods_code)
    #: None: the installation's [retention] patient_years.
    org.retention_years = retention_years
    org.bump()
    db.session.flush()


def _ods(code: str | None) -> str | None:
    return code.strip().upper() if code and code.strip() else None


def set_identity_settings(
    org: Organisation, revision: int | None, providers: list[str], require_oidc: bool
) -> None:
    org.check(revision)
    org.oidc_providers = " ".join(sorted(set(providers)))
    org.require_oidc = require_oidc
    org.bump()
    db.session.flush()


def change_identity_settings(
    org: Organisation,
    by: User,
    revision: int | None,
    providers: list[str],
    require_oidc: bool,
) -> None:
    """Sets them and keeps a security record of what they became."""
    set_identity_settings(org, revision, providers, require_oidc)
    accounts.record_security_event(
        by, "identity settings", identity_settings_text(org), organisation_id=org.id
    )


def identity_settings_text(org: Organisation) -> str:
    """What the settings became, for the security record."""
    required = "required" if org.require_oidc else "optional"
    return f"providers: {org.oidc_providers or 'none'}; provider sign-in {required}"
