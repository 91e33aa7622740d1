"""Referrals between agencies, and the history of each one's transitions."""

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import (
    Base,
    PersonOrContext,
    Timestamps,
    UTCDateTime,
    UUIDPrimaryKey,
    Versioned,
    exactly_one_of,
    utcnow,
)
from models.crypto import EncryptedField

URGENCIES = ("red", "amber", "green")
LAWFUL_BASES = ("consent", "consent_overridden", "no_consent_sought", "not_recorded")
REFERRAL_STATES = ("submitted", "acknowledged", "accepted", "declined", "withdrawn")
FINAL_STATES = ("accepted", "declined", "withdrawn")
OPEN_STATES = ("submitted", "acknowledged")  # waiting for the receiving agency to decide
# How far along the state machine each state is: a referral only ever moves to a higher step (SPEC section 3).
STATE_STEP = {"submitted": 0, "acknowledged": 1, **dict.fromkeys(FINAL_STATES, 2)}


class Referral(UUIDPrimaryKey, Timestamps, Versioned, PersonOrContext, Base):
    """A concern passed from one agency to another about a person (or a context)."""

    __tablename__ = "referrals"
    __table_args__ = (
        exactly_one_of("person_id", "place_id", "group_id", name="one_subject"),
        # A box's count (every referral, or the open ones) leaves out those about an erased person: person_id
        # in the index spares reading every referral of the box to check it.
        Index("ix_referrals_to_agency_status", "to_agency_id", "status", "person_id"),
        # A box is read newest first a page at a time: (sent_at, id) is the order and the page boundary.
        Index("ix_referrals_to_agency_sent", "to_agency_id", "sent_at", "id"),
        Index("ix_referrals_from_agency_sent", "from_agency_id", "sent_at", "id", "person_id"),
        # A context's referrals are read by the context: its case's chronology, and who may see a home referred.
        Index("ix_referrals_place", "place_id"),
        Index("ix_referrals_group", "group_id"),
    )

    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    group_id: Mapped[str | None] = mapped_column(ForeignKey("groups.id"))
    from_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    to_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    sender_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    urgency: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    lawful_basis: Mapped[str] = mapped_column(String(30), default="not_recorded")
    # Free text about the child and their family, as the reason is: encrypted under the person's key with it.
    lawful_basis_reason_enc: Mapped[bytes | None] = mapped_column("lawful_basis_reason", LargeBinary)
    lawful_basis_reason = EncryptedField("lawful_basis_reason_enc", "lawful_basis_reason", "str")
    decline_reason_enc: Mapped[bytes | None] = mapped_column("decline_reason", LargeBinary)
    decline_reason = EncryptedField("decline_reason_enc", "decline_reason", "str")
    case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    reason_enc: Mapped[bytes | None] = mapped_column("reason", LargeBinary)
    reason = EncryptedField("reason_enc", "reason", "str")

    from_agency = relationship("Agency", lazy="joined", foreign_keys=[from_agency_id])
    to_agency = relationship("Agency", lazy="joined", foreign_keys=[to_agency_id])

    def encryption_key_id(self) -> str:
        return self.data_key_id

    @property
    def closed_at(self) -> datetime | None:
        """When the referral reached a final state (decided or withdrawn)."""
        return self.decided_at or self.withdrawn_at


class ReferralTransition(UUIDPrimaryKey, Base):
    """One step in a referral's life: who moved it, when, from which state to which, and why."""

    __tablename__ = "referral_transitions"

    referral_id: Mapped[str] = mapped_column(ForeignKey("referrals.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    # The note (why it was declined or withdrawn) is encrypted under the referral's key.
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    note_enc: Mapped[bytes | None] = mapped_column("note", LargeBinary)
    note = EncryptedField("note_enc", "note", "str")

    def encryption_key_id(self) -> str:
        return self.data_key_id
