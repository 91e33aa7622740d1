"""Work on contexts: assessments of places and peer groups, context weighting, meetings and safety maps."""

from datetime import date

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, PersonOrContext, Timestamps, UUIDPrimaryKey, Versioned, exactly_one_of
from models.crypto import EncryptedField

ASSESSMENT_KINDS = ("location", "peer_group")
CONTEXTS = ("family", "peers", "school", "neighbourhood", "online")
MEETING_KINDS = ("strategy", "mace", "context_conference")
SAFETY_RATINGS = ("red", "amber", "green")


class ContextAssessment(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A location or peer-group assessment: findings, and interventions aimed at the context itself."""

    __tablename__ = "context_assessments"
    __table_args__ = (exactly_one_of("place_id", "group_id", name="one_subject"),)

    kind: Mapped[str] = mapped_column(String(20))
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    group_id: Mapped[str | None] = mapped_column(ForeignKey("groups.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    findings_enc: Mapped[bytes | None] = mapped_column("findings", LargeBinary)
    findings = EncryptedField("findings_enc", "findings", "str")
    # [{"intervention": "guardianship"|..., "detail": str, "owner_agency_id": str, "due_on": "YYYY-MM-DD"}]
    interventions_enc: Mapped[bytes | None] = mapped_column("interventions", LargeBinary)
    interventions = EncryptedField("interventions_enc", "interventions", "json")

    def encryption_key_id(self) -> str:
        return self.data_key_id


class ContextWeighting(UUIDPrimaryKey, Timestamps, Base):
    """How much each context contributes to harm and to safety for one young person, on one date."""

    __tablename__ = "context_weightings"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    assessed_on: Mapped[date] = mapped_column(Date)
    author_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    # {"family": {"harm": 0-3, "safety": 0-3}, "peers": {...}, ...}: about the person, so under their key.
    weights_enc: Mapped[bytes | None] = mapped_column("weights", LargeBinary)
    weights = EncryptedField("weights_enc", "weights", "json")

    def encryption_key_id(self) -> str:
        return self.data_key_id


class Meeting(UUIDPrimaryKey, Timestamps, Versioned, PersonOrContext, Base):
    """A strategy meeting or MACE panel about a person, or a context conference about a place or group."""

    __tablename__ = "meetings"
    __table_args__ = (exactly_one_of("person_id", "place_id", "group_id", name="one_subject"),)

    kind: Mapped[str] = mapped_column(String(30))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    group_id: Mapped[str | None] = mapped_column(ForeignKey("groups.id"), index=True)
    held_on: Mapped[date] = mapped_column(Date)
    chair_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    attendee_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Agencies holding information who were not invited: reviews keep finding them missing from the room.
    not_invited_agency_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    decisions_enc: Mapped[bytes | None] = mapped_column("decisions", LargeBinary)
    decisions = EncryptedField("decisions_enc", "decisions", "str")
    # [{"action": str, "owner_id": str, "due_on": "YYYY-MM-DD"}]
    actions_enc: Mapped[bytes | None] = mapped_column("actions", LargeBinary)
    actions = EncryptedField("actions_enc", "actions", "json")

    def encryption_key_id(self) -> str:
        return self.data_key_id


class SafetyRating(UUIDPrimaryKey, Timestamps, Base):
    """A young person's own red/amber/green rating of a place (safety mapping)."""

    __tablename__ = "safety_ratings"
    __table_args__ = (Index("ix_safety_ratings_place", "place_id", "rating"),)

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    place_id: Mapped[str] = mapped_column(ForeignKey("places.id"))
    rating: Mapped[str] = mapped_column(String(10))
    rated_on: Mapped[date] = mapped_column(Date)
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
