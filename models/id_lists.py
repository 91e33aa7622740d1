"""Hundreds of ids in one bound parameter, and column reads without the ORM's per-statement work.

A plain IN list binds one parameter per id: SQLAlchemy renders the statement afresh for each length and the
database prepares it afresh, which costs more than the lookups when a map asks about ~300 people. `among` binds
the whole list once: JSON text read by json_each on SQLite, an array compared with = ANY on PostgreSQL. Both
engines still look each id up in the column's index.
"""

import json
from collections.abc import Iterable

from sqlalchemy import ARRAY, String, TypeDecorator, bindparam
from sqlalchemy.engine import Result
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnElement, Executable
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.sql.visitors import InternalTraversal


class IdList(TypeDecorator):
    """A list of text ids bound as one value: JSON text on SQLite, a text array on PostgreSQL."""

    impl = String
    cache_ok = True

    def load_dialect_impl(self, dialect):
        if dialect.name == "postgresql":
            return dialect.type_descriptor(ARRAY(String))
        return dialect.type_descriptor(String())

    def process_bind_param(self, value, dialect):
        ids = list(value)
        return ids if dialect.name == "postgresql" else json.dumps(ids)


class Among(ColumnElement[bool]):
    """`column` IN the ids, whatever their number, as one bound parameter."""

    type = NullType()
    inherit_cache = True
    _traverse_internals = [("column", InternalTraversal.dp_clauseelement), ("ids", InternalTraversal.dp_clauseelement)]

    def __init__(self, column, ids: Iterable[str]) -> None:
        self.column = column
        self.ids = bindparam(None, list(ids), type_=IdList())


def among(column, ids: Iterable[str]) -> Among:
    return Among(column, ids)


@compiles(Among)
def _among_json(element: Among, compiler, **kw) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} IN (SELECT value FROM json_each({ids}))"  # noqa: S608 (compiled column and bind marker)


@compiles(Among, "postgresql")
def _among_array(element: Among, compiler, **kw) -> str:
    column, ids = compiler.process(element.column, **kw), compiler.process(element.ids, **kw)
    return f"{column} = ANY({ids})"


def read_columns(session: Session, statement: Executable) -> Result:
    """The rows of a select of bare columns, executed on the session's connection: the ORM's per-statement work
    (compile state, entity loading) costs as much as a small indexed lookup. Pending changes are flushed first,
    as the ORM would have flushed them."""
    if session.autoflush:
        session.flush()
    return session.connection().execute(statement)
