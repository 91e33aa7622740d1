"""Ego maps: hops, the node cap, nearest and most recent first, and what was left out."""

from datetime import date

import pytest

from safeguarding.graph.build import build_graph
from safeguarding.graph.ego import EgoMap, ego_map
from safeguarding.graph.types import Edge, NodeInfo, NodeRef


def p(pid: str) -> NodeRef:
    return NodeRef("person", pid)


def edge(eid, source, target, kind="friend", last_seen=None) -> Edge:
    return Edge(
        eid, source, target, kind, "police", "u1", date(2024, 1, 1), first_seen=date(2023, 1, 1), last_seen=last_seen
    )


CENTRE = p("centre")
SCHOOL = NodeRef("place", "school")
# centre - n1, n2, n3, school (hop 1); n1 - m1, m2 and school - m3 (hop 2); m1 - far (hop 3)
EDGES = [
    edge("e-n1", CENTRE, p("n1"), last_seen=date(2024, 3, 1)),
    edge("e-n2", CENTRE, p("n2"), last_seen=date(2024, 5, 1)),
    edge("e-n3", CENTRE, p("n3"), last_seen=date(2024, 3, 1)),
    edge("e-school", CENTRE, SCHOOL, "attends", last_seen=date(2022, 1, 1)),
    edge("e-m1", p("n1"), p("m1")),
    edge("e-m2", p("n1"), p("m2")),
    edge("e-m3", p("m3"), SCHOOL, "attends"),
    edge("e-n1-n2", p("n1"), p("n2"), "associate"),
    edge("e-far", p("m1"), p("far")),
]
GRAPH = build_graph([NodeInfo(CENTRE)], EDGES)


def test_depth_one_holds_the_centre_its_neighbours_and_the_edges_among_them():
    ego = ego_map(GRAPH, CENTRE, depth=1)
    assert ego.nodes[0] == CENTRE
    assert set(ego.nodes) == {CENTRE, p("n1"), p("n2"), p("n3"), SCHOOL}
    assert ego.edges == ["e-n1", "e-n1-n2", "e-n2", "e-n3", "e-school"]
    assert ego.omitted == 0


def test_each_extra_hop_reaches_further():
    assert len(ego_map(GRAPH, CENTRE, depth=2).nodes) == 8
    three = ego_map(GRAPH, CENTRE, depth=3)
    assert p("far") in three.nodes
    assert "e-far" in three.edges


def test_neighbours_come_nearest_first_then_most_recent_then_by_id():
    ego = ego_map(GRAPH, CENTRE, depth=2)
    assert ego.nodes[:5] == [CENTRE, p("n2"), p("n1"), p("n3"), SCHOOL]
    assert ego.nodes[5:] == [p("m1"), p("m2"), p("m3")]


def test_the_cap_keeps_nearest_and_most_recent_and_says_how_many_it_left_out():
    ego = ego_map(GRAPH, CENTRE, depth=2, max_nodes=3)
    assert ego == EgoMap(nodes=[CENTRE, p("n2"), p("n1")], edges=["e-n1", "e-n1-n2", "e-n2"], omitted=5)


def test_a_person_with_no_relationships_has_a_map_of_one():
    assert ego_map(GRAPH, p("stranger"), depth=2) == EgoMap(nodes=[p("stranger")], edges=[], omitted=0)


@pytest.mark.parametrize("depth", [0, 4, -1, True])
def test_depth_outside_one_to_three_is_refused(depth):
    with pytest.raises(ValueError, match="depth must be between 1 and 3"):
        ego_map(GRAPH, CENTRE, depth=depth)


def test_a_cap_below_one_is_refused():
    with pytest.raises(ValueError, match="max_nodes"):
        ego_map(GRAPH, CENTRE, depth=1, max_nodes=0)


def test_the_same_graph_gives_the_same_map():
    again = build_graph([NodeInfo(CENTRE)], list(reversed(EDGES)))
    assert ego_map(GRAPH, CENTRE, depth=3, max_nodes=6) == ego_map(again, CENTRE, depth=3, max_nodes=6)
