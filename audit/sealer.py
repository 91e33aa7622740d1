"""The sealer: gives committed events a dense sequence and leaf hashes, indexes them by person
(audit.person_index), and signs a checkpoint over them.

One sealer at a time: a transaction-scoped advisory lock on PostgreSQL, the write lock (BEGIN IMMEDIATE) on
SQLite. Requests never take either; they only insert rows, so they never wait on a seal beyond row inserts.
"""

import logging
import threading
import time
from collections.abc import Sequence

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import Connection, Engine, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from audit.merkle import frontier_append, frontier_root, leaf_hash
from audit.models import AuditCheckpoint, AuditEvent
from audit.person_index import index_sealed
from audit.signing import Checkpoint, pack_frontier, sign_checkpoint, unpack_frontier
from audit.turns import writers_turn
from models.base import new_id, utcnow
from models.locking import take_write_lock

log = logging.getLogger(__name__)

# pg_advisory_xact_lock key: "SCAUDIT" in ASCII, shared by every SafeContext process.
SEAL_LOCK_KEY = 0x53434155444954

_events = AuditEvent.__table__
_checkpoints = AuditCheckpoint.__table__


class AuditIntegrityError(RuntimeError):
    """The stored log contradicts its latest checkpoint, so it must not be extended: run verify."""


def _last_checkpoint(conn: Connection) -> tuple[int, list[bytes]]:
    row = conn.execute(
        select(_checkpoints.c.size, _checkpoints.c.root_hash, _checkpoints.c.frontier)
        .order_by(_checkpoints.c.size.desc())
        .limit(1)
    ).first()
    if row is None:
        size, frontier = 0, []
    else:
        size = row.size
        try:
            frontier = unpack_frontier(row.frontier, size)
        except ValueError as exc:
            raise AuditIntegrityError(str(exc)) from None
        if frontier_root(frontier) != row.root_hash:
            raise AuditIntegrityError(f"the frontier of checkpoint {size} does not hash to its root")
    highest = conn.execute(select(func.max(_events.c.seq))).scalar()
    if (highest or 0) != size:
        raise AuditIntegrityError(f"events are sealed up to {highest} but the latest checkpoint covers {size}")
    return size, frontier


# The people an event names, counted without parsing its person_ids: the commas between them, plus one.
_PEOPLE_NAMED = func.length(_events.c.person_ids) - func.length(func.replace(_events.c.person_ids, ",", "")) + 1


def _unsealed(conn: Connection, limit: int | None) -> Sequence:
    """id, canonical and the people named, of the unsealed events in sealing order (at most `limit`)."""
    event_id = _events.c.id
    if conn.dialect.name == "postgresql":
        # Byte order on every engine, so verify can recheck the order without knowing the collation.
        event_id = event_id.collate("C")
    query = (
        select(_events.c.id, _events.c.canonical, _PEOPLE_NAMED)
        .where(_events.c.seq.is_(None))
        .order_by(_events.c.at, event_id)
    )
    return conn.execute(query.limit(limit) if limit else query).all()


def _within(rows: Sequence, people_budget: int | None) -> Sequence:
    """The first rows whose people (the index rows their seal writes) fit the budget; always at least one row."""
    if people_budget is None:
        return rows
    named = 0
    for count, (_, _, people) in enumerate(rows):
        named += people
        if named > people_budget and count:
            return rows[:count]
    return rows


_PG_ASSIGN = text(
    "UPDATE audit_events AS e SET seq = v.seq, leaf_hash = v.leaf_hash FROM unnest(CAST(:ids AS varchar[]), "
    "CAST(:seqs AS bigint[]), CAST(:leaves AS bytea[])) AS v(id, seq, leaf_hash) WHERE e.id = v.id AND e.seq IS NULL"
)


def _assign(conn: Connection, ids: list[str], seqs: list[int], leaves: list[bytes]) -> int:
    """Write seq and leaf_hash for a batch; the number of rows updated."""
    if conn.dialect.name == "postgresql":
        # One statement for the batch: an executemany costs a round trip per row, and a backlog can be large.
        return conn.execute(_PG_ASSIGN, {"ids": ids, "seqs": seqs, "leaves": leaves}).rowcount
    statement = (
        update(_events)
        .where(_events.c.id == bindparam("event_id"), _events.c.seq.is_(None))
        .values(seq=bindparam("new_seq"), leaf_hash=bindparam("new_leaf"))
    )
    params = [{"event_id": i, "new_seq": s, "new_leaf": h} for i, s, h in zip(ids, seqs, leaves, strict=True)]
    return conn.execute(statement, params).rowcount


def seal_on(
    conn: Connection,
    signing_key: bytes | Ed25519PrivateKey,
    limit: int | None = None,
    people_budget: int | None = None,
) -> Checkpoint | None:
    """Seal inside the connection's current transaction (the caller commits); None if nothing was unsealed.

    people_budget: stop before the event that would take the person index rows written past it (never before the
    first), so that a backlog of map views is sealed in transactions short enough for writers to take turns."""
    if conn.dialect.name == "postgresql":
        conn.execute(select(func.pg_advisory_xact_lock(SEAL_LOCK_KEY)))
    size, frontier = _last_checkpoint(conn)
    rows = _within(_unsealed(conn, limit), people_budget)
    if not rows:
        return None
    seqs = list(range(size + 1, size + 1 + len(rows)))
    leaves = [leaf_hash(bytes(canonical)) for _, canonical, _ in rows]
    for seq, leaf in zip(seqs, leaves, strict=True):
        frontier_append(frontier, seq - 1, leaf)
    if _assign(conn, [event_id for event_id, _, _ in rows], seqs, leaves) != len(rows):
        raise AuditIntegrityError("events changed while they were being sealed")
    index_sealed(conn, size + 1, size + len(rows))
    checkpoint = sign_checkpoint(signing_key, size + len(rows), frontier, utcnow())
    conn.execute(
        insert(_checkpoints).values(
            id=new_id(),
            size=checkpoint.size,
            root_hash=checkpoint.root,
            at=checkpoint.at,
            signature=checkpoint.signature,
            key_id=checkpoint.key_id,
            frontier=pack_frontier(checkpoint.frontier),
        )
    )
    return checkpoint


def seal(
    bind: Engine | Session,
    signing_key: bytes | Ed25519PrivateKey,
    limit: int | None = None,
    people_budget: int | None = None,
) -> Checkpoint | None:
    """Seal every committed unsealed event (at most `limit`, and see seal_on's people_budget) in one transaction
    and commit it.

    Given a Session, seals in that session's transaction (its own pending events included) and commits it.
    """
    if isinstance(bind, Session):
        conn = bind.connection()
        take_write_lock(conn)
        checkpoint = seal_on(conn, signing_key, limit, people_budget)
        bind.commit()
        return checkpoint
    # Waiting writers wake as soon as the seal commits, instead of sleeping in SQLite's busy handler.
    with writers_turn(bind), bind.connect() as conn:
        if conn.dialect.name == "postgresql":
            # Each statement must see the previous sealer's commit once the lock is ours.
            conn = conn.execution_options(isolation_level="READ COMMITTED")
        take_write_lock(conn)
        checkpoint = seal_on(conn, signing_key, limit, people_budget)
        conn.commit()
        return checkpoint


def latest_checkpoint(engine: Engine) -> Checkpoint | None:
    """The most recent stored checkpoint, for export_checkpoint(); verify() first to know it is sound."""
    c = _checkpoints.c
    query = select(c.size, c.root_hash, c.at, c.signature, c.key_id, c.frontier).order_by(c.size.desc()).limit(1)
    with engine.connect() as conn:
        row = conn.execute(query).first()
    if row is None:
        return None
    frontier = tuple(unpack_frontier(row.frontier, row.size))
    return Checkpoint(row.size, row.root_hash, row.at, row.signature, row.key_id, frontier)


class BackgroundSealer:
    """A daemon thread that seals every `interval` seconds; errors are logged and retried on the next tick.

    Each seal takes at most `batch` events and, past the first, `people_budget` person index rows: on SQLite a seal
    holds the one write lock, and ~20,000 index rows take a few tenths of a second (a second of busy map views)."""

    def __init__(
        self,
        engine: Engine,
        signing_key: bytes | Ed25519PrivateKey,
        interval: float = 1.0,
        batch: int = 50_000,
        people_budget: int = 20_000,
    ) -> None:
        self.engine, self.signing_key, self.interval = engine, signing_key, interval
        self.batch, self.people_budget = batch, people_budget
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> "BackgroundSealer":
        """Start sealing in the background (idempotent)."""
        if self._thread is None or not self._thread.is_alive():
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="audit-sealer", daemon=True)
            self._thread.start()
        return self

    def stop(self, timeout: float | None = 10.0) -> None:
        """Stop after the seal in progress, if any."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def seal_once(self) -> Checkpoint | None:
        """Seal batch after batch until nothing is left unsealed; the last checkpoint written, if any."""
        latest = None
        while not self._stop.is_set() and (
            checkpoint := seal(self.engine, self.signing_key, self.batch, self.people_budget)
        ):
            latest = checkpoint
        return latest

    def _run(self) -> None:
        # The interval runs from the start of one seal to the start of the next, so a slow seal does not stretch it.
        deadline = time.monotonic() + self.interval
        while not self._stop.wait(max(0.0, deadline - time.monotonic())):
            deadline = time.monotonic() + self.interval
            try:
                self.seal_once()
            except AuditIntegrityError:
                log.error("audit log contradicts its checkpoint; sealing halted until verified", exc_info=True)
            except Exception:
                log.warning("audit sealing failed; retrying in %.1fs", self.interval, exc_info=True)
