"""Structural analyses of the context graph: shared contexts, peer groups, connectors and place hotspots.

Risk reasoning (exposure alerts, connection paths) lives in ``risk`` and location prompts in ``prompts``;
both are re-exported here so callers import every analysis from one place.
"""

import random
from collections import defaultdict
from collections.abc import Callable

import networkx as nx

from safeguarding.graph.engines import connector_scores, routes_graph
from safeguarding.graph.kinds import FAMILY, MEMBER_OF, PEER, PRESENCE_KINDS, RIVAL
from safeguarding.graph.prompts import Prompt, location_assessment_prompts
from safeguarding.graph.risk import Exposure, Path, Step, connection_paths, exposure_alerts
from safeguarding.graph.types import NodeRef

__all__ = [
    "Exposure",
    "Path",
    "Prompt",
    "Step",
    "connection_paths",
    "connectors",
    "exposure_alerts",
    "location_assessment_prompts",
    "peer_groups",
    "person_projection",
    "place_hotspots",
    "shared_contexts",
]

# Projection weights for peer-group detection. Peer ties are what a peer group is made of; family ties pull
# less; rivalry is opposition, and concern or protective ties are adults around a group (connectors shows
# them), so none of those three join people into one group.
PEER_TIE_WEIGHT = {**dict.fromkeys(PEER, 1.0), **dict.fromkeys(FAMILY, 0.5), RIVAL: 0.0}
SHARED_GROUP_WEIGHT = 1.0
# A place shared by k people adds 1/(k-1) per pair, so a busy place never outweighs a friendship;
# past this many people (a school roll, a station) a place says nothing about who is a peer of whom.
BROAD_PLACE = 50


def _people_at(graph: nx.MultiGraph, context: NodeRef, kinds: frozenset[str] | None = None) -> list[NodeRef]:
    people = {
        other
        for _, other, data in graph.edges(context, data=True)
        if other.type == "person" and (kinds is None or data["kind"] in kinds)
    }
    return sorted(people)


def shared_contexts(graph: nx.MultiGraph, person: NodeRef) -> list[tuple[NodeRef, list[NodeRef]]]:
    """Places and groups the person is linked to, each with the other people linked there (most shared first)."""
    if person not in graph:
        return []
    contexts = sorted({other for other in graph[person] if other.type in ("place", "group")})
    shared = [(context, [p for p in _people_at(graph, context) if p != person]) for context in contexts]
    return sorted(((c, people) for c, people in shared if people), key=lambda item: (-len(item[1]), item[0]))


def person_projection(graph: nx.MultiGraph) -> nx.Graph:
    """People only, weighted by direct ties, shared groups and shared places (weights above)."""
    weights: dict[tuple[NodeRef, NodeRef], float] = defaultdict(float)

    def add(a: NodeRef, b: NodeRef, weight: float) -> None:
        if a != b and weight > 0:
            weights[min(a, b), max(a, b)] += weight

    for u, v, data in graph.edges(data=True):
        if u.type == "person" and v.type == "person":
            add(u, v, PEER_TIE_WEIGHT.get(data["kind"], 0.0))
    for context in sorted(n for n in graph if n.type in ("place", "group")):
        if context.type == "group":
            people, weight = _people_at(graph, context, frozenset({MEMBER_OF})), SHARED_GROUP_WEIGHT
        else:
            people = _people_at(graph, context, PRESENCE_KINDS)
            if len(people) > BROAD_PLACE:
                continue
            weight = 1.0 / max(len(people) - 1, 1)
        for i, a in enumerate(people):
            for b in people[i + 1 :]:
                add(a, b, weight)
    projection = nx.Graph()
    projection.add_nodes_from(sorted(n for n in graph if n.type == "person"))
    projection.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(weights.items()))
    return projection


def peer_groups(graph: nx.MultiGraph, *, seed: int = 42, min_size: int = 3) -> list[frozenset[NodeRef]]:
    """Communities of people (Louvain, seeded) of at least ``min_size``, largest first, to propose assessments."""
    projection = person_projection(graph)
    projection.remove_nodes_from([n for n in list(projection) if projection.degree(n) == 0])
    if projection.number_of_edges() == 0:
        return []
    communities = nx.community.louvain_communities(projection, weight="weight", seed=seed)
    groups = [frozenset(c) for c in communities if len(c) >= min_size]
    return sorted(groups, key=lambda g: (-len(g), sorted(g)))


def connectors(
    graph: nx.MultiGraph, top: int = 10, sample_above: int = 2000, seed: int = 42, samples: int = 200
) -> list[tuple[NodeRef, float]]:
    """People with the highest betweenness on shortest paths between people; sources are sampled on big graphs.

    Places and groups count as hops, protective ties do not: a trusted adult is not a route of harm.
    Scores are normalised to 0-1 over pairs of people; people on no such path are left out.
    """
    simple = routes_graph(graph)
    people = sorted(n for n in simple if n.type == "person")
    if len(people) < 3:
        return []
    sources = people
    if len(people) > sample_above:
        sources = sorted(random.Random(seed).sample(people, min(samples, len(people))))
    # igraph computes exactly networkx's subset betweenness, two orders of magnitude faster (bench/graph_engines.py).
    raw = connector_scores(simple, sources, people)
    # Unnormalised subset scores count each unordered pair once; scale up for sampling, then to 0-1.
    scale = (len(people) / len(sources)) / ((len(people) - 1) * (len(people) - 2) / 2)
    # Rounded so that ties stay ties whichever engine summed the paths (floating-point order differs).
    scored = [(p, round(raw[p] * scale, 12)) for p in people if raw[p] > 0]
    return sorted(scored, key=lambda item: (-item[1], item[0]))[:top]


def place_hotspots(
    graph: nx.MultiGraph, at_risk: Callable[[NodeRef], bool], top: int = 20
) -> list[tuple[NodeRef, int]]:
    """Places ranked by how many distinct at-risk people are linked to them (guardians do not count)."""
    counts = []
    for place in sorted(n for n in graph if n.type == "place"):
        count = sum(1 for person in _people_at(graph, place, PRESENCE_KINDS) if at_risk(person))
        if count:
            counts.append((place, count))
    return sorted(counts, key=lambda item: (-item[1], item[0]))[:top]
