"""Location assessment prompts: places where several children turn up in several agencies' records."""

from dataclasses import dataclass
from datetime import date

import networkx as nx

from safeguarding.graph.kinds import PRESENCE_KINDS
from safeguarding.graph.types import Edge, NodeRef


@dataclass(frozen=True)
class Prompt:
    """A place that met the threshold, who and which agencies put it there, and the day it first did."""

    place: NodeRef
    children: list[NodeRef]
    agencies: set[str]
    fired_on: date


def location_assessment_prompts(graph: nx.MultiGraph, *, min_children: int = 3, min_agencies: int = 2) -> list[Prompt]:
    """Places linked to ``min_children`` distinct children by records of ``min_agencies`` agencies.

    A record counts only when its person was under 18 on the record's date (first seen, else recorded on);
    unknown birth dates never count. Guardians do not count: they make a place safer.
    """
    if min_children < 1 or min_agencies < 1:
        raise ValueError("thresholds must be at least 1")
    prompts = []
    for place in sorted(n for n in graph if n.type == "place"):
        prompt = _prompt_for(graph, place, min_children, min_agencies)
        if prompt is not None:
            prompts.append(prompt)
    return sorted(prompts, key=lambda p: (p.fired_on, p.place))


def _prompt_for(graph: nx.MultiGraph, place: NodeRef, min_children: int, min_agencies: int) -> Prompt | None:
    records: list[Edge] = sorted(
        (data["edge"] for _, _, data in graph.edges(place, data=True) if data["kind"] in PRESENCE_KINDS),
        key=lambda e: (e.record_date, e.id),
    )
    children: set[NodeRef] = set()
    agencies: set[str] = set()
    fired_on = None
    for edge in records:
        person = edge.source
        if not graph.nodes[person]["info"].is_child_on(edge.record_date):
            continue
        children.add(person)
        agencies.add(edge.agency_id)
        if fired_on is None and len(children) >= min_children and len(agencies) >= min_agencies:
            fired_on = edge.record_date
    if fired_on is None:
        return None
    return Prompt(place=place, children=sorted(children), agencies=agencies, fired_on=fired_on)
