"""Serialising writers that check before they write (one open missing episode per child, one place on a team, one
import at a time), on both engines, and claiming what may be used once.

A check followed by a write is only a rule if two requests cannot both check before either writes. PostgreSQL
locks the record the rule is about (or a named advisory lock) until the transaction ends. SQLite has one writer
at a time: taking its write lock before the check (BEGIN IMMEDIATE) makes the second request wait and then read
what the first wrote.
"""

from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value


def take_write_lock(conn: Connection) -> None:
    """On SQLite, take the write lock now, unless this transaction has written (and so holds it) already."""
    if conn.dialect.name == "sqlite" and not conn.connection.dbapi_connection.in_transaction:
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_record(session: Session, model, row_id: str) -> None:
    """Hold the writers of this record (and, on SQLite, every writer) until the session's transaction ends."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        session.execute(select(model.id).where(model.id == row_id).with_for_update())
    else:
        take_write_lock(conn)


def lock_named(session: Session, key: int) -> None:
    """Hold everyone else who asks for the same key (on SQLite, every writer) until the transaction ends."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(key)))
    else:
        take_write_lock(conn)


def claim(session: Session, instance, condition, **values) -> bool:
    """Write `values` to the instance's row only where `condition` still holds there: a conditional update, which
    the database serialises, so of the same claim made many times at once one wins. The instance keeps in step."""
    model = type(instance)
    claimed = session.execute(
        update(model)
        .where(model.id == instance.id, condition)
        .values(**values)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed:
        for key, value in values.items():
            set_committed_value(instance, key, value)
    return bool(claimed)
