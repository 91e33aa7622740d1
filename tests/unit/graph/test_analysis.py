"""Structural analyses: shared contexts, peer groups, connectors and place hotspots."""

import itertools
from datetime import date

from safeguarding.graph.analysis import connectors, peer_groups, person_projection, place_hotspots, shared_contexts
from safeguarding.graph.build import build_graph
from safeguarding.graph.types import Edge, NodeInfo, NodeRef


def p(pid: str) -> NodeRef:
    return NodeRef("person", pid)


def place(pid: str) -> NodeRef:
    return NodeRef("place", pid)


def group(pid: str) -> NodeRef:
    return NodeRef("group", pid)


COUNTER = itertools.count()


def edge(source, target, kind="friend") -> Edge:
    return Edge(f"e{next(COUNTER):03d}", source, target, kind, "police", "u1", date(2024, 1, 1))


NORTH = [p(f"a{i}") for i in range(1, 5)]
SOUTH = [p(f"b{i}") for i in range(1, 5)]
BRIDGE = p("x-adult")


def two_groups_and_a_bridge(extra=()) -> list[Edge]:
    """Two cliques of friends, and one adult linked to two people on each side."""
    edges = [edge(u, v) for side in (NORTH, SOUTH) for u, v in itertools.combinations(side, 2)]
    edges += [edge(BRIDGE, member, "associate") for member in (NORTH[0], NORTH[1], SOUTH[0], SOUTH[1])]
    return [*edges, *extra]


def test_two_clear_communities_joined_by_a_bridge_give_two_peer_groups():
    groups = peer_groups(build_graph([], two_groups_and_a_bridge()))
    assert len(groups) == 2
    assert any(set(NORTH) <= g for g in groups) and any(set(SOUTH) <= g for g in groups)
    assert all(not (g & set(NORTH) and g & set(SOUTH)) for g in groups)
    assert sorted(len(g) for g in groups) == [4, 5]


def test_the_bridge_is_the_top_connector():
    ranked = connectors(build_graph([], two_groups_and_a_bridge()))
    assert ranked[0][0] == BRIDGE
    assert ranked[0][1] > 2 * ranked[1][1]
    assert 0 < ranked[0][1] <= 1


def test_a_trusted_adult_is_not_ranked_as_a_connector():
    worker = p("youth-worker")
    extra = [edge(member, worker, "trusted_adult") for member in (NORTH[3], SOUTH[3])]
    ranked = dict(connectors(build_graph([], two_groups_and_a_bridge(extra))))
    assert worker not in ranked


def test_connectors_sample_sources_on_large_graphs_and_still_find_the_bridge():
    ranked = connectors(build_graph([], two_groups_and_a_bridge()), sample_above=5, samples=6, seed=1)
    assert ranked[0][0] == BRIDGE
    assert ranked == connectors(build_graph([], two_groups_and_a_bridge()), sample_above=5, samples=6, seed=1)


def test_small_groups_are_not_proposed_and_rivalry_does_not_join_people():
    pair = [edge(p("c1"), p("c2")), edge(p("c1"), p("d1"), "rival")]
    assert peer_groups(build_graph([], pair)) == []
    projection = person_projection(build_graph([], pair))
    assert not projection.has_edge(p("c1"), p("d1"))


def test_projection_weights_shared_groups_and_places_by_how_crowded_they_are():
    park = place("park")
    edges = [edge(p("c1"), group("crew"), "member_of"), edge(p("c2"), group("crew"), "member_of")]
    edges += [edge(person, park, "frequents") for person in (p("c1"), p("c2"), p("c3"))]
    edges += [edge(p("c1"), p("c3"), "sibling"), edge(p("guard"), park, "guardian_at")]
    projection = person_projection(build_graph([], edges))
    assert projection[p("c1")][p("c2")]["weight"] == 1.0 + 0.5
    assert projection[p("c1")][p("c3")]["weight"] == 0.5 + 0.5
    assert not projection.has_edge(p("c1"), p("guard"))


def test_shared_contexts_list_other_people_at_each_place_and_group_most_shared_first():
    me = p("me")
    edges = [
        edge(me, place("park"), "frequents"),
        edge(p("o1"), place("park"), "seen_at"),
        edge(me, group("crew"), "member_of"),
        edge(p("o1"), group("crew"), "member_of"),
        edge(p("o2"), group("crew"), "member_of"),
        edge(me, place("home"), "lives_at"),
        edge(me, p("o3")),
    ]
    assert shared_contexts(build_graph([], edges), me) == [
        (group("crew"), [p("o1"), p("o2")]),
        (place("park"), [p("o1")]),
    ]
    assert shared_contexts(build_graph([], edges), p("nobody")) == []


def test_hotspots_rank_places_by_distinct_young_people_at_risk():
    at_risk = {p(f"r{i}") for i in range(1, 5)}
    edges = [
        *[edge(p(f"r{i}"), place("station"), "seen_at") for i in (1, 2, 3)],
        edge(p("r1"), place("station"), "found_at"),
        edge(p("r1"), place("shop"), "frequents"),
        edge(p("r4"), place("shop"), "frequents"),
        edge(p("r2"), place("library"), "frequents"),
        edge(p("safe"), place("library"), "frequents"),
        edge(p("r3"), place("library"), "guardian_at"),
        edge(p("safe"), place("gym"), "attends"),
    ]
    graph = build_graph([], edges)
    assert place_hotspots(graph, at_risk.__contains__) == [
        (place("station"), 3),
        (place("shop"), 2),
        (place("library"), 1),
    ]
    assert place_hotspots(graph, at_risk.__contains__, top=1) == [(place("station"), 3)]


def test_analyses_give_the_same_answer_every_time():
    graph = build_graph([NodeInfo(BRIDGE)], two_groups_and_a_bridge())
    again = build_graph([NodeInfo(BRIDGE)], list(reversed(two_groups_and_a_bridge())))
    assert peer_groups(graph) == peer_groups(again)
    assert connectors(graph) == connectors(again)
