"""Audit-log engines for these tests: a SQLite file and a scratch PostgreSQL database, triggers installed."""

import os
import uuid
from collections.abc import Callable

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor, append_only_ddl, record
from audit.models import AuditCheckpoint, AuditEvent, AuditEventPerson
from models.base import Base, configure_sqlite
from tests.fixtures.database import ENGINE, POSTGRES_ADMIN_URL  # noqa: E402
from tests.fixtures.tampering import tamperer

AUDIT_TABLES = [AuditEvent.__table__, AuditEventPerson.__table__, AuditCheckpoint.__table__]
ACTOR = Actor("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "social_worker")


@pytest.fixture(scope="session")
def audit_postgres_url():
    """A scratch PostgreSQL database for this run; skipped without a server only when CI is unset."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        conn = admin.connect()
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL} and CI is set: {exc}")
        pytest.skip("PostgreSQL is not reachable and CI is unset")
    name = f"audit_scratch_{uuid.uuid4().hex[:12]}"
    with conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    admin.dispose()


def _audit_engine(kind: str, request, tmp_path):
    if kind == "sqlite":
        engine = sa.create_engine(f"sqlite:///{tmp_path / 'audit.sqlite3'}")
        configure_sqlite(engine)
    else:
        engine = sa.create_engine(request.getfixturevalue("audit_postgres_url"), pool_size=12)
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE")
            conn.exec_driver_sql("CREATE SCHEMA public")
    Base.metadata.create_all(engine, tables=AUDIT_TABLES)
    with engine.begin() as conn:
        # As migration 0020 leaves it: SQLite's fields are read out of the canonical bytes.
        for statement in append_only_ddl(engine.dialect.name, sqlite_fields_derived=kind == "sqlite"):
            conn.exec_driver_sql(statement)
    return engine


@pytest.fixture
def audit_engine(request, tmp_path):
    """An engine of the suite's database kind, with empty audit tables and the append-only rule in force."""
    engine = _audit_engine(ENGINE, request, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def audit_postgres_engine(request, tmp_path):
    """The same on PostgreSQL whatever the run, for what only PostgreSQL has (TRUNCATE)."""
    engine = _audit_engine("postgresql", request, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def audit_sqlite_engine(request, tmp_path):
    """The same on a SQLite file whatever the run, for what only SQLite does (times kept as text)."""
    engine = _audit_engine("sqlite", request, tmp_path)
    yield engine
    engine.dispose()


@pytest.fixture
def add_events(audit_engine) -> Callable[..., list[str]]:
    """add_events(n, **fields) -> ids of n events recorded (and committed) through record()."""
    return events_adder(audit_engine)


def events_adder(engine) -> Callable[..., list[str]]:
    """add_events for any engine."""

    def add(n: int, **fields) -> list[str]:
        ids = []
        with Session(engine) as session:
            for i in range(n):
                event = record(
                    session,
                    **{
                        "action": "view",
                        "actor": ACTOR,
                        "object_type": "person",
                        "object_id": f"person-{i}",
                        "person_ids": [f"person-{i}", "person-shared"],
                        "detail": {"i": i},
                        **fields,
                    },
                )
                ids.append(event.id)
            session.commit()
        return ids

    return add


@pytest.fixture
def tamper(audit_engine) -> Callable[..., None]:
    """tamper(sql or statement, ...) runs with the append-only rule off, as an attacker with DDL rights would."""
    return tamperer(audit_engine)
