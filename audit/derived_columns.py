"""On SQLite an audit event's fields are read out of its canonical bytes (virtual columns), never stored apart.

The signed tree vouches for each event's canonical bytes. A field kept in a column of its own could be edited
without them, so a full verify had to rebuild every row's bytes from its columns, most of its time. SQLite
computes a virtual generated column from the row whenever it is read: with each field defined as json_extract of
the canonical bytes, no column can disagree with them, and a full verify checks the table's definition once
(`derived_on_sqlite`) instead of every row. `id` stays stored: it is the primary key the person index refers to,
and verify compares it with the bytes. PostgreSQL before 18 has only stored generated columns, which a superuser
could rewrite behind the catalog's back, so there the fields stay plain columns, checked row by row.
"""

from collections.abc import Iterable, Mapping, Sequence
from functools import cache
from typing import Any

from sqlalchemy.dialects import sqlite
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.schema import CreateColumn

from audit.canonical import EVENT_FIELDS

TABLE = "audit_events"
_TEXT = "CAST(canonical AS TEXT)"
_TIGHT = "(),"  # no space is kept next to these


def _field(key: str) -> str:
    # NULL rather than an error from bytes that are no JSON (a doctored row): pages and verify() still read it.
    return f"CASE WHEN json_valid({_TEXT}) THEN json_extract({_TEXT}, '$.{key}') END"


# `at` back in the form SQLAlchemy writes for SQLite ("2025-01-31 09:15:00.000000") from format_time's text.
SQLITE_EXPRESSIONS = {name: _field(name) for name in EVENT_FIELDS if name not in ("id", "at")} | {
    "at": f"substr({_field('at')}, 1, 10) || ' ' || substr({_field('at')}, 12, 15)"
}


@compiles(CreateColumn, "sqlite")
def _virtual_on_sqlite(element: CreateColumn, compiler, **kw) -> str:
    column = element.element
    text = compiler.visit_create_column(element, **kw)
    if column.table is not None and column.table.name == TABLE and column.name in SQLITE_EXPRESSIONS:
        text += f" GENERATED ALWAYS AS ({SQLITE_EXPRESSIONS[column.name]}) VIRTUAL"
    return text


def insertable(values: Mapping[str, Any], dialect_name: str) -> dict[str, Any]:
    """The values of an event row that an INSERT may write on this dialect (SQLite derives the fields)."""
    if dialect_name == "sqlite":
        return {name: value for name, value in values.items() if name not in SQLITE_EXPRESSIONS}
    return dict(values)


@cache
def _expected() -> dict[str, str]:
    """Each derived column's definition as CREATE TABLE writes it on SQLite (migration 0020 writes the same)."""
    from audit.models import AuditEvent  # the model imports this module, for the DDL above

    return {
        column.name: str(CreateColumn(column).compile(dialect=sqlite.dialect()))
        for column in AuditEvent.__table__.columns
        if column.name in SQLITE_EXPRESSIONS
    }


def derived_on_sqlite(cursor) -> bool:
    """Whether the SQLite table's definition derives every field from the canonical bytes, exactly as above.

    The stored text is compared definition by definition after folding whitespace; a comment, a quoted identifier
    or anything else out of the ordinary gives False, which only sends verify() the long way, through every row.
    """
    expected = _expected()
    cursor.execute("SELECT sql FROM sqlite_schema WHERE type = 'table' AND name = ?", (TABLE,))
    row = cursor.fetchone()
    pieces = _definitions(row[0]) if row and isinstance(row[0], str) else None
    if pieces is None:
        return False
    found = {piece.split(" ", 1)[0]: piece for piece in pieces}
    if len(found) != len(pieces):
        return False
    return all(found.get(name) == _folded(definition) for name, definition in expected.items())


def _definitions(sql: str) -> list[str] | None:
    """The folded column and constraint definitions of a CREATE TABLE text, or None when it is out of the ordinary."""
    pieces, current, depth, i = [], [], 0, 0
    while i < len(sql):
        ch = sql[i]
        if ch == "'":
            end = _literal_end(sql, i)
            if end == -1:
                return None
            if depth:
                current.append(sql[i : end + 1])
            i = end + 1
            continue
        if ch in '"`[' or sql.startswith(("--", "/*"), i):
            return None
        if ch == "(":
            depth += 1
            if depth == 1:
                i += 1
                continue
        elif ch == ")":
            depth -= 1
            if depth == 0:
                pieces.append("".join(current))
                return [_folded(piece) for piece in pieces]
        elif ch == "," and depth == 1:
            pieces.append("".join(current))
            current = []
            i += 1
            continue
        if depth:
            current.append(ch)
        i += 1
    return None


def _literal_end(text: str, start: int) -> int:
    """Where the string literal opened at `start` closes ('' is a quote inside it), or -1 if it never does."""
    end = start + 1
    while (end := text.find("'", end)) != -1 and text.startswith("''", end):
        end += 2
    return end


def _folded(definition: str) -> str:
    """Whitespace folded outside string literals: a run to one space, none next to a parenthesis or comma."""
    out, i = [], 0
    while i < len(definition):
        ch = definition[i]
        if ch == "'":  # a piece _definitions gave, so every literal in it is closed
            end = _literal_end(definition, i)
            out.append(definition[i : end + 1])
            i = end + 1
        elif ch.isspace():
            while i < len(definition) and definition[i].isspace():
                i += 1
            before = out[-1][-1] if out else "("
            after = definition[i] if i < len(definition) else ")"
            if before not in _TIGHT and after not in _TIGHT:
                out.append(" ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


# Where the bytes of format version 1 hold `at`, `id` and `person_ids`. Inside a JSON string a quote is always
# escaped, so `,"` never occurs there: only the keys match. The keys before "at" all hold strings or null (the
# first match is the key); after "id" and "person_ids" nothing nests an object (the last match is the key), and
# the person ids are strings, so the end of their list is the last `],"purpose":`. Searching back from there
# reads a map view's long list once.
_AT, _ID, _PEOPLE, _PEOPLE_END, _END = b',"at":"', b',"id":"', b',"person_ids":', b'],"purpose":', b',"v":1}'
_AT_FROM = len('{"action":"","actor_agency_id":null,"actor_role":null,"actor_user_id":null')  # no key sooner
_AT_WIDTH = len("2025-01-31T09:15:00.000000+00:00")
_UTC = b"+00:00"
_AT_LENGTH, _ID_LENGTH, _PEOPLE_LENGTH = len(_AT), len(_ID), len(_PEOPLE)


def keys_and_people(rows: Iterable[Sequence]) -> tuple[list[bytes], list[tuple[str, bytes]]] | None:
    """The scan's order keys (format_time of `at`, then the id, as bytes) and (id, person_ids text as bytes) of the
    events naming anyone, read out of rows (seq, canonical, leaf_hash, id) whose fields are derived from canonical;
    None at the first row whose bytes are not of format 1 in UTC, or do not hold the stored id unescaped."""
    keys, people = [], []
    add_key, add_person = keys.append, people.append  # bound once: verify() runs this loop for every event
    for _seq, canonical, _leaf_hash, event_id in rows:
        stored_id = event_id.encode()
        at = canonical.find(_AT, _AT_FROM)
        ends = canonical.rfind(_PEOPLE_END)
        named = canonical.rfind(_PEOPLE, 0, ends)
        id_at = canonical.rfind(_ID, 0, named)
        if at < 0 or ends < 0 or named < 0 or id_at < 0:  # a key is missing
            return None
        at, id_at = at + _AT_LENGTH, id_at + _ID_LENGTH
        key = canonical[at : at + _AT_WIDTH]
        if (
            canonical[id_at : id_at + len(stored_id) + 2] != stored_id + b'",'
            or key[10:11] != b"T"
            or key[-6:] != _UTC
            or not canonical.endswith(_END)
        ):
            return None
        add_key(key + stored_id)
        if ends - named > _PEOPLE_LENGTH + 1:  # not []
            add_person((event_id, canonical[named + _PEOPLE_LENGTH : ends + 1]))
    return keys, people
