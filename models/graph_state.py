"""The context graph's change stamp, and whole-graph analyses stored with the date they were computed."""

from datetime import datetime

from sqlalchemy import JSON, BigInteger, Integer, String, select
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
