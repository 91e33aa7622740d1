"""The row checks of the bulk confirmation: made by the database where it can vouch, by Python where it cannot.

The database compares each row's columns with its canonical bytes (audit.canonical_sql), and on PostgreSQL
checks the leaf hash; it returns an order key that Python compares with the row before's. A row it cannot vouch
for (a field it encodes unlike Python, such as non-ASCII text) is checked again here with encode_stored and the
scan's order rule against the rows on either side.
"""

from collections.abc import Sequence, Set

from audit.canonical import EVENT_FIELDS, encode_stored, stored_time_text
from audit.canonical_sql import at_text_sql, canonical_sql

_LEAF_OK = "sha256('\\x00'::bytea || canonical) = leaf_hash"  # PostgreSQL hashes the leaves itself
_BATCH = 500  # sequence numbers in one IN list
_EVENTS = f"SELECT seq, {', '.join(EVENT_FIELDS)}, canonical FROM audit_events"  # noqa: S608 - constants only


def rows_sql(dialect: str, first: int, last: int, full: bool, derived: bool = False) -> str:
    """seq, then on SQLite canonical and leaf_hash, on PostgreSQL leaf_hash (NULL unless it is the hash of
    canonical); when full, then id and person_ids (for the person index check), and last the order key (at, id)
    as one text, NULL where the database cannot vouch for the fields (a fixed-width `at`, so the texts compare as
    the scan's (at, id) pairs do). derived (SQLite, full): the fields are read out of canonical, so only id
    follows, and Python takes the rest from the bytes (audit.derived_columns.keys_and_people)."""
    where = f"WHERE seq BETWEEN {first} AND {last} ORDER BY seq"
    if dialect == "sqlite":
        if derived:
            return f"SELECT seq, canonical, leaf_hash, id FROM audit_events {where}"  # noqa: S608 - constants only
        if not full:
            return f"SELECT seq, canonical, leaf_hash FROM audit_events {where}"  # noqa: S608 - constants only
        key = f"CASE WHEN {canonical_sql(dialect, at_text_sql(dialect))} = canonical THEN at || id END"
        return f"SELECT seq, canonical, leaf_hash, id, person_ids, {key} FROM audit_events {where}"  # noqa: S608
    leaf = f"CASE WHEN {_LEAF_OK} THEN leaf_hash END"
    if not full:
        return f"SELECT seq, {leaf} FROM audit_events {where}"  # noqa: S608 - constants only
    # The text of `at` once a row (OFFSET 0 keeps the subquery from being folded into each use).
    return (
        f"SELECT seq, {leaf}, id, person_ids, "  # noqa: S608 - constants only
        f"CASE WHEN {canonical_sql(dialect, 'at_text')} = canonical THEN at_text || id END "
        f"FROM audit_events CROSS JOIN LATERAL (SELECT {at_text_sql(dialect)} AS at_text OFFSET 0) AS t {where}"
    )


def python_agrees(raw, seqs: Sequence[int], batch_ends: Set[int]) -> bool:
    """The scan's field and order checks for the events `seqs` (batch_ends: the checkpoint sizes around them);
    TypeError or ValueError for a doctored column."""
    for start in range(0, len(seqs), _BATCH):
        batch = seqs[start : start + _BATCH]
        around = ", ".join(str(seq + step) for seq in batch for step in (-1, 0, 1))
        rows = {row[0]: row for row in _fetch(raw, f"{_EVENTS} WHERE seq IN ({around})")}
        for seq in batch:
            row = rows[seq]
            if encode_stored(row[1], stored_time_text(row[2]), *row[3:18]) != bytes(row[18]):
                return False
            for before, after in ((seq - 1, seq), (seq, seq + 1)):
                pair = rows.get(before), rows.get(after)
                if None not in pair and before not in batch_ends and not _key(pair[0]) < _key(pair[1]):
                    return False
    return True


def _key(row: Sequence) -> tuple[str, str]:
    return stored_time_text(row[2]), row[1]


def _fetch(raw, sql: str) -> list[Sequence]:
    cursor = raw.cursor()
    try:
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        cursor.close()
