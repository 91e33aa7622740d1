"""Turn an ego map or a whole graph into the API's redacted shape (SPEC section 10), and export that shape."""

import json
from collections.abc import Callable, Mapping

import networkx as nx

from safeguarding.graph.ego import EgoMap
from safeguarding.graph.types import Edge, NodeRef

Visible = Callable[[NodeRef], bool]
Labels = Callable[[NodeRef], str | None]
Positions = Mapping[NodeRef, tuple[float, float]]

REDACTED_EDGE_KEYS = frozenset({"source", "target", "kind", "redacted"})


def redact(
    ego: EgoMap, edges: Mapping[str, Edge], visible: Visible, labels: Labels, *, positions: Positions | None = None
) -> dict:
    """``{"nodes", "edges", "omitted"}``: nodes the viewer may not see keep only their type and a per-response id.

    ``edges`` holds at least the map's edges by id (``edges_by_id`` gives a graph's).
    """
    public: dict[NodeRef, str] = {}
    nodes = []
    hidden: set[NodeRef] = set()
    for ref in ego.nodes:
        shown = bool(visible(ref))
        if not shown:
            hidden.add(ref)
        # A per-response counter: never the record id, and meaningless outside this response.
        public[ref] = str(ref) if shown else f"redacted:{len(hidden)}"
        node = {"id": public[ref], "type": ref.type, "label": labels(ref) if shown else None, "redacted": not shown}
        if positions is not None and ref in positions:
            node["x"], node["y"] = positions[ref]
        nodes.append(node)
    shown_edges = [_edge(edges[edge_id], public, hidden) for edge_id in ego.edges]
    return {"nodes": nodes, "edges": shown_edges, "omitted": ego.omitted}


def edges_by_id(graph: nx.MultiGraph) -> dict[str, Edge]:
    """Every relationship of a graph made by ``build_graph``, by edge id."""
    return {key: data["edge"] for _, _, key, data in graph.edges(keys=True, data=True)}


def redact_graph(graph: nx.MultiGraph, visible: Visible, labels: Labels, *, positions: Positions | None = None) -> dict:
    """The whole graph in the redacted shape, for analysts' exports."""
    everything = EgoMap(nodes=sorted(graph.nodes), edges=sorted(key for _, _, key in graph.edges(keys=True)), omitted=0)
    return redact(everything, edges_by_id(graph), visible, labels, positions=positions)


def _edge(edge: Edge, public: dict[NodeRef, str], hidden: set[NodeRef]) -> dict:
    source, target = public[edge.source], public[edge.target]
    if edge.source in hidden or edge.target in hidden:
        return {"source": source, "target": target, "kind": edge.kind, "redacted": True}
    return {
        "source": source,
        "target": target,
        "kind": edge.kind,
        "agency": edge.agency_id,
        "first_seen": edge.first_seen.isoformat() if edge.first_seen else None,
        "grading": edge.grading.as_dict() if edge.grading else None,
    }


def export_json(data: dict) -> str:
    """The redacted view as indented JSON."""
    _check_redacted(data)
    return json.dumps(data, indent=2)


def export_graphml(data: dict) -> str:
    """The redacted view as GraphML."""
    return "\n".join(nx.generate_graphml(_export_graph(data)))


def export_gexf(data: dict) -> str:
    """The redacted view as GEXF."""
    return "\n".join(nx.generate_gexf(_export_graph(data)))


def _export_graph(data: dict) -> nx.MultiDiGraph:
    """A graph holding exactly the redacted view; the writers refuse None, so absent values are left out."""
    _check_redacted(data)
    graph = nx.MultiDiGraph(omitted=data["omitted"])
    for node in data["nodes"]:
        graph.add_node(node["id"], **{k: v for k, v in node.items() if k != "id" and v is not None})
    for number, edge in enumerate(data["edges"], start=1):
        attrs = {k: v for k, v in edge.items() if k not in ("source", "target", "grading") and v is not None}
        attrs["redacted"] = bool(edge.get("redacted", False))
        for part, value in (edge.get("grading") or {}).items():
            attrs[f"grading_{part}"] = value
        graph.add_edge(edge["source"], edge["target"], key=f"e{number}", **attrs)
    return graph


def _check_redacted(data: dict) -> None:
    """Refuse a view that discloses more than redaction allows, so no export can leak by mistake."""
    for node in data["nodes"]:
        if node["redacted"] and (node["label"] is not None or not node["id"].startswith("redacted:")):
            raise ValueError("a redacted node carries identity")
    for edge in data["edges"]:
        if edge.get("redacted") and set(edge) != REDACTED_EDGE_KEYS:
            raise ValueError("a redacted edge carries more than its kind")
