"""Redaction to the API's context-map shape (SPEC section 10) and exports that never hold more."""

import io
import json
from datetime import date

import networkx as nx
import pytest

from safeguarding.graph.build import build_graph
from safeguarding.graph.ego import ego_map
from safeguarding.graph.redact import edges_by_id, export_gexf, export_graphml, export_json, redact, redact_graph
from safeguarding.graph.types import Edge, Grading, NodeInfo, NodeRef

CHILD = NodeRef("person", "9f1c0d52-child")
PEER = NodeRef("person", "4b7e11aa-peer")
SECRET = NodeRef("person", "d00dfeed-secret")
GANG = NodeRef("group", "77aa0000-hidden-group")
PARK = NodeRef("place", "a1b2c3d4-park")
LABELS = {CHILD: "Ava Stone", PEER: "Ben Hale", SECRET: "Sid Vance", GANG: "Northside crew", PARK: "Elm Park"}
HIDDEN = {SECRET, GANG}


def edge(eid, source, target, kind, **extra) -> Edge:
    return Edge(eid, source, target, kind, "agency-police", "user-7", date(2024, 1, 1), **extra)


EDGES = [
    edge("rel-1", CHILD, PEER, "friend", first_seen=date(2023, 4, 5), grading=Grading("2", "B", "P")),
    edge("rel-2", CHILD, PARK, "frequents"),
    edge("rel-3", SECRET, CHILD, "exploitation_suspected", first_seen=date(2024, 2, 1), grading=Grading("3", "C", "C")),
    edge("rel-4", SECRET, GANG, "member_of"),
    edge("rel-5", CHILD, GANG, "member_of"),
]
GRAPH = build_graph([NodeInfo(ref, label=label) for ref, label in LABELS.items()], EDGES)


def visible(ref: NodeRef) -> bool:
    return ref not in HIDDEN


def view(depth: int = 1) -> dict:
    return redact(ego_map(GRAPH, CHILD, depth=depth), edges_by_id(GRAPH), visible, LABELS.get)


def test_visible_nodes_and_edges_have_exactly_the_api_fields():
    data = view()
    assert set(data) == {"nodes", "edges", "omitted"}
    assert data["omitted"] == 0
    assert data["nodes"][0] == {
        "id": "person:9f1c0d52-child",
        "type": "person",
        "label": "Ava Stone",
        "redacted": False,
    }
    friend = next(e for e in data["edges"] if e["kind"] == "friend")
    assert friend == {
        "source": "person:9f1c0d52-child",
        "target": "person:4b7e11aa-peer",
        "kind": "friend",
        "agency": "agency-police",
        "first_seen": "2023-04-05",
        "grading": {"source": "2", "information": "B", "handling": "P"},
    }
    frequents = next(e for e in data["edges"] if e["kind"] == "frequents")
    assert frequents["first_seen"] is None and frequents["grading"] is None


def test_hidden_nodes_keep_their_type_lose_their_identity_and_are_numbered_per_response():
    hidden = [n for n in view()["nodes"] if n["redacted"]]
    assert hidden == [
        {"id": "redacted:1", "type": "person", "label": None, "redacted": True},
        {"id": "redacted:2", "type": "group", "label": None, "redacted": True},
    ]


def test_edges_touching_a_hidden_node_carry_only_source_target_kind_and_the_flag():
    data = view()
    hidden_ids = {n["id"] for n in data["nodes"] if n["redacted"]}
    touching = [e for e in data["edges"] if {e["source"], e["target"]} & hidden_ids]
    assert len(touching) == 3
    for e in touching:
        assert set(e) == {"source", "target", "kind", "redacted"}
        assert e["redacted"] is True
    assert {
        "source": "redacted:1",
        "target": "person:9f1c0d52-child",
        "kind": "exploitation_suspected",
        "redacted": True,
    } in touching


def test_no_response_or_export_reveals_a_hidden_record_id_or_label():
    data = view(depth=2)
    for text in (json.dumps(data), export_json(data), export_graphml(data), export_gexf(data)):
        for ref in HIDDEN:
            assert ref.id not in text
            assert LABELS[ref] not in text
        assert "Ava Stone" in text


def test_labels_are_never_asked_for_a_hidden_node():
    asked = []

    def labels(ref: NodeRef) -> str:
        asked.append(ref)
        return LABELS[ref]

    redact(ego_map(GRAPH, CHILD, depth=2), edges_by_id(GRAPH), visible, labels)
    assert set(asked) == {CHILD, PEER, PARK}


def test_the_whole_graph_export_is_redacted_the_same_way():
    data = redact_graph(GRAPH, visible, LABELS.get)
    assert data["omitted"] == 0
    assert len(data["nodes"]) == 5 and len(data["edges"]) == 5
    assert sorted(n["id"] for n in data["nodes"] if n["redacted"]) == ["redacted:1", "redacted:2"]
    assert all(not any(ref.id in str(n) for ref in HIDDEN) for n in data["nodes"])


def test_graphml_and_gexf_hold_the_redacted_structure():
    data = view()
    graph = nx.parse_graphml(export_graphml(data))
    assert sorted(graph.nodes) == sorted(n["id"] for n in data["nodes"])
    assert graph.number_of_edges() == 5
    assert graph.graph["omitted"] == 0
    assert graph.nodes["redacted:2"] == {"type": "group", "redacted": True}
    friend = next(d for _, _, d in graph.edges(data=True) if d["kind"] == "friend")
    assert friend["grading_information"] == "B" and friend["first_seen"] == "2023-04-05"
    gexf = nx.read_gexf(io.BytesIO(export_gexf(data).encode()))
    assert sorted(gexf.nodes) == sorted(graph.nodes)
    assert gexf.nodes["person:9f1c0d52-child"]["label"] == "Ava Stone"
    assert gexf.nodes["redacted:1"]["label"] == "redacted:1"


def test_exports_refuse_a_view_that_discloses_a_hidden_node():
    data = view()
    leaky = {**data, "nodes": [{**n, "label": "Sid Vance"} if n["redacted"] else n for n in data["nodes"]]}
    with pytest.raises(ValueError, match="redacted node"):
        export_json(leaky)
    extra = {**data, "edges": [{**e, "agency": "agency-police"} if e.get("redacted") else e for e in data["edges"]]}
    with pytest.raises(ValueError, match="redacted edge"):
        export_graphml(extra)


def test_positions_are_attached_only_when_asked_for():
    positions = {CHILD: (500.0, 500.0), SECRET: (10.0, 20.0)}
    data = redact(ego_map(GRAPH, CHILD, depth=1), edges_by_id(GRAPH), visible, LABELS.get, positions=positions)
    by_id = {n["id"]: n for n in data["nodes"]}
    assert (by_id["person:9f1c0d52-child"]["x"], by_id["person:9f1c0d52-child"]["y"]) == (500.0, 500.0)
    assert by_id["redacted:1"]["x"] == 10.0
    assert "x" not in by_id["person:4b7e11aa-peer"]


def test_the_same_request_gives_the_same_response():
    assert export_json(view(depth=2)) == export_json(view(depth=2))
