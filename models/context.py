"""Contexts: places, groups, and the graded relationships that join people to people, places and groups."""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, Versioned, exactly_one_of, utcnow
from models.crypto import EncryptedField

PLACE_KINDS = ("estate", "park", "shop", "transport", "school", "address", "online", "other")

RELATIONSHIP_KINDS = {
    "family": ("parent", "carer", "sibling", "relative", "household_member"),
    "peer": ("friend", "associate", "partner", "rival"),
    "concern": ("exploitation_suspected", "adult_contact"),
    "place": ("lives_at", "frequents", "attends", "seen_at", "found_at"),
    "group": ("member_of",),
    "protective": ("trusted_adult", "guardian_at"),
}
# Which kind of target each relationship kind joins a person to.
TARGET_TYPE_OF_KIND = {
    **{k: "person" for fam in ("family", "peer", "concern") for k in RELATIONSHIP_KINDS[fam]},
    **{k: "place" for k in RELATIONSHIP_KINDS["place"]},
    "member_of": "group",
    "trusted_adult": "person",
    "guardian_at": "place",
}
ALL_RELATIONSHIP_KINDS = tuple(TARGET_TYPE_OF_KIND)


class Place(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A location that matters: an estate stairwell, a park, a shop, a station, an online space."""

    __tablename__ = "places"

    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20))
    area: Mapped[str | None] = mapped_column(String(120))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    recorded_by_agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    description_enc: Mapped[bytes | None] = mapped_column("description", LargeBinary)
    description = EncryptedField("description_enc", "description", "str")

    def encryption_key_id(self) -> str:
        return self.data_key_id


class Group(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A peer group or network."""

    __tablename__ = "groups"

    name: Mapped[str] = mapped_column(String(200))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    recorded_by_agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    description_enc: Mapped[bytes | None] = mapped_column("description", LargeBinary)
    description = EncryptedField("description_enc", "description", "str")

    def encryption_key_id(self) -> str:
        return self.data_key_id


def grading_of(source: str | None, information: str | None, handling: str | None) -> dict | None:
    """An edge's intelligence grading (UK 3x5x2) as the API shows it, from its three columns; None when ungraded."""
    if not source:
        return None
    return {"source": source, "information": information, "handling": handling}


class Relationship(UUIDPrimaryKey, Base):
    """A graph edge from a person to a person, place or group. Never overwritten: a correction ends it."""

    __tablename__ = "relationships"
    __table_args__ = (
        exactly_one_of("target_person_id", "target_place_id", "target_group_id", name="one_target"),
        Index("ix_relationships_target_person", "target_person_id"),
        Index("ix_relationships_target_place", "target_place_id"),
        Index("ix_relationships_target_group", "target_group_id"),
    )

    source_person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    target_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    target_place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    target_group_id: Mapped[str | None] = mapped_column(ForeignKey("groups.id"))
    kind: Mapped[str] = mapped_column(String(30))
    first_seen: Mapped[date | None] = mapped_column(Date)
    last_seen: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    review_on: Mapped[date | None] = mapped_column(Date)
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    grading_source: Mapped[str | None] = mapped_column(String(1))
    grading_information: Mapped[str | None] = mapped_column(String(1))
    grading_handling: Mapped[str | None] = mapped_column(String(1))
    # The edge this one corrects (that one was ended when this was added).
    supersedes_id: Mapped[str | None] = mapped_column(ForeignKey("relationships.id"))
    # Notes about the edge are about its source person: their data key, so erasure shreds them too.
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    notes_enc: Mapped[bytes | None] = mapped_column("notes", LargeBinary)
    notes = EncryptedField("notes_enc", "notes", "str")

    agency = relationship("Agency", lazy="joined")

    def encryption_key_id(self) -> str:
        return self.data_key_id

    @property
    def target_type(self) -> str:
        return "person" if self.target_person_id else "place" if self.target_place_id else "group"

    @property
    def target_id(self) -> str:
        return self.target_person_id or self.target_place_id or self.target_group_id

    @property
    def grading(self) -> dict | None:
        return grading_of(self.grading_source, self.grading_information, self.grading_handling)

    def active_on(self, day: date) -> bool:
        return self.ended_on is None or self.ended_on >= day
