"""`flask audit grant ROLE` on PostgreSQL: an application role that does not own the tables may read and append
to the audit log and seal it, but UPDATE, DELETE and TRUNCATE are refused by privilege, before any trigger runs.

Always against a real PostgreSQL server, whichever engine the run uses: SQLite has no roles (its refusal of the
command is tested with the other CLI tests). Skipped only when the server is unreachable and CI is unset.
"""

import json
import uuid

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app import create_app
from app.extensions import db
from audit import Actor, record, seal
from tests.fixtures.database import (
    POSTGRES_ADMIN_URL,
    create_postgres_database,
    drop_postgres_database,
    migrate,
    require_postgres,
)

PASSWORD = "app-role-password"
ACTOR = Actor(str(uuid.uuid4()), str(uuid.uuid4()), "social_worker")


def admin_execute(statement: str) -> None:
    engine = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.exec_driver_sql(statement)
    engine.dispose()


@pytest.fixture
def postgres_app(tmp_path):
    """A migrated scratch PostgreSQL database with the app on it, and a login role that owns nothing."""
    require_postgres()
    suffix = uuid.uuid4().hex[:10]
    name, role = f"sc_grants_{suffix}", f"sc_app_{suffix}"
    url = create_postgres_database(name)
    migrate(url, tmp_path / "instance")
    admin_execute(f"CREATE ROLE {role} LOGIN PASSWORD '{PASSWORD}'")
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": str(tmp_path / "instance")})
    role_url = sa.engine.make_url(url).set(username=role, password=PASSWORD)
    yield app, role, role_url
    with app.app_context():
        db.engine.dispose()
    drop_postgres_database(name)
    admin_execute(f"DROP ROLE IF EXISTS {role}")


def grant(app, *args):
    result = app.test_cli_runner().invoke(args=["audit", "grant", *args, "--json"])
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def refused_by_privilege(engine, statement: str) -> str:
    with pytest.raises(sa.exc.ProgrammingError) as failure, engine.begin() as conn:
        conn.exec_driver_sql(statement)
    assert isinstance(failure.value.orig, psycopg.errors.InsufficientPrivilege)
    return str(failure.value.orig)


def test_the_app_role_appends_and_seals_but_cannot_change_or_delete(postgres_app):
    app, role, role_url = postgres_app
    code, body = grant(app, role)
    assert code == 0 and body["applied"] is True and body["role"] == role
    engine = sa.create_engine(role_url)
    try:
        key = bytes(range(32))
        with Session(engine) as session:
            record(session, action="view", actor=ACTOR, object_type="person", object_id="p1", person_ids=["p1"])
            session.commit()
        assert seal(engine, key).size == 1  # the column grant lets it seal: seq and leaf_hash only
        for statement in (
            "UPDATE audit_events SET action = 'list'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
            "DELETE FROM audit_event_people",
            "UPDATE audit_checkpoints SET size = 0",
            "DELETE FROM audit_checkpoints",
        ):
            assert "permission denied for table" in refused_by_privilege(engine, statement), statement
        # The columns it may set are still guarded by the trigger once sealed.
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), engine.begin() as conn:
            conn.exec_driver_sql("UPDATE audit_events SET seq = 7")
        with engine.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM audit_events").scalar() == 1
    finally:
        engine.dispose()


def test_without_the_grant_the_role_cannot_even_read_the_log(postgres_app):
    _app, _role, role_url = postgres_app
    engine = sa.create_engine(role_url)
    try:
        refused_by_privilege(engine, "SELECT count(*) FROM audit_events")
    finally:
        engine.dispose()


def test_a_dry_run_prints_the_statements_and_changes_nothing(postgres_app):
    app, role, role_url = postgres_app
    code, body = grant(app, role, "--dry-run")
    assert code == 0 and body["applied"] is False
    assert any(s.startswith("GRANT SELECT, INSERT") for s in body["statements"])
    engine = sa.create_engine(role_url)
    try:
        refused_by_privilege(engine, "SELECT count(*) FROM audit_events")
    finally:
        engine.dispose()


def test_an_unknown_or_unsafe_role_is_refused(postgres_app):
    app, _role, _url = postgres_app
    code, body = grant(app, "no_such_role_here")
    assert code == 1 and "no_such_role_here" in body["error"]
    code, body = grant(app, "app; DROP TABLE audit_events")
    assert code == 1 and "unsafe role name" in body["error"]
