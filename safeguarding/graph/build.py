"""Build the context graph from relationships, filtered by date window, kinds and an as-of date."""

from collections.abc import Collection, Iterable
from dataclasses import fields
from datetime import date

import networkx as nx

from safeguarding.graph.kinds import ALL_KINDS
from safeguarding.graph.types import Edge, NodeInfo, NodeRef

Window = tuple[date | None, date | None]
EDGE_ATTRIBUTES = tuple(f.name for f in fields(Edge) if f.name != "id")


def build_graph(
    nodes: Iterable[NodeInfo],
    edges: Iterable[Edge],
    *,
    window: Window = (None, None),
    kinds: Collection[str] | None = None,
    as_of: date | None = None,
) -> nx.MultiGraph:
    """An undirected multigraph keyed by NodeRef, one edge (keyed by its id) per relationship that passes the filters.

    Node attributes are the NodeInfo fields plus ``info`` (the NodeInfo); edge attributes are the Edge
    fields (``source``/``target`` keep the recorded direction) plus ``edge`` (the Edge).
    """
    start, end = window
    if start is not None and end is not None and start > end:
        raise ValueError("the window starts after it ends")
    if kinds is not None:
        unknown = set(kinds) - ALL_KINDS
        if unknown:
            raise ValueError(f"unknown relationship kinds: {', '.join(sorted(unknown))}")
    graph = nx.MultiGraph()
    # Sorted insertion makes every traversal order, and so every seeded algorithm, independent of input order.
    for info in sorted(nodes, key=lambda n: n.ref):
        _add_node(graph, info)
    for edge in sorted(edges, key=lambda e: e.id):
        if not passes_filters(edge, start, end, kinds, as_of):
            continue
        for ref in (edge.source, edge.target):
            if ref not in graph:
                # An edge may point at a record the caller did not describe: it joins the graph without facts.
                _add_node(graph, NodeInfo(ref))
        attrs = {name: getattr(edge, name) for name in EDGE_ATTRIBUTES}
        graph.add_edge(edge.source, edge.target, key=edge.id, edge=edge, **attrs)
    return graph


def _add_node(graph: nx.MultiGraph, info: NodeInfo) -> None:
    if info.ref in graph:
        raise ValueError(f"node {info.ref} given twice")
    graph.add_node(
        info.ref,
        info=info,
        type=info.ref.type,
        label=info.label,
        date_of_birth=info.date_of_birth,
        flags=info.flags,
        place_kind=info.place_kind,
    )


def passes_filters(
    edge: Edge, start: date | None, end: date | None, kinds: Collection[str] | None, as_of: date | None
) -> bool:
    if kinds is not None and edge.kind not in kinds:
        return False
    # The graph as the records now tell that day: a tie first seen (or, without that date, recorded) later, or
    # already ended, was not there. An import records old ties today with the dates they were first seen.
    if as_of is not None and (edge.record_date > as_of or (edge.ended_on is not None and edge.ended_on < as_of)):
        return False
    return overlaps(edge, start, end)


def overlaps(edge: Edge, start: date | None, end: date | None) -> bool:
    """True when the edge's [first seen, last seen/ended/open] period meets the window; open ends meet anything."""
    # edge.end only when there is a start to compare it with: the whole-borough adjacency asks for every edge.
    if start is not None and (edge_end := edge.end) is not None and edge_end < start:
        return False
    return not (end is not None and edge.first_seen is not None and edge.first_seen > end)


def node_info(graph: nx.MultiGraph, ref: NodeRef) -> NodeInfo:
    """The NodeInfo a node was built from."""
    return graph.nodes[ref]["info"]


def edges_of(graph: nx.MultiGraph, ref: NodeRef) -> list[Edge]:
    """Every relationship touching a node, in edge id order."""
    return sorted((data["edge"] for _, _, data in graph.edges(ref, data=True)), key=lambda e: e.id)
