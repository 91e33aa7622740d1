"""Alerts: rules that fire once per person (or place) and rule, dated when the condition first held."""

from datetime import date, timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.case import Case
from models.context import Place
from models.id_lists import among
from models.person import Person
from models.safeguarding_events import Alert, MissingEpisode
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.alert_store import fire
from safeguarding.context_analysis import refresh_exposure_alerts, refresh_location_assessment_alerts
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.missing import status_of
from safeguarding.referral_escalation import escalation_candidates
from safeguarding.runtime import current as runtime
from safeguarding.validation import add_months, birthday, london_day, uk_today

ALERT_KINDS = ("escalation", "location_assessment", "exposure", "transition", "return_interview")
TRANSITION_AGE_MONTHS = 17 * 12 + 6
# No birthday in it: alerts are stored as plain text, and the 18th birthday gives the date of birth away (the
# person's pages work it out from the encrypted date of birth for those who may read it).
TRANSITION_DETAIL = "Approaching 18 (17 years 6 months or older): plan the transition to adult services"


def transition_dates(born: date) -> tuple[date, date]:
    """When a young person's transitional prompt is due (17 years 6 months), and their 18th birthday."""
    return add_months(born, TRANSITION_AGE_MONTHS), birthday(born, 18)


def refresh_transition_alerts(session: Session, today: date) -> None:
    """A young person with an open case who is 17 years 6 months or older gets a transitional prompt."""
    query = select(Case.subject_person_id, Case.opened_on).where(
        Case.status == "open", Case.subject_person_id.is_not(None)
    )
    earliest_open: dict[str, date] = {}
    for person_id, opened_on in session.execute(query):
        earliest_open[person_id] = min(opened_on, earliest_open.get(person_id, opened_on))
    for person in session.scalars(select(Person).where(Person.id.in_(earliest_open), Person.erased_at.is_(None))):
        born = person.date_of_birth
        if not born:
            continue
        due, adult = transition_dates(born)
        if due <= today and earliest_open[person.id] < adult:
            fire(
                session,
                "transition",
                person_id=person.id,
                fired_on=max(due, earliest_open[person.id]),
                detail=TRANSITION_DETAIL,
            )


def interview_hours() -> int:
    """The hours within which a return-home interview is offered, as pages and alerts state them."""
    return int(runtime().return_interview_within.total_seconds() // 3600)


def refresh_return_interview_alerts(session: Session, today: date) -> None:
    now = utcnow()
    query = select(MissingEpisode).where(MissingEpisode.returned_at.is_not(None)).order_by(MissingEpisode.returned_at)
    for episode in session.scalars(query):
        status = status_of(episode, now)
        if status.return_interview_late:
            fire(
                session,
                "return_interview",
                person_id=episode.person_id,
                fired_on=london_day(status.return_interview_due_by),
                detail=f"No return-home interview offered within {interview_hours()} hours of the return on "
                f"{london_day(episode.returned_at).isoformat()}",
            )


def refresh_escalation_alerts(session: Session, today: date) -> None:
    """Three (configurable) referrals about one child within 90 days, counting every referral in any state."""
    rules = runtime().referral_rules
    for person_id, fired_at in escalation_candidates(session):
        fire(
            session,
            "escalation",
            person_id=person_id,
            fired_on=london_day(fired_at),
            detail=f"{rules.escalation_count} referrals within {rules.escalation_days} days",
        )


REFRESHERS = {
    "transition": refresh_transition_alerts,
    "return_interview": refresh_return_interview_alerts,
    "escalation": refresh_escalation_alerts,
    "exposure": refresh_exposure_alerts,
    "location_assessment": refresh_location_assessment_alerts,
}


def _stored(session: Session, kind: str | None, today: date) -> Select:
    """The alerts of a kind (or every kind), once its rules have been run again up to today."""
    for rule, refresh in REFRESHERS.items():
        if kind in (None, rule):
            refresh(session, today)
    session.flush()
    return select(Alert).where(Alert.kind == kind) if kind else select(Alert)


def list_alerts(session: Session, actor, kind: str | None = None, today: date | None = None) -> list[Alert]:
    """Alerts the actor may see: about people they may see (leads see all)."""
    if kind is not None and kind not in ALERT_KINDS:
        raise ValidationFailed({"kind": f"Choose one of {', '.join(ALERT_KINDS)}"})
    if actor.role != "safeguarding_lead" and not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see alerts about people")
    alerts = list(session.scalars(_stored(session, kind, today or uk_today()).order_by(Alert.fired_on, Alert.kind)))
    if actor.role != "safeguarding_lead":
        access = policy.people_access(session, actor, {a.person_id for a in alerts if a.person_id})
        # Only with full access: a limited view shows an age in years, and an alert's detail says more (a birthday,
        # a return from missing, a run of referrals).
        alerts = [a for a in alerts if a.person_id is None or access[a.person_id].full]
        # A place's alert names it: a home only for those who may see it (its page would refuse the rest).
        places = {a.place_id for a in alerts if a.place_id}
        homes = set(session.scalars(select(Place.id).where(among(Place.id, places), Place.kind == "address")))
        hidden = homes - policy.visible_addresses(session, actor, homes)
        alerts = [a for a in alerts if a.place_id not in hidden]
    record_read(
        session,
        actor,
        action="list",
        object_type="alert",
        object_id=kind,
        person_ids=sorted({a.person_id for a in alerts if a.person_id}),
    )
    return alerts


def place_names(session: Session, found: list[Alert]) -> dict[str, str]:
    """The names of the places these alerts are about (list_alerts has already left out homes the actor may not see)."""
    places = {a.place_id for a in found if a.place_id}
    query = select(Place.id, Place.name).where(among(Place.id, places))
    return {place_id: name for place_id, name in session.execute(query)}


def count_recent_escalation_alerts(session: Session, actor, today: date | None = None) -> int:
    """Children whose escalation alert fired within the rule's window (default 90 days) up to today, of those the
    Escalations page lists: a count across the partnership for a safeguarding lead's home page, naming no one."""
    if actor.role != "safeguarding_lead":
        raise PermissionDenied("Only safeguarding leads see escalation alerts across the partnership")
    today = today or uk_today()
    since = today - timedelta(days=runtime().referral_rules.escalation_days)
    recent = _stored(session, "escalation", today).where(Alert.fired_on >= since)
    return session.scalar(select(func.count()).select_from(recent.subquery())) or 0
