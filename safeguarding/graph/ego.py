"""Ego maps: the neighbourhood of one node, nearest and most recent first, under a node cap."""

from dataclasses import dataclass
from datetime import date

import networkx as nx

from safeguarding.graph.types import Edge, NodeRef

MAX_DEPTH = 3
DEFAULT_MAX_NODES = 300


@dataclass(frozen=True)
class EgoMap:
    """The nodes and edge ids of a map, and how many reachable nodes the cap left out."""

    nodes: list[NodeRef]
    edges: list[str]
    omitted: int


def ego_map(graph: nx.MultiGraph, centre: NodeRef, depth: int = 1, max_nodes: int = DEFAULT_MAX_NODES) -> EgoMap:
    """Nodes within ``depth`` hops of ``centre`` (1-3), capped at ``max_nodes`` including the centre."""
    check_limits(depth, max_nodes)
    if centre not in graph:
        # Someone with no recorded relationships still has a map: themselves.
        return EgoMap(nodes=[centre], edges=[], omitted=0)
    hops = nx.single_source_shortest_path_length(graph, centre, cutoff=depth)
    reachable = sorted(
        (ref for ref in hops if ref != centre),
        key=lambda ref: (hops[ref], -_recency(graph, ref, hops), ref.id, ref.type),
    )
    kept = [centre, *reachable[: max_nodes - 1]]
    kept_set = set(kept)
    edge_ids = sorted(key for _, _, key in graph.subgraph(kept_set).edges(keys=True))
    return EgoMap(nodes=kept, edges=edge_ids, omitted=len(reachable) - (len(kept) - 1))


def check_limits(depth: int, max_nodes: int) -> None:
    if not isinstance(depth, int) or isinstance(depth, bool) or not 1 <= depth <= MAX_DEPTH:
        raise ValueError(f"depth must be between 1 and {MAX_DEPTH}")
    if max_nodes < 1:
        raise ValueError("max_nodes must be at least 1")


def _recency(graph: nx.MultiGraph, ref: NodeRef, hops: dict[NodeRef, int]) -> int:
    """Latest date on the edges that reach ``ref`` from one hop nearer, as an ordinal (0 when undated)."""
    nearer = hops[ref] - 1
    latest = 0
    for _, other, data in graph.edges(ref, data=True):
        if hops.get(other) == nearer:
            latest = max(latest, edge_date(data["edge"]).toordinal())
    return latest


def edge_date(edge: Edge) -> date:
    # Last seen is the freshest sighting; first seen, then the recording date, stand in when it is missing.
    return edge.last_seen or edge.first_seen or edge.recorded_on
