"""Referrals that call for more: repeat referrals, the escalation rule about a child referred again and again,
and the safeguarding leads' list of referrals past their decision time."""

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.person import Person
from models.referral import OPEN_STATES, Referral
from safeguarding.access import record_read
from safeguarding.errors import PermissionDenied
from safeguarding.referrals import NOT_ABOUT_ERASED, timeliness
from safeguarding.runtime import current as runtime
from safeguarding.validation import london_day


def is_repeat(session: Session, referral: Referral) -> bool:
    return repeat_flags(session, [referral])[referral.id]


def repeat_flags(session: Session, referrals: list[Referral]) -> dict[str, bool]:
    """Whether another referral about the same person was sent within the repeat window (default 12 months) of
    each one: one query for a whole inbox."""
    rules = runtime().referral_rules
    sent_times: dict[str, list[tuple[datetime, str]]] = {}
    people = {r.person_id for r in referrals if r.person_id}
    query = select(Referral.person_id, Referral.sent_at, Referral.id).where(Referral.person_id.in_(people))
    for person_id, sent_at, referral_id in session.execute(query):
        sent_times.setdefault(person_id, []).append((sent_at, referral_id))
    return {
        r.id: any(
            other != r.id and rules.repeats(min(sent, r.sent_at), max(sent, r.sent_at))
            for sent, other in sent_times.get(r.person_id, ())
        )
        for r in referrals
    }


def repeat_referral_people(session: Session, person_ids) -> set[str]:
    """Which of these people were referred twice or more within the repeat window."""
    times: dict[str, list[datetime]] = {}
    query = select(Referral.person_id, Referral.sent_at).where(Referral.person_id.in_(set(person_ids)))
    for person_id, sent_at in session.execute(query):
        times.setdefault(person_id, []).append(sent_at)
    return {p for p, sent in times.items() if referred_again(sent)}


def referred_again(sent: list[datetime]) -> bool:
    """Whether any two of these sending times fall within the repeat window of each other."""
    rules, ordered = runtime().referral_rules, sorted(sent)
    return any(rules.repeats(a, b) for a, b in zip(ordered, ordered[1:], strict=False))


def escalation_candidates(session: Session) -> list[tuple[str, datetime]]:
    """(person, date the rule first held) for every child referred N times within the window, any state."""
    rules = runtime().referral_rules
    times: dict[str, list[datetime]] = {}
    query = select(Referral.person_id, Referral.sent_at).where(Referral.person_id.is_not(None), NOT_ABOUT_ERASED)
    for person_id, sent_at in session.execute(query.order_by(Referral.sent_at)):
        times.setdefault(person_id, []).append(sent_at)
    held = []
    n = rules.escalation_count
    for person_id, sent in times.items():
        for i in range(n - 1, len(sent)):
            if rules.escalates(sent[i - n + 1], sent[i]):
                held.append((person_id, sent[i]))
                break
    people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_([p for p, _ in held])))}
    return [(person_id, at) for person_id, at in held if not _adult_on(people.get(person_id), london_day(at))]


def _adult_on(person: Person | None, day) -> bool:
    """Whether the rule, which is about children, leaves this person out; an unknown age is kept, for safety."""
    age = person.age_on(day) if person is not None else None
    return age is not None and age >= 18


def past_decision_time(session: Session, now: datetime | None = None) -> list[Referral]:
    """The escalation list for safeguarding leads: open referrals whose decision time has passed."""
    now = now or utcnow()
    open_rows = session.scalars(select(Referral).where(Referral.status.in_(OPEN_STATES), NOT_ABOUT_ERASED))
    return [r for r in open_rows if timeliness(r, now).breached["decide"]]


def escalation_list(session: Session, actor, now: datetime | None = None) -> list[Referral]:
    """Safeguarding leads' list of referrals past their decision time; audited, and never with the reason."""
    if actor.role != "safeguarding_lead":
        raise PermissionDenied("Only safeguarding leads see the escalation list")
    rows = sorted(past_decision_time(session, now), key=lambda r: r.sent_at)
    record_read(
        session,
        actor,
        action="list",
        object_type="referral",
        object_id="escalations",
        person_ids=sorted({r.person_id for r in rows if r.person_id}),
    )
    return rows
