from __future__ import annotations

import enum

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from mdt.core.db import Base
from mdt.core.names import name_key
from mdt.core.revisions import Revisioned


class OrganisationType(enum.StrEnum):
    GP_PRACTICE = "gp_practice"
    ADULT_SOCIAL_CARE = "adult_social_care"
    COMMUNITY_HEALTH = "community_health"
    MENTAL_HEALTH = "mental_health"
    HOSPICE = "hospice"
    VOLUNTARY_SECTOR = "voluntary_sector"
    OTHER = "other"

    @property
    def label(self) -> str:
        return ORGANISATION_TYPE_LABELS[self]


ORGANISATION_TYPE_LABELS = {
    OrganisationType.GP_PRACTICE: "GP practice",
    OrganisationType.ADULT_SOCIAL_CARE: "Adult social care",
    OrganisationType.COMMUNITY_HEALTH: "Community health",
    OrganisationType.MENTAL_HEALTH: "Mental health",
    OrganisationType.HOSPICE: "Hospice",
    OrganisationType.VOLUNTARY_SECTOR: "Voluntary sector",
    OrganisationType.OTHER: "Other",
}


class Organisation(Revisioned, Base):
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    #: The name as compared for uniqueness (mdt.core.names.name_key), kept with the name.
    name_key: Mapped[str] = mapped_column(sa.String(800), index=True, unique=True)
    type: Mapped[OrganisationType] = mapped_column(
        sa.Enum(
            OrganisationType,
            native_enum=False,
            length=40,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    #: NHS Organisation Data Service code (e.g. a practice's F84012); optional.
    ods_code: Mapped[str | None] = mapped_column(sa.String(12))
    #: Years a patient registered here is kept after their last case closed; None: the
    #: installation's [retention] patient_years.
    retention_years: Mapped[int | None]
    #: OpenID Connect providers ([[oidc.providers]] names, space-separated) whose first
    #: sign-in may link to an account here by its verified email address.
    oidc_providers: Mapped[str] = mapped_column(sa.String(200), default="", server_default="")
    #: Its people sign in only through a provider: password sign-in is refused for them.
    require_oidc: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    @validates("name")
    def _keep_name_key(self, _attribute: str, name: str) -> str:
        self.name_key = name_key(name)
        return name

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name!r}>"
