"""Turns at a SQLite file's write lock for the audit log's own writers: the group-commit writers of every server
process, and the sealer.

SQLite's busy handler polls with sleeps that grow to tens of milliseconds, so a writer kept waiting by a seal, which
holds the write lock for a tenth of a second or more, would sleep well past it; a blocked flock wakes as soon as the
lock is released, and the events that queue meanwhile go into the next batch. The group-commit writers share their
turn: each inserts its batch in one statement, a single short step of SQLite's own write lock, and holding the turn
alone would make the others also wait for the interpreter lock the writer needs again after that step. Other
engines need no turn.
"""

import fcntl
from collections.abc import Iterator
from contextlib import closing, contextmanager

from sqlalchemy import Engine


class Turns:
    """One holder's turns at the audit writers' file lock of a SQLite database file (none on other engines).

    The file stays open from turn to turn: opening and closing it costs a writer thread two more waits for the
    interpreter lock, which every system call gives up."""

    def __init__(self, engine: Engine) -> None:
        path = engine.url.database if engine.dialect.name == "sqlite" else None
        on_file = path and path != ":memory:" and not path.startswith("file:")
        self._file = open(f"{path}-audit-writer.lock", "a") if on_file else None  # noqa: SIM115 - kept open

    @contextmanager
    def turn(self, shared: bool = False) -> Iterator[None]:
        """Hold the lock for the block: shared with other holders who share it, or alone."""
        if self._file is None:
            yield
            return
        fcntl.flock(self._file, fcntl.LOCK_SH if shared else fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(self._file, fcntl.LOCK_UN)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


@contextmanager
def writers_turn(engine: Engine, shared: bool = False) -> Iterator[None]:
    """Hold the audit writers' file lock of this SQLite database file for the block (nothing on other engines):
    shared with other holders who share it, or alone."""
    with closing(Turns(engine)) as turns, turns.turn(shared):
        yield
