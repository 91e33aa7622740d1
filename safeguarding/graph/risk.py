"""Risk reasoning over the context graph: exposure alerts and how two people are connected.

Protective ties (``trusted_adult``, ``guardian_at``) stay on maps as strengths but are not routes of harm:
exposure and, by default, connection paths do not travel along them.
"""

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

import networkx as nx

from safeguarding.graph.kinds import MEMBER_OF, PROTECTIVE_KINDS, RIVAL
from safeguarding.graph.types import Edge, Grading, NodeRef

ADULT_OF_CONCERN = "adult_of_concern"
NEAR_ADULT = "adult_of_concern_within_two_hops"
RIVAL_GROUPS = "linked_to_rival_groups"


@dataclass(frozen=True)
class Exposure:
    """A young person exposed to risk; ``via`` runs from the next node to the adult, or names the two groups.

    ``since`` is the day the exposure first held, by the records' dates (first seen, else recorded): the route
    whose links all existed earliest, or the day the last of the two memberships and the rivalry began.
    """

    person: NodeRef
    reason: str
    via: list[NodeRef]
    since: date


@dataclass(frozen=True)
class Step:
    """One relationship on a path, oriented along the path, with its provenance."""

    edge_id: str
    source: NodeRef
    target: NodeRef
    kind: str
    agency: str
    recorded_by: str
    first_seen: date | None
    grading: Grading | None
    corroborated: bool


@dataclass(frozen=True)
class Path:
    """A chain of relationships; corroborated only when every step is."""

    steps: list[Step]
    corroborated: bool


def _risk_view(graph: nx.MultiGraph) -> nx.MultiGraph:
    return nx.subgraph_view(graph, filter_edge=lambda u, v, k: graph.edges[u, v, k]["kind"] not in PROTECTIVE_KINDS)


def exposure_alerts(graph: nx.MultiGraph, is_child: Callable[[NodeRef], bool]) -> list[Exposure]:
    """Young people within two hops of an adult of concern, or members of two rival groups."""
    view = _risk_view(graph)
    children = {n for n in graph if n.type == "person" and is_child(n)}
    alerts = [*_near_adults(graph, view, children), *_rival_members(view, children)]
    return sorted(alerts, key=lambda a: (a.person, a.reason, a.via))


def _near_adults(graph: nx.MultiGraph, view: nx.MultiGraph, children: set[NodeRef]) -> Iterator[Exposure]:
    adults = sorted(n for n in graph if n.type == "person" and ADULT_OF_CONCERN in graph.nodes[n]["flags"])
    for adult in adults:
        routes = _earliest_routes(view, adult)
        for child in sorted(routes):
            if child in children and child != adult:
                since, via = routes[child]
                yield Exposure(person=child, reason=NEAR_ADULT, via=via, since=since)


def _earliest_routes(view: nx.MultiGraph, adult: NodeRef) -> dict[NodeRef, tuple[date, list[NodeRef]]]:
    """Every node within two hops of the adult (places and groups count as hops, as in the context-neighbour
    rule of SPEC section 4), with the earliest day a route held and that route (a direct tie first on a tie)."""
    routes: dict[NodeRef, tuple[date, list[NodeRef]]] = {}
    hops = [(middle, _link_date(view, adult, middle)) for middle in sorted(view[adult])]
    for middle, since in hops:
        routes[middle] = (since, [adult])
    for middle, since in hops:
        for far in sorted(view[middle]):
            held = max(since, _link_date(view, middle, far))
            if far not in routes or held < routes[far][0]:
                routes[far] = (held, [middle, adult])
    return routes


def _link_date(graph: nx.MultiGraph, a: NodeRef, b: NodeRef, kind: str | None = None) -> date:
    """The day the earliest record of a tie between a and b (of that kind, if given) speaks of."""
    return min(
        data["edge"].record_date for data in graph.get_edge_data(a, b).values() if kind is None or data["kind"] == kind
    )


def exposures_of(graph: nx.MultiGraph, person: NodeRef) -> list[Exposure]:
    """One person's exposures as the alert rules see them today, child or not: each adult of concern within two
    hops (by the route that held earliest) and each pair of rival groups they belong to."""
    if person not in graph:
        return []
    view = _risk_view(graph)
    near = {far for middle in view[person] for far in (middle, *view[middle])} - {person}
    adults = sorted(n for n in near if n.type == "person" and ADULT_OF_CONCERN in graph.nodes[n]["flags"])
    found = []
    for adult in adults:
        since, via = _earliest_routes(view, adult)[person]
        found.append(Exposure(person=person, reason=NEAR_ADULT, via=via, since=since))
    groups = {g for _, g, d in view.edges(person, data=True) if d["kind"] == MEMBER_OF}
    found.extend(_rival_members(view, {person}, rival_groups(view, among=groups)))
    return found


def exposure_steps(graph: nx.MultiGraph, exposure: Exposure) -> list[Step]:
    """The records along a near-adult exposure's route, the best corroborated of each hop first."""
    return next(_combinations(_risk_view(graph), [exposure.person, *exposure.via]))


def rival_groups(graph: nx.MultiGraph, among: set[NodeRef] | None = None) -> dict[frozenset[NodeRef], date]:
    """Pairs of groups with a ``rival`` tie between their members, each with the day that first held (the tie and
    both memberships recorded); ``among``: only pairs of these groups.

    Relationships start at a person and ``rival`` points at a person (SPEC section 2), so rivalry between
    groups is only ever recorded between their members.
    """
    groups = sorted(n for n in graph if n.type == "group") if among is None else sorted(among)
    groups_of: dict[NodeRef, set[NodeRef]] = {}
    for group in groups:
        for person in graph[group]:
            if any(d["kind"] == MEMBER_OF for d in graph.get_edge_data(person, group).values()):
                groups_of.setdefault(person, set()).add(group)
    pairs: dict[frozenset[NodeRef], date] = {}
    for u in groups_of:
        for v, data in ((v, d) for v, ties in graph[u].items() for d in ties.values()):
            if data["kind"] == RIVAL and v in groups_of:
                for a, b in itertools.product(groups_of[u], groups_of[v]):
                    if a != b:
                        held = max(
                            data["edge"].record_date,
                            _link_date(graph, u, a, MEMBER_OF),
                            _link_date(graph, v, b, MEMBER_OF),
                        )
                        pair = frozenset((a, b))
                        pairs[pair] = min(held, pairs.get(pair, held))
    return pairs


def _rival_members(
    view: nx.MultiGraph, children: set[NodeRef], pairs: dict[frozenset[NodeRef], date] | None = None
) -> Iterator[Exposure]:
    pairs = rival_groups(view) if pairs is None else pairs
    for child in sorted(children):
        groups = sorted({g for _, g, d in view.edges(child, data=True) if d["kind"] == MEMBER_OF})
        for a, b in itertools.combinations(groups, 2):
            if (rivalry := pairs.get(frozenset((a, b)))) is not None:
                joined = max(_link_date(view, child, a, MEMBER_OF), _link_date(view, child, b, MEMBER_OF))
                yield Exposure(person=child, reason=RIVAL_GROUPS, via=[a, b], since=max(joined, rivalry))


def connection_paths(
    graph: nx.MultiGraph,
    a: NodeRef,
    b: NodeRef,
    max_paths: int = 5,
    cutoff: int = 4,
    *,
    include_protective: bool = False,
) -> list[Path]:
    """Up to ``max_paths`` paths of at most ``cutoff`` steps, shortest first, each step with its provenance.

    Parallel records between the same two nodes are never merged: distinct routes come first (each with its
    best-corroborated records), then the other combinations of records on those routes.
    """
    view = graph if include_protective else _risk_view(graph)
    if a == b or a not in view or b not in view or max_paths < 1:
        return []
    simple = nx.Graph()
    simple.add_nodes_from(sorted(view))
    simple.add_edges_from(sorted((u, v) for u, v in view.edges()))
    routes = []
    try:
        for route in nx.shortest_simple_paths(simple, a, b):
            if len(route) - 1 > cutoff or len(routes) == max_paths:
                break
            routes.append(route)
    except nx.NetworkXNoPath:
        return []
    combos = [_combinations(view, route) for route in routes]
    paths: list[Path] = []
    while combos and len(paths) < max_paths:
        # Round-robin across routes so one route with many parallel records cannot crowd out the others.
        for combo in list(combos):
            chosen = next(combo, None)
            if chosen is None:
                combos.remove(combo)
            elif len(paths) < max_paths:
                paths.append(Path(steps=chosen, corroborated=all(step.corroborated for step in chosen)))
    return paths


def _combinations(view: nx.MultiGraph, route: list[NodeRef]) -> Iterator[list[Step]]:
    hops = []
    for here, there in itertools.pairwise(route):
        records = sorted(
            (data["edge"] for data in view.get_edge_data(here, there).values()),
            key=lambda e: (not e.corroborated, -(e.last_seen or e.first_seen or e.recorded_on).toordinal(), e.id),
        )
        hops.append([_step(edge, here, there) for edge in records])
    return (list(steps) for steps in itertools.product(*hops))


def _step(edge: Edge, here: NodeRef, there: NodeRef) -> Step:
    return Step(
        edge_id=edge.id,
        source=here,
        target=there,
        kind=edge.kind,
        agency=edge.agency_id,
        recorded_by=edge.recorded_by,
        first_seen=edge.first_seen,
        grading=edge.grading,
        corroborated=edge.corroborated,
    )
