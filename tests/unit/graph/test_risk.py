"""Exposure alerts and connection paths, keeping uncorroborated suspicion apart from corroborated facts."""

from datetime import date

from safeguarding.graph.build import build_graph
from safeguarding.graph.risk import (
    Exposure,
    connection_paths,
    exposure_alerts,
    exposure_steps,
    exposures_of,
    rival_groups,
)
from safeguarding.graph.types import Edge, Grading, NodeInfo, NodeRef


def p(pid: str) -> NodeRef:
    return NodeRef("person", pid)


PARK = NodeRef("place", "park")
NORTH, SOUTH, CHESS = NodeRef("group", "north"), NodeRef("group", "south"), NodeRef("group", "chess")
ADULT = p("adult")
CHILDREN = {p("child"), p("far-child"), p("worker-child"), p("both"), p("north-only"), p("north-chess")}


SEEN = date(2023, 5, 1)


def edge(eid, source, target, kind, grading=None, agency="police", last_seen=None, first_seen=SEEN) -> Edge:
    return Edge(
        eid,
        source,
        target,
        kind,
        agency,
        "user-7",
        date(2024, 1, 1),
        first_seen=first_seen,
        last_seen=last_seen,
        grading=grading,
    )


def exposure_graph():
    nodes = [NodeInfo(ADULT, flags=frozenset({"adult_of_concern"}))]
    edges = [
        edge("e1", p("child"), PARK, "frequents"),
        edge("e2", ADULT, PARK, "seen_at"),
        edge("e3", p("far-child"), p("child"), "friend"),
        edge("e4", p("grown-up"), PARK, "frequents"),
        edge("e5", p("worker-child"), p("youth-worker"), "trusted_adult"),
        edge("e6", p("youth-worker"), ADULT, "associate"),
    ]
    return build_graph(nodes, edges)


def test_a_child_two_hops_from_an_adult_of_concern_via_a_place_is_alerted():
    alerts = exposure_alerts(exposure_graph(), CHILDREN.__contains__)
    assert alerts == [
        Exposure(person=p("child"), reason="adult_of_concern_within_two_hops", via=[PARK, ADULT], since=SEEN)
    ]


def test_three_hops_adults_and_protective_ties_raise_no_exposure():
    flagged = {a.person for a in exposure_alerts(exposure_graph(), CHILDREN.__contains__)}
    assert p("far-child") not in flagged, "three hops away"
    assert p("grown-up") not in flagged, "not a child"
    assert p("worker-child") not in flagged, "a trusted adult is not a route of harm"


def test_a_direct_tie_to_an_adult_of_concern_is_alerted_with_the_adult_as_via():
    graph = build_graph(
        [NodeInfo(ADULT, flags=frozenset({"adult_of_concern"}))], [edge("e1", ADULT, p("child"), "adult_contact")]
    )
    assert exposure_alerts(graph, CHILDREN.__contains__) == [
        Exposure(person=p("child"), reason="adult_of_concern_within_two_hops", via=[ADULT], since=SEEN)
    ]


def test_an_exposure_is_dated_by_the_route_that_held_earliest_not_the_first_found():
    graph = build_graph(
        [NodeInfo(ADULT, flags=frozenset({"adult_of_concern"}))],
        [
            edge("d1", p("child"), ADULT, "friend", first_seen=date(2025, 6, 1)),
            edge("p1", p("child"), PARK, "frequents", first_seen=date(2025, 1, 1)),
            edge("p2", ADULT, PARK, "seen_at", first_seen=date(2025, 1, 2)),
        ],
    )
    assert exposure_alerts(graph, CHILDREN.__contains__) == [
        Exposure(p("child"), "adult_of_concern_within_two_hops", via=[PARK, ADULT], since=date(2025, 1, 2))
    ]


def rival_graph():
    edges = [
        edge("m1", p("n-adult"), NORTH, "member_of"),
        edge("m2", p("s-adult"), SOUTH, "member_of"),
        edge("r1", p("n-adult"), p("s-adult"), "rival"),
        edge("m3", p("both"), NORTH, "member_of"),
        edge("m4", p("both"), SOUTH, "member_of"),
        edge("m5", p("north-only"), NORTH, "member_of"),
        edge("m6", p("north-chess"), NORTH, "member_of"),
        edge("m7", p("north-chess"), CHESS, "member_of"),
    ]
    return build_graph([], edges)


def test_groups_are_rivals_when_their_members_have_a_rival_tie():
    assert rival_groups(rival_graph()) == {frozenset({NORTH, SOUTH}): SEEN}


def test_a_young_member_of_two_rival_groups_is_alerted_and_members_of_one_or_unrelated_groups_are_not():
    alerts = exposure_alerts(rival_graph(), CHILDREN.__contains__)
    assert alerts == [Exposure(person=p("both"), reason="linked_to_rival_groups", via=[NORTH, SOUTH], since=SEEN)]


def test_membership_of_rival_groups_is_dated_when_the_rivalry_began_if_that_came_after_joining():
    edges = [
        edge("m1", p("n-adult"), NORTH, "member_of", first_seen=date(2025, 1, 1)),
        edge("m2", p("s-adult"), SOUTH, "member_of", first_seen=date(2025, 1, 1)),
        edge("r1", p("n-adult"), p("s-adult"), "rival", first_seen=date(2025, 3, 1)),
        edge("r2", p("n-adult"), p("s-adult"), "rival", first_seen=date(2025, 4, 1)),
        edge("m3", p("both"), NORTH, "member_of", first_seen=date(2025, 1, 1)),
        edge("m4", p("both"), SOUTH, "member_of", first_seen=date(2025, 2, 1)),
    ]
    graph = build_graph([], edges)
    assert rival_groups(graph) == {frozenset({NORTH, SOUTH}): date(2025, 3, 1)}
    assert [a.since for a in exposure_alerts(graph, CHILDREN.__contains__)] == [date(2025, 3, 1)]


def test_one_persons_exposures_are_those_the_alert_rules_find_for_them_whatever_their_age():
    graph = exposure_graph()
    assert exposures_of(graph, p("child")) == [a for a in exposure_alerts(graph, CHILDREN.__contains__)]
    assert exposures_of(graph, p("grown-up")) == [
        Exposure(p("grown-up"), "adult_of_concern_within_two_hops", via=[PARK, ADULT], since=SEEN)
    ]
    assert exposures_of(graph, p("far-child")) == [] and exposures_of(graph, p("worker-child")) == []
    assert exposures_of(graph, p("nobody-recorded")) == []


def test_one_persons_rival_groups_are_found_from_their_own_groups():
    graph = rival_graph()
    assert exposures_of(graph, p("both")) == [Exposure(p("both"), "linked_to_rival_groups", [NORTH, SOUTH], SEEN)]
    assert exposures_of(graph, p("north-chess")) == [] and exposures_of(graph, p("n-adult")) == []
    assert rival_groups(graph, among={NORTH, CHESS}) == {}


def test_an_exposures_steps_are_the_records_along_its_route_corroborated_first():
    graph = build_graph(
        [NodeInfo(ADULT, flags=frozenset({"adult_of_concern"}))],
        [
            edge("guess", p("child"), PARK, "seen_at", grading=Grading("3", "D", "P")),
            edge("fact", p("child"), PARK, "frequents", grading=Grading("1", "A", "P")),
            edge("e2", ADULT, PARK, "seen_at"),
        ],
    )
    (exposure,) = exposures_of(graph, p("child"))
    steps = exposure_steps(graph, exposure)
    assert [(s.edge_id, s.source, s.target) for s in steps] == [("fact", p("child"), PARK), ("e2", PARK, ADULT)]


CORROBORATED = Grading("1", "A", "P")
SUSPECTED = Grading("3", "C", "P")


def test_a_path_with_one_uncorroborated_step_is_marked_uncorroborated_step_by_step():
    graph = build_graph(
        [],
        [
            edge("f1", p("a"), p("b"), "friend", CORROBORATED),
            edge("x1", p("b"), p("c"), "associate", SUSPECTED, agency="youth"),
        ],
    )
    [path] = connection_paths(graph, p("a"), p("c"))
    assert path.corroborated is False
    assert [(s.source, s.target, s.kind, s.corroborated) for s in path.steps] == [
        (p("a"), p("b"), "friend", True),
        (p("b"), p("c"), "associate", False),
    ]
    second = path.steps[1]
    assert (second.edge_id, second.agency, second.recorded_by, second.first_seen, second.grading) == (
        "x1",
        "youth",
        "user-7",
        date(2023, 5, 1),
        SUSPECTED,
    )


def test_parallel_records_are_never_merged_and_distinct_routes_come_first():
    edges = [
        edge("f1", p("a"), p("b"), "friend", CORROBORATED),
        edge("s1", p("b"), p("a"), "exploitation_suspected", SUSPECTED, last_seen=date(2024, 6, 1)),
        edge("f2", p("b"), p("c"), "friend"),
        edge("g1", p("a"), NORTH, "member_of"),
        edge("g2", p("d"), NORTH, "member_of"),
        edge("f3", p("d"), p("c"), "friend"),
    ]
    paths = connection_paths(build_graph([], edges), p("a"), p("c"))
    assert [[s.edge_id for s in path.steps] for path in paths] == [["f1", "f2"], ["g1", "g2", "f3"], ["s1", "f2"]]
    assert [path.corroborated for path in paths] == [True, True, False]
    assert paths[2].steps[0].source == p("a"), "steps run along the path, whatever direction was recorded"
    assert len(connection_paths(build_graph([], edges), p("a"), p("c"), max_paths=1)) == 1


def test_paths_respect_the_cutoff_and_skip_protective_ties_unless_asked():
    edges = [
        edge("t1", p("a"), p("worker"), "trusted_adult"),
        edge("t2", p("c"), p("worker"), "trusted_adult"),
        *[edge(f"c{i}", p(f"n{i}"), p(f"n{i + 1}"), "friend") for i in range(5)],
        edge("c9", p("a"), p("n0"), "friend"),
        edge("c8", p("n5"), p("c"), "friend"),
    ]
    graph = build_graph([], edges)
    assert connection_paths(graph, p("a"), p("c")) == []
    assert len(connection_paths(graph, p("a"), p("c"), cutoff=7)) == 1
    [protective] = connection_paths(graph, p("a"), p("c"), include_protective=True)
    assert [s.kind for s in protective.steps] == ["trusted_adult", "trusted_adult"]


def test_unconnected_or_unknown_people_have_no_paths():
    graph = build_graph([NodeInfo(p("alone"))], [edge("f1", p("a"), p("b"), "friend")])
    assert connection_paths(graph, p("a"), p("alone")) == []
    assert connection_paths(graph, p("a"), p("ghost")) == []
    assert connection_paths(graph, p("a"), p("a")) == []
