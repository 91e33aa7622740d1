"""Group commit for audit events written on their own (audited reads).

Each read must commit its event before any data leaves (SPEC 5, fail-closed), and a commit costs an fsync. Here
concurrent requests hand their events to one writer thread per process and database, which inserts everything
waiting in a single statement, committed as it runs, and then wakes each request: one fsync covers a whole batch,
and no request is woken before its own event is durable. A request whose event fails, or is not committed in time,
gets an error and must not return the data. On a SQLite file, writers share a turn that a seal takes alone
(audit.turns).

record_durably(engine, **event)     blocks until the event is committed; raises AuditWriteFailed otherwise
"""

import logging
import os
import queue
import threading
import weakref
from collections.abc import Iterator
from contextlib import closing, contextmanager
from functools import cache
from typing import Any

from sqlalchemy import Engine

from audit.derived_columns import TABLE, insertable
from audit.record import event_values
from audit.turns import Turns

log = logging.getLogger(__name__)

# Longer than SQLite's busy timeout would be pointless; a practitioner would rather see "try again" than wait.
WRITE_TIMEOUT_SECONDS = 10.0
# A batch is bounded so one commit stays short and its waiters are woken promptly.
MAX_BATCH = 256
# The writer thread ends after this long with nothing to write, and starts again on the next event.
IDLE_SECONDS = 2.0


class AuditWriteFailed(RuntimeError):
    """The event was not committed (or not within the timeout): the caller must not hand over the data."""


class _Pending:
    __slots__ = ("values", "done", "error")

    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values
        self.done = threading.Event()
        self.error: BaseException | None = None

    def finish(self, error: BaseException | None = None) -> None:
        self.error = error
        self.done.set()


class GroupCommitWriter:
    """One database's writer thread in this process, started on demand."""

    def __init__(self, engine: Engine) -> None:
        # Weak, so that a disposed engine (and its writer) can be collected.
        self._engine = weakref.ref(engine)
        self._lock = threading.Lock()
        self._queue: queue.SimpleQueue[_Pending] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._pid = os.getpid()

    def write(self, values: dict[str, Any], timeout: float = WRITE_TIMEOUT_SECONDS) -> None:
        """Queue the event and wait until it is committed."""
        pending = _Pending(values)
        self._enqueue(pending)
        if not pending.done.wait(timeout):
            raise AuditWriteFailed(f"the audit event was not committed within {timeout:g} s")
        if pending.error is not None:
            raise AuditWriteFailed("the audit event could not be committed") from pending.error

    def _enqueue(self, pending: _Pending) -> None:
        with self._lock:
            if self._pid != os.getpid():
                # A forked worker inherits neither the thread nor a usable queue: start afresh.
                self._queue, self._thread, self._pid = queue.SimpleQueue(), None, os.getpid()
            self._queue.put(pending)
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="audit-group-commit", daemon=True)
                self._thread.start()

    def _run(self) -> None:
        with closing(WriterConnection(self._engine)) as connection:
            while True:
                try:
                    first = self._queue.get(timeout=IDLE_SECONDS)
                except queue.Empty:
                    with self._lock:
                        # Checked under the lock that _enqueue holds, so no event is left behind by an exiting thread.
                        if self._queue.empty():
                            self._thread = None
                            return
                    continue
                batch = [first]
                while len(batch) < MAX_BATCH:
                    try:
                        batch.append(self._queue.get_nowait())
                    except queue.Empty:
                        break
                self._commit(batch, connection)

    def _commit(self, batch: list[_Pending], connection: "WriterConnection", alone: bool = False) -> None:
        """Insert the batch and wake its requests; a failed batch is tried again an event at a time (`alone`)."""
        try:
            with connection.turn():
                self._insert(batch, connection)
                # Durable now: the requests are woken before the turn is given up, which costs one more wait.
                for pending in batch:
                    pending.finish()
        except Exception as exc:
            connection.close()  # a failed statement may have left it unusable; the next opens another
            if alone:
                log.exception("could not commit an audit event")
                batch[0].finish(exc)
                return
            # The connection may have broken (a database server restarted since the last batch), and one bad event
            # must not fail the reads that happened to share its batch: each is tried again, on a new connection.
            for pending in batch:
                self._commit([pending], connection, alone=True)
            return
        except BaseException as exc:
            for pending in batch:
                pending.finish(exc)
            raise

    def _insert(self, batch: list[_Pending], connection: "WriterConnection") -> None:
        engine = connection.engine()
        rows = [insertable(pending.values, engine.dialect.name) for pending in batch]
        columns = tuple(rows[0])
        sql = _insert_sql(columns, len(rows), engine.dialect.paramstyle)
        # The batch is one statement, in autocommit its own transaction: one step of the database (the rows and
        # their commit) instead of a BEGIN, a step a row and a COMMIT, after each of which this thread waits for
        # the interpreter lock that the process's busy request threads hold. The events' person index is written
        # by the sealer (audit.person_index), off the requests' path.
        connection.execute(sql, tuple(row[column] for row in rows for column in columns))


class WriterConnection:
    """A writer thread's own connection, outside the pool (it stays in autocommit), and its turns at a SQLite
    file; opened on first use and again after close(): kept for a thread's whole run, they spare a batch a pool
    checkout and ping, and opening the lock file."""

    def __init__(self, engine: "weakref.ref[Engine]") -> None:
        self._engine = engine  # weak, as the writer's
        self._raw = None
        self._turns: Turns | None = None

    def engine(self) -> Engine:
        engine = self._engine()
        if engine is None:
            raise AuditWriteFailed("the database engine has been disposed")
        return engine

    @contextmanager
    def turn(self) -> Iterator[None]:
        """Other processes' writers share the turn (SQLite's write lock orders their single steps); a seal has it
        alone."""
        if self._turns is None:
            self._turns = Turns(self.engine())
        with self._turns.turn(shared=True):
            yield

    def execute(self, sql: str, parameters: tuple) -> None:
        if self._raw is None:
            engine = self.engine()
            raw = engine.raw_connection()
            raw.detach()
            engine.dialect.set_isolation_level(raw.dbapi_connection, "AUTOCOMMIT")
            self._raw = raw
        cursor = self._raw.cursor()
        try:
            cursor.execute(sql, parameters)
        finally:
            cursor.close()

    def close(self) -> None:
        if self._raw is not None:
            raw, self._raw = self._raw, None
            raw.close()
        if self._turns is not None:
            turns, self._turns = self._turns, None
            turns.close()


@cache
def _insert_sql(columns: tuple[str, ...], rows: int, paramstyle: str) -> str:
    """INSERT of `rows` events' `columns` in one statement, with the driver's positional markers."""
    marker = "?" if paramstyle == "qmark" else "%s"
    values = "(" + ", ".join([marker] * len(columns)) + ")"
    return f"INSERT INTO {TABLE} ({', '.join(columns)}) VALUES {', '.join([values] * rows)}"  # noqa: S608 - constants


_writers: "weakref.WeakKeyDictionary[Engine, GroupCommitWriter]" = weakref.WeakKeyDictionary()
_writers_lock = threading.Lock()


def writer_for(engine: Engine) -> GroupCommitWriter:
    """The process's writer for this database."""
    with _writers_lock:
        writer = _writers.get(engine)
        if writer is None:
            writer = _writers[engine] = GroupCommitWriter(engine)
        return writer


def record_durably(engine: Engine, **event: Any) -> None:
    """Commit one event on its own, sharing the commit with concurrent requests; returns once it is durable.

    Takes the keyword arguments of audit.record.event_values()."""
    writer_for(engine).write(event_values(**event))
