"""The bulk confirmation vouches for an untouched log, in parallel ranges, and for nothing the row scan refuses."""

import threading

import pytest
import sqlalchemy as sa

from audit import seal, verify
from audit.canonical import canonical_bytes
from audit.confirm import confirm
from audit.context import request_context
from audit.merkle import leaf_hash
from audit.row_checks import rows_sql
from audit.sealer import latest_checkpoint
from audit.signing import export_checkpoint, key_id, load_exported, public_key
from audit.verify import _Plan, _snapshot
from tests.integration.audit.conftest import events_adder, tamperer
from tests.integration.audit.test_tamper_detection import SIGNING_KEY, event_row

CHUNK = 4  # small chunks, so 23 events span whole chunks, a partial one and two worker ranges


@pytest.fixture
def busy_log(audit_engine, add_events):
    """23 events under many checkpoints (subtree roots to check all over the tree), with odd person ids and flagged
    events too."""
    for size in (1, 2, 3, 5, 1, 4, 1):
        add_events(size)
        seal(audit_engine, SIGNING_KEY)
    add_events(1, person_ids=[])
    add_events(2, person_ids=["person-1", "person-9"], purpose='Année "2" \\ 3', detail={"x": None, "k": "é"})
    add_events(3, flagged=True)
    seal(audit_engine, SIGNING_KEY)
    return audit_engine


def confirmed(engine, full=True, workers=2, exported=None) -> bool:
    with _snapshot(engine) as conn:
        plan = _Plan(conn, {key_id(SIGNING_KEY): public_key(SIGNING_KEY)}, exported, False)
        assert plan.failure is None
        sealed = conn.exec_driver_sql("SELECT max(seq) FROM audit_events").scalar()
        return confirm(
            conn, sealed, plan.subtrees, plan.roots, plan.batch_ends, full, workers=workers, chunk=CHUNK
        )  # fmt: skip


@pytest.mark.parametrize("full", [True, False])
@pytest.mark.parametrize("workers", [1, 2])
def test_an_untouched_log_is_confirmed(busy_log, full, workers):
    assert confirmed(busy_log, full, workers)


def test_person_ids_the_index_sum_cannot_read_leave_the_check_to_the_scan(audit_engine, add_events):
    add_events(2, person_ids=["p-é", 'p-"quoted"'])
    seal(audit_engine, SIGNING_KEY)
    assert not confirmed(audit_engine)
    assert verify(audit_engine, SIGNING_KEY).ok


def test_an_exported_checkpoint_inside_a_chunk_is_confirmed(audit_engine, add_events):
    add_events(6)
    seal(audit_engine, SIGNING_KEY)
    exported = load_exported(export_checkpoint(latest_checkpoint(audit_engine), SIGNING_KEY))
    add_events(9)
    seal(audit_engine, SIGNING_KEY)
    assert confirmed(audit_engine, exported=exported)
    assert verify(audit_engine, SIGNING_KEY, export_checkpoint(latest_checkpoint(audit_engine), SIGNING_KEY)).ok


TAMPERING = {
    "field": ["UPDATE audit_events SET actor_user_id = 'someone-else' WHERE seq = 13"],
    # Another event's bytes: JSON, as SQLite's fields, read out of them, require.
    "canonical": [
        "UPDATE audit_events SET canonical = (SELECT canonical FROM audit_events WHERE seq = 3) WHERE seq = 2"
    ],
    "leaf hash": ["UPDATE audit_events SET leaf_hash = :forged WHERE seq = 21"],
    "person index": ["DELETE FROM audit_event_people WHERE event_id = (SELECT id FROM audit_events WHERE seq = 9)"],
    "two person ids passed off as one": [
        "DELETE FROM audit_event_people WHERE event_id = (SELECT id FROM audit_events WHERE seq = 9)",
        # One row whose id is the event's ids joined by '","': unquoted, it would read as both.
        "INSERT INTO audit_event_people (event_id, person_id) "
        "SELECT id, substr(person_ids, 3, length(person_ids) - 4) FROM audit_events WHERE seq = 9",
    ],
    "order": [
        "UPDATE audit_events SET seq = -1 WHERE seq = 14",
        "UPDATE audit_events SET seq = 14 WHERE seq = 15",
        "UPDATE audit_events SET seq = 15 WHERE seq = -1",
    ],
    "gap": ["UPDATE audit_events SET seq = 100 WHERE seq = 23"],
}


@pytest.mark.parametrize("kind", TAMPERING)
def test_tampering_is_never_confirmed(busy_log, tamper, kind):
    tamper(*TAMPERING[kind], **({"forged": leaf_hash(b"forged")} if ":forged" in TAMPERING[kind][0] else {}))
    assert not confirmed(busy_log, full=True)
    assert not verify(busy_log, SIGNING_KEY, seal_first=False).ok


# Each process sums the index rows of half the event ids (split at "8"), so every change is tried in both halves.
PERSON_INDEX_CHANGES = {
    "added": "INSERT INTO audit_event_people (event_id, person_id) "
    "SELECT id, 'person-extra' FROM audit_events WHERE seq = :seq",
    "removed": "DELETE FROM audit_event_people "
    "WHERE event_id = (SELECT id FROM audit_events WHERE seq = :seq) AND person_id = 'person-shared'",
    "changed": "UPDATE audit_event_people SET person_id = 'person-other' "
    "WHERE event_id = (SELECT id FROM audit_events WHERE seq = :seq) AND person_id = 'person-shared'",
    # To event 18, the one without people.
    "moved to another event": "UPDATE audit_event_people SET event_id = (SELECT id FROM audit_events WHERE seq = 18) "
    "WHERE event_id = (SELECT id FROM audit_events WHERE seq = :seq) AND person_id = 'person-shared'",
}


def sealed_event_in_half(engine, first_half: bool) -> int:
    """The last sealed event with people whose id sorts before "8" (first half) or from "8" on."""
    half = "id < '8'" if first_half else "id >= '8'"
    with engine.connect() as conn:
        return conn.execute(
            sa.text(f"SELECT max(seq) FROM audit_events WHERE person_ids LIKE '%person-shared%' AND {half}")
        ).scalar_one()


@pytest.mark.parametrize("first_half", [True, False])
@pytest.mark.parametrize("change", PERSON_INDEX_CHANGES)
def test_a_person_index_row_changed_in_either_half_is_never_confirmed(busy_log, tamper, change, first_half):
    seq = sealed_event_in_half(busy_log, first_half)
    tamper(PERSON_INDEX_CHANGES[change], seq=seq)
    assert not confirmed(busy_log)
    first_bad = min(seq, 18) if change == "moved to another event" else seq
    result = verify(busy_log, SIGNING_KEY, seal_first=False)
    assert (result.ok, result.first_bad) == (False, first_bad) and "person index" in result.reason, result


def test_workers_started_beside_other_threads_share_one_hash_secret(busy_log, tamper):
    # With another thread running, the workers come from a fork server rather than a fork of this process: their
    # person-index sums must still cancel out on an untouched log, and still not on a tampered one.
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert confirmed(busy_log)
        tamper(PERSON_INDEX_CHANGES["changed"], seq=sealed_event_in_half(busy_log, True))
        assert not confirmed(busy_log)
    finally:
        stop.set()
        other.join()


@pytest.mark.parametrize("engine_fixture", ["audit_sqlite_engine", "audit_postgres_engine"])
def test_one_person_index_row_that_reads_as_two_ids_is_not_confirmed(request, engine_fixture):
    # PostgreSQL quotes a plain person id itself: one with quotes in it must still be escaped, on either engine.
    engine = request.getfixturevalue(engine_fixture)
    events_adder(engine)(10)
    seal(engine, SIGNING_KEY)
    tamperer(engine)(*TAMPERING["two person ids passed off as one"])
    assert not confirmed(engine)
    result = verify(engine, SIGNING_KEY, seal_first=False)
    assert (result.ok, result.first_bad) == (False, 9) and "person index" in result.reason, result


def test_a_consistent_rewrite_is_not_confirmed_even_by_the_quick_check(busy_log, tamper):
    row = event_row(busy_log, 10)
    canonical = canonical_bytes({**row, "action": "list", "person_ids": ["person-0", "person-shared"], "detail": None})
    tamper(
        "UPDATE audit_events SET action = 'list', detail = NULL, canonical = :c, leaf_hash = :h WHERE seq = 10",
        c=canonical,
        h=leaf_hash(canonical),
    )
    assert not confirmed(busy_log, full=False)


def test_fields_the_database_encodes_unlike_python_are_checked_by_python(audit_engine, add_events):
    # json_object and to_json leave non-ASCII and DEL raw where the canonical bytes escape them, and PostgreSQL
    # copies a field with no quote or backslash in it as it is, tab and all.
    add_events(3)
    add_events(2, purpose="Zoë’s strategy meeting", reason='tab\tand "quotes" \\ and DEL \x7f')
    add_events(1, reason="a tab\talone")
    add_events(3)
    seal(audit_engine, SIGNING_KEY)
    assert confirmed(audit_engine)
    assert verify(audit_engine, SIGNING_KEY).ok


@pytest.mark.parametrize("engine_fixture", ["audit_sqlite_engine", "audit_postgres_engine"])
def test_a_field_that_carries_quotes_into_the_next_one_is_not_confirmed(request, engine_fixture):
    # Unescaped, client_addr could take the start of detail's text and detail the rest, and the row's text would
    # read the same: a field with a quote in it is always escaped, so the texts differ and Python finds the edit.
    engine = request.getfixturevalue(engine_fixture)
    with request_context("request-1", client_addr="10.0.0.1"):
        events_adder(engine)(3, detail={"a": "b", "detail": "y"})
    seal(engine, SIGNING_KEY)
    tamperer(engine)(
        "UPDATE audit_events SET client_addr = :addr, detail = :detail WHERE seq = 2",
        addr='10.0.0.1","detail":{"a":"b',
        detail='"y"}',
    )
    assert not confirmed(engine)
    result = verify(engine, SIGNING_KEY, seal_first=False)
    assert (result.ok, result.first_bad) == (False, 2) and "fields no longer match" in result.reason, result


@pytest.mark.parametrize("engine_fixture", ["audit_sqlite_engine", "audit_postgres_engine"])
def test_detail_laid_out_anew_is_not_confirmed(request, engine_fixture):
    # SQLite writes detail into the row's text as json() lays it out: the same JSON spaced otherwise must not pass.
    engine = request.getfixturevalue(engine_fixture)
    events_adder(engine)(3)
    seal(engine, SIGNING_KEY)
    tamperer(engine)("UPDATE audit_events SET detail = :detail WHERE seq = 2", detail='{ "i": 1 }')
    assert not confirmed(engine)
    result = verify(engine, SIGNING_KEY, seal_first=False)
    assert (result.ok, result.first_bad) == (False, 2) and "fields no longer match" in result.reason, result


def test_an_edit_to_a_field_only_python_can_check_is_not_confirmed(audit_engine, add_events, tamper):
    add_events(3)
    add_events(2, purpose="Zoë’s strategy meeting")
    add_events(3)
    seal(audit_engine, SIGNING_KEY)
    tamper("UPDATE audit_events SET purpose = 'Zoë’s review' WHERE seq = 5")
    assert not confirmed(audit_engine)
    result = verify(audit_engine, SIGNING_KEY)
    assert (result.ok, result.first_bad) == (False, 5) and "fields no longer match" in result.reason


def test_a_time_stored_in_another_form_is_checked_by_python(audit_sqlite_engine):
    # SQLite keeps times as text (PostgreSQL as timestamps), so only there can one be rewritten in another form.
    audit_engine, tamper = audit_sqlite_engine, tamperer(audit_sqlite_engine)
    events_adder(audit_engine)(6)
    seal(audit_engine, SIGNING_KEY)
    # The same instant as ISO text with an offset: the SQL check does not rebuild it, Python reads it the same.
    tamper("UPDATE audit_events SET at = substr(at, 1, 10) || 'T' || substr(at, 12) || '+00:00' WHERE seq = 4")
    assert confirmed(audit_engine)
    tamper("UPDATE audit_events SET at = '2020-01-01T00:00:00+00:00' WHERE seq = 4")
    assert not confirmed(audit_engine)
    result = verify(audit_engine, SIGNING_KEY)
    assert (result.ok, result.first_bad) == (False, 4), result


def test_a_column_of_another_type_leaves_the_check_to_the_scan(audit_postgres_engine):
    # PostgreSQL types the column (SQLite each value, which the SQL check tests row by row).
    audit_engine, tamper = audit_postgres_engine, tamperer(audit_postgres_engine)
    events_adder(audit_engine)(4)
    seal(audit_engine, SIGNING_KEY)
    tamper("ALTER TABLE audit_events ALTER COLUMN outcome TYPE varchar(20)[] USING ARRAY[outcome]")
    assert not confirmed(audit_engine)
    assert not verify(audit_engine, SIGNING_KEY, seal_first=False).ok


def test_the_database_vouches_for_every_event_it_encodes_as_python_does(busy_log):
    with busy_log.connect() as conn:
        keys = conn.exec_driver_sql(rows_sql(conn.dialect.name, 1, 23, full=True)).all()
    unvouched = [row[0] for row in keys if row[-1] is None]
    assert unvouched == [19, 20]  # the two events with a non-ASCII purpose; Python checks those
