"""Plain inputs of the context graph: references, ages, gradings, edges and the relationship kinds."""

from datetime import date

import pytest

from safeguarding.graph import kinds
from safeguarding.graph.types import Edge, Grading, NodeInfo, NodeRef, age_on


def person(pid: str) -> NodeRef:
    return NodeRef("person", pid)


def test_relationship_kinds_are_exactly_the_spec_families():
    assert kinds.FAMILIES == {
        "family": ("parent", "carer", "sibling", "relative", "household_member"),
        "peer": ("friend", "associate", "partner", "rival"),
        "concern": ("exploitation_suspected", "adult_contact"),
        "place": ("lives_at", "frequents", "attends", "seen_at", "found_at"),
        "group": ("member_of",),
        "protective": ("trusted_adult", "guardian_at"),
    }
    assert len(kinds.ALL_KINDS) == 19
    assert kinds.KIND_FAMILY["guardian_at"] == "protective"
    assert kinds.kinds_in("peer", "group") == {"friend", "associate", "partner", "rival", "member_of"}


def test_unknown_family_is_refused():
    with pytest.raises(ValueError, match="unknown relationship families: gang"):
        kinds.kinds_in("gang")


def test_node_ref_prints_as_the_api_prefix_and_refuses_unknown_types():
    assert str(NodeRef("place", "abc")) == "place:abc"
    with pytest.raises(ValueError):
        NodeRef("case", "abc")
    with pytest.raises(ValueError):
        NodeRef("person", "")


def test_age_counts_whole_years_and_a_leap_day_birthday_falls_on_first_of_march():
    assert age_on(date(2006, 5, 10), date(2024, 5, 9)) == 17
    assert age_on(date(2006, 5, 10), date(2024, 5, 10)) == 18
    assert age_on(date(2004, 2, 29), date(2022, 2, 28)) == 17
    assert age_on(date(2004, 2, 29), date(2022, 3, 1)) == 18
    assert age_on(date(2004, 2, 29), date(2024, 2, 29)) == 20


def test_a_person_is_a_child_until_the_eighteenth_birthday_and_unknown_birth_dates_never_count():
    young = NodeInfo(person("y"), date_of_birth=date(2006, 5, 10))
    assert young.is_child_on(date(2024, 5, 9))
    assert not young.is_child_on(date(2024, 5, 10))
    assert not young.is_child_on(date(2005, 1, 1))
    assert not NodeInfo(person("n")).is_child_on(date(2024, 1, 1))
    assert not NodeInfo(NodeRef("place", "p")).is_child_on(date(2024, 1, 1))


@pytest.mark.parametrize(
    ("source", "information", "handling", "corroborated"),
    [
        ("1", "A", "P", True),
        ("3", "B", "P", True),
        ("1", "C", "P", False),
        ("1", "E", "P", False),
        ("1", "A", "C", False),
    ],
)
def test_grading_is_uncorroborated_for_information_c_to_e_or_handling_c(source, information, handling, corroborated):
    grading = Grading(source, information, handling)
    assert grading.corroborated is corroborated
    assert grading.as_dict() == {"source": source, "information": information, "handling": handling}


@pytest.mark.parametrize(("source", "information", "handling"), [("4", "A", "P"), ("1", "F", "P"), ("1", "A", "X")])
def test_grading_refuses_values_outside_3x5x2(source, information, handling):
    with pytest.raises(ValueError):
        Grading(source, information, handling)


def make_edge(target: NodeRef, kind: str, **extra) -> Edge:
    return Edge("e1", person("a"), target, kind, "police", "u1", date(2024, 1, 1), **extra)


def test_edge_must_start_at_a_person_and_point_at_the_type_its_kind_names():
    assert make_edge(NodeRef("place", "p"), "frequents").target.type == "place"
    with pytest.raises(ValueError, match="points at a place, not a person"):
        make_edge(person("b"), "frequents")
    with pytest.raises(ValueError, match="unknown relationship kind"):
        make_edge(person("b"), "enemy")
    with pytest.raises(ValueError, match="starts at a person"):
        Edge("e2", NodeRef("place", "p"), person("a"), "friend", "police", "u1", date(2024, 1, 1))


def test_ungraded_suspicion_is_not_a_corroborated_fact_but_an_ungraded_friendship_is():
    assert not make_edge(person("b"), "exploitation_suspected").corroborated
    assert make_edge(person("b"), "exploitation_suspected", grading=Grading("1", "A", "P")).corroborated
    assert make_edge(person("b"), "friend").corroborated
    assert not make_edge(person("b"), "friend", grading=Grading("2", "D", "P")).corroborated


def test_edge_period_ends_at_the_later_of_last_seen_and_ended_on_and_dates_from_first_seen():
    edge = make_edge(person("b"), "friend", first_seen=date(2023, 1, 1), last_seen=date(2023, 6, 1))
    assert edge.end == date(2023, 6, 1)
    assert edge.record_date == date(2023, 1, 1)
    ended = make_edge(person("b"), "friend", last_seen=date(2023, 6, 1), ended_on=date(2023, 9, 1))
    assert ended.end == date(2023, 9, 1)
    assert ended.record_date == date(2024, 1, 1)
    assert make_edge(person("b"), "friend").end is None
