"""The whole path from records to a browser map: build, ego map, layout, redaction, export."""

from datetime import date

from safeguarding.graph.build import build_graph
from safeguarding.graph.ego import ego_map
from safeguarding.graph.layout import layout
from safeguarding.graph.redact import edges_by_id, export_gexf, export_graphml, export_json, redact
from safeguarding.graph.types import Edge, Grading, NodeInfo, NodeRef

CHILD = NodeRef("person", "child-1")
HIDDEN = NodeRef("person", "hidden-2")
ESTATE = NodeRef("place", "estate-3")


def records():
    nodes = [NodeInfo(CHILD, label="Ava"), NodeInfo(HIDDEN, label="Sid"), NodeInfo(ESTATE, label="Marsh estate")]
    edges = [
        Edge("r1", CHILD, ESTATE, "lives_at", "housing", "u1", date(2024, 1, 1)),
        Edge("r2", HIDDEN, ESTATE, "seen_at", "police", "u2", date(2024, 2, 1), grading=Grading("2", "C", "P")),
        Edge("r3", HIDDEN, CHILD, "adult_contact", "police", "u2", date(2024, 2, 2), first_seen=date(2024, 1, 20)),
    ]
    return nodes, edges


def browser_map() -> tuple[str, str, str]:
    nodes, edges = records()
    graph = build_graph(nodes, edges, as_of=date(2024, 3, 1))
    ego = ego_map(graph, CHILD, depth=2)
    positions = layout(graph.subgraph(ego.nodes))
    data = redact(
        ego, edges_by_id(graph), lambda ref: ref != HIDDEN, lambda ref: graph.nodes[ref]["label"], positions=positions
    )
    return export_json(data), export_graphml(data), export_gexf(data)


def test_the_same_records_give_byte_identical_maps_and_exports():
    first, second = browser_map(), browser_map()
    assert first[:2] == second[:2]
    # GEXF stamps the day it was written; everything else must match.
    assert first[2].splitlines()[2:] == second[2].splitlines()[2:]


def test_the_map_places_every_node_and_hides_the_person_the_viewer_may_not_see():
    text = browser_map()[0]
    assert '"x":' in text and '"redacted:1"' in text
    assert "hidden-2" not in text and "Sid" not in text
