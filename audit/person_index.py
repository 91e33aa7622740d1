"""The person index (audit_event_people): which events touched which person, written by the sealer.

An event names its people in person_ids. The sealer inserts the index rows of the events it seals, in the same
transaction and sorted by person, so every sealed event is indexed and no unsealed one is: `touched` finds the
sealed ones in the index and the few unsealed ones (seconds' worth) from their person_ids. A map view names ~300
people; when each request inserted their rows itself, at random places of an index ordered by person, that
insert and the pages it sent through the write-ahead log cost the request most of its commit.
"""

import json

from sqlalchemy import Boolean, ColumnElement, Connection, select, text, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from audit.canonical import json_text
from audit.models import AuditEvent, AuditEventPerson
from models.base import storable_text

_events = AuditEvent.__table__
_people = AuditEventPerson.__table__

# Events recorded before the sealer wrote the index carried their rows already: ON CONFLICT keeps those. The
# database reads the plain lists itself (no escapes, as every uuid's is); the rare list with an escape is read in
# Python, and a doctored one that is no list of storable ids is left unindexed, for verify to report, where the
# database's JSON functions would fail every seal after it or store text that no longer reads back.
_INDEX_PLAIN = {
    "sqlite": text(
        "INSERT INTO audit_event_people (event_id, person_id) SELECT e.id, p.value "
        "FROM audit_events AS e, json_each(e.person_ids) AS p WHERE e.seq BETWEEN :first AND :last "
        "AND json_valid(e.person_ids) AND json_type(e.person_ids) = 'array' AND instr(e.person_ids, '\\') = 0 "
        "ORDER BY p.value ON CONFLICT DO NOTHING"
    ),
    "postgresql": text(
        "INSERT INTO audit_event_people (event_id, person_id) SELECT e.id, p.value "
        "FROM audit_events AS e CROSS JOIN LATERAL json_array_elements_text(CAST(e.person_ids AS json)) AS p(value) "
        "WHERE e.seq BETWEEN :first AND :last "
        r"""AND e.person_ids ~ '^\[("[^"\\[:cntrl:]]*"(,"[^"\\[:cntrl:]]*")*)?\]$' """
        "ORDER BY p.value ON CONFLICT DO NOTHING"
    ),
}
_INSERT_ONE = text(
    "INSERT INTO audit_event_people (event_id, person_id) VALUES (:event_id, :person_id) ON CONFLICT DO NOTHING"
)


def index_sealed(conn: Connection, first: int, last: int) -> None:
    """Insert the index rows of the events sealed as first..last, in the sealer's transaction, sorted by person."""
    conn.execute(_INDEX_PLAIN[conn.dialect.name], {"first": first, "last": last})
    escaped = select(_events.c.id, _events.c.person_ids).where(
        _events.c.seq.between(first, last), _Holds(_events.c.person_ids, "\\")
    )
    rows = [
        {"event_id": event, "person_id": person}
        for event, person_ids in conn.execute(escaped)
        for person in _listed_ids(person_ids)
    ]
    if rows:
        conn.execute(_INSERT_ONE, rows)


def _listed_ids(person_ids: str) -> list[str]:
    """The ids a person_ids text lists, or none when it is no JSON list of ids both engines can store."""
    try:
        ids = json.loads(person_ids)
    except ValueError:
        return []
    if not isinstance(ids, list) or not all(isinstance(i, str) and storable_text(i) for i in ids):
        return []
    return ids


def touched(person_id: str) -> ColumnElement[bool]:
    """A condition on audit_events: the event touched the person, sealed or not."""
    # person_ids is the JSON text of the ids, each quoted as json_text quotes it: the quoted id matches one whole
    # element only.
    return _events.c.id.in_(
        union_all(
            select(_people.c.event_id).where(_people.c.person_id == person_id),
            select(_events.c.id).where(_events.c.seq.is_(None), _Holds(_events.c.person_ids, json_text(person_id))),
        )
    )


class _Holds(FunctionElement):
    """Whether a text holds another, case-sensitively on every engine (SQLite's LIKE ignores case)."""

    type = Boolean()
    inherit_cache = True


@compiles(_Holds)
def _instr(element: _Holds, compiler, **kw) -> str:
    return f"(instr({compiler.process(element.clauses, **kw)}) > 0)"


@compiles(_Holds, "postgresql")
def _strpos(element: _Holds, compiler, **kw) -> str:
    return f"(strpos({compiler.process(element.clauses, **kw)}) > 0)"
