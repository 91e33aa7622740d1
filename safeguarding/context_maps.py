"""Context maps: the world around a person or a place, from every agency's records, redacted per viewer.

Maps are answered from the borough's adjacency, cached per process (``graph_cache``): the nearest and most recent
nodes up to the cap, built into a small networkx graph, redacted by the access policy, and audited as a map view
naming every visible person.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.context import Group, Place
from models.id_lists import among, read_columns
from models.person import Person, display_names
from safeguarding import graph_cache, policy
from safeguarding.access import load_person, record_read, require_person_access
from safeguarding.contexts import load_group, load_visible_place
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.graph.adjacency import Adjacency
from safeguarding.graph.build import build_graph, passes_filters
from safeguarding.graph.ego import DEFAULT_MAX_NODES
from safeguarding.graph.kinds import ALL_KINDS, FAMILIES
from safeguarding.graph.layout import layout
from safeguarding.graph.redact import redact
from safeguarding.graph.types import Edge, NodeInfo, NodeRef
from safeguarding.validation import parse_date


@dataclass(frozen=True)
class MapFilter:
    depth: int = 1
    since: date | None = None
    until: date | None = None
    kinds: frozenset[str] | None = None
    max_nodes: int = DEFAULT_MAX_NODES


def parse_filter(depth=None, since=None, until=None, kinds=None, max_nodes: int = DEFAULT_MAX_NODES) -> MapFilter:
    """Validate map options: depth 1-3 (default 1), an optional date window, kinds or kind families."""
    if depth is None:
        depth = 1
    # Exactly 1, 2 or 3 (SPEC section 10: "else 422"): no blank, padded or zero-led forms read as one of them.
    if isinstance(depth, bool) or str(depth) not in ("1", "2", "3"):
        raise ValidationFailed({"depth": "Depth must be 1, 2 or 3"})
    depth = int(depth)
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
    return _map(session, actor, NodeRef("person", person.id), options, with_layout, action, centre_person=person)


def place_map(
    session: Session, actor, place_id: str, options: MapFilter, *, with_layout: bool = False, action: str = "map_view"
) -> dict:
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see context maps")
    place = load_visible_place(session, actor, place_id)
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
    session: Session,
    actor,
    centre: NodeRef,
    options: MapFilter,
    with_layout: bool,
    action: str = "map_view",
    centre_person: Person | None = None,
) -> dict:
    """The redacted map around `centre`; a person at the centre must be visible to the actor (403, audited)."""
    borough = graph_cache.adjacency(session)
    ego = borough.ego(centre, options.depth, options.max_nodes, _edge_filter(options))
    edges = {edge_id: borough.edges[edge_id] for edge_id in ego.edges}
    # The centre is one of the map's nodes: one pass of the policy serves its check and everyone else's redaction.
    access = policy.people_access(session, actor, [r.id for r in ego.nodes if r.type == "person"], links=borough)
    if centre_person is not None:
        require_person_access(
            session, actor, centre_person, need="visible", object_type="context_map", access=access[centre_person.id]
        )
    visible, labels = _visibility(session, actor, ego.nodes, access, borough)
    positions = None
    if with_layout:
        positions = layout(build_graph([NodeInfo(ref) for ref in ego.nodes], edges.values()))
    data = redact(ego, edges, lambda ref: ref in visible, labels.get, positions=positions)
    people = sorted(ref.id for ref in visible if ref.type == "person")
    record_read(
        session,
        actor,
        action=action,
        object_type=centre.type,
        object_id=centre.id,
        person_ids=people,
        access=access[centre_person.id] if centre_person is not None else None,
        detail={"depth": options.depth, "nodes": len(ego.nodes), "omitted": ego.omitted},
        shown=[access[person_id] for person_id in people],
    )
    return data


def _edge_filter(options: MapFilter) -> Callable[[Edge], bool] | None:
    """The map's date window and kinds as a test on each edge; None when the map shows every current edge."""
    if options.since is None and options.until is None and options.kinds is None:
        return None
    return lambda edge: passes_filters(edge, options.since, options.until, options.kinds, None)


def _visibility(
    session: Session,
    actor,
    refs: list[NodeRef],
    access: dict[str, policy.PersonAccess] | None = None,
    links: Adjacency | None = None,
) -> tuple[set[NodeRef], dict[NodeRef, str | None]]:
    """People by the policy (full or limited view shows them); places and groups are not personal data, except a
    home address (policy.visible_addresses).

    `access`: the policy's answers for these people, when the caller has them already; `links`: the current
    adjacency, which then gives the ties that decide who may see an address."""
    if access is None:
        access = policy.people_access(session, actor, [r.id for r in refs if r.type == "person"])
    visible = {r for r in refs if r.type != "person" or access[r.id].visible}
    labels: dict[NodeRef, str | None] = {}
    shown_people = [r.id for r in visible if r.type == "person"]
    for person_id, name in display_names(session, shown_people).items():
        labels[NodeRef("person", person_id)] = name
    group_ids = [r.id for r in visible if r.type == "group"]
    for record_id, name in read_columns(session, select(Group.id, Group.name).where(among(Group.id, group_ids))):
        labels[NodeRef("group", record_id)] = name
    place_ids = [r.id for r in visible if r.type == "place"]
    addresses = set()
    for record_id, name, kind in read_columns(
        session, select(Place.id, Place.name, Place.kind).where(among(Place.id, place_ids))
    ):
        labels[NodeRef("place", record_id)] = name
        if kind == "address":
            addresses.add(record_id)
    # As its own page decides it: by everyone living there, not only the ties the map's filters, depth or cap let
    # it show (a home the viewer may see is never redacted, least of all a centre).
    for hidden in addresses - policy.visible_addresses(session, actor, addresses, links, access):
        visible.discard(NodeRef("place", hidden))
        del labels[NodeRef("place", hidden)]
    return visible, labels
