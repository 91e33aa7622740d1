"""Agencies of the partnership, and bodies outside it."""

from datetime import datetime

from sqlalchemy import Boolean, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, UUIDPrimaryKey, utcnow

AGENCY_KINDS = (
    "social_care",
    "police",
    "youth_service",
    "education",
    "health",
    "youth_justice",
    "housing",
    "voluntary",
    "other",
)


class Agency(UUIDPrimaryKey, Base):
    """An organisation in the partnership, or an external one (another force, a national body)."""

    __tablename__ = "agencies"

    name: Mapped[str] = mapped_column(String(120), unique=True)
    kind: Mapped[str] = mapped_column(String(20))
    external: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<Agency {self.name!r} {self.kind}>"
