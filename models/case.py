"""Cases: coordinated multi-agency work about a person or a context, with its team, plan and chronology."""

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, Versioned, exactly_one_of, utcnow
from models.crypto import EncryptedField

CONCERNS = (
    "cce",
    "cse",
    "county_lines",
    "serious_youth_violence",
    "missing",
    "online_harm",
    "radicalisation",
    "trafficking",
    "substance_misuse",
    "domestic_abuse",
    "mental_health",
    "harmful_sexual_behaviour",
    "education_exclusion",
)
RISK_LEVELS = ("low", "medium", "high")
CHRONOLOGY_CATEGORIES = (
    "contact",
    "home_visit",
    "meeting",
    "police_contact",
    "arrest",
    "missing_episode",
    "return_interview",
    "education",
    "health_attendance",
    "assessment",
    "referral",
    "intelligence",
    "incident",
    "case_note",
    "other",
)
SENSITIVITIES = ("general", "health", "intelligence", "restricted")


class Case(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """Coordinated work about a subject: a person, or a context (a place or a group)."""

    __tablename__ = "cases"
    __table_args__ = (
        exactly_one_of("subject_person_id", "subject_place_id", "subject_group_id", name="one_subject"),
        Index("ix_cases_subject_person", "subject_person_id"),
        Index("ix_cases_subject_place", "subject_place_id"),
        Index("ix_cases_subject_group", "subject_group_id"),
    )

    subject_person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    subject_place_id: Mapped[str | None] = mapped_column(ForeignKey("places.id"))
    subject_group_id: Mapped[str | None] = mapped_column(ForeignKey("groups.id"))
    lead_agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    # Null for cases imported from another system until a worker is assigned.
    lead_worker_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    concerns: Mapped[list[str]] = mapped_column(JSON, default=list)
    risk_level: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="open")
    opened_on: Mapped[date] = mapped_column(Date)
    closed_on: Mapped[date | None] = mapped_column(Date)
    closed_reason_enc: Mapped[bytes | None] = mapped_column("closed_reason", LargeBinary)
    closed_reason = EncryptedField("closed_reason_enc", "closed_reason", "str")
    # A lead worker's request to close, awaiting a team manager of the lead agency (SPEC 1), and the last request a
    # manager returned, with why: shown to the lead until they ask again.
    # Plain ids, as the audit log keeps its actors: SQLite cannot drop a column that holds a foreign key.
    closure_requested_by_id: Mapped[str | None] = mapped_column(String(36))
    closure_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_request_reason_enc: Mapped[bytes | None] = mapped_column("closure_request_reason", LargeBinary)
    closure_request_reason = EncryptedField("closure_request_reason_enc", "closure_request_reason", "str")
    closure_returned_by_id: Mapped[str | None] = mapped_column(String(36))
    closure_returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closure_return_reason_enc: Mapped[bytes | None] = mapped_column("closure_return_reason", LargeBinary)
    closure_return_reason = EncryptedField("closure_return_reason_enc", "closure_return_reason", "str")
    # The summary is about the subject: a person's data key, or the context's.
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    summary_enc: Mapped[bytes | None] = mapped_column("summary", LargeBinary)
    summary = EncryptedField("summary_enc", "summary", "str")

    members: Mapped[list["CaseMember"]] = relationship(
        back_populates="case", lazy="selectin", order_by="CaseMember.added_at"
    )
    lead_agency = relationship("Agency", lazy="joined", foreign_keys=[lead_agency_id])
    lead_worker = relationship("User", lazy="joined", foreign_keys=[lead_worker_id])
    closure_requested_by = relationship(
        "User", lazy="joined", primaryjoin="foreign(Case.closure_requested_by_id) == User.id", viewonly=True
    )
    closure_returned_by = relationship(
        "User", lazy="joined", primaryjoin="foreign(Case.closure_returned_by_id) == User.id", viewonly=True
    )

    def encryption_key_id(self) -> str:
        return self.data_key_id

    @property
    def subject_type(self) -> str:
        return "person" if self.subject_person_id else "place" if self.subject_place_id else "group"

    @property
    def subject_id(self) -> str:
        return self.subject_person_id or self.subject_place_id or self.subject_group_id

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    @property
    def current_members(self) -> list["CaseMember"]:
        return [m for m in self.members if m.removed_at is None]

    def has_member(self, user_id: str) -> bool:
        return any(m.user_id == user_id for m in self.current_members)


class CaseMember(UUIDPrimaryKey, Base):
    """A user on a case's multi-agency team, from when they were added until removed."""

    __tablename__ = "case_members"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    added_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="members")
    user = relationship("User", lazy="joined", foreign_keys=[user_id])


class PlanAction(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """An action in a case's plan: what, who, by when, and whether it is done."""

    __tablename__ = "plan_actions"

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("users.id"))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    description_enc: Mapped[bytes | None] = mapped_column("description", LargeBinary)
    description = EncryptedField("description_enc", "description", "str")

    owner = relationship("User", lazy="joined")

    def encryption_key_id(self) -> str:
        return self.data_key_id


class ChronologyEntry(UUIDPrimaryKey, Timestamps, Base):
    """A dated event on a case, recorded by one agency on the team; the summary is encrypted."""

    __tablename__ = "chronology_entries"
    __table_args__ = (Index("ix_chronology_case_date", "case_id", "occurred_on"),)

    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    # The person the entry is about (the case subject, or a person linked to a context case).
    person_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(30))
    sensitivity: Mapped[str] = mapped_column(String(20), default="general")
    agency_id: Mapped[str] = mapped_column(ForeignKey("agencies.id"))
    author_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    # Set when the entry was moved here from a wrong record; the move is audited.
    moved_from_case_id: Mapped[str | None] = mapped_column(ForeignKey("cases.id"))
    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    summary_enc: Mapped[bytes | None] = mapped_column("summary", LargeBinary)
    summary = EncryptedField("summary_enc", "summary", "str")

    agency = relationship("Agency", lazy="joined")
    author = relationship("User", lazy="joined")

    def encryption_key_id(self) -> str:
        return self.data_key_id
