"""Declarative base, the shared SQLAlchemy handle and column helpers used by every model."""

import uuid
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import CheckConstraint, DateTime, MetaData, String, TypeDecorator, event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

# Stable constraint names so that Alembic migrations are reproducible on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


def new_id() -> str:
    """A fresh public identifier: opaque, never sequential."""
    return str(uuid.uuid4())


def storable_text(value: str) -> bool:
    """Whether both engines can store this text: PostgreSQL holds no NUL, and a lone surrogate (JSON's "\\ud800"
    decodes to one) has no UTF-8 form."""
    if "\x00" in value:
        return False
    try:
        value.encode()
    except UnicodeEncodeError:
        return False
    return True


def parse_id(value) -> str | None:
    """A public identifier in its canonical form, or None for anything that is not one (so it never reaches a
    query): the 36-character UUID text only, not the other spellings uuid.UUID accepts."""
    if not isinstance(value, str) or len(value) != 36:
        return None
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None


def get_by_id(session, model, value):
    """The record with that public id, or None for anything that is not one: text no column can hold (a NUL, which
    PostgreSQL refuses) names no record instead of failing the query."""
    public_id = parse_id(value)
    return session.get(model, public_id) if public_id else None


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A point in time, stored and returned as timezone-aware UTC on every engine (SQLite keeps no offset)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is None:
            raise ValueError("naive datetimes are ambiguous; pass a timezone-aware time")
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


def upsert_insert(session, model):
    """An INSERT of `model` that can say ON CONFLICT (its dialect's insert: both engines share the syntax)."""
    dialect = session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def exactly_one_of(*columns: str, name: str) -> CheckConstraint:
    """Exactly one of these columns is set (written portably: PostgreSQL cannot add booleans)."""
    terms = " + ".join(f"(CASE WHEN {c} IS NULL THEN 0 ELSE 1 END)" for c in columns)
    return CheckConstraint(f"{terms} = 1", name=name)


class PersonOrContext:
    """A record about a person or a context, held in one of its person_id, place_id and group_id columns."""

    @property
    def subject_type(self) -> str:
        """What the record is about: "person", or a context, "place" or "group"."""
        return "person" if self.person_id else "place" if self.place_id else "group"

    @property
    def subject_id(self) -> str:
        return self.person_id or self.place_id or self.group_id


class UUIDPrimaryKey:
    """Client-side UUID primary key, so a row has its id before it is flushed (encryption binds to it)."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)

    def __init__(self, **kwargs):
        kwargs.setdefault("id", new_id())
        super().__init__(**kwargs)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Versioned:
    """Optimistic concurrency: an edit based on a stale version is refused, never silently applied."""

    version: Mapped[int] = mapped_column(default=1, nullable=False)

    @declared_attr.directive
    def __mapper_args__(cls):  # noqa: N805
        return {"version_id_col": cls.version}


# Reads of the database file as memory copies rather than a system call a page (SQLite caps this at its build's
# maximum, 2 GiB here); searches and audit verification read pages scattered over files of gigabytes.
SQLITE_MMAP_BYTES = 1 << 31


def configure_sqlite(engine: Engine) -> None:
    """WAL for concurrent readers, foreign keys, a busy timeout, secure delete, memory-mapped reads; synchronous stays
    FULL (durable)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        # Deleted rows are overwritten, so erased people's search tokens do not linger in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        cursor.close()
