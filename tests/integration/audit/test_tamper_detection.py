"""Every kind of tampering with a sealed log is detected, and verify names the first bad event."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from audit import AuditCheckpoint, AuditEvent, seal, verify
from audit.canonical import canonical_bytes
from audit.derived_columns import insertable
from audit.merkle import leaf_hash
from audit.signing import checkpoint_message, key_id, private_key

SIGNING_KEY = bytes.fromhex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60")
OTHER_KEY = bytes(range(32))


@pytest.fixture
def sealed_log(audit_engine, add_events):
    """Ten events sealed in two batches: checkpoints at 6 and 10."""
    add_events(6)
    seal(audit_engine, SIGNING_KEY)
    add_events(4)
    seal(audit_engine, SIGNING_KEY)
    return audit_engine


def event_row(engine, seq: int) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(sa.select(AuditEvent.__table__).where(AuditEvent.seq == seq)).mappings().one())


def check(engine, first_bad: int, reason: str) -> None:
    result = verify(engine, SIGNING_KEY)
    assert (result.ok, result.first_bad) == (False, first_bad), result
    assert reason in result.reason
    assert result.events >= first_bad - 1


def test_an_untouched_log_verifies(sealed_log):
    assert verify(sealed_log, SIGNING_KEY).as_dict() == {"ok": True, "events": 10}


def test_an_empty_log_verifies(audit_engine):
    assert verify(audit_engine, SIGNING_KEY).as_dict() == {"ok": True, "events": 0}


def test_editing_the_canonical_bytes_is_detected(sealed_log, tamper):
    forged = event_row(sealed_log, 4)["canonical"].replace(b'"view"', b'"list"')
    tamper("UPDATE audit_events SET canonical = :c WHERE seq = 4", c=forged)
    # On SQLite the fields are read out of the bytes, so they follow the edit; the leaf hash does not.
    check(sealed_log, 4, "leaf hash" if sealed_log.dialect.name == "sqlite" else "fields no longer match")


def test_editing_a_field_is_detected(sealed_log, tamper):
    tamper("UPDATE audit_events SET actor_user_id = 'someone-else' WHERE seq = 4")
    check(sealed_log, 4, "fields no longer match")


def test_editing_the_leaf_hash_is_detected(sealed_log, tamper):
    tamper("UPDATE audit_events SET leaf_hash = :h WHERE seq = 8", h=leaf_hash(b"forged"))
    check(sealed_log, 8, "leaf hash")


def test_a_consistent_rewrite_of_one_event_is_caught_by_the_signed_tree(sealed_log, tamper):
    row = event_row(sealed_log, 5)
    fields = {**row, "action": "list", "person_ids": ["person-4", "person-shared"], "detail": {"i": 4}}
    canonical = canonical_bytes(fields)
    tamper(
        "UPDATE audit_events SET action = 'list', canonical = :c, leaf_hash = :h WHERE seq = 5",
        c=canonical,
        h=leaf_hash(canonical),
    )
    check(sealed_log, 5, "signed subtree")


def test_removing_a_person_from_the_index_is_detected(sealed_log, tamper):
    tamper(
        "DELETE FROM audit_event_people WHERE person_id = 'person-2' "
        "AND event_id = (SELECT id FROM audit_events WHERE seq = 3)"
    )
    check(sealed_log, 3, "person index")


def test_deleting_an_event_is_detected(sealed_log, tamper):
    victim = "(SELECT id FROM audit_events WHERE seq = 4)"
    tamper(f"DELETE FROM audit_event_people WHERE event_id = {victim}", "DELETE FROM audit_events WHERE seq = 4")
    check(sealed_log, 4, "missing")


def test_inserting_a_forged_sealed_event_is_detected_and_the_sealer_refuses_to_extend(sealed_log, tamper, add_events):
    row = event_row(sealed_log, 10)
    forged = {**row, "id": "forged-0000", "person_ids": "[]", "detail": None}
    canonical = canonical_bytes({**forged, "person_ids": [], "detail": None})
    forged.update(seq=11, canonical=canonical, leaf_hash=leaf_hash(canonical))
    tamper(sa.insert(AuditEvent.__table__).values(**insertable(forged, sealed_log.dialect.name)))
    add_events(1)
    with pytest.raises(RuntimeError, match="sealed up to 11"):
        seal(sealed_log, SIGNING_KEY)
    check(sealed_log, 11, "no signed checkpoint covers it")


def test_swapping_two_events_is_detected(sealed_log, tamper):
    tamper(
        "UPDATE audit_events SET seq = -1 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = -1",
    )
    check(sealed_log, 2, "not in the order")


def test_truncating_the_tail_is_detected(sealed_log, tamper):
    tail = "(SELECT id FROM audit_events WHERE seq > 8)"
    tamper(f"DELETE FROM audit_event_people WHERE event_id IN {tail}", "DELETE FROM audit_events WHERE seq > 8")
    check(sealed_log, 9, "checkpoint covers 10 events")


def test_checkpoints_re_signed_with_another_key_are_detected(sealed_log, tamper):
    table = AuditCheckpoint.__table__
    with sealed_log.connect() as conn:
        checkpoints = conn.execute(sa.select(table.c.id, table.c.size, table.c.root_hash, table.c.at)).all()
    forger = private_key(OTHER_KEY)
    for checkpoint_id, size, root, at in checkpoints:
        signature = forger.sign(checkpoint_message(size, root, at))
        tamper(
            "UPDATE audit_checkpoints SET signature = :s, key_id = :k WHERE id = :i",
            s=signature,
            k=key_id(OTHER_KEY),
            i=checkpoint_id,
        )
    check(sealed_log, 1, "trusted key")
    assert verify(sealed_log, OTHER_KEY).ok  # whoever holds the other key sees a consistent log: hence exports


def test_a_forged_checkpoint_root_is_detected(sealed_log, tamper):
    tamper("UPDATE audit_checkpoints SET root_hash = :r WHERE size = 10", r=leaf_hash(b"forged"))
    check(sealed_log, 7, "checkpoint 10")


def test_a_doctored_column_of_the_wrong_type_is_reported_not_raised(sealed_log, tamper):
    if sealed_log.dialect.name == "sqlite":
        tamper("UPDATE audit_events SET action = X'00ff' WHERE seq = 6")
    else:
        tamper(
            "ALTER TABLE audit_events ALTER COLUMN action DROP NOT NULL",
            "UPDATE audit_events SET action = NULL WHERE seq = 6",
        )
    check(sealed_log, 6, "cannot be read back")


def test_the_quick_check_streams_only_leaves_and_still_catches_what_the_tree_covers(sealed_log, tamper):
    assert verify(sealed_log, SIGNING_KEY, full=False).ok
    tamper(
        "UPDATE audit_events SET seq = -1 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 4",
        "UPDATE audit_events SET seq = 4 WHERE seq = -1",
    )
    result = verify(sealed_log, SIGNING_KEY, full=False)
    assert (result.ok, result.first_bad) == (False, 1)
    assert "signed subtree" in result.reason


def test_a_forged_earlier_checkpoint_is_reported_as_such(sealed_log, tamper):
    tamper("UPDATE audit_checkpoints SET root_hash = :r WHERE size = 6", r=leaf_hash(b"forged"))
    check(sealed_log, 1, "checkpoint 6")


def test_a_re_dated_earlier_checkpoint_needs_every_signature_to_show(sealed_log, tamper):
    tamper("UPDATE audit_checkpoints SET at = :at WHERE size = 6", at=datetime(2020, 1, 1, tzinfo=UTC))
    # Its size and root still agree with the authenticated leaves, so the events all verify by default...
    assert verify(sealed_log, SIGNING_KEY).ok
    # ...and the full signature sweep names the altered checkpoint.
    result = verify(sealed_log, SIGNING_KEY, every_signature=True)
    assert (result.ok, result.first_bad) == (False, 1)
    assert "checkpoint 6 does not carry a valid signature" in result.reason


def test_frequent_checkpoints_pin_a_consistent_rewrite_to_the_event(audit_engine, add_events, tamper):
    for _ in range(40):
        add_events(1)
        seal(audit_engine, SIGNING_KEY)
    row = event_row(audit_engine, 23)
    fields = {**row, "outcome": "denied", "person_ids": ["person-0", "person-shared"], "detail": {"i": 0}}
    canonical = canonical_bytes(fields)
    tamper(
        "UPDATE audit_events SET outcome = 'denied', canonical = :c, leaf_hash = :h WHERE seq = 23",
        c=canonical,
        h=leaf_hash(canonical),
    )
    check(audit_engine, 23, "events 23-23")
