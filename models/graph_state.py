"""The context graph's change stamp, the log of writes to relationships, and whole-graph analyses stored with the
date they were computed."""

import json
from datetime import datetime

from sqlalchemy import JSON, BigInteger, Index, Integer, String, delete, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UTCDateTime

# Tables whose rows make up the context graph; database triggers (migration 0005) bump the stamp on every write to
# them, in the writing transaction, whichever code path writes (ORM, bulk import, retention).
GRAPH_TABLES = ("people", "person_flags", "places", "groups", "relationships")


class GraphChange(Base):
    """One row: a counter of writes to the graph tables and a random stamp that changes with it.

    The stamp, not the counter, keys per-process caches: a rolled-back write can repeat a counter value, never a
    random stamp.
    """

    __tablename__ = "graph_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    counter: Mapped[int] = mapped_column(BigInteger)
    stamp: Mapped[str] = mapped_column(String(36))
    # PostgreSQL: the transaction that last bumped the stamp, so that a transaction bumps it once however much it
    # writes (SQLite updates the row in place and needs no such guard).
    bumped_by: Mapped[int | None] = mapped_column(BigInteger)
    # Moved only by writes to relationships (migration 0007): what the adjacency of ego maps is built from.
    links_stamp: Mapped[str | None] = mapped_column(String(36))
    links_bumped_by: Mapped[int | None] = mapped_column(BigInteger)


class LinkChange(Base):
    """One write to a relationship, logged by a trigger in the writing transaction (migration 0014): which
    relationship (None for a statement that changed none, which still moved the stamp), the links stamp once it
    was written, and on PostgreSQL the writing transaction.

    A process holding an adjacency applies the writes logged since it read the relationships instead of reading
    them all again. Emptying the table (TRUNCATE) empties the log too, so no cached stamp is found in it.
    """

    __tablename__ = "link_changes"
    # Only PostgreSQL logs a transaction: SQLite, which writes a row here for every relationship an import writes,
    # keeps no index entries for it. Pruning (rare) reads the whole log rather than every write keeping an index.
    __table_args__ = (
        Index(
            "ix_link_changes_transaction_id",
            "transaction_id",
            postgresql_where=text("transaction_id IS NOT NULL"),
            sqlite_where=text("transaction_id IS NOT NULL"),
        ),
    )

    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    relationship_id: Mapped[str | None] = mapped_column(String(36))
    links_stamp: Mapped[str | None] = mapped_column(String(36), index=True)
    transaction_id: Mapped[int | None] = mapped_column(BigInteger)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)


class GraphAnalysis(Base):
    """The latest result of one whole-graph analysis, the graph stamp it was computed from, and when."""

    __tablename__ = "graph_analyses"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    graph_stamp: Mapped[str | None] = mapped_column(String(36))
    result: Mapped[dict] = mapped_column(JSON)


def graph_stamp(session: Session) -> str | None:
    """The current change stamp; None when the row is missing (a freshly emptied test database)."""
    return session.scalar(select(GraphChange.stamp).where(GraphChange.id == 1))


def links_stamp(session: Session) -> str | None:
    """The stamp of the relationships alone; None when the row is missing."""
    return session.scalar(select(GraphChange.links_stamp).where(GraphChange.id == 1))


# The point in the log a reader has seen up to. SQLite commits one writer at a time, in the order of the sequence
# numbers the triggers drew, so that order is the order of commits. PostgreSQL draws them before committing, in
# any order: every transaction below the oldest still running (xmin) has ended, so a reader asks again for every
# write of a transaction from the xmin of its last read on (and may apply some twice, which changes nothing).
_WATERMARK = {
    "sqlite": "SELECT coalesce(max(seq), 0) FROM link_changes",
    "postgresql": "SELECT txid_snapshot_xmin(txid_current_snapshot())",
}
_SINCE = {
    "sqlite": "SELECT coalesce(max(seq), :mark), json_group_array(relationship_id) FROM link_changes WHERE seq > :mark",
    # One statement, one snapshot: the xmin returned is that of the snapshot the writes were read in.
    "postgresql": "SELECT txid_snapshot_xmin(txid_current_snapshot()), "
    "array(SELECT relationship_id FROM link_changes WHERE transaction_id >= :mark)",
}


def links_watermark(session: Session) -> int:
    """Where the log stands now: read before the relationships, so no later write is missed."""
    return session.scalar(text(_WATERMARK[session.get_bind().dialect.name]))


def links_changed_since(session: Session, watermark: int) -> tuple[int, set[str]]:
    """The relationships written since `watermark` (links_watermark, or what this returned last), and the new
    watermark."""
    dialect = session.get_bind().dialect.name
    mark, ids = session.execute(text(_SINCE[dialect]), {"mark": watermark}).one()
    if dialect == "sqlite":
        ids = json.loads(ids)
    return mark, {relationship_id for relationship_id in ids if relationship_id is not None}


def links_stamp_logged(session: Session, stamp: str) -> bool:
    """Whether the log still holds the write that left this links stamp: otherwise it cannot tell what changed
    since (the log was emptied or pruned, or the stamp predates it)."""
    return session.scalar(select(LinkChange.seq).where(LinkChange.links_stamp == stamp).limit(1)) is not None


def prune_link_changes(session: Session, before: datetime) -> int:
    """Forget the writes logged before `before`; how many. A process whose stamp is no longer logged builds its
    adjacency afresh."""
    return session.execute(delete(LinkChange).where(LinkChange.changed_at < before)).rowcount
