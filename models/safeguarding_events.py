"""Missing episodes, break-glass grants and alerts: dated facts about a person that drive prompts."""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, Versioned, utcnow


class MissingEpisode(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """A child reported missing: when, until when, where found, and the return-home interview."""

    __tablename__ = "missing_episodes"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    reported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    found_at_place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    reporting_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    reported_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    return_interview_offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    reporting_agency = relationship("Agency", lazy="joined")
    found_at_place = relationship("Place", lazy="joined")


class BreakGlassGrant(UUIDPrimaryKey, Base):
    """Emergency access to one person, for a stated reason, for a limited time; reviewed by a lead."""

    __tablename__ = "break_glass_grants"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id"), index=True)
    reason: Mapped[str] = mapped_column(String(2000))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reviewed_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    review_outcome: Mapped[str | None] = mapped_column(String(20))
    review_note: Mapped[str | None] = mapped_column(String(2000))

    user = relationship("User", lazy="joined", foreign_keys=[user_id])


class Alert(UUIDPrimaryKey, Base):
    """A rule that fired for a person or a place: once per subject and rule, dated when it first held."""

    __tablename__ = "alerts"
    __table_args__ = (UniqueConstraint("kind", "subject_key"),)

    kind: Mapped[str] = mapped_column(String(30))
    # "person:<id>" or "place:<id>" (plus a rule qualifier where one subject can fire a rule more than once).
    subject_key: Mapped[str] = mapped_column(String(120))
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"), index=True)
    fired_on: Mapped[date] = mapped_column(Date)
    detail: Mapped[str] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FlaggedAccessReview(UUIDPrimaryKey, Base):
    """A lead's verdict on a user's flagged accesses (SPEC 5: access with no case assignment in force), up to and
    including the event numbered through_seq; later flagged events wait for the next review."""

    __tablename__ = "flagged_access_reviews"

    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    through_seq: Mapped[int] = mapped_column(BigInteger)
    events: Mapped[int] = mapped_column(Integer)
    reviewed_by_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    reviewed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(String(2000))
