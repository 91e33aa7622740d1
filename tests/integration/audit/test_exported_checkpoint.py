"""A checkpoint exported and kept elsewhere exposes a log that was rebuilt, re-signed or cut short."""

import json

import pytest
import sqlalchemy as sa

from audit import AuditCheckpoint, AuditEvent, AuditEventPerson, export_checkpoint, latest_checkpoint, seal, verify
from audit.canonical import canonical_bytes, json_text
from audit.derived_columns import insertable

SIGNING_KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
OTHER_KEY = bytes(range(32))


@pytest.fixture
def exported(audit_engine, add_events) -> str:
    """Ten sealed events (checkpoints at 6 and 10) and the size-10 checkpoint exported as JSON text."""
    add_events(6)
    seal(audit_engine, SIGNING_KEY)
    add_events(4)
    sealed = seal(audit_engine, SIGNING_KEY)
    assert latest_checkpoint(audit_engine) == sealed
    return json.dumps(export_checkpoint(latest_checkpoint(audit_engine), SIGNING_KEY))


def rebuild(engine, tamper, key: bytes, edit_seq: int | None = None) -> None:
    """What an insider with DDL rights does: copy the events out, wipe the log, put them back, reseal."""
    events, people = AuditEvent.__table__, AuditEventPerson.__table__
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(events).order_by(events.c.seq)).mappings()]
        links = [dict(r) for r in conn.execute(sa.select(people)).mappings()]
    for row in rows:
        if row["seq"] == edit_seq:
            fields = {**row, "person_ids": json.loads(row["person_ids"]), "detail": {"i": 0}}
            row.update(detail=json_text({"i": 0}), canonical=canonical_bytes(fields))
        row.update(seq=None, leaf_hash=None)
    tamper(
        sa.delete(people),
        sa.delete(events),
        sa.delete(AuditCheckpoint.__table__),
        sa.insert(events).values([insertable(row, engine.dialect.name) for row in rows]),
        sa.insert(people).values(links),
    )
    seal(engine, key)


def test_an_exported_checkpoint_verifies_against_the_honest_log_as_it_grows(audit_engine, exported, add_events):
    add_events(5)
    result = verify(audit_engine, SIGNING_KEY, exported)
    assert (result.ok, result.events) == (True, 15)


def test_a_log_rebuilt_and_resigned_with_another_key_fails(audit_engine, exported, tamper):
    rebuild(audit_engine, tamper, OTHER_KEY)
    assert verify(audit_engine, OTHER_KEY).ok  # consistent on its own terms
    result = verify(audit_engine, OTHER_KEY, exported)
    assert (result.ok, result.first_bad) == (False, 1)
    assert "exported checkpoint was signed by key" in result.reason


def test_a_log_rebuilt_with_the_real_key_but_a_different_prefix_fails(audit_engine, exported, tamper):
    rebuild(audit_engine, tamper, SIGNING_KEY, edit_seq=9)
    assert verify(audit_engine, SIGNING_KEY).ok  # whoever holds the key can rewrite history internally
    result = verify(audit_engine, SIGNING_KEY, exported)
    assert (result.ok, result.first_bad) == (False, 9)


def test_an_export_without_a_frontier_still_catches_a_different_prefix(audit_engine, exported, tamper):
    document = json.loads(exported)
    del document["frontier"]
    rebuild(audit_engine, tamper, SIGNING_KEY, edit_seq=3)
    result = verify(audit_engine, SIGNING_KEY, document)
    assert (result.ok, result.first_bad) == (False, 1)
    assert "exported checkpoint" in result.reason


def test_a_log_cut_back_to_an_earlier_checkpoint_fails(audit_engine, exported, tamper):
    tail = sa.select(AuditEvent.id).where(AuditEvent.seq > 6).scalar_subquery()
    tamper(
        sa.delete(AuditEventPerson.__table__).where(AuditEventPerson.event_id.in_(tail)),
        sa.delete(AuditEvent.__table__).where(AuditEvent.seq > 6),
        sa.delete(AuditCheckpoint.__table__).where(AuditCheckpoint.size > 6),
    )
    assert verify(audit_engine, SIGNING_KEY).ok  # a clean cut at a checkpoint leaves no trace inside
    result = verify(audit_engine, SIGNING_KEY, exported)
    assert (result.ok, result.first_bad) == (False, 7)


def test_a_forged_export_is_refused(audit_engine, exported):
    document = json.loads(exported)
    document["size"] = 3
    with pytest.raises(ValueError, match="signature"):
        verify(audit_engine, SIGNING_KEY, document)
