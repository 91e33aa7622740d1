"""Many writers and two background sealers at once still leave one dense, verifiable sequence."""

import threading

import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import Actor, AuditCheckpoint, AuditEvent, BackgroundSealer, record, verify

SIGNING_KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
ACTOR = Actor("11111111-1111-4111-8111-111111111111", "22222222-2222-4222-8222-222222222222", "social_worker")
THREADS, EVENTS_PER_THREAD = 8, 500


def write_events(engine, thread: int, errors: list) -> None:
    try:
        for i in range(EVENTS_PER_THREAD):
            with Session(engine) as session:
                record(session, action="view", actor=ACTOR, object_id=f"{thread}-{i}", person_ids=[f"p-{i % 7}"])
                session.commit()
    except Exception as exc:  # surfaced by the assertion in the test thread
        errors.append(exc)


def test_writers_and_sealers_leave_a_dense_sequence_that_verifies(audit_engine):
    sealers = [BackgroundSealer(audit_engine, SIGNING_KEY, interval=0.02).start() for _ in range(2)]
    errors: list[Exception] = []
    writers = [threading.Thread(target=write_events, args=(audit_engine, t, errors)) for t in range(THREADS)]
    try:
        for writer in writers:
            writer.start()
        for writer in writers:
            writer.join()
    finally:
        for sealer in sealers:
            sealer.stop()
    assert errors == []

    result = verify(audit_engine, SIGNING_KEY)
    assert result.ok, result
    assert result.events == THREADS * EVENTS_PER_THREAD
    with audit_engine.connect() as conn:
        seqs = conn.scalars(sa.select(AuditEvent.seq).order_by(AuditEvent.seq)).all()
        checkpoints = conn.scalar(sa.select(sa.func.count()).select_from(AuditCheckpoint))
    assert seqs == list(range(1, THREADS * EVENTS_PER_THREAD + 1))
    # The sealers ran while events arrived, not only in the final seal inside verify().
    assert checkpoints > 3
