"""Group commit: concurrent reads share a commit, and none is woken before its own event is durable."""

import threading
import weakref
from contextlib import closing

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import AuditEvent, AuditWriteFailed, group_commit, request_context, seal, verify
from audit.canonical import canonical_bytes
from audit.group_commit import GroupCommitWriter, WriterConnection, _Pending, record_durably
from audit.record import event_values
from audit.turns import writers_turn
from tests.integration.audit.conftest import ACTOR, _audit_engine
from tests.integration.audit.test_record_and_seal import SIGNING_KEY, stored_fields

CLIENTS = 16


def view(i: int) -> dict:
    return {"action": "view", "actor": ACTOR, "object_type": "person", "object_id": f"p-{i}", "person_ids": [f"p-{i}"]}


def stored_events(engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.scalars(sa.select(AuditEvent)))


def test_an_event_is_committed_with_its_canonical_bytes_before_the_call_returns(audit_engine):
    with request_context("req-7", "198.51.100.7", "Firefox"):
        record_durably(audit_engine, **view(1), detail={"basis": ["case_team"]})
    [event] = stored_events(audit_engine)
    assert (event.object_id, event.person_id_list, event.request_id, event.detail_dict) == (
        "p-1",
        ["p-1"],
        "req-7",
        {"basis": ["case_team"]},
    )
    assert canonical_bytes(stored_fields(event)) == event.canonical


def test_events_waiting_together_share_one_commit_and_each_caller_returns_after_it(audit_engine, monkeypatch):
    batches: list[int] = []
    first_batch_started, queue_filled = threading.Event(), threading.Event()
    real_insert = GroupCommitWriter._insert

    def observed_insert(writer, batch, connection):
        batches.append(len(batch))
        if len(batches) == 1:
            # Hold the first commit until every other client has queued its event behind it.
            first_batch_started.set()
            assert queue_filled.wait(10)
        real_insert(writer, batch, connection)

    monkeypatch.setattr(GroupCommitWriter, "_insert", observed_insert)
    writer = GroupCommitWriter(audit_engine)
    committed_when_returned: list[bool] = []

    def client(i: int) -> None:
        values = event_values(**view(i))
        writer.write(values)
        with audit_engine.connect() as conn:
            found = conn.execute(sa.select(AuditEvent.id).where(AuditEvent.id == values["id"])).scalar()
        committed_when_returned.append(found is not None)

    first = threading.Thread(target=client, args=(0,))
    first.start()
    assert first_batch_started.wait(10)
    others = [threading.Thread(target=client, args=(i,)) for i in range(1, CLIENTS)]
    for thread in others:
        thread.start()
    while writer._queue.qsize() < CLIENTS - 1:
        threading.Event().wait(0.01)
    queue_filled.set()
    for thread in [first, *others]:
        thread.join(10)
    assert batches == [1, CLIENTS - 1]
    assert committed_when_returned == [True] * CLIENTS
    assert len(stored_events(audit_engine)) == CLIENTS
    seal(audit_engine, SIGNING_KEY)
    assert verify(audit_engine, SIGNING_KEY).ok


def test_one_bad_event_fails_only_its_own_caller_not_the_rest_of_its_batch(audit_engine):
    record_durably(audit_engine, **view(0))
    [existing] = stored_events(audit_engine)
    duplicate = event_values(**view(9))
    duplicate["id"] = existing.id
    batch = [_Pending(event_values(**view(1))), _Pending(duplicate), _Pending(event_values(**view(2)))]
    with closing(WriterConnection(weakref.ref(audit_engine))) as connection:
        GroupCommitWriter(audit_engine)._commit(batch, connection)
    assert [p.done.is_set() for p in batch] == [True, True, True]
    assert [p.error is None for p in batch] == [True, False, True]
    assert sorted(e.object_id for e in stored_events(audit_engine)) == ["p-0", "p-1", "p-2"]


def test_a_commit_that_does_not_finish_in_time_is_a_failure_for_the_caller(audit_engine, monkeypatch):
    release = threading.Event()
    real_insert = GroupCommitWriter._insert

    def stuck_insert(writer, batch, connection):
        assert release.wait(10)
        real_insert(writer, batch, connection)

    monkeypatch.setattr(GroupCommitWriter, "_insert", stuck_insert)
    monkeypatch.setattr(group_commit, "IDLE_SECONDS", 0.05)
    writer = GroupCommitWriter(audit_engine)
    with pytest.raises(AuditWriteFailed, match="not committed within"):
        writer.write(event_values(**view(1)), timeout=0.2)
    thread = writer._thread
    release.set()
    thread.join(5)
    # The late commit still lands: an event without data delivered is harmless, data without an event is not.
    assert len(stored_events(audit_engine)) == 1


def test_the_writer_thread_stops_when_idle_and_starts_again_for_the_next_event(audit_engine, monkeypatch):
    monkeypatch.setattr(group_commit, "IDLE_SECONDS", 0.05)
    writer = GroupCommitWriter(audit_engine)
    writer.write(event_values(**view(1)))
    thread = writer._thread
    thread.join(5)
    assert not thread.is_alive() and writer._thread is None
    writer.write(event_values(**view(2)))
    assert len(stored_events(audit_engine)) == 2


def test_writers_of_separate_engines_on_one_sqlite_file_take_turns_and_all_commit(request, tmp_path):
    # Turn-taking through a file lock is for SQLite files, whichever engine the suite runs on.
    sqlite = _audit_engine("sqlite", request, tmp_path)
    # A second engine on the same file stands for another server process with its own writer.
    other = sa.create_engine(sqlite.url)
    try:
        writers = [GroupCommitWriter(sqlite), GroupCommitWriter(other)]
        threads = [
            threading.Thread(target=lambda w=w, i=i: [w.write(event_values(**view(i * 100 + n))) for n in range(20)])
            for i, w in enumerate(writers * 4)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)
        assert len(stored_events(sqlite)) == 160
        assert (tmp_path / "audit.sqlite3-audit-writer.lock").exists()
    finally:
        other.dispose()
        sqlite.dispose()


def test_writers_share_their_turn_while_a_seal_waits_for_all_of_them(request, tmp_path):
    sqlite = _audit_engine("sqlite", request, tmp_path)
    other = sa.create_engine(sqlite.url)  # another server process's writer
    try:
        sealed = threading.Event()
        with writers_turn(sqlite, shared=True):
            # One step of SQLite's own write lock orders the writers' inserts: none waits for another's turn.
            record_durably(other, **view(1))
            sealer = threading.Thread(target=lambda: (seal(sqlite, SIGNING_KEY), sealed.set()))
            sealer.start()
            assert not sealed.wait(0.3)
        assert sealed.wait(10)
        sealer.join(10)
        assert verify(sqlite, SIGNING_KEY).events == 1
    finally:
        other.dispose()
        sqlite.dispose()


def test_a_writer_waits_while_a_seal_holds_the_turn_alone(request, tmp_path):
    sqlite = _audit_engine("sqlite", request, tmp_path)
    try:
        written = threading.Event()
        with writers_turn(sqlite):
            writer = threading.Thread(target=lambda: (record_durably(sqlite, **view(1)), written.set()))
            writer.start()
            assert not written.wait(0.3)
            assert stored_events(sqlite) == []
        assert written.wait(10)
        writer.join(10)
        assert len(stored_events(sqlite)) == 1
    finally:
        sqlite.dispose()


@pytest.mark.parametrize("events", [1, 3])
def test_events_whose_connection_broke_since_the_last_batch_are_committed_on_a_new_one(audit_engine, events):
    writer = GroupCommitWriter(audit_engine)
    with closing(WriterConnection(weakref.ref(audit_engine))) as connection:
        writer._commit([_Pending(event_values(**view(0)))], connection)
        connection._raw.dbapi_connection.close()  # as a restarted database server leaves it
        batch = [_Pending(event_values(**view(i))) for i in range(1, events + 1)]
        writer._commit(batch, connection)
    assert [p.error for p in batch] == [None] * events
    assert len(stored_events(audit_engine)) == events + 1
