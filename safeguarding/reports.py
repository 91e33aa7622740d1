"""Partnership reports for the strategic assessment: aggregates only, small numbers suppressed, audited.

Each report covers a period and is compared with the period of the same length just before it.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import networkx as nx
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.case import Case
from models.context import Place
from models.person import Person
from models.referral import Referral
from models.safeguarding_events import MissingEpisode
from safeguarding.access import record_read
from safeguarding.context_analysis import borough_graph
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.graph.analysis import place_hotspots
from safeguarding.graph.types import NodeRef
from safeguarding.missing import status_of
from safeguarding.referral_escalation import referred_again
from safeguarding.referrals import timeliness
from safeguarding.suppression import HIDDEN, SMALL, suppress, suppress_table, suppress_total
from safeguarding.validation import iso_date, start_of_day

AGE_BANDS = (
    ("under 10", 0, 9),
    ("10 to 13", 10, 13),
    ("14 to 15", 14, 15),
    ("16 to 17", 16, 17),
    ("18 and over", 18, 200),
)
REPORT_ROLES = ("safeguarding_lead",)


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # exclusive

    @classmethod
    def parse(cls, start, end) -> "Period":
        try:
            period = cls(iso_date(start), iso_date(end))
        except (TypeError, ValueError):
            raise ValidationFailed({"start": "Give the period as two dates, YYYY-MM-DD"}) from None
        if period.start.year < 1900:  # and so the period before it is a real period too
            raise ValidationFailed({"start": "Give a period after 1900"})
        if period.end <= period.start or (period.end - period.start).days > 3660:
            raise ValidationFailed({"end": "The end must be after the start, and the period at most ten years"})
        return period

    def previous(self) -> "Period":
        return Period(self.start - (self.end - self.start), self.start)

    def moments(self) -> tuple[datetime, datetime]:
        """From the start of the first day to the start of the day after the period, UK time."""
        return start_of_day(self.start), start_of_day(self.end)


def partnership_report(session: Session, actor, period: Period, *, action: str = "view") -> dict:
    """Figures for the period and the one before, every count suppressed; producing it is audited (a download
    as `export`)."""
    if actor.role not in REPORT_ROLES:
        raise PermissionDenied("Partnership reports are for safeguarding leads")
    report = {
        "period": {"start": period.start.isoformat(), "end": period.end.isoformat()},
        "current": figures(session, period),
        "previous": figures(session, period.previous()),
    }
    record_read(
        session,
        actor,
        action=action,
        object_type="report",
        object_id="partnership",
        person_ids=[],
        detail=report["period"],
    )
    return report


def figures(session: Session, period: Period) -> dict:
    open_cases = _open_cases(session, period.end - timedelta(days=1))
    referrals = _referrals(session, period)
    return {
        "open_cases_by_concern_and_risk": suppress_table(_by_concern_and_risk(open_cases)),
        "open_cases": suppress_total(len(open_cases)),
        **_referral_figures(session, referrals, period.moments()[1]),
        **_missing_figures(session, period),
        **_demographics(session, open_cases, period.end),
        "place_hotspots": _hotspots(session, open_cases, period.end),
    }


def _open_cases(session: Session, day: date) -> list[Case]:
    query = select(Case).where(Case.opened_on <= day, (Case.closed_on.is_(None)) | (Case.closed_on > day))
    return list(session.scalars(query))


def _by_concern_and_risk(cases: list[Case]) -> dict[str, dict[str, int]]:
    table: dict[str, Counter] = defaultdict(Counter)
    for case in cases:
        for concern in case.concerns:
            table[concern][case.risk_level] += 1
    return {
        concern: {risk: counts.get(risk, 0) for risk in ("low", "medium", "high")}
        for concern, counts in sorted(table.items())
    }


def _referrals(session: Session, period: Period) -> list[Referral]:
    start, end = period.moments()
    return list(session.scalars(select(Referral).where(Referral.sent_at >= start, Referral.sent_at < end)))


def _share_percent(part: int, whole: int) -> int | None:
    """part as a percentage of whole, unless whole is small or either side of the split is (1-4): 80% of 5 decided
    in time says that one was late."""
    if suppress_total(whole) is HIDDEN or HIDDEN in (suppress_total(part), suppress_total(whole - part)):
        return None
    return round(100 * part / whole) if whole else None


def _referral_figures(session: Session, referrals: list[Referral], until: datetime) -> dict:
    names = dict(session.execute(select(Agency.id, Agency.name)).all())
    outcome = Counter(
        r.status if r.status in ("accepted", "declined", "withdrawn") else "awaiting decision" for r in referrals
    )
    decided = [r for r in referrals if r.decided_at and not r.to_agency.external]
    in_time = [r for r in decided if not timeliness(r).breached["decide"]]
    hours = [(r.decided_at - r.sent_at).total_seconds() / 3600 for r in decided]
    repeat = _repeat_people(session, referrals, until)
    return {
        "referrals": suppress_total(len(referrals)),
        "referrals_by_agency": suppress(Counter(names[r.to_agency_id] for r in referrals)),
        "referrals_by_urgency": suppress(
            {u: sum(r.urgency == u for r in referrals) for u in ("red", "amber", "green")}
        ),
        "referrals_by_outcome": suppress(outcome),
        "referrals_decided_in_time_percent": _share_percent(len(in_time), len(decided)),
        "median_hours_to_decision": round(statistics.median(hours), 1) if len(hours) >= 5 else None,
        "repeat_referral_people": suppress_total(repeat),
    }


def _repeat_people(session: Session, referrals: list[Referral], until: datetime) -> int:
    """People referred in the period who were referred twice within the window, counting no referral sent after
    the period: a report of a past period does not change as later referrals arrive."""
    people = {r.person_id for r in referrals if r.person_id}
    times: dict[str, list[datetime]] = defaultdict(list)
    for person_id, sent_at in session.execute(
        select(Referral.person_id, Referral.sent_at).where(Referral.person_id.in_(people), Referral.sent_at < until)
    ).all():
        times[person_id].append(sent_at)
    return sum(1 for sent in times.values() if referred_again(sent))


def _missing_figures(session: Session, period: Period) -> dict:
    start, end = period.moments()
    episodes = list(
        session.scalars(
            select(MissingEpisode).where(MissingEpisode.reported_at >= start, MissingEpisode.reported_at < end)
        )
    )
    late = sum(1 for e in episodes if status_of(e, end).return_interview_late)
    children = len({e.person_id for e in episodes})
    # Episodes less children is the count of repeat episodes: shown beside a few of those, one total is hidden.
    repeats_few = len(episodes) - children in SMALL
    return {
        "missing_episodes": suppress_total(len(episodes)),
        "children_missing": HIDDEN if repeats_few else suppress_total(children),
        "return_interviews_late": suppress_total(late),
    }


def _demographics(session: Session, cases: list[Case], at: date) -> dict:
    ids = {c.subject_person_id for c in cases if c.subject_person_id}
    people = list(session.scalars(select(Person).where(Person.id.in_(ids), Person.erased_at.is_(None))))
    bands, sexes, ethnicities = Counter(), Counter(), Counter()
    for person in people:
        age = person.age_on(at)
        bands[next((name for name, low, high in AGE_BANDS if age is not None and low <= age <= high), "unknown")] += 1
        sexes[person.sex or "unknown"] += 1
        ethnicities[person.ethnicity or "not recorded"] += 1
    return {
        "open_case_subjects_by_age": suppress(
            {name: bands.get(name, 0) for name, *_ in AGE_BANDS} | {"unknown": bands.get("unknown", 0)}
        ),
        "open_case_subjects_by_sex": suppress(sexes),
        "open_case_subjects_by_ethnicity": suppress(ethnicities),
    }


def _hotspots(session: Session, cases: list[Case], at: date) -> list[dict]:
    """Places ranked by the young people with open cases linked to them; places below five, and homes, are not
    listed."""
    at_risk = {c.subject_person_id for c in cases if c.subject_person_id}
    # A report is read across the partnership: a home named beside a count would disclose a household.
    homes = [NodeRef("place", i) for i in session.scalars(select(Place.id).where(Place.kind == "address"))]
    graph = nx.restricted_view(borough_graph(session, at), homes, [])  # a view: the cached graph is left as it is
    ranked = place_hotspots(graph, lambda ref: ref.id in at_risk, top=20)
    names = {p.id: p.name for p in session.scalars(select(Place).where(Place.id.in_([r.id for r, _ in ranked])))}
    return [
        {"place_id": ref.id, "name": names.get(ref.id), "young_people": count} for ref, count in ranked if count >= 5
    ]
