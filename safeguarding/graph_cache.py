"""The borough's context graph as an adjacency, cached per process and brought up to date when the links stamp moves.

Triggers bump the graph stamp in the same transaction as every write to people, flags, places, groups and
relationships (migration 0005), and the links stamp with every write to relationships (migration 0007), so one
indexed read tells whether a cached result is still the database's. The adjacency holds relationships only, so
it is keyed by the links stamp: editing a person keeps it. The stamp is read before the rows: a cache is never
keyed by a stamp newer than its data. When the stamp moves, the log of relationship writes (migration 0014) says
which relationships to read again, so a write costs the next map a few rows instead of the whole table.
"""

import sys
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import date
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.context import Relationship
from models.graph_state import graph_stamp, links_changed_since, links_stamp, links_stamp_logged, links_watermark
from models.id_lists import among, read_columns
from safeguarding.graph.adjacency import Adjacency
from safeguarding.graph.types import Edge, Grading, NodeRef
from safeguarding.heap import collector_paused, settle
from safeguarding.validation import london_day, uk_today

# Columns only: the whole table is read, and ORM objects would triple the cost of a rebuild.
EDGE_COLUMNS = (
    Relationship.id,
    Relationship.source_person_id,
    Relationship.target_person_id,
    Relationship.target_place_id,
    Relationship.target_group_id,
    Relationship.kind,
    Relationship.agency_id,
    Relationship.recorded_by_id,
    Relationship.recorded_at,
    Relationship.first_seen,
    Relationship.last_seen,
    Relationship.ended_on,
    Relationship.grading_source,
    Relationship.grading_information,
    Relationship.grading_handling,
)

# An adjacency of this many edges or more is frozen out of later collections once built (safeguarding.heap); a
# smaller one costs a collection little, and a settle's own full collection would cost more.
SETTLE_EDGES = 50_000
# Up to this many written relationships (or a tenth of the borough's, if more) are applied to a held adjacency; more
# (an import) and it is built afresh.
DELTA_EDGES = 5_000
_lock = threading.Lock()
_build_lock = threading.Lock()
_cached: dict = {}
# Results derived from the graph's tables (a viewer's context neighbourhood), each keyed by the stamp it was read at.
MEMO_SIZE = 256
_memo: OrderedDict[tuple, object] = OrderedDict()
T = TypeVar("T")


def cache_key(session: Session, as_of: date, stamp_of: Callable[[Session], str | None] = graph_stamp) -> tuple | None:
    """What a cached result must match to be current: by default, of a result read from any of the graph tables;
    with stamp_of=links_stamp, of one read from relationships only. None when the database has no stamp (nothing
    is cached)."""
    stamp = stamp_of(session)
    if stamp is None:
        return None
    return (session.get_bind().url.render_as_string(), stamp, as_of)


def adjacency(session: Session, as_of: date | None = None) -> Adjacency:
    """The whole graph as it stands on ``as_of`` (default today), from this process's cache when still current,
    else brought up to date with the relationships written since, else built afresh."""
    as_of = as_of or uk_today()
    key = cache_key(session, as_of, links_stamp)
    if key is None:
        return load(session, as_of)
    with _lock:
        if _cached.get("key") == key:
            return _cached["adjacency"]
    # One rebuild at a time: requests arriving meanwhile wait for it rather than each reading the whole table.
    with _build_lock:
        with _lock:
            if _cached.get("key") == key:
                return _cached["adjacency"]
            held = _cached.get("adjacency")
        built = _brought_up_to_date(session, held, key) if held is not None else None
        if built is None:
            with collector_paused():
                built = load(session, as_of)
                if len(built.edges) >= SETTLE_EDGES:
                    # Before the collector resumes: its first pass would otherwise traverse everything the build
                    # made.
                    settle()
        built.cache_key = key
        with _lock:
            _cached.update(key=key, adjacency=built)
    return built


def _brought_up_to_date(session: Session, held: Adjacency, key: tuple) -> Adjacency | None:
    """`held` with the relationships written since it was read; None when the log cannot say what they were (it
    no longer holds the write behind the held stamp) or they are too many to be worth applying one by one."""
    url, stamp, as_of = held.cache_key
    if (url, as_of) != (key[0], key[2]) or not links_stamp_logged(session, stamp):
        return None
    watermark, written = links_changed_since(session, held.watermark)
    if len(written) > max(DELTA_EDGES, len(held.edges) // 10):
        return None
    rows = read_columns(session, select(*EDGE_COLUMNS).where(among(Relationship.id, written))) if written else ()
    current = [edge_of_row(row) for row in rows]
    updated = held.changed(written, current)
    updated.watermark = watermark
    return updated


def remembered(
    session: Session, name: str, argument: Hashable, compute: Callable[[], T], held: Adjacency | None = None
) -> T:
    """compute(), or what it gave for the same name and argument while relationships have not changed since.

    compute must read only the relationships table: its writes move the links stamp, which is read before compute
    runs, so a remembered value is never older than its key. `held`: the adjacency the caller holds from this
    process's cache; its key, read earlier in the same request, serves instead of reading the stamp again."""
    stamp = held.cache_key if held is not None else None
    if stamp is None:
        stamp = cache_key(session, uk_today(), links_stamp)
    if stamp is None:
        return compute()
    key = (stamp, name, argument)
    with _lock:
        if key in _memo:
            _memo.move_to_end(key)
            return _memo[key]
    value = compute()
    with _lock:
        _memo[key] = value
        while len(_memo) > MEMO_SIZE:
            _memo.popitem(last=False)
    return value


def forget() -> None:
    """Drop the cached adjacency and remembered results (benchmarks time a cold build with it)."""
    with _lock:
        _cached.clear()
        _memo.clear()


def load(session: Session, as_of: date) -> Adjacency:
    """Read every relationship into a fresh adjacency."""
    refs: dict[tuple[str, str], NodeRef] = {}

    def ref(node_type: str, node_id: str) -> NodeRef:
        # One NodeRef per node, shared by all its edges: a borough has five edges for every person.
        found = refs.get((node_type, node_id))
        if found is None:
            found = refs[node_type, node_id] = NodeRef(node_type, node_id)
        return found

    watermark = links_watermark(session)  # before the rows: a write between the two is applied again later
    built = Adjacency((edge_of_row(row, ref) for row in read_columns(session, select(*EDGE_COLUMNS))), as_of)
    built.watermark = watermark
    return built


def edge_of_row(row, ref=NodeRef) -> Edge:
    """An Edge from a row of EDGE_COLUMNS (or a Relationship), building node refs with ``ref``."""
    if row.target_person_id:
        target = ref("person", row.target_person_id)
    elif row.target_place_id:
        target = ref("place", row.target_place_id)
    else:
        target = ref("group", row.target_group_id)
    grading = None
    if row.grading_source:
        grading = Grading(row.grading_source, row.grading_information, row.grading_handling)
    return Edge(
        id=row.id,
        source=ref("person", row.source_person_id),
        target=target,
        kind=sys.intern(row.kind),
        agency_id=sys.intern(row.agency_id),
        recorded_by=row.recorded_by_id and sys.intern(row.recorded_by_id),
        recorded_on=london_day(row.recorded_at),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        ended_on=row.ended_on,
        grading=grading,
    )
