"""Map layout: deterministic positions inside a fixed box."""

import networkx as nx

from safeguarding.graph.layout import BOX, MARGIN, layout
from safeguarding.graph.types import NodeRef


def ref(i: int) -> NodeRef:
    return NodeRef("person", f"p{i:02d}")


def graph(edges) -> nx.MultiGraph:
    g = nx.MultiGraph()
    g.add_edges_from((ref(u), ref(v)) for u, v in edges)
    return g


RING_AND_TAIL = [(i, (i + 1) % 8) for i in range(8)] + [(0, 8), (8, 9), (9, 10)]


def test_the_same_graph_gets_the_same_positions_whatever_the_insertion_order():
    assert layout(graph(RING_AND_TAIL)) == layout(graph(list(reversed(RING_AND_TAIL))))


def test_positions_fill_a_fixed_box():
    positions = layout(graph(RING_AND_TAIL))
    xs = [x for x, _ in positions.values()]
    ys = [y for _, y in positions.values()]
    assert all(MARGIN <= v <= BOX - MARGIN for v in xs + ys)
    assert max(max(xs) - min(xs), max(ys) - min(ys)) == BOX - 2 * MARGIN


def test_linked_nodes_sit_closer_than_unlinked_ones():
    positions = layout(graph([(0, 1), (2, 3)]))

    def distance(a, b):
        (ax, ay), (bx, by) = positions[ref(a)], positions[ref(b)]
        return ((ax - bx) ** 2 + (ay - by) ** 2) ** 0.5

    assert distance(0, 1) < distance(0, 2)
    assert distance(2, 3) < distance(1, 3)


def test_another_seed_gives_another_layout_and_tiny_graphs_are_handled():
    assert layout(graph(RING_AND_TAIL), seed=1) != layout(graph(RING_AND_TAIL), seed=2)
    assert layout(nx.MultiGraph()) == {}
    single = nx.MultiGraph()
    single.add_node(ref(0))
    assert layout(single) == {ref(0): (BOX / 2, BOX / 2)}
