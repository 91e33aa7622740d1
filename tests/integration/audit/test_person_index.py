"""The person index: the sealer writes it for the events it seals, and `touched` finds sealed and unsealed alike."""

import uuid
import weakref
from contextlib import closing

import sqlalchemy as sa
from sqlalchemy.orm import Session

from audit import AuditEvent, grant_statements, record, seal, verify
from audit.group_commit import GroupCommitWriter, WriterConnection, _Pending
from audit.person_index import touched
from audit.record import event_values
from tests.integration.audit.conftest import ACTOR
from tests.integration.audit.test_record_and_seal import SIGNING_KEY


def view(person_ids: list[str], object_id: str = "p") -> dict:
    return {"action": "view", "actor": ACTOR, "object_type": "person", "object_id": object_id, "person_ids": person_ids}


def index_rows(engine) -> list[tuple[str, str]]:
    with engine.connect() as conn:
        return sorted(map(tuple, conn.execute(sa.text("SELECT event_id, person_id FROM audit_event_people"))))


def found(engine, person_id: str) -> set[str]:
    with Session(engine) as session:
        return set(session.scalars(sa.select(AuditEvent.id).where(touched(person_id))))


def test_sealing_indexes_each_event_under_every_person_it_names_and_no_other(audit_engine):
    # A map view names hundreds of people; an event may name nobody.
    named = [[], [f"p-1-{n:03}" for n in range(300)], ["p-2-a", "p-shared"], ["p-shared"]]
    batch = [_Pending(event_values(**view(people, f"o-{i}"))) for i, people in enumerate(named)]
    with closing(WriterConnection(weakref.ref(audit_engine))) as connection:
        GroupCommitWriter(audit_engine)._commit(batch, connection)
    assert [p.error for p in batch] == [None] * len(batch)
    assert index_rows(audit_engine) == []  # the requests wrote their events only
    seal(audit_engine, SIGNING_KEY)
    expected = sorted((p.values["id"], person) for p, people in zip(batch, named, strict=True) for person in people)
    assert index_rows(audit_engine) == expected and len(expected) == 303
    assert verify(audit_engine, SIGNING_KEY).ok


def test_events_that_touched_a_person_are_found_before_and_after_they_are_sealed(audit_engine):
    with Session(audit_engine) as session:
        sealed = record(session, **view(["p-1", "p-2"])).id
        session.commit()
    seal(audit_engine, SIGNING_KEY)
    with Session(audit_engine) as session:
        unsealed = record(session, **view(["p-1"])).id
        other = record(session, **view(["p-2"])).id
        session.commit()
    assert found(audit_engine, "p-1") == {sealed, unsealed}
    assert found(audit_engine, "p-2") == {sealed, other}
    seal(audit_engine, SIGNING_KEY)
    assert found(audit_engine, "p-1") == {sealed, unsealed}


def test_an_unsealed_event_is_found_only_by_a_whole_id_in_its_own_case(audit_engine):
    with Session(audit_engine) as session:
        event = record(session, **view(["ab-10", "Cd-2"])).id
        session.commit()
    assert found(audit_engine, "ab-10") == found(audit_engine, "Cd-2") == {event}
    for near in ("ab-1", "b-10", "ab", "cd-2", "CD-2", '10", "Cd', "%", "_b-10"):
        assert found(audit_engine, near) == set(), near


def test_events_indexed_when_they_were_recorded_are_sealed_without_a_second_row(audit_engine, tamper):
    # Before the sealer wrote the index, each request wrote its events' rows itself.
    with Session(audit_engine) as session:
        event = record(session, **view(["p-1", "p-2"])).id
        session.commit()
    tamper("INSERT INTO audit_event_people (event_id, person_id) VALUES (:e, 'p-1'), (:e, 'p-2')", e=event)
    seal(audit_engine, SIGNING_KEY)
    assert index_rows(audit_engine) == [(event, "p-1"), (event, "p-2")]
    assert verify(audit_engine, SIGNING_KEY).ok


def test_ids_written_with_escapes_are_indexed_as_they_read(audit_engine):
    with Session(audit_engine) as session:
        plain = record(session, **view(["p-1"])).id
        escaped = record(session, **view(["p-é", 'p-"quoted"', "p-back\\slash"])).id
        session.commit()
    seal(audit_engine, SIGNING_KEY)
    assert index_rows(audit_engine) == sorted(
        [(plain, "p-1"), (escaped, "p-é"), (escaped, 'p-"quoted"'), (escaped, "p-back\\slash")]
    )
    assert found(audit_engine, 'p-"quoted"') == {escaped}


def test_a_people_budget_splits_a_backlog_into_seals_that_each_index_within_it(audit_engine):
    named = [2, 2, 2, 10, 1]
    with Session(audit_engine) as session:
        for i, count in enumerate(named):
            record(session, **view([f"p-{i}-{n}" for n in range(count)]))
        session.commit()
    sizes = []
    while checkpoint := seal(audit_engine, SIGNING_KEY, people_budget=5):
        sizes.append(checkpoint.size)
    # 2 + 2 fit; the next 2 would not; an event over the budget is sealed on its own, never left behind.
    assert sizes == [2, 3, 4, 5]
    assert len(index_rows(audit_engine)) == sum(named)
    assert verify(audit_engine, SIGNING_KEY).ok


DOCTORED = ("not json", '{"p-2": 1}', '["p-3\n"]', '["p-4\\u0000"]', '["p-5\\ud800"]')


def test_doctored_person_lists_do_not_stop_sealing_and_verify_names_the_first(audit_engine, tamper):
    with Session(audit_engine) as session:
        events = [record(session, **view([f"p-{i}"])).id for i in range(len(DOCTORED) + 2)]
        session.commit()
    for event, doctored in zip(events[1:-1], DOCTORED, strict=True):
        tamper("UPDATE audit_events SET person_ids = :doctored WHERE id = :e", doctored=doctored, e=event)
    seal(audit_engine, SIGNING_KEY)  # the events after them are sealed and indexed all the same
    honest = {events[0], events[-1]}
    assert sorted(person for event, person in index_rows(audit_engine) if event in honest) == ["p-0", "p-6"]
    result = verify(audit_engine, SIGNING_KEY)
    assert (result.ok, result.events, result.first_bad) == (False, len(events), 2)


def test_the_application_role_of_a_production_grant_can_seal_and_index(audit_postgres_engine):
    # The sealer's index insert must need no more than the grants a deployment gives the application's role.
    role = f"sc_app_{uuid.uuid4().hex[:8]}"
    with audit_postgres_engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE ROLE {role} LOGIN")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
        for statement in grant_statements(role):
            conn.exec_driver_sql(statement)
    as_app = sa.create_engine(audit_postgres_engine.url.set(username=role))
    try:
        with Session(as_app) as session:
            event = record(session, **view(["p-1", "p-2"])).id
            session.commit()
        seal(as_app, SIGNING_KEY)
        assert index_rows(audit_postgres_engine) == [(event, "p-1"), (event, "p-2")]
    finally:
        as_app.dispose()
        with audit_postgres_engine.begin() as conn:
            conn.exec_driver_sql(f"DROP OWNED BY {role}")
            conn.exec_driver_sql(f"DROP ROLE {role}")
