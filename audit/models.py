"""Audit events, the person index that finds them, and the signed checkpoints that seal them."""

import json
from datetime import datetime

from sqlalchemy import BigInteger, Boolean, FetchedValue, ForeignKey, Index, LargeBinary, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

import audit.derived_columns  # noqa: F401 - the SQLite DDL of the fields read out of the canonical bytes
from models.base import Base, UTCDateTime, new_id

MAX_SEQ = (1 << 63) - 1  # seq is a BIGINT


def derived() -> FetchedValue:
    """A field SQLite computes from `canonical`: an insert there leaves it out, and the ORM reads it back."""
    return FetchedValue()


class AuditEvent(Base):
    """One access or change, append-only; seq and leaf_hash are set once, by the sealer.

    On SQLite every field but id is a virtual column read out of `canonical` (audit.derived_columns); elsewhere
    audit.record.event_values gives them all."""

    __tablename__ = "audit_events"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    seq: Mapped[int | None] = mapped_column(BigInteger, unique=True, index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False, index=True, server_default=derived())
    actor_user_id: Mapped[str | None] = mapped_column(String(36), index=True, server_default=derived())
    actor_agency_id: Mapped[str | None] = mapped_column(String(36), server_default=derived())
    actor_role: Mapped[str | None] = mapped_column(String(40), server_default=derived())
    action: Mapped[str] = mapped_column(String(40), nullable=False, index=True, server_default=derived())
    object_type: Mapped[str | None] = mapped_column(String(40), server_default=derived())
    object_id: Mapped[str | None] = mapped_column(String(100), server_default=derived())
    # JSON list of person ids, sorted; the sealer indexes the same ids in audit_event_people (audit.person_index).
    person_ids: Mapped[str] = mapped_column(Text, nullable=False, server_default=derived())
    outcome: Mapped[str] = mapped_column(String(20), nullable=False, server_default=derived())
    reason: Mapped[str | None] = mapped_column(Text, server_default=derived())
    purpose: Mapped[str | None] = mapped_column(Text, server_default=derived())
    # JSON object of non-sensitive facts only: blind-index tokens, counts, field names; never plaintext values.
    detail: Mapped[str | None] = mapped_column(Text, server_default=derived())
    flagged: Mapped[bool] = mapped_column(Boolean, nullable=False, server_default=derived())
    request_id: Mapped[str | None] = mapped_column(String(64), server_default=derived())
    client_addr: Mapped[str | None] = mapped_column(String(64), server_default=derived())
    user_agent: Mapped[str | None] = mapped_column(String(512), server_default=derived())
    canonical: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    leaf_hash: Mapped[bytes | None] = mapped_column(LargeBinary)

    __table_args__ = (
        # The sealer's only query on a large table: unsealed events in (at, id) order.
        Index(
            "ix_audit_events_unsealed",
            "at",
            "id",
            postgresql_where=text("seq IS NULL"),
            sqlite_where=text("seq IS NULL"),
        ),
        # The flagged-access queue: each user's flagged events after their last review, a small share of the log.
        Index(
            "ix_audit_events_flagged",
            "actor_user_id",
            "seq",
            postgresql_where=text("flagged"),
            sqlite_where=text("flagged = 1"),
        ),
    )

    @property
    def person_id_list(self) -> list[str]:
        """The person ids as a list."""
        return json.loads(self.person_ids)

    @property
    def detail_dict(self) -> dict | None:
        """The detail as a dict, or None."""
        return None if self.detail is None else json.loads(self.detail)


class AuditEventPerson(Base):
    """Which sealed events touched which person: the index behind "who accessed this person's record"."""

    __tablename__ = "audit_event_people"

    event_id: Mapped[str] = mapped_column(ForeignKey("audit_events.id"), primary_key=True)
    person_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class AuditCheckpoint(Base):
    """A signed tree head: the first `size` events have Merkle root `root_hash`, attested at `at`."""

    __tablename__ = "audit_checkpoints"

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    size: Mapped[int] = mapped_column(BigInteger, nullable=False, unique=True)
    root_hash: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    signature: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    key_id: Mapped[str] = mapped_column(String(32), nullable=False)
    # Right-edge subtree roots (32 bytes each, largest first): the sealer extends the tree from here.
    frontier: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
