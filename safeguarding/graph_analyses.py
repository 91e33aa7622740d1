"""Whole-graph analyses (peer groups, connectors, place hotspots) run as a job; their results are stored and dated.

`flask analysis run` (from a timer) computes each from the borough graph and stores it with the time and the
graph stamp it saw. Pages and the API show the stored result and its date, and whether the graph has changed
since, instead of recomputing per request; only when nothing is stored yet does a request run the job, once.
Results hold record ids only: who may see whom is decided when they are shown.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from models.base import utcnow
from models.case import Case
from models.graph_state import GraphAnalysis, graph_stamp, prune_link_changes
from models.person import Person
from safeguarding.context_analysis import borough_graph
from safeguarding.graph import analysis
from safeguarding.graph.types import NodeRef
from safeguarding.validation import uk_today

ANALYSES = ("peer_groups", "connectors", "hotspots")
CONNECTORS_KEPT = 50
HOTSPOTS_KEPT = 20
# A cached adjacency lasts a London day at most (graph_cache keys it by the date): two days of the log serve it.
LINK_LOG_KEPT = timedelta(days=2)
# Flags that make a child "at risk" for hotspots, besides being the subject of an open case.
AT_RISK_FLAGS = frozenset(
    {
        "missing_from_home",
        "child_in_need",
        "child_protection_plan",
        "victim_of_exploitation",
        "nrm_positive_decision",
        "looked_after",
    }
)


@dataclass(frozen=True)
class Stored:
    """A stored result, when it was computed, and whether the graph is still as it was then."""

    result: list
    computed_at: datetime
    up_to_date: bool

    def dated(self) -> dict:
        return {"computed_at": self.computed_at.isoformat(), "up_to_date": self.up_to_date}


def run(session: Session, today: date | None = None) -> dict[str, int]:
    """Compute every analysis of the whole graph and store it; returns how many items each holds."""
    today = today or uk_today()
    # Read before the graph, so a stored stamp is never newer than the data it was computed from.
    stamp = graph_stamp(session)
    graph = borough_graph(session, today)
    case_subjects = set(session.scalars(select(Case.subject_person_id).where(Case.status == "open")))

    def at_risk(ref: NodeRef) -> bool:
        info = graph.nodes[ref]["info"]
        return info.is_child_on(today) and (bool(info.flags & AT_RISK_FLAGS) or ref.id in case_subjects)

    results = {
        "peer_groups": [sorted(ref.id for ref in group) for group in analysis.peer_groups(graph)],
        "connectors": [[ref.id, score] for ref, score in analysis.connectors(graph, top=CONNECTORS_KEPT)],
        "hotspots": [[ref.id, count] for ref, count in analysis.place_hotspots(graph, at_risk, top=HOTSPOTS_KEPT)],
    }
    now = utcnow()
    for name, result in results.items():
        session.merge(GraphAnalysis(name=name, computed_at=now, graph_stamp=stamp, result=result))
    # The job a timer runs anyway keeps the log of relationship writes short.
    prune_link_changes(session, now - LINK_LOG_KEPT)
    session.commit()
    return {name: len(result) for name, result in results.items()}


def stored(session: Session, name: str) -> Stored:
    """The stored result of one analysis, running the job first if it has never run."""
    row = session.get(GraphAnalysis, name)
    if row is None:
        try:
            run(session)
        except IntegrityError:
            # Another request ran the first job at the same moment: use what it stored.
            session.rollback()
        row = session.get(GraphAnalysis, name)
    return Stored(row.result, row.computed_at, row.graph_stamp is not None and row.graph_stamp == graph_stamp(session))


def still_recorded(session: Session, person_ids: set[str]) -> set[str]:
    """The people of a stored result who are still on record: erased or merged people drop out of old results."""
    query = select(Person.id).where(
        Person.id.in_(person_ids), Person.erased_at.is_(None), Person.merged_into_id.is_(None)
    )
    return set(session.scalars(query))
