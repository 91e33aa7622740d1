"""Compiled graph engines for the slow whole-graph steps, behind networkx terms.

networkx stays the graph model; a step that measured much faster elsewhere (bench/graph_engines.py) converts the
networkx graph at the boundary and hands back networkx-shaped results, equal to networkx's own (tests compare).
"""

from collections.abc import Collection

import igraph as ig
import networkx as nx

from safeguarding.graph.kinds import PROTECTIVE_KINDS
from safeguarding.graph.types import NodeRef


def routes_graph(graph: nx.MultiGraph) -> nx.Graph:
    """One edge per pair of linked nodes, leaving out protective ties: a trusted adult is not a route of harm."""
    simple = nx.Graph()
    simple.add_nodes_from(sorted(graph))
    simple.add_edges_from(sorted((u, v) for u, v, d in graph.edges(data=True) if d["kind"] not in PROTECTIVE_KINDS))
    return simple


def connector_scores(
    simple: nx.Graph, sources: Collection[NodeRef], targets: Collection[NodeRef]
) -> dict[NodeRef, float]:
    """``nx.betweenness_centrality_subset(simple, sources, targets, normalized=False)``, computed by igraph."""
    nodes = list(simple)
    index = {node: number for number, node in enumerate(nodes)}
    converted = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in simple.edges()])
    scores = converted.betweenness(
        directed=False, sources=[index[s] for s in sources], targets=[index[t] for t in targets]
    )
    return dict(zip(nodes, scores, strict=True))
