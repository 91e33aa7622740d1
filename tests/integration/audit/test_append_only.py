"""The database itself refuses to change or remove audit rows: only the one-time sealing update passes."""

import pytest
import sqlalchemy as sa

from audit import seal

SIGNING_KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
REFUSED = (sa.exc.IntegrityError, sa.exc.ProgrammingError, sa.exc.InternalError, sa.exc.OperationalError)


def refused(engine, statement: str, **params) -> None:
    # On SQLite a field is read out of the canonical bytes, so the table itself refuses to write one.
    with pytest.raises(REFUSED, match="append-only|only the sealer|generated column"), engine.begin() as conn:
        conn.execute(sa.text(statement), params)


@pytest.fixture
def log(audit_engine, add_events):
    """Three sealed events and one unsealed."""
    add_events(3)
    seal(audit_engine, SIGNING_KEY)
    add_events(1)
    return audit_engine


def test_sealed_and_unsealed_events_cannot_be_edited(log):
    refused(log, "UPDATE audit_events SET action = 'list' WHERE seq = 1")
    refused(log, "UPDATE audit_events SET action = 'list' WHERE seq IS NULL")
    refused(log, "UPDATE audit_events SET flagged = flagged")


def test_sealed_events_cannot_be_renumbered_or_rehashed(log):
    refused(log, "UPDATE audit_events SET seq = seq + 100 WHERE seq = 3")
    refused(log, "UPDATE audit_events SET leaf_hash = canonical WHERE seq = 2")
    refused(log, "UPDATE audit_events SET seq = NULL, leaf_hash = NULL WHERE seq = 3")


def test_the_sealing_update_must_set_both_and_change_nothing_else(log):
    refused(log, "UPDATE audit_events SET seq = 4 WHERE seq IS NULL")
    refused(log, "UPDATE audit_events SET seq = 4, leaf_hash = canonical, action = 'list' WHERE seq IS NULL")
    assert seal(log, SIGNING_KEY).size == 4


def test_events_cannot_be_deleted(log):
    refused(log, "DELETE FROM audit_event_people")
    refused(log, "DELETE FROM audit_events WHERE seq = 2")
    refused(log, "DELETE FROM audit_events WHERE seq IS NULL")


def test_events_cannot_be_inserted_already_sealed(log):
    refused(
        log,
        "INSERT INTO audit_events (id, seq, at, action, person_ids, outcome, flagged, canonical, leaf_hash) "
        "VALUES ('x', 99, :at, 'view', '[]', 'success', :f, :c, :c)",
        at="2025-01-01 00:00:00.000000",
        f=False,
        c=b"x",
    )


def test_the_person_index_and_checkpoints_are_insert_only(log):
    refused(log, "UPDATE audit_event_people SET person_id = 'someone-else'")
    refused(log, "UPDATE audit_checkpoints SET size = 2")
    refused(log, "DELETE FROM audit_checkpoints")


def test_truncate_is_refused_on_postgresql(audit_postgres_engine):
    # SQLite has no TRUNCATE: its DELETE triggers, tested above, cover the same ground there.
    for table in ("audit_events", "audit_event_people", "audit_checkpoints"):
        refused(audit_postgres_engine, f"TRUNCATE {table} CASCADE")
