"""People in a young person's contexts: sensitive fields encrypted under the person's own data key."""

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import Boolean, ForeignKey, Index, LargeBinary, String, UniqueConstraint, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from models.base import Base, Timestamps, UTCDateTime, UUIDPrimaryKey, Versioned, utcnow
from models.crypto import EncryptedField
from models.crypto.registry import current_keyring
from models.id_lists import among, read_columns

SEXES = ("female", "male", "other", "unknown")
FLAGS = (
    "adult_of_concern",
    "missing_from_home",
    "looked_after",
    "child_in_need",
    "child_protection_plan",
    "victim_of_exploitation",
    "nrm_positive_decision",
    "restricted",
)

# (attribute, column, kind): every sensitive field of a person, each its own AES-GCM blob.
ENCRYPTED_FIELDS = (
    ("given_name", "given_name", "str"),
    ("family_name", "family_name", "str"),
    ("aliases", "aliases", "json"),
    ("date_of_birth", "date_of_birth", "date"),
    ("sex", "sex", "str"),
    ("ethnicity", "ethnicity", "str"),
    ("first_language", "first_language", "str"),
    ("special_needs", "special_needs", "str"),
    ("address", "address", "str"),
    ("phone", "phone", "str"),
    ("identifiers", "identifiers", "json"),
    ("notes", "notes", "str"),
)


class Person(UUIDPrimaryKey, Timestamps, Versioned, Base):
    """Anyone in a young person's contexts: the young person, family, peers, adults of concern."""

    __tablename__ = "people"
    # The recorder rule of the access policy: a user's records of the last 30 days, from the index alone.
    __table_args__ = (
        Index("ix_people_recorded_by_created", "recorded_by_id", "created_at", "id"),
        # The few erased people, whose referrals leave the boxes (referrals.NOT_ABOUT_ERASED).
        Index(
            "ix_people_erased",
            "id",
            sqlite_where=text("erased_at IS NOT NULL"),
            postgresql_where=text("erased_at IS NOT NULL"),
        ),
    )

    data_key_id: Mapped[str] = mapped_column(ForeignKey("data_keys.id"))
    dob_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    recorded_by_agency_id: Mapped[str | None] = mapped_column(ForeignKey("agencies.id"))
    # A merged duplicate keeps only a pointer to the surviving record.
    merged_into_id: Mapped[str | None] = mapped_column(ForeignKey("people.id"))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    given_name_enc: Mapped[bytes | None] = mapped_column("given_name", LargeBinary)
    family_name_enc: Mapped[bytes | None] = mapped_column("family_name", LargeBinary)
    aliases_enc: Mapped[bytes | None] = mapped_column("aliases", LargeBinary)
    date_of_birth_enc: Mapped[bytes | None] = mapped_column("date_of_birth", LargeBinary)
    sex_enc: Mapped[bytes | None] = mapped_column("sex", LargeBinary)
    ethnicity_enc: Mapped[bytes | None] = mapped_column("ethnicity", LargeBinary)
    first_language_enc: Mapped[bytes | None] = mapped_column("first_language", LargeBinary)
    special_needs_enc: Mapped[bytes | None] = mapped_column("special_needs", LargeBinary)
    address_enc: Mapped[bytes | None] = mapped_column("address", LargeBinary)
    phone_enc: Mapped[bytes | None] = mapped_column("phone", LargeBinary)
    identifiers_enc: Mapped[bytes | None] = mapped_column("identifiers", LargeBinary)
    notes_enc: Mapped[bytes | None] = mapped_column("notes", LargeBinary)

    given_name = EncryptedField("given_name_enc", "given_name", "str")
    family_name = EncryptedField("family_name_enc", "family_name", "str")
    aliases = EncryptedField("aliases_enc", "aliases", "json")
    date_of_birth = EncryptedField("date_of_birth_enc", "date_of_birth", "date")
    sex = EncryptedField("sex_enc", "sex", "str")
    ethnicity = EncryptedField("ethnicity_enc", "ethnicity", "str")
    first_language = EncryptedField("first_language_enc", "first_language", "str")
    special_needs = EncryptedField("special_needs_enc", "special_needs", "str")
    address = EncryptedField("address_enc", "address", "str")
    phone = EncryptedField("phone_enc", "phone", "str")
    identifiers = EncryptedField("identifiers_enc", "identifiers", "json")
    notes = EncryptedField("notes_enc", "notes", "str")

    flags: Mapped[list["PersonFlag"]] = relationship(
        back_populates="person", cascade="all, delete-orphan", lazy="selectin", order_by="PersonFlag.set_at"
    )

    def encryption_key_id(self) -> str:
        return self.data_key_id

    @property
    def display_name(self) -> str:
        return joined_name(self.given_name, self.family_name)

    def age_on(self, day: date) -> int | None:
        born = self.date_of_birth
        if not born:
            return None
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))

    @property
    def active_flags(self) -> list["PersonFlag"]:
        return [f for f in self.flags if f.cleared_at is None]

    def has_flag(self, flag: str) -> bool:
        return any(f.flag == flag for f in self.active_flags)


class PersonFlag(UUIDPrimaryKey, Base):
    """A flag from the fixed list, with who set it and when (and who cleared it)."""

    __tablename__ = "person_flags"

    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    flag: Mapped[str] = mapped_column(String(40))
    set_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))  # null when imported
    set_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cleared_by_id: Mapped[str | None] = mapped_column(ForeignKey("users.id"))
    cleared_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    person: Mapped[Person] = relationship(back_populates="flags")


class PersonIndexToken(Base):
    """Blind-index tokens of a person's names and date of birth (HMAC, truncated): search without plaintext."""

    __tablename__ = "person_index_tokens"
    __table_args__ = (
        # Also the index by person (it leads): for re-indexing a record, erasure and the cascade from people.
        UniqueConstraint("person_id", "index_name", "token"),
        # Covering: a search counts hits per person from the index alone, without visiting the table's rows.
        Index("ix_person_index_tokens_search", "index_name", "token", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    person_id: Mapped[str] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"))
    index_name: Mapped[str] = mapped_column(String(30))
    token: Mapped[str] = mapped_column(String(32))


def joined_name(given, family) -> str:
    return " ".join(str(part) for part in (given, family) if part)


def display_names(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """Display names by person id, decrypting only the two name columns (pages that name hundreds of people)."""
    rows = read_columns(
        session,
        select(Person.id, Person.data_key_id, Person.given_name_enc, Person.family_name_enc).where(
            among(Person.id, set(person_ids))
        ),
    ).all()
    # The data keys not cached yet, in one query; most of a map's people were on the viewer's last map too.
    current_keyring().preload(session, (data_key_id for _, data_key_id, _, _ in rows))
    return {
        person_id: joined_name(
            Person.given_name.read_stored(session, person_id, given),
            Person.family_name.read_stored(session, person_id, family),
        )
        for person_id, _, given, family in rows
    }
