"""`among`: many ids bound as one parameter, answered from the column's index on both engines."""

from sqlalchemy import event, select

from app.extensions import db
from models.base import new_id
from models.id_lists import among, read_columns
from models.person import Person


def people_among(ids) -> set[str]:
    return set(db.session.scalars(select(Person.id).where(among(Person.id, ids))))


def test_among_finds_exactly_the_listed_ids(record_child):
    first, second, third = record_child(), record_child(given_name="Kai"), record_child(given_name="Leah")
    assert people_among([first.id, third.id, new_id()]) == {first.id, third.id}
    assert people_among(iter([second.id])) == {second.id}
    assert people_among([]) == set()
    assert people_among([f"{first.id}' OR '1'='1"]) == set()


def test_thousands_of_ids_are_one_bound_parameter(record_child):
    wanted = record_child()
    ids = [new_id() for _ in range(5000)] + [wanted.id]
    statement = select(Person.id).where(among(Person.id, ids))
    assert len(statement.compile(db.engine).params) == 1
    assert people_among(ids) == {wanted.id}


def test_the_lookup_uses_the_columns_index(record_child):
    person = record_child()
    connection = db.session.connection()
    sent = []

    def capture(_conn, _cursor, statement, parameters, _context, _many):
        sent.append((statement, parameters))

    event.listen(connection, "before_cursor_execute", capture)
    try:
        connection.execute(select(Person.id).where(among(Person.id, [person.id]))).all()
    finally:
        event.remove(connection, "before_cursor_execute", capture)
    statement, parameters = sent[-1]
    if connection.dialect.name == "postgresql":
        # A test table is tiny, so forbid the scan a planner would rightly choose for it.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        plan = [row[0] for row in connection.exec_driver_sql(f"EXPLAIN {statement}", parameters)]
        assert any("Index" in line for line in plan), plan
    else:
        plan = [row[-1] for row in connection.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)]
        assert any(line.startswith("SEARCH people USING") for line in plan), plan


def test_read_columns_sees_what_the_session_has_not_flushed_yet(record_child):
    person = record_child()
    person.family_name_enc = None
    rows = read_columns(db.session, select(Person.id).where(Person.id == person.id, Person.family_name_enc.is_(None)))
    assert rows.scalars().all() == [person.id]
    db.session.rollback()
