"""Location assessment prompts: three children, two agencies, counted as children on the record's date."""

from datetime import date

import pytest

from safeguarding.graph.build import build_graph
from safeguarding.graph.prompts import Prompt, location_assessment_prompts
from safeguarding.graph.types import Edge, NodeInfo, NodeRef

PARK = NodeRef("place", "park")
SHOP = NodeRef("place", "shop")
C1, C2, C3, C4 = (NodeRef("person", f"c{i}") for i in range(1, 5))
TURNS_18 = NodeRef("person", "turns-18")
NO_DOB = NodeRef("person", "no-dob")

NODES = [
    *[NodeInfo(ref, date_of_birth=date(2010, 6, 1)) for ref in (C1, C2, C3, C4)],
    NodeInfo(TURNS_18, date_of_birth=date(2006, 3, 1)),
    NodeInfo(NO_DOB),
]


def seen(eid, person, agency, on, kind="seen_at", place=PARK, first_seen=True) -> Edge:
    if first_seen:
        return Edge(eid, person, place, kind, agency, "u1", date(2024, 12, 1), first_seen=on)
    return Edge(eid, person, place, kind, agency, "u1", on)


def prompts(edges, **kw):
    return location_assessment_prompts(build_graph(NODES, edges), **kw)


def test_three_children_from_two_agencies_fire_on_the_day_the_last_record_completed_it():
    edges = [
        seen("e1", C1, "police", date(2024, 1, 10)),
        seen("e2", C2, "police", date(2024, 2, 1)),
        seen("e3", C3, "police", date(2024, 3, 5), "frequents"),
        seen("e4", C2, "youth", date(2024, 4, 20), "found_at"),
        seen("e5", C4, "school", date(2024, 5, 1)),
    ]
    assert prompts(edges) == [
        Prompt(
            place=PARK, children=[C1, C2, C3, C4], agencies={"police", "youth", "school"}, fired_on=date(2024, 4, 20)
        )
    ]


def test_one_agency_alone_or_two_children_do_not_fire():
    one_agency = [seen(f"e{i}", child, "police", date(2024, 1, i)) for i, child in enumerate((C1, C2, C3), start=1)]
    assert prompts(one_agency) == []
    two_children = [
        seen("e1", C1, "police", date(2024, 1, 1)),
        seen("e2", C2, "youth", date(2024, 1, 2)),
        seen("e3", C2, "school", date(2024, 1, 3)),
    ]
    assert prompts(two_children) == []


def test_a_person_who_was_18_on_the_record_date_does_not_count():
    edges = [
        seen("e1", C1, "police", date(2024, 1, 10)),
        seen("e2", C2, "youth", date(2024, 2, 1)),
        seen("e3", TURNS_18, "police", date(2024, 3, 1)),
        seen("e4", NO_DOB, "youth", date(2024, 3, 2)),
    ]
    assert prompts(edges) == []


def test_a_record_from_before_the_eighteenth_birthday_counts_and_recorded_on_stands_in_for_first_seen():
    edges = [
        seen("e1", C1, "police", date(2024, 1, 10)),
        seen("e2", C2, "youth", date(2024, 2, 1)),
        seen("e3", TURNS_18, "police", date(2024, 2, 29), first_seen=False),
    ]
    assert prompts(edges) == [
        Prompt(place=PARK, children=[C1, C2, TURNS_18], agencies={"police", "youth"}, fired_on=date(2024, 2, 29))
    ]


def test_guardians_do_not_count_and_thresholds_are_configurable():
    edges = [
        seen("e1", C1, "police", date(2024, 1, 10), place=SHOP),
        seen("e2", C2, "youth", date(2024, 2, 1), place=SHOP),
        seen("e3", C3, "police", date(2024, 3, 1), "guardian_at", place=SHOP),
    ]
    assert prompts(edges) == []
    assert prompts(edges, min_children=2)[0].fired_on == date(2024, 2, 1)
    with pytest.raises(ValueError):
        prompts(edges, min_agencies=0)
