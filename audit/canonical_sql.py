"""The canonical bytes of an event rebuilt by the database from its columns, as encode_stored builds them in Python.

The bulk confirmation compares them with the stored canonical bytes in SQL instead of fetching every column.
An equal text proves what encode_stored would: the authentic canonical bytes (the signed tree vouches for them)
are printable ASCII, and on strings of ASCII below DEL json_object (SQLite) and to_json (PostgreSQL) escape
exactly as encode_basestring_ascii does; DEL and non-ASCII they leave raw, so such a field only makes the texts
differ and the row scan decides. PostgreSQL quotes a string without '"' or '\\' itself, which in printable ASCII
needs no escape (other characters it copies raw, so again the texts differ); a field with a quote always goes
through to_json, so none can carry its text into the next one's. person_ids and detail go in as stored, as in
encode_stored (SQLite passes them through json(), so only where that gives the stored text back). Whatever the
database would encode unlike Python (a blob, a number, an `at` of another form) gives NULL, a different text or
an error.
"""

from audit.canonical import EVENT_FIELDS, FORMAT_VERSION

_KEYS = sorted(EVENT_FIELDS)
_STRINGS = [key for key in _KEYS if key not in ("at", "flagged")]  # text columns, JSON-quoted or raw

# format_time's text of `at`, NULL where the stored form is not the one rearranged here. SQLite keeps the text
# SQLAlchemy wrote (UTC, no offset), which stored_time_text rearranges without parsing when it has this shape;
# PostgreSQL a timestamp, of years 1-9999 only where it is one Python's datetime can hold.
_AT_TEXT = {
    "sqlite": "CASE WHEN typeof(at) = 'text' AND length(at) = 26 AND substr(at, 11, 1) = ' ' "
    "THEN substr(at, 1, 10) || 'T' || substr(at, 12) || '+00:00' END",
    "postgresql": "CASE WHEN at >= '0001-01-02 00:00:00+00' AND at < '9999-12-31 00:00:00+00' "
    """THEN to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US') || '+00:00' END""",
}
# json() hands json_object a value as JSON to copy rather than a string to quote.
_SQLITE = {
    "detail": "json(detail)",
    "person_ids": "json(person_ids)",
    "flagged": "CASE flagged WHEN 1 THEN json('true') WHEN 0 THEN json('false') END",  # constants: parsed once
}
_POSTGRESQL = {
    "detail": "coalesce(detail, 'null')",
    "person_ids": "person_ids",
    "flagged": "CASE flagged WHEN true THEN 'true' WHEN false THEN 'false' END",
}


def at_text_sql(dialect: str) -> str:
    """SQL for format_time's text of the row's `at` (fixed width), or NULL."""
    return _AT_TEXT[dialect]


def canonical_sql(dialect: str, at_text: str) -> str:
    """An SQL expression over audit_events' columns that equals `canonical` only where encode_stored would;
    at_text: SQL giving at_text_sql's value (an expression or a column computed once)."""
    if dialect == "sqlite":
        # One json_object call writes the whole text, quoting as json_quote would: cheaper than a call a field.
        # json() fails on text that is no JSON, which only sends verify() to the scan.
        values = {**_SQLITE, "at": at_text}
        pairs = ", ".join(f"'{key}', {values.get(key, key)}" for key in _KEYS)
        return (
            "CASE WHEN json(detail) IS detail AND json(person_ids) = person_ids "
            f"THEN CAST(json_object({pairs}, 'v', {FORMAT_VERSION}) AS BLOB) END"
        )
    pieces = [_POSTGRESQL.get(key, f"coalesce({postgresql_json_string(key)}, 'null')") for key in _KEYS]
    pieces[_KEYS.index("at")] = f"""'"' || {at_text} || '"'"""
    # Each key goes in with the brace or comma before it: every || copies the whole text so far.
    openings = ["{", *[","] * (len(_KEYS) - 1)]
    text = " || ".join(
        f"""'{opening}"{key}":' || {piece}""" for opening, key, piece in zip(openings, _KEYS, pieces, strict=True)
    )
    return f"""convert_to({text} || ',"v":{FORMAT_VERSION}}}', 'UTF8')"""


def postgresql_json_string(column: str) -> str:
    """PostgreSQL SQL for a text column as a JSON string (NULL for NULL): quoted directly unless it holds '"' or
    '\\', else by to_json, which looks the column's type up on every call and so costs more than the rest of a row."""
    return (
        f"""CASE WHEN strpos({column}, '"') + strpos({column}, '\\') = 0 THEN '"' || {column} || '"' """
        f"ELSE to_json({column})::text END"
    )


def column_types_hold(cursor, dialect: str) -> bool:
    """Whether audit_events' columns still have the types canonical_sql relies on (a table owner can alter them).

    A string column must hold only text (to_json or json_quote of a number is no JSON string). SQLite types
    values one by one: a text affinity keeps numbers out, json_quote fails on a blob, and typeof() tests the rest.
    """
    if dialect == "sqlite":
        cursor.execute("SELECT name, upper(type) FROM pragma_table_info('audit_events')")
        types = dict(cursor.fetchall())
        return all(
            "INT" not in types.get(key, "INT") and any(word in types[key] for word in ("CHAR", "CLOB", "TEXT"))
            for key in _STRINGS
        )
    cursor.execute(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = current_schema() AND table_name = 'audit_events'"
    )
    types = dict(cursor.fetchall())
    textual = all(types.get(key) in ("character varying", "text") for key in _STRINGS)
    return textual and types.get("at") == "timestamp with time zone" and types.get("flagged") == "boolean"
