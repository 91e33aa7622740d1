"""The redacted map dict made ready for the page: table rows, and cytoscape elements with preset positions."""

from dataclasses import dataclass, field

from flask import current_app, url_for

from app.people.labels import label
from safeguarding.graph.kinds import KIND_FAMILY, PROTECTIVE_KINDS, SUSPICION_KINDS
from safeguarding.graph.types import Grading

RECORD_ENDPOINTS = {
    "person": ("people.person", "person_id"),
    "place": ("people.place", "place_id"),
    "group": ("people.group", "group_id"),
}
TYPE_LABELS = {"person": "Person", "place": "Place", "group": "Group"}


def max_nodes() -> int:
    """The node cap of a map (SPEC section 7: configurable, default 300)."""
    return current_app.config["CONTEXT_MAP_MAX_NODES"]


@dataclass
class MapView:
    nodes: list[dict] = field(default_factory=list)
    edges: list[dict] = field(default_factory=list)
    elements: dict = field(default_factory=dict)
    omitted: int = 0

    @property
    def redacted_nodes(self) -> int:
        return sum(1 for n in self.nodes if n["redacted"])

    @property
    def uncorroborated_edges(self) -> int:
        return sum(1 for e in self.edges if e["standing"] == "uncorroborated")


def standing(edge: dict) -> str:
    """'corroborated', 'uncorroborated' (information C-E or handling C, or ungraded suspicion) or 'not_shown'."""
    if edge.get("redacted"):
        return "not_shown"
    grading = edge.get("grading")
    if grading:
        return "corroborated" if Grading(**grading).corroborated else "uncorroborated"
    return "uncorroborated" if edge["kind"] in SUSPICION_KINDS else "corroborated"


def record_id_of(node: dict) -> str | None:
    """The id of the record behind a node the viewer may see (a shown node's id is "<type>:<record id>")."""
    return None if node["redacted"] else node["id"].split(":", 1)[1]


def shown_record_ids(nodes: list[dict]) -> list[str]:
    """The record ids of the nodes the viewer may see, in order (to carry them to a form, as a proposal's people)."""
    return [record_id_of(node) for node in nodes if not node["redacted"]]


def href_of(node: dict) -> str | None:
    """A link to the record behind a node the viewer may see (the record page then applies the policy)."""
    if node["redacted"]:
        return None
    endpoint, arg = RECORD_ENDPOINTS[node["type"]]
    return url_for(endpoint, **{arg: record_id_of(node)})


def build(data: dict, centre_id: str, agencies: dict[str, str]) -> MapView:
    """Rows for the accessible tables and elements for the interactive map, from the same redacted dict."""
    view = MapView(omitted=data["omitted"])
    names = {}
    for node in data["nodes"]:
        shown = node["label"] if not node["redacted"] else f"{TYPE_LABELS[node['type']]} not shown to you"
        names[node["id"]] = shown
        view.nodes.append(
            {
                "id": node["id"],
                "type": node["type"],
                "type_label": TYPE_LABELS[node["type"]],
                "name": shown,
                "redacted": node["redacted"],
                "centre": node["id"] == centre_id,
                "href": href_of(node),
                "x": node.get("x"),
                "y": node.get("y"),
            }
        )
    for number, edge in enumerate(data["edges"], start=1):
        family = KIND_FAMILY.get(edge["kind"], "other")
        view.edges.append(
            {
                "id": f"e{number}",
                "source": edge["source"],
                "target": edge["target"],
                "source_name": names.get(edge["source"], ""),
                "target_name": names.get(edge["target"], ""),
                "kind": edge["kind"],
                "kind_label": label(edge["kind"], "kind"),
                "family": family,
                "protective": edge["kind"] in PROTECTIVE_KINDS,
                "redacted": bool(edge.get("redacted")),
                "agency": agencies.get(edge.get("agency") or ""),
                "first_seen": edge.get("first_seen"),
                "grading": edge.get("grading"),
                "standing": standing(edge),
            }
        )
    view.elements = _elements(view)
    return view


def _elements(view: MapView) -> dict:
    nodes = []
    for node in view.nodes:
        classes = [node["type"]]
        if node["redacted"]:
            classes.append("redacted")
        if node["centre"]:
            classes.append("centre")
        element = {
            "data": {"id": node["id"], "label": node["name"], "type": node["type"], "href": node["href"]},
            "classes": " ".join(classes),
        }
        if node["x"] is not None:
            element["position"] = {"x": node["x"], "y": node["y"]}
        nodes.append(element)
    edges = []
    for edge in view.edges:
        classes = [f"family-{edge['family']}", edge["standing"]]
        if edge["protective"]:
            classes.append("protective")
        if edge["redacted"]:
            classes.append("redacted")
        edges.append(
            {
                "data": {
                    "id": edge["id"],
                    "source": edge["source"],
                    "target": edge["target"],
                    "label": edge["kind_label"],
                },
                "classes": " ".join(classes),
            }
        )
    return {"nodes": nodes, "edges": edges}
