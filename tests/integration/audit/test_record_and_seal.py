"""record() writes in the caller's transaction; the sealer numbers, hashes and signs what was committed."""

import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor, AuditCheckpoint, AuditEvent, merkle, record, request_context, seal
from audit.canonical import EVENT_FIELDS, canonical_bytes
from audit.signing import unpack_frontier

SIGNING_KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ACTOR = Actor("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "social_worker")
casework = sa.Table("casework", sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True))


def stored_fields(event: AuditEvent) -> dict:
    fields = {name: getattr(event, name) for name in EVENT_FIELDS}
    return {**fields, "person_ids": event.person_id_list, "detail": event.detail_dict}


def test_an_event_keeps_every_field_and_its_canonical_bytes_match_what_reads_back(audit_engine):
    with request_context("req-42", "198.51.100.7", "Mozilla/5.0 " + "x" * 600), Session(audit_engine) as session:
        event = record(
            session,
            action="search",
            actor=ACTOR,
            person_ids=["p-2", "p-1", "p-2"],
            detail={"tokens": ["9f2c", "77aa"], "results": 2},
            purpose="return home interview",
            flagged=True,
        )
        session.commit()
        event_id = event.id
    with Session(audit_engine) as session:
        stored = session.get(AuditEvent, event_id)
        assert (stored.action, stored.actor_user_id, stored.actor_role) == ("search", ACTOR.user_id, ACTOR.role)
        assert (stored.request_id, stored.client_addr, len(stored.user_agent)) == ("req-42", "198.51.100.7", 512)
        assert stored.person_id_list == ["p-1", "p-2"] and stored.flagged is True and stored.seq is None
        assert stored.at.tzinfo is not None
        assert canonical_bytes(stored_fields(stored)) == stored.canonical


def test_an_anonymous_failed_sign_in_is_recorded_without_an_actor(audit_engine):
    with Session(audit_engine) as session:
        event = record(session, action="sign_in_failed", actor=None, outcome="failure", detail={"reason": "unknown"})
        session.commit()
        assert (event.actor_user_id, event.actor_agency_id, event.actor_role) == (None, None, None)


def test_the_event_shares_the_callers_transaction(audit_engine):
    casework.create(audit_engine)
    with Session(audit_engine) as session:
        session.execute(casework.insert().values(id=1))
        record(session, action="create", actor=ACTOR, object_type="case", object_id="1")
        session.rollback()
        session.execute(casework.insert().values(id=2))
        record(session, action="create", actor=ACTOR, object_type="case", object_id="2")
        session.commit()
    with audit_engine.connect() as conn:
        assert conn.scalars(sa.select(casework.c.id)).all() == [2]
        assert conn.scalars(sa.select(AuditEvent.object_id)).all() == ["2"]


def test_seal_numbers_events_densely_in_time_order_and_signs_the_tree(audit_engine, add_events):
    assert seal(audit_engine, SIGNING_KEY) is None
    ids = add_events(3)
    first = seal(audit_engine, SIGNING_KEY)
    ids += add_events(5)
    with Session(audit_engine) as session:
        second = seal(session, SIGNING_KEY, limit=2)
    third = seal(audit_engine, SIGNING_KEY)
    assert (first.size, second.size, third.size) == (3, 5, 8)
    with Session(audit_engine) as session:
        rows = session.execute(sa.select(AuditEvent.id, AuditEvent.seq, AuditEvent.leaf_hash).order_by("seq")).all()
        stored = session.scalars(sa.select(AuditCheckpoint).order_by(AuditCheckpoint.size)).all()
    assert [r.id for r in rows] == ids and [r.seq for r in rows] == list(range(1, 9))
    leaves = [r.leaf_hash for r in rows]
    for checkpoint in (first, second, third):
        assert checkpoint.root == merkle.root(leaves[: checkpoint.size])
        assert checkpoint.signature_valid(SIGNING_KEY)
    # Each checkpoint extends the one before: the consistency proof between them verifies.
    for old, new in ((first, second), (second, third)):
        proof = merkle.consistency_proof(leaves[: new.size], old.size)
        assert merkle.verify_consistency(old.size, new.size, old.root, new.root, proof)
    assert [c.size for c in stored] == [3, 5, 8]
    assert unpack_frontier(stored[-1].frontier, 8) == merkle.frontier_of(leaves)
    index = merkle.inclusion_proof(leaves, 6)
    assert merkle.verify_inclusion(leaves[6], 6, 8, index, third.root)
