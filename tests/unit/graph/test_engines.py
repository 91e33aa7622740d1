"""The compiled engine gives networkx's own answers for the steps handed to it."""

import random

import networkx as nx
import pytest

from safeguarding.graph.engines import connector_scores, routes_graph
from safeguarding.graph.types import Edge, NodeRef
from tests.unit.graph.test_adjacency import TODAY, random_edges


@pytest.mark.parametrize("seed", range(5))
def test_connector_scores_equal_networkx_subset_betweenness(seed):
    graph = nx.MultiGraph()
    for edge in random_edges(seed, people=80, edges=220):
        graph.add_edge(edge.source, edge.target, key=edge.id, kind=edge.kind)
    simple = routes_graph(graph)
    people = sorted(n for n in simple if n.type == "person")
    sources = sorted(random.Random(seed).sample(people, 20))
    expected = nx.betweenness_centrality_subset(simple, sources, people, normalized=False)
    found = connector_scores(simple, sources, people)
    assert set(found) == set(expected)
    assert all(found[node] == pytest.approx(expected[node], abs=1e-9) for node in expected)


def test_routes_leave_out_protective_ties_but_keep_their_nodes():
    child, adult, place = NodeRef("person", "c"), NodeRef("person", "a"), NodeRef("place", "p")
    graph = nx.MultiGraph()
    for edge in (
        Edge("e1", child, adult, "trusted_adult", "police", "u1", TODAY),
        Edge("e2", child, place, "frequents", "police", "u1", TODAY),
    ):
        graph.add_edge(edge.source, edge.target, key=edge.id, kind=edge.kind)
    simple = routes_graph(graph)
    assert set(simple) == {child, adult, place} and list(simple.edges()) == [(child, place)]
