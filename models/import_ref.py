"""Refs from imported documents, remembered so that a later import updates records instead of duplicating them."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class ImportRef(Base):
    """One ref of an import document and the record it became."""

    __tablename__ = "import_refs"

    ref: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[str] = mapped_column(String(36))
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
