"""Bulk confirmation that a sealed log verifies; False sends verify() back to its row-by-row scan.

It checks what the scan checks, faster: the database itself compares each row's columns with its canonical
bytes (audit.row_checks) and on PostgreSQL also hashes the leaves, so only an order key and the leaf hashes (on
SQLite the canonical bytes) come back through the raw DB-API cursor. On SQLite, where the table derives every
field from the canonical bytes (audit.derived_columns) and its definition still says so, there is no column to
compare: the id comes back beside the bytes, and the order keys and person ids are read out of the bytes. The
Merkle tree is built a level at a time, and the range is split between two processes. The person index is
compared with the events' person ids as sums of per-event hashes instead of a lookup per event: each process adds
those of its events' person ids and takes away those of its share of the index rows, and the shares must cancel
out. Any disagreement, doubt or error gives False, and the scan then names the first bad event exactly as before:
confirm() only saves time on a log that verifies, and never accepts what the scan would refuse.
"""

import gc
import multiprocessing
import sys
import threading
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from hashlib import sha256
from operator import lt

from sqlalchemy import Connection

from audit.canonical_sql import column_types_hold, postgresql_json_string
from audit.derived_columns import derived_on_sqlite, keys_and_people
from audit.merkle import frontier_append, frontier_root
from audit.models import MAX_SEQ
from audit.row_checks import python_agrees, rows_sql
from models.base import SQLITE_MMAP_BYTES

CHUNK = 1 << 14  # leaves hashed a level at a time: a power of two, so a whole chunk is one subtree
WORKERS = 2
_NO_JIT = "SET LOCAL jit = off"  # compiling these one-pass queries costs PostgreSQL more than it saves
# An event's index rows as the JSON text of its person ids (quoted, so no id can pass for two), in the order of
# the primary key (event_id, person_id) the rows are grouped along: an order other than Python's (a collation
# unlike code points) only makes the sums differ. Sorting each event's few rows again costs more than the rest.
_PEOPLE = {
    "sqlite": "json_group_array(person_id)",
    "postgresql": f"'[' || string_agg({postgresql_json_string('person_id')}, ',') || ']'",
}
_PEOPLE_AS_BYTES = "CAST(json_group_array(person_id) AS BLOB)"  # SQLite, as the events' side reads them from canonical


@dataclass(frozen=True)
class _Range:
    """Events first..last for one process, and its share of the person index; first - 1 is a multiple of chunk."""

    database: tuple[str, str]  # (dialect, DB-API connection target)
    first: int
    last: int
    count: int  # the highest sealed sequence number: index rows of later or unsealed events are left out
    chunk: int
    full: bool
    derived: bool  # full, on SQLite, whose fields are read out of canonical: no column to check
    batch_ends: frozenset[int]  # checkpoint sizes in first-2..last: the sealer's order restarts after each
    positions: tuple[int, ...]  # where the caller needs the tree's frontier inside a chunk
    event_ids: tuple[str | None, str | None]  # the index rows to sum: event ids from, before (None: no bound)


@dataclass(frozen=True)
class _RangeTree:
    chunk_roots: list[bytes]  # the root of every whole chunk, in order
    inside: dict[int, list[bytes]]  # position -> the perfect subtrees of its chunk up to it, largest first
    person_balance: int  # hash sum of the events' person ids less that of the share of index rows; 0 when quick


def confirm(
    conn: Connection,
    count: int,
    subtrees: dict[int, bytes],
    roots: dict[int, bytes],
    batch_ends: set[int],
    full: bool,
    *,
    workers: int = WORKERS,
    chunk: int = CHUNK,
) -> bool:
    """Whether sealed events 1..count all verify against the subtree roots and tree roots the checkpoints give.

    count must be the highest sealed sequence number, covered by a trusted checkpoint; conn holds the snapshot.
    """
    dialect = conn.dialect.name
    if dialect not in _PEOPLE or (full and not sys.flags.hash_randomization):
        return False  # the person-index sum relies on hash() keyed by a secret this process drew at random
    raw = conn.connection.driver_connection
    derived = full and dialect == "sqlite" and derived_on_sqlite(raw.cursor())
    if full and not derived and not column_types_hold(raw.cursor(), dialect):
        return False
    if dialect == "postgresql":
        raw.execute(_NO_JIT)
    database = _database(conn)
    checks = sorted({*subtrees, *roots})
    seq_ranges = _split(count, chunk, workers if database[1] != ":memory:" else 1)
    ranges = [
        _Range(
            database,
            *(first, last, count, chunk, full, derived),
            frozenset(end for end in batch_ends if first - 2 <= end <= last),
            tuple(p for p in checks if first <= p <= last),
            _event_id_share(part, len(seq_ranges)),
        )
        for part, (first, last) in enumerate(seq_ranges)
    ]
    try:
        if len(ranges) > 1:
            # The workers make no reference cycles, and a collection would walk the heap a forked one inherited.
            with ProcessPoolExecutor(len(ranges), mp_context=_start_method(), initializer=gc.disable) as pool:
                trees = list(pool.map(_check_range, ranges))
        else:
            trees = [_check_range(r, raw) for r in ranges]
    except Exception:  # noqa: BLE001 - a doctored row can make a query or a worker fail; the scan reports it
        return False
    if None in trees or sum(tree.person_balance for tree in trees):
        return False
    return _tree_agrees(trees, checks, subtrees, roots, chunk)


def _start_method():
    """fork when this process runs no other thread (a fork copies locks other threads hold), else forkserver.

    Either way every worker has the same hash() secret (this process's, or the one server's it is forked from),
    so the person-index sums of the workers add up; spawned workers would each draw their own.
    """
    single = threading.active_count() == 1 and "fork" in multiprocessing.get_all_start_methods()
    return multiprocessing.get_context("fork" if single else "forkserver")


def _database(conn: Connection) -> tuple[str, str]:
    url = conn.engine.url
    if conn.dialect.name == "sqlite":
        return "sqlite", url.database or ":memory:"
    return "postgresql", url.set(drivername="postgresql").render_as_string(hide_password=False)


def _split(count: int, chunk: int, workers: int) -> list[tuple[int, int]]:
    """Contiguous ranges of whole chunks (the last may end early), as even as chunks allow."""
    chunks = -(-count // chunk)
    if not chunks:
        return []
    per = -(-chunks // max(1, min(workers, chunks)))
    return [(c * chunk + 1, min(count, (c + per) * chunk)) for c in range(0, chunks, per)]


def _event_id_share(part: int, parts: int) -> tuple[str | None, str | None]:
    """The event ids (from, before; None: no bound) of part `part` of `parts`: together the parts hold every id
    once, split at a first hex digit, as even as random UUIDs make them."""
    low = format(16 * part // parts, "x") if part else None
    high = format(16 * (part + 1) // parts, "x") if part + 1 < parts else None
    return low, high


def _connect(database: tuple[str, str]):
    """A connection whose queries all read one snapshot: the person-index sums of a range must agree in time."""
    dialect, target = database
    if dialect == "sqlite":
        import sqlite3

        connection = sqlite3.connect(target, isolation_level=None)
        connection.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        connection.execute("BEGIN")
        return connection
    import psycopg

    connection = psycopg.connect(target)
    connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
    connection.read_only = True
    connection.execute(_NO_JIT)
    return connection


def _check_range(task: _Range, raw=None) -> _RangeTree | None:
    """Row checks of one range and its part of the tree; None at the first doubt. Runs in a worker process."""
    own = raw is None
    raw = _connect(task.database) if own else raw
    try:
        return _scan_range(raw, task)
    except (TypeError, ValueError, UnicodeError):  # a doctored column of the wrong type or form
        return None
    finally:
        if own:
            raw.close()


def _scan_range(raw, task: _Range) -> _RangeTree | None:
    dialect = task.database[0]
    chunk_roots, inside, done, person_sum = [], {}, task.first - 1, 0
    positions = list(task.positions)
    previous = _previous_key(raw, dialect, task) if task.full else None
    # Rows the database did not vouch for, Python checks at the end (the one before the range for its order).
    doubtful = [task.first - 1] if task.full and task.first > 1 and previous is None else []
    for rows in _rows(raw, dialect, rows_sql(dialect, task.first, task.last, task.full, task.derived), task.chunk):
        start, end = done, done + len(rows)
        if start % task.chunk or [row[0] for row in rows] != list(range(start + 1, end + 1)):
            return None
        if dialect == "sqlite":
            leaves = [sha256(b"\x00" + row[1]).digest() for row in rows]
            if leaves != [row[2] for row in rows]:
                return None
        else:
            leaves = [row[1] for row in rows]
            if None in leaves:
                return None
        if task.full:
            read = keys_and_people(rows) if task.derived else _vouched_keys_and_people(rows)
            if read is None:
                return None
            keys, people = read
            if not _in_order(start, [previous, *keys], task.batch_ends, doubtful):
                return None
            previous = keys[-1]
            person_sum += sum(map(hash, people))
        levels = _levels(leaves)
        for position in positions[bisect_left(positions, start + 1) : bisect_left(positions, end)]:
            inside[position] = _decompose(levels, position - start)
        if len(rows) == task.chunk:
            chunk_roots.append(levels[-1][0])
        elif end in task.positions:
            inside[end] = _decompose(levels, len(rows))
        done = end
    if done != task.last or not python_agrees(raw, doubtful, task.batch_ends):
        return None
    return _RangeTree(chunk_roots, inside, person_sum - _index_share(raw, dialect, task) if task.full else 0)


def _previous_key(raw, dialect: str, task: _Range) -> str | bytes | None:
    """The order key of the event before the range (None before event 1, and where the database cannot vouch)."""
    if task.first == 1:
        return None
    cursor = raw.cursor()
    try:
        cursor.execute(rows_sql(dialect, task.first - 1, task.first - 1, True, task.derived))
        row = cursor.fetchone()
    finally:
        cursor.close()
    if not task.derived:
        return row[-1]
    read = keys_and_people([row])
    return None if read is None else read[0][0]


def _vouched_keys_and_people(rows: list[Sequence]) -> tuple[list[str | None], list[tuple[str, str]]]:
    """The order keys the database gave (None where it could not vouch) and (id, person_ids) of events naming
    anyone."""
    return [row[-1] for row in rows], [row[-3:-1] for row in rows if row[-2] != "[]"]


def _in_order(start: int, keys: list[str | bytes | None], batch_ends: frozenset[int], doubtful: list[int]) -> bool:
    """keys[i] is the order key of event start + i (keys[0] the one before the rows): strictly increasing except
    after a checkpoint; events without a key go on `doubtful`, for Python to check with their neighbours."""
    if None not in keys and all(map(lt, keys, keys[1:])):
        return True
    doubtful += [start + i for i, key in enumerate(keys[1:], 1) if key is None]
    return all(
        a is None or b is None or start + i in batch_ends or a < b
        for i, (a, b) in enumerate(zip(keys, keys[1:], strict=False))
    )


def _rows(raw, dialect: str, sql: str, size: int) -> Iterator[Sequence]:
    # A named (server-side) cursor on PostgreSQL keeps memory flat, and binary results spare decoding bytea from
    # hex; SQLite steps through rows as they are fetched.
    cursor = raw.cursor(name="audit_confirm", binary=True) if dialect == "postgresql" else raw.cursor()
    try:
        cursor.execute(sql)
        while rows := cursor.fetchmany(size):
            yield rows
    finally:
        cursor.close()


def _levels(leaves: list[bytes]) -> list[list[bytes]]:
    """Level k holds the roots of the aligned subtrees of 2**k leaves (complete ones only)."""
    levels = [leaves]
    while len(level := levels[-1]) > 1:
        levels.append([sha256(b"\x01" + a + b).digest() for a, b in zip(level[::2], level[1::2], strict=False)])
    return levels


def _decompose(levels: list[list[bytes]], size: int) -> list[bytes]:
    """The frontier of the first `size` leaves of a chunk: its perfect subtrees, largest first."""
    nodes, offset = [], 0
    for bit in range(size.bit_length() - 1, -1, -1):
        if size >> bit & 1:
            nodes.append(levels[bit][offset >> bit])
            offset += 1 << bit
    return nodes


def _tree_agrees(
    trees: list[_RangeTree], checks: list[int], subtrees: dict[int, bytes], roots: dict[int, bytes], chunk: int
) -> bool:
    """Join the ranges' chunk roots into the tree and compare it with every subtree root and tree root given."""
    chunk_roots = [root for tree in trees for root in tree.chunk_roots]
    inside = {position: nodes for tree in trees for position, nodes in tree.inside.items()}
    frontier: list[bytes] = []  # over whole chunks: every entry covers a multiple of `chunk` leaves
    joined = 0
    for position in checks:
        while joined < position // chunk:
            frontier_append(frontier, joined, chunk_roots[joined])
            joined += 1
        prefix = frontier + inside.get(position, []) if position % chunk else frontier
        if position in subtrees and prefix[-1] != subtrees[position]:
            return False
        if position in roots and frontier_root(prefix) != roots[position]:
            return False
    return True


def _index_share(raw, dialect: str, task: _Range) -> int:
    """The sum of hash((event id, its index rows as JSON text)) over the events in the range's share of event ids
    that are sealed in 1..count; the events' side is summed the same way from their person_ids.

    hash() of a str is keyed by a secret drawn at random when the process started, so nobody can steer the sums;
    any difference in formatting or order only sends verify() to the scan.
    """
    people = _PEOPLE_AS_BYTES if task.derived else _PEOPLE[dialect]
    low, high = task.event_ids
    share = (f" AND event_id >= '{low}'" if low else "") + (f" AND event_id < '{high}'" if high else "")
    index = f"SELECT event_id, {people} FROM audit_event_people WHERE event_id IS NOT NULL{share} GROUP BY event_id"  # noqa: S608
    # Index rows of events outside 1..count: unsealed, or sealed after the caller's snapshot was taken. A closed
    # range of seq, because without statistics PostgreSQL takes an open one for a third of the table and reads it all.
    others = (
        f"SELECT event_id, {people} FROM audit_event_people WHERE event_id IN (SELECT id FROM audit_events "  # noqa: S608
        f"WHERE seq IS NULL UNION ALL SELECT id FROM audit_events WHERE seq BETWEEN {task.count + 1} AND {MAX_SEQ})"
        f"{share} GROUP BY event_id"
    )
    return _hash_sum(raw, dialect, index) - _hash_sum(raw, dialect, others)


def _hash_sum(raw, dialect: str, sql: str) -> int:
    return sum(sum(map(hash, rows)) for rows in _rows(raw, dialect, sql, CHUNK))
