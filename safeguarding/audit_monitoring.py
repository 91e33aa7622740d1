"""The privacy-monitoring report: audit/monitoring's pure rules fed with facts from the database.

Family names are compared only as blind-index tokens: a user's family name is tokenised with the same keyed
index as people's names, and people's names are never decrypted for this.
"""

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from audit.models import AuditEvent
from audit.monitoring import RULES, AccessEvent, AgencyHours, Finding, PersonFacts, UserFacts, run_all
from audit.monitoring.break_glass import WINDOW
from audit.monitoring.facts import BREAK_GLASS, SUCCESS, VIEWING_ACTIONS
from audit.monitoring.volume import HISTORY_DAYS
from models.agency import Agency
from models.person import PersonFlag, PersonIndexToken
from models.user import User
from safeguarding.audit_workspace import record_audit_view, seal_now
from safeguarding.matching import normalise_name
from safeguarding.runtime import current as runtime
from safeguarding.validation import LONDON, start_of_day

ALWAYS = "always"
DEFAULT_KIND = "default"
# SPEC section 5: police work nights; everyone else Monday to Friday, 08:00-18:00 UK time, bank holidays off.
DEFAULT_WORKING_HOURS: Mapping[str, object] = {"police": ALWAYS, DEFAULT_KIND: ("08:00", "18:00")}
_CHUNK = 500  # ids per IN list, well inside every engine's bound-parameter limit


@dataclass(frozen=True)
class FindingRow:
    """A finding with its rule explained and its user named."""

    finding: Finding
    rule_text: str
    actor_name: str
    agency_name: str


def parse_working_hours(setting: Mapping[str, object]) -> dict[str, tuple[time, time] | None]:
    """AGENCY_WORKING_HOURS as {kind: (start, end) Monday to Friday, or None for round the clock}."""
    parsed: dict[str, tuple[time, time] | None] = {}
    for kind, value in {**DEFAULT_WORKING_HOURS, **setting}.items():
        if value == ALWAYS:
            parsed[kind] = None
            continue
        try:
            start, end = (v if isinstance(v, time) else time.fromisoformat(v) for v in value)  # type: ignore[union-attr]
        except (TypeError, ValueError):
            raise ValueError(
                f'AGENCY_WORKING_HOURS[{kind!r}] must be "always" or a pair of times like ("08:00", "18:00")'
            ) from None
        parsed[kind] = (start, end)
    return parsed


def agency_hours(
    kind: str, agency_id: str | None, setting: Mapping[str, object], holidays: Iterable[date]
) -> AgencyHours:
    """The working hours of an agency of this kind (the default kind's when it has none of its own)."""
    hours = parse_working_hours(setting)
    span = hours.get(kind, hours[DEFAULT_KIND])
    if span is None:
        return AgencyHours.always(agency_id)
    return AgencyHours.weekdays(agency_id, *span, closed_on=holidays)


def uk_today() -> date:
    """The report's default day: days run midnight to midnight UK time, whatever the server's clock zone."""
    return datetime.now(LONDON).date()


def day_bounds(day: date) -> tuple[datetime, datetime]:
    """Midnight to midnight, UK time (23 or 25 hours on the clock-change days)."""
    return start_of_day(day), start_of_day(day + timedelta(days=1))


def report(
    session: Session, actor, day: date, working_hours: Mapping[str, object], *, action: str = "audit_view"
) -> list[FindingRow]:
    """Audit the look (or export), seal so that events have their numbers, then the day's findings."""
    record_audit_view(session, actor, "monitoring", action=action, detail={"day": day.isoformat()})
    seal_now(session)
    return monitoring_report(session, day, working_hours)


def monitoring_report(session: Session, day: date, working_hours: Mapping[str, object]) -> list[FindingRow]:
    """Every rule's findings dated `day` (UK time), each with its user named."""
    start, end = day_bounds(day)
    history_start = start - max(timedelta(days=HISTORY_DAYS), WINDOW)
    events = _access_events(session, history_start, start, end)
    todays = [e for e in events if e.at >= start]
    users = _user_facts(session, {e.actor_user_id for e in events if e.actor_user_id})
    agencies = {a.id: a for a in _in_chunks(session, Agency, Agency.id, {e.actor_agency_id for e in events})}
    holidays = runtime().calendar.closure_days(history_start.year, day.year)
    hours = {a.id: agency_hours(a.kind, a.id, working_hours, holidays) for a in agencies.values()}
    findings = run_all(
        events,
        users=users,
        people=_person_facts(session, {p for e in todays for p in e.person_ids}, start, end),
        hours=hours,
        default_hours=agency_hours(DEFAULT_KIND, None, working_hours, holidays),
        day=day,
    )
    names = {u.id: u for u in _in_chunks(session, User, User.id, {f.actor_user_id for f in findings})}
    return [
        FindingRow(
            finding=f,
            rule_text=RULES[f.rule],
            actor_name=names[f.actor_user_id].display_name if f.actor_user_id in names else "Unknown user",
            agency_name=names[f.actor_user_id].agency.name if f.actor_user_id in names else "",
        )
        for f in findings
    ]


def _access_events(session: Session, history_start: datetime, start: datetime, end: datetime) -> list[AccessEvent]:
    """The day's events, and before it only what the history rules read (successful viewing, break-glass)."""
    e = AuditEvent
    history = or_(and_(e.action.in_(VIEWING_ACTIONS), e.outcome == SUCCESS), e.action == BREAK_GLASS)
    query = select(
        e.seq, e.at, e.actor_user_id, e.actor_agency_id, e.actor_role, e.action, e.person_ids, e.outcome, e.flagged
    ).where(e.at >= history_start, e.at < end, or_(e.at >= start, history))
    return [
        AccessEvent(
            seq=row.seq or 0,  # unsealed (the log refused sealing): still reported, without a number
            at=row.at,
            actor_user_id=row.actor_user_id,
            actor_agency_id=row.actor_agency_id,
            actor_role=row.actor_role,
            action=row.action,
            person_ids=tuple(json.loads(row.person_ids)),
            outcome=row.outcome,
            flagged=row.flagged,
        )
        for row in session.execute(query)
    ]


def _user_facts(session: Session, ids: set[str]) -> dict[str, UserFacts]:
    indexer = runtime().indexer
    facts = {}
    for user in _in_chunks(session, User, User.id, ids):
        family = normalise_name(user.family_name or "")
        token = indexer.token("family_name", family) if family else None
        facts[user.id] = UserFacts(user.id, family_name_token=token, deactivated_at=user.deactivated_at)
    return facts


def _person_facts(session: Session, ids: set[str], start: datetime, end: datetime) -> dict[str, PersonFacts]:
    """Family-name tokens (names and aliases) and whether a restricted flag was in force at any time that day."""
    tokens: dict[str, set[str]] = {pid: set() for pid in ids}
    restricted: set[str] = set()
    for chunk in _chunks(ids):
        rows = session.execute(
            select(PersonIndexToken.person_id, PersonIndexToken.token).where(
                PersonIndexToken.index_name == "family_name", PersonIndexToken.person_id.in_(chunk)
            )
        )
        for person_id, token in rows:
            tokens[person_id].add(token)
        restricted.update(
            session.scalars(
                select(PersonFlag.person_id).where(
                    PersonFlag.person_id.in_(chunk),
                    PersonFlag.flag == "restricted",
                    PersonFlag.set_at < end,
                    or_(PersonFlag.cleared_at.is_(None), PersonFlag.cleared_at >= start),
                )
            )
        )
    return {pid: PersonFacts(pid, frozenset(tokens[pid]), pid in restricted) for pid in ids}


def _chunks(ids: Iterable[str]) -> Iterable[list[str]]:
    ordered = sorted(i for i in ids if i)
    for n in range(0, len(ordered), _CHUNK):
        yield ordered[n : n + _CHUNK]


def _in_chunks(session: Session, model, column, ids: Iterable[str | None]) -> list:
    return [
        row for chunk in _chunks(i for i in ids if i) for row in session.scalars(select(model).where(column.in_(chunk)))
    ]
