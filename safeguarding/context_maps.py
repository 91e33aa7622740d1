"""Context maps: the world around a person or a place, from every agency's records, redacted per viewer.

Maps are answered from indexed adjacency queries (the neighbourhood out to the requested depth), built into a
networkx graph, capped, redacted by the access policy, and audited as a map view naming every visible person.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, lazyload

from models.context import Group, Place, Relationship
from models.person import Person
from safeguarding import policy
from safeguarding.access import load_person, record_read, require_person_access
from safeguarding.contexts import load_group, load_place
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.graph.build import build_graph
from safeguarding.graph.ego import DEFAULT_MAX_NODES, ego_map
from safeguarding.graph.kinds import ALL_KINDS, FAMILIES
from safeguarding.graph.layout import layout
from safeguarding.graph.redact import redact
from safeguarding.graph.types import Edge, Grading, NodeInfo, NodeRef
from safeguarding.validation import parse_date

# Neighbourhoods are gathered before the cap is applied; this bounds the gathering on very dense graphs.
GATHER_LIMIT = 20


@dataclass(frozen=True)
class MapFilter:
    depth: int = 1
    since: date | None = None
    until: date | None = None
    kinds: frozenset[str] | None = None
    max_nodes: int = DEFAULT_MAX_NODES


def parse_filter(depth=None, since=None, until=None, kinds=None, max_nodes: int = DEFAULT_MAX_NODES) -> MapFilter:
    """Validate map options: depth 1-3 (default 1), an optional date window, kinds or kind families."""
    if depth in (None, ""):
        depth = 1
    try:
        depth = int(depth)
    except (TypeError, ValueError):
        depth = 0
    if not 1 <= depth <= 3:
        raise ValidationFailed({"depth": "Depth must be 1, 2 or 3"})
    start = parse_date(since, field="since", label="the start of the window", required=False)
    end = parse_date(until, field="until", label="the end of the window", required=False)
    if start and end and end < start:
        raise ValidationFailed({"until": "The end of the window must be on or after its start"})
    return MapFilter(depth, start, end, _kinds(kinds), max_nodes)


def _kinds(value) -> frozenset[str] | None:
    if value in (None, "", []):
        return None
    names = value.split(",") if isinstance(value, str) else list(value)
    chosen = set()
    for name in (n.strip() for n in names if n.strip()):
        if name in FAMILIES:
            chosen |= set(FAMILIES[name])
        elif name in ALL_KINDS:
            chosen.add(name)
        else:
            raise ValidationFailed({"kinds": f"Unknown relationship kind or family {name!r}"})
    return frozenset(chosen)


def person_map(
    session: Session, actor, person_id: str, options: MapFilter, *, with_layout: bool = False, action: str = "map_view"
) -> dict:
    """The map around a person the viewer may see (full or limited view); `action` is "export" for downloads."""
    person = load_person(session, person_id)
    require_person_access(session, actor, person, need="visible", object_type="context_map")
    return _map(session, actor, NodeRef("person", person.id), options, with_layout, action)


def place_map(
    session: Session, actor, place_id: str, options: MapFilter, *, with_layout: bool = False, action: str = "map_view"
) -> dict:
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see context maps")
    place = load_place(session, place_id)
    return _map(session, actor, NodeRef("place", place.id), options, with_layout, action)


def group_map(
    session: Session, actor, group_id: str, options: MapFilter, *, with_layout: bool = False, action: str = "map_view"
) -> dict:
    """The map around a peer group: its members and what they are linked to."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see context maps")
    group = load_group(session, group_id)
    return _map(session, actor, NodeRef("group", group.id), options, with_layout, action)


def _map(
    session: Session, actor, centre: NodeRef, options: MapFilter, with_layout: bool, action: str = "map_view"
) -> dict:
    rows = neighbourhood(session, centre, options.depth, options.max_nodes * GATHER_LIMIT)
    graph = build_graph(
        _node_infos(session, rows, centre),
        [edge_of(r) for r in rows],
        window=(options.since, options.until),
        kinds=options.kinds,
        as_of=date.today(),
    )
    if centre not in graph:
        graph.add_node(centre, info=NodeInfo(centre))
    ego = ego_map(graph, centre, options.depth, options.max_nodes)
    visible, labels = _visibility(session, actor, ego.nodes)
    positions = layout(graph.subgraph(ego.nodes)) if with_layout else None
    data = redact(ego, graph, lambda ref: ref in visible, labels.get, positions=positions)
    people = sorted(ref.id for ref in visible if ref.type == "person")
    record_read(
        session,
        actor,
        action=action,
        object_type=centre.type,
        object_id=centre.id,
        person_ids=people,
        detail={"depth": options.depth, "nodes": len(ego.nodes), "omitted": ego.omitted},
    )
    return data


def neighbourhood(session: Session, centre: NodeRef, depth: int, limit: int) -> list[Relationship]:
    """Every relationship within `depth` hops of the centre (places and groups count as hops)."""
    frontier, seen, edges = {centre}, {centre}, {}
    for _ in range(depth):
        found = set()
        for row in _touching(session, frontier):
            edges[row.id] = row
            found |= {NodeRef("person", row.source_person_id), NodeRef(row.target_type, row.target_id)}
        frontier = found - seen
        seen |= frontier
        if not frontier or len(seen) > limit:
            break
    return list(edges.values())


def _touching(session: Session, nodes: Iterable[NodeRef]) -> list[Relationship]:
    by_type = {kind: [n.id for n in nodes if n.type == kind] for kind in ("person", "place", "group")}
    query = (
        select(Relationship)
        .options(lazyload(Relationship.agency))  # maps need only the agency id
        .where(
            or_(
                Relationship.source_person_id.in_(by_type["person"]),
                Relationship.target_person_id.in_(by_type["person"]),
                Relationship.target_place_id.in_(by_type["place"]),
                Relationship.target_group_id.in_(by_type["group"]),
            )
        )
    )
    return list(session.scalars(query))


def edge_of(row: Relationship) -> Edge:
    grading = row.grading
    return Edge(
        id=row.id,
        source=NodeRef("person", row.source_person_id),
        target=NodeRef(row.target_type, row.target_id),
        kind=row.kind,
        agency_id=row.agency_id,
        recorded_by=row.recorded_by_id,
        recorded_on=row.recorded_at.date(),
        first_seen=row.first_seen,
        last_seen=row.last_seen,
        ended_on=row.ended_on,
        grading=Grading(**grading) if grading else None,
    )


def _node_infos(session: Session, rows: list[Relationship], centre: NodeRef) -> list[NodeInfo]:
    refs = (
        {centre}
        | {NodeRef("person", r.source_person_id) for r in rows}
        | {NodeRef(r.target_type, r.target_id) for r in rows}
    )
    place_ids = [r.id for r in refs if r.type == "place"]
    kinds = dict(session.execute(select(Place.id, Place.kind).where(Place.id.in_(place_ids))).all())
    return [NodeInfo(ref, place_kind=kinds.get(ref.id)) for ref in refs]


def _visibility(session: Session, actor, refs: list[NodeRef]) -> tuple[set[NodeRef], dict[NodeRef, str | None]]:
    """People by the policy (full or limited view shows them); places and groups are not personal data."""
    person_ids = [r.id for r in refs if r.type == "person"]
    access = policy.people_access(session, actor, person_ids)
    visible = {r for r in refs if r.type != "person" or access[r.id].visible}
    labels: dict[NodeRef, str | None] = {}
    shown_people = [r.id for r in visible if r.type == "person"]
    for person in session.scalars(select(Person).where(Person.id.in_(shown_people))):
        labels[NodeRef("person", person.id)] = person.display_name
    for model, kind in ((Place, "place"), (Group, "group")):
        ids = [r.id for r in visible if r.type == kind]
        for record_id, name in session.execute(select(model.id, model.name).where(model.id.in_(ids))):
            labels[NodeRef(kind, record_id)] = name
    return visible, labels
