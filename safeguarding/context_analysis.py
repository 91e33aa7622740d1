"""The whole borough's context graph, cached per process, and the alerts and analyses that need all of it.

Building the graph decrypts every person's date of birth, so it is cached and rebuilt only when the records it
is made from change (the graph's change stamp, one indexed read, is checked on each use; see ``graph_cache``).
"""

import threading
from datetime import date

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session, lazyload

from models.context import Place
from models.crypto.registry import current_keyring
from models.person import Person, PersonFlag
from safeguarding.alert_store import fire
from safeguarding.graph.build import build_graph
from safeguarding.graph.prompts import location_assessment_prompts
from safeguarding.graph.risk import Exposure, exposure_alerts
from safeguarding.graph.types import NodeInfo, NodeRef
from safeguarding.graph_cache import EDGE_COLUMNS, cache_key, edge_of_row
from safeguarding.runtime import current as runtime
from safeguarding.validation import uk_today

# Below the key cache's size, so a batch's keys are still cached when its dates of birth are read.
KEY_BATCH = 2000
_lock = threading.Lock()
_cache: dict = {}


def borough_graph(session: Session, as_of: date | None = None) -> nx.MultiGraph:
    """Every current relationship in the borough, with each person's birth date and flags."""
    as_of = as_of or uk_today()
    key = cache_key(session, as_of)
    with _lock:
        if key is not None and _cache.get("key") == key:
            return _cache["graph"]
    graph = _build(session, as_of)
    if key is not None:
        with _lock:
            _cache.update(key=key, graph=graph)
    return graph


def _build(session: Session, as_of: date) -> nx.MultiGraph:
    edges = [edge_of_row(row) for row in session.execute(select(*EDGE_COLUMNS))]
    flags: dict[str, set[str]] = {}
    for person_id, flag in session.execute(
        select(PersonFlag.person_id, PersonFlag.flag).where(PersonFlag.cleared_at.is_(None))
    ):
        flags.setdefault(person_id, set()).add(flag)
    current = select(Person).options(lazyload(Person.flags))
    people = session.scalars(current.where(Person.erased_at.is_(None), Person.merged_into_id.is_(None))).all()
    infos = []
    # Keys unwrapped a batch at a time in one query each: one query per person dominated the build.
    for start in range(0, len(people), KEY_BATCH):
        batch = people[start : start + KEY_BATCH]
        current_keyring().preload(session, (p.data_key_id for p in batch))
        infos += [
            NodeInfo(
                NodeRef("person", p.id), date_of_birth=p.date_of_birth or None, flags=frozenset(flags.get(p.id, ()))
            )
            for p in batch
        ]
    infos += [
        NodeInfo(NodeRef("place", pid), place_kind=kind)
        for pid, kind in session.execute(select(Place.id, Place.kind)).all()
    ]
    return build_graph(infos, edges, as_of=as_of)


def refresh_exposure_alerts(session: Session, today: date) -> None:
    """A young person within two hops of an adult of concern, or tied to rival groups (once per child), dated by
    the earliest of their exposures."""
    graph = borough_graph(session, today)
    earliest: dict[NodeRef, Exposure] = {}
    for exposure in exposure_alerts(graph, lambda ref: graph.nodes[ref]["info"].is_child_on(today)):
        if exposure.person not in earliest or exposure.since < earliest[exposure.person].since:
            earliest[exposure.person] = exposure
    for exposure in earliest.values():
        fire(
            session,
            "exposure",
            person_id=exposure.person.id,
            fired_on=exposure.since,
            detail=exposure.reason.replace("_", " ").capitalize(),
        )


def refresh_location_assessment_alerts(session: Session, today: date) -> None:
    """A place linked to three or more children from two or more agencies' records (configurable) prompts an
    assessment."""
    rule = runtime().location_prompts
    graph = borough_graph(session, today)
    for prompt in location_assessment_prompts(graph, min_children=rule.min_children, min_agencies=rule.min_agencies):
        fire(
            session,
            "location_assessment",
            place_id=prompt.place.id,
            fired_on=prompt.fired_on,
            detail=f"{len(prompt.children)} children in the records of {len(prompt.agencies)} agencies",
        )
