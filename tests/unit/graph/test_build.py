"""Building the context graph: node and edge attributes, date window, kinds and as-of filtering."""

from datetime import date

import pytest

from safeguarding.graph.build import build_graph, edges_of, node_info
from safeguarding.graph.types import Edge, Grading, NodeInfo, NodeRef

A, B, C = NodeRef("person", "a"), NodeRef("person", "b"), NodeRef("person", "c")
PARK = NodeRef("place", "park")


def edge(eid, source, target, kind="friend", **extra) -> Edge:
    return Edge(
        eid,
        source,
        target,
        kind,
        extra.pop("agency", "police"),
        "u1",
        extra.pop("recorded_on", date(2024, 1, 1)),
        **extra,
    )


NODES = [
    NodeInfo(A, label="Ava", date_of_birth=date(2008, 1, 1), flags=frozenset({"looked_after"})),
    NodeInfo(B, label="Ben"),
    NodeInfo(C, label="Cal"),
    NodeInfo(PARK, label="Elm Park", place_kind="park"),
]
EDGES = [
    edge("old", A, B, first_seen=date(2020, 1, 1), last_seen=date(2020, 6, 1)),
    edge("open", A, C, first_seen=date(2023, 1, 1)),
    edge("ended", B, C, "associate", first_seen=date(2021, 1, 1), ended_on=date(2022, 1, 1)),
    edge("nofirst", A, PARK, "frequents", last_seen=date(2019, 5, 1)),
]


def edge_ids(graph) -> list[str]:
    return sorted(key for _, _, key in graph.edges(keys=True))


def test_nodes_carry_their_facts_and_edges_are_keyed_by_record_id_with_direction_kept():
    graph = build_graph(NODES, EDGES)
    assert graph.nodes[A]["label"] == "Ava"
    assert graph.nodes[A]["flags"] == {"looked_after"}
    assert graph.nodes[PARK]["place_kind"] == "park"
    assert node_info(graph, A).date_of_birth == date(2008, 1, 1)
    data = graph.edges[PARK, A, "nofirst"]
    assert (data["source"], data["target"], data["kind"], data["agency_id"]) == (A, PARK, "frequents", "police")
    assert [e.id for e in edges_of(graph, A)] == ["nofirst", "old", "open"]


def test_parallel_records_between_the_same_people_stay_separate_edges():
    graph = build_graph(NODES, [edge("e1", A, B), edge("e2", A, B, "sibling", grading=Grading("1", "A", "P"))])
    assert graph.number_of_edges(A, B) == 2
    assert graph.edges[A, B, "e2"]["grading"] == Grading("1", "A", "P")


def test_window_keeps_edges_whose_period_overlaps_it():
    recent = build_graph(NODES, EDGES, window=(date(2022, 6, 1), date(2023, 12, 31)))
    assert edge_ids(recent) == ["open"]
    early = build_graph(NODES, EDGES, window=(None, date(2020, 12, 31)))
    assert edge_ids(early) == ["nofirst", "old"]
    around_the_end = build_graph(NODES, EDGES, window=(date(2022, 1, 1), date(2022, 1, 1)))
    assert edge_ids(around_the_end) == ["ended"]
    assert len(recent) == 4, "every described node stays in the graph"


def test_kinds_filter_keeps_only_those_kinds_and_refuses_unknown_ones():
    assert edge_ids(build_graph(NODES, EDGES, kinds={"frequents", "associate"})) == ["ended", "nofirst"]
    with pytest.raises(ValueError, match="unknown relationship kinds: enemy"):
        build_graph(NODES, EDGES, kinds={"enemy"})


def test_as_of_drops_edges_ended_before_it_and_edges_not_yet_recorded():
    late = edge("late", A, B, recorded_on=date(2024, 6, 1))
    graph = build_graph(NODES, [*EDGES, late], as_of=date(2024, 3, 1))
    assert edge_ids(graph) == ["nofirst", "old", "open"]
    on_the_day = edge("ends", A, B, recorded_on=date(2021, 1, 1), ended_on=date(2022, 1, 1))
    assert edge_ids(build_graph(NODES, [on_the_day], as_of=date(2022, 1, 1))) == ["ends"]
    assert edge_ids(build_graph(NODES, [on_the_day], as_of=date(2022, 1, 2))) == []
    assert "late" in edge_ids(build_graph(NODES, [late], as_of=date(2024, 6, 1)))


def test_an_inverted_window_is_refused():
    with pytest.raises(ValueError, match="starts after it ends"):
        build_graph(NODES, EDGES, window=(date(2024, 1, 1), date(2023, 1, 1)))


def test_a_node_given_twice_is_refused_and_an_undescribed_endpoint_joins_without_facts():
    with pytest.raises(ValueError, match="given twice"):
        build_graph([NodeInfo(A), NodeInfo(A)], [])
    graph = build_graph([NodeInfo(A)], [edge("e1", A, B)])
    assert graph.nodes[B]["label"] is None
    assert graph.nodes[B]["flags"] == frozenset()


def test_the_graph_does_not_depend_on_input_order():
    forward = build_graph(NODES, EDGES)
    backward = build_graph(list(reversed(NODES)), list(reversed(EDGES)))
    assert list(forward.nodes) == list(backward.nodes)
    assert list(forward.edges(keys=True)) == list(backward.edges(keys=True))
