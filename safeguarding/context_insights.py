"""Analyses of the borough's context graph for practitioners, redacted per viewer and audited as map views.

The analyses themselves are pure functions in ``safeguarding.graph``; here they meet the access policy. A person
the viewer may not see appears as a redacted node (type only, an id that means nothing outside the response),
never named, and every answer is audited naming the people it showed. Whole-graph analyses are read from their
stored, dated results (``graph_analyses``), not recomputed per request.
"""

from collections import Counter
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.context import Group, Place, Relationship
from models.id_lists import among, read_columns
from models.user import User
from safeguarding import graph_analyses, policy
from safeguarding.access import load_person, record_read, require_person_access
from safeguarding.context_analysis import borough_graph
from safeguarding.context_maps import _visibility
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.graph import analysis, risk
from safeguarding.graph.types import NodeRef

MAX_PATHS = 10


class Disclosure:
    """Names what the viewer may see and redacts the rest, with per-response ids for redacted nodes."""

    def __init__(self, session: Session, actor, refs: Iterable[NodeRef]):
        refs = sorted(set(refs))
        self.access = policy.people_access(session, actor, [r.id for r in refs if r.type == "person"])
        self.visible, self.labels = _visibility(session, actor, refs, self.access)
        self._hidden: dict[NodeRef, str] = {}

    def node(self, ref: NodeRef) -> dict:
        if ref in self.visible:
            return {"id": str(ref), "type": ref.type, "label": self.labels.get(ref), "redacted": False}
        public = self._hidden.setdefault(ref, f"redacted:{len(self._hidden) + 1}")
        return {"id": public, "type": ref.type, "label": None, "redacted": True}

    def shown(self, ref: NodeRef) -> bool:
        return ref in self.visible

    def people_shown(self) -> list[str]:
        return sorted(ref.id for ref in self.visible if ref.type == "person")


def _analyst(actor) -> None:
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see context analysis")


def _audit(session: Session, actor, object_type: str, object_id, disclosure: Disclosure, access=None, **detail):
    record_read(
        session,
        actor,
        action="map_view",
        object_type=object_type,
        object_id=object_id,
        person_ids=disclosure.people_shown(),
        access=access,
        detail=detail or None,
        # As on a map: anyone named in full on a basis other than a case assignment flags the answer for review.
        shown=[disclosure.access[person_id] for person_id in disclosure.people_shown()],
    )


def shared_contexts(session: Session, actor, person_id: str) -> dict:
    """The person, and the places and groups they are linked to with the other people linked there (most shared
    first)."""
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, need="visible", object_type="shared_contexts")
    centre = NodeRef("person", person.id)
    found = analysis.shared_contexts(borough_graph(session), centre)
    disclosure = Disclosure(session, actor, [centre, *(c for c, _ in found), *(p for _, ps in found for p in ps)])
    results = [
        {"context": disclosure.node(context), "people": [disclosure.node(p) for p in people], "count": len(people)}
        for context, people in found
    ]
    _audit(session, actor, "shared_contexts", person.id, disclosure, access, contexts=len(results))
    return {"person": disclosure.node(centre), "results": results}


def connection_paths(session: Session, actor, person_id: str, other_id: str, *, include_protective=False) -> dict:
    """How two people the viewer may see are connected: each step's provenance, suspicion kept apart from fact."""
    people = [load_person(session, person_id), load_person(session, other_id)]
    if people[0].id == people[1].id:
        raise ValidationFailed({"other_id": "Choose two different people"})
    accesses = [
        require_person_access(session, actor, p, need="visible", object_type="connection_paths") for p in people
    ]
    a, b = (NodeRef("person", p.id) for p in people)
    found = analysis.connection_paths(
        borough_graph(session), a, b, max_paths=MAX_PATHS, include_protective=include_protective
    )
    disclosure = Disclosure(session, actor, [a, b, *(s.target for path in found for s in path.steps)])
    agencies, users = _names(session, [step for path in found for step in path.steps])
    paths = [
        {
            "corroborated": path.corroborated,
            "basis": "corroborated" if path.corroborated else "uncorroborated",
            "length": len(path.steps),
            "steps": [_step(step, disclosure, agencies, users) for step in path.steps],
        }
        for path in found
    ]
    # Corroborated chains first, so suspicion is never read as the headline answer.
    paths.sort(key=lambda p: (not p["corroborated"], p["length"]))
    access = accesses[0] if "case_team" not in accesses[0].bases else accesses[1]
    _audit(session, actor, "connection_paths", people[0].id, disclosure, access, other=people[1].id, paths=len(paths))
    along = dict.fromkeys(ref for path in found for s in path.steps for ref in (s.source, s.target))
    return {
        "from": disclosure.node(a),
        "to": disclosure.node(b),
        "nodes": [disclosure.node(ref) for ref in along],
        "results": paths,
        "corroborated": sum(1 for p in paths if p["corroborated"]),
        "uncorroborated": sum(1 for p in paths if not p["corroborated"]),
    }


def exposures(session: Session, actor, person_id: str) -> dict:
    """Why a person is exposed, as the exposure alert rules see it today: each adult of concern within two hops,
    with the records along the way (each step's provenance, suspicion marked apart), and each pair of rival groups
    they belong to. An adult the viewer may not see stays redacted: the answer says such an adult is near, not who."""
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, need="visible", object_type="exposures")
    graph = borough_graph(session)
    centre = NodeRef("person", person.id)
    found = risk.exposures_of(graph, centre)
    routes = [risk.exposure_steps(graph, e) if e.reason == risk.NEAR_ADULT else [] for e in found]
    disclosure = Disclosure(session, actor, [centre, *(ref for e in found for ref in e.via)])
    agencies, users = _names(session, [step for steps in routes for step in steps])
    results = []
    for exposure, route in zip(found, routes, strict=True):
        result = {"reason": exposure.reason, "since": exposure.since.isoformat()}
        if exposure.reason == risk.NEAR_ADULT:
            steps = [_step(step, disclosure, agencies, users) for step in route]
            result |= {
                "adult": disclosure.node(exposure.via[-1]),
                "steps": steps,
                "corroborated": all(step["corroborated"] for step in steps),
            }
        else:
            result["groups"] = [disclosure.node(group) for group in exposure.via]
        results.append(result)
    nodes = dict.fromkeys(ref for e in found for ref in e.via)
    _audit(session, actor, "exposures", person.id, disclosure, access, exposures=len(results))
    return {"person": disclosure.node(centre), "nodes": [disclosure.node(ref) for ref in nodes], "results": results}


def _names(session: Session, steps) -> tuple[dict[str, str], dict[str, str]]:
    agency_ids = {s.agency for s in steps}
    user_ids = {s.recorded_by for s in steps}
    agencies = dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).all())
    users = {u.id: u.display_name for u in session.scalars(select(User).where(User.id.in_(user_ids)))}
    return agencies, users


def _step(step, disclosure: Disclosure, agencies: dict, users: dict) -> dict:
    source, target = disclosure.node(step.source), disclosure.node(step.target)
    if source["redacted"] or target["redacted"]:
        # As on maps: a step touching someone the viewer may not see keeps only its kind (and its standing).
        return {
            "source": source["id"],
            "target": target["id"],
            "kind": step.kind,
            "corroborated": step.corroborated,
            "redacted": True,
        }
    return {
        "source": source["id"],
        "target": target["id"],
        "kind": step.kind,
        "agency": {"id": step.agency, "name": agencies.get(step.agency)},
        "recorded_by": {"id": step.recorded_by, "name": users.get(step.recorded_by)},
        "first_seen": step.first_seen.isoformat() if step.first_seen else None,
        "grading": step.grading.as_dict() if step.grading else None,
        "corroborated": step.corroborated,
        "redacted": False,
    }


def peer_groups(session: Session, actor) -> dict:
    """Stored peer groups (community detection) that hold at least one person the viewer may see, dated."""
    _analyst(actor)
    stored = graph_analyses.stored(session, "peer_groups")
    present = graph_analyses.still_recorded(session, {i for group in stored.result for i in group})
    groups = [frozenset(NodeRef("person", i) for i in group if i in present) for group in stored.result]
    disclosure = Disclosure(session, actor, [p for g in groups for p in g])
    results, shown, others = [], [], 0
    for number, members in enumerate(groups, start=1):
        ordered = sorted(members, key=lambda ref: (not disclosure.shown(ref), ref))
        if not ordered:
            continue  # everyone in it has since been erased or merged
        if not disclosure.shown(ordered[0]):
            others += 1
            continue
        results.append({"number": number, "size": len(members), "members": [disclosure.node(p) for p in ordered]})
        shown.append({ref.id for ref in ordered if disclosure.shown(ref)})
    for result, recorded in zip(results, _recorded_groups(session, shown), strict=True):
        result["recorded_groups"] = recorded
    _audit(session, actor, "peer_groups", None, disclosure, groups=len(results))
    return {"results": results, "other_groups": others, **stored.dated()}


def _recorded_groups(session: Session, proposals: list[set[str]]) -> list[list[dict]]:
    """For each proposal (the ids of its members shown to the viewer), the recorded groups they belong to now, with
    how many of them, most first (SPEC 7: proposals lead to peer-group assessments). Counting only those shown, a
    proposal says nothing of the people the viewer may not see."""
    memberships = (
        select(Relationship.source_person_id, Relationship.target_group_id, Group.name)
        .join(Group, Group.id == Relationship.target_group_id)
        .where(
            Relationship.kind == "member_of",
            Relationship.ended_on.is_(None),
            among(Relationship.source_person_id, set().union(*proposals)),
        )
    )
    groups_of: dict[str, set[tuple[str, str]]] = {}
    for person_id, group_id, name in read_columns(session, memberships):
        groups_of.setdefault(person_id, set()).add((group_id, name))
    recorded = []
    for people in proposals:
        counted = Counter(group for person in people for group in groups_of.get(person, ()))
        ranked = sorted(counted.items(), key=lambda item: (-item[1], item[0][1].lower()))
        recorded.append([{"id": group_id, "name": name, "members": count} for (group_id, name), count in ranked])
    return recorded


def connectors(session: Session, actor, top: int = 10) -> dict:
    """Stored connectors, highest betweenness first: people linking otherwise separate parts of the graph."""
    _analyst(actor)
    stored = graph_analyses.stored(session, "connectors")
    present = graph_analyses.still_recorded(session, {person_id for person_id, _ in stored.result})
    found = [(NodeRef("person", i), score) for i, score in stored.result if i in present][:top]
    disclosure = Disclosure(session, actor, [p for p, _ in found])
    results = [{"person": disclosure.node(p), "score": round(score, 4)} for p, score in found]
    _audit(session, actor, "connectors", None, disclosure, shown=len(results))
    return {"results": results, **stored.dated()}


def hotspots(session: Session, actor) -> dict:
    """Stored place hotspots: places by how many at-risk young people are linked to them (counts only), dated."""
    _analyst(actor)
    stored = graph_analyses.stored(session, "hotspots")
    places = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_([i for i, _ in stored.result])))}
    # A home is listed only to those who may see it (a count beside a home address discloses a household).
    homes = {p.id for p in places.values() if p.kind == "address"}
    hidden = homes - policy.visible_addresses(session, actor, homes)
    results = [
        {"place": _place(places[place_id]), "young_people_at_risk": count}
        for place_id, count in stored.result
        if place_id in places and place_id not in hidden
    ]
    record_read(session, actor, action="list", object_type="place_hotspots", object_id=None, person_ids=[], detail=None)
    return {"results": results, **stored.dated()}


def _place(place: Place) -> dict:
    return {"id": place.id, "name": place.name, "kind": place.kind, "area": place.area}
