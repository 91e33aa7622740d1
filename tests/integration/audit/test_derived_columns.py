"""On SQLite the fields of an event are read out of its canonical bytes, and a full verify trusts that only while the
table's definition says so exactly."""

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import AuditEvent, record, seal, verify
from audit.canonical import format_time
from audit.derived_columns import _definitions, derived_on_sqlite, keys_and_people
from audit.record import event_values
from tests.fixtures.tampering import tamperer
from tests.integration.audit.conftest import ACTOR, events_adder
from tests.integration.audit.test_bulk_confirmation import confirmed
from tests.integration.audit.test_tamper_detection import SIGNING_KEY

# Detail that holds what the full check looks for in the bytes, as keys of its own: `,"id":"decoy"` and the rest.
DECOYS = {"a": 1, "id": "decoy", "person_ids": ["decoy"], "purpose": "x"}
AWKWARD = 'quote " backslash \\ tab \t bell \x07 DEL \x7f é 😀 \u2028 end'


def test_every_field_reads_back_as_recorded_and_the_log_verifies_both_ways(audit_engine):
    fields = {
        "action": "break_glass",
        "object_type": "person",
        "object_id": "p-1",
        "person_ids": ["p-1", "p-2"],
        "outcome": "success",
        "reason": AWKWARD,
        "purpose": "Année 2",
        "detail": {"nested": {"id": "decoy", "list": [1, 2.5, None, True]}, "text": AWKWARD},
        "flagged": True,
    }
    with Session(audit_engine) as session:
        event_id = record(session, actor=ACTOR, **fields).id
        session.commit()
    with Session(audit_engine) as session:
        event = session.get(AuditEvent, event_id)
        assert (event.reason, event.purpose, event.flagged, event.person_id_list) == (
            AWKWARD,
            "Année 2",
            True,
            ["p-1", "p-2"],
        )
        assert event.detail_dict == fields["detail"]
        assert (event.actor_user_id, event.actor_role, event.at.tzinfo is not None) == (ACTOR.user_id, ACTOR.role, True)
    seal(audit_engine, SIGNING_KEY)
    assert verify(audit_engine, SIGNING_KEY).ok
    assert verify(audit_engine, SIGNING_KEY, full=False).ok


def test_text_neither_engine_can_keep_is_refused_before_anything_is_written():
    with pytest.raises(ValueError, match="NUL"):
        event_values(action="view", actor=ACTOR, reason="before\x00after")


def test_the_full_check_reads_an_untouched_derived_log_without_the_column_check(audit_sqlite_engine):
    events_adder(audit_sqlite_engine)(3, detail=DECOYS)
    seal(audit_sqlite_engine, SIGNING_KEY)
    with audit_sqlite_engine.connect() as conn:
        assert derived_on_sqlite(conn.connection.driver_connection.cursor())
    assert confirmed(audit_sqlite_engine)


def test_a_stored_id_changed_to_a_decoy_the_bytes_also_hold_is_not_confirmed(audit_sqlite_engine):
    events_adder(audit_sqlite_engine)(3, person_ids=[], detail=DECOYS)
    seal(audit_sqlite_engine, SIGNING_KEY)
    tamperer(audit_sqlite_engine)("UPDATE audit_events SET id = 'decoy' WHERE seq = 2")
    assert not confirmed(audit_sqlite_engine)
    result = verify(audit_sqlite_engine, SIGNING_KEY)
    assert (result.ok, result.first_bad) == (False, 2)


def test_a_field_defined_anew_behind_the_schema_is_not_trusted_and_the_scan_names_the_event(audit_sqlite_engine):
    """Someone with the file rewrites one column's definition; the full check goes back to reading every row."""
    add_events = events_adder(audit_sqlite_engine)
    add_events(2)
    add_events(1, action="update")
    seal(audit_sqlite_engine, SIGNING_KEY)
    with audit_sqlite_engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA writable_schema = ON")
        conn.exec_driver_sql(
            "UPDATE sqlite_schema SET sql = replace(sql, 'json_extract(CAST(canonical AS TEXT), ''$.action'')', "
            "'''view''') WHERE type = 'table' AND name = 'audit_events'"
        )
    audit_sqlite_engine.dispose()  # new connections read the new definition
    with audit_sqlite_engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT action FROM audit_events WHERE seq = 3").scalar() == "view"
        assert not derived_on_sqlite(conn.connection.driver_connection.cursor())
    assert not confirmed(audit_sqlite_engine)
    result = verify(audit_sqlite_engine, SIGNING_KEY)
    assert (result.ok, result.first_bad) == (False, 3)
    assert "fields no longer match" in result.reason


@pytest.mark.parametrize(
    "changed",
    [
        "action VARCHAR(40) NOT NULL /* GENERATED */",  # a comment hides nothing from the check
        '"action" VARCHAR(40) NOT NULL',  # a quoted name is not taken for ours
        "action VARCHAR(40) NOT NULL GENERATED ALWAYS AS ('view') VIRTUAL",
    ],
)
def test_a_definition_out_of_the_ordinary_is_never_taken_for_ours(changed):
    ours = "action VARCHAR(40) NOT NULL GENERATED ALWAYS AS (json_extract(canonical, '$.action')) VIRTUAL"
    table = "CREATE TABLE audit_events (\n\tid VARCHAR(36) NOT NULL, \n\t{}, \n\tPRIMARY KEY (id)\n)"
    assert _definitions(table.format(ours)) is not None
    assert _definitions(table.format(changed)) != _definitions(table.format(ours))
    spaced = "action  VARCHAR( 40 )\n NOT NULL " + ours[len("action VARCHAR(40) NOT NULL ") :]
    assert _definitions(table.format(spaced)) == _definitions(table.format(ours))


def test_bytes_of_another_form_or_zone_send_the_full_check_the_long_way():
    values = event_values(action="view", actor=ACTOR, person_ids=["p-1"], detail=DECOYS)
    ours, event_id, at = values["canonical"], values["id"], format_time(values["at"]).encode()
    assert keys_and_people([(1, ours, b"", event_id)]) == ([at + event_id.encode()], [(event_id, b'["p-1"]')])
    for other in (
        ours.replace(b"+00:00", b"+01:00"),
        ours.replace(b'"v":1', b'"v":2'),
        ours.replace(event_id.encode(), b"e-2"),
        # every key where it is looked for, but the time cut short at the end
        b'{"action":"'
        + b"x" * 80
        + b'","id":"'
        + event_id.encode()
        + b'","person_ids":["p-1"],"purpose":null,"at":"20',
    ):
        assert keys_and_people([(1, other, b"", event_id)]) is None


def test_a_migrated_database_derives_its_fields_on_sqlite_and_keeps_columns_on_postgresql(app):
    from app.extensions import db

    with db.engine.connect() as conn:
        if conn.dialect.name == "sqlite":
            assert derived_on_sqlite(conn.connection.driver_connection.cursor())
        else:
            generated = conn.execute(
                sa.text(
                    "SELECT count(*) FROM information_schema.columns WHERE table_name = 'audit_events' "
                    "AND is_generated <> 'NEVER'"
                )
            ).scalar()
            assert generated == 0
