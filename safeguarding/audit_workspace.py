"""The safeguarding lead's audit workspace: filter the log, who accessed a person, what a user did, refusals.

Reading the log is itself audited (`audit_view`, committed before anything is shown). Listings name people by
their ids only: a lead sees personal data on the same terms as anyone else, never through the audit log.
"""

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, defer

import audit
from audit.models import MAX_SEQ, AuditEvent
from audit.person_index import touched
from models.agency import Agency
from models.base import parse_id
from models.safeguarding_events import BreakGlassGrant
from models.user import User
from safeguarding.access import record_read
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.merging import merged_into
from safeguarding.runtime import current as runtime
from safeguarding.validation import LONDON, iso_date, iso_datetime, whole_number

log = logging.getLogger("safecontext.audit")

# What stands for the basis of events that change or start things rather than read a record.
ACTION_BASIS = {
    "break_glass": "Asked for emergency access",
    "create": "Made the record",
    "audit_view": "Safeguarding lead's audit role",
}
LEAD_ROLE = "safeguarding_lead"
LIMIT_DEFAULT = 500
LIMIT_MAX = 5000

# The legitimate relationship behind a read, as SPEC section 4 names it (detail.basis of the event).
BASIS_LABELS = {
    "recorder": "Recorded the person (30 days)",
    "case_team": "On the case team",
    "referral": "Referral between agencies",
    "context_neighbour": "Context neighbour (limited view)",
    "break_glass": "Emergency access (break-glass)",
}


def require_lead(actor) -> None:
    """Only safeguarding leads work in the audit workspace."""
    if actor is None or actor.role != LEAD_ROLE:
        raise PermissionDenied("Only safeguarding leads can see the audit log")


def record_audit_view(
    session: Session, actor, what: str, *, action: str = "audit_view", detail: dict | None = None
) -> None:
    """Audit a look at the log (what: the page, endpoint or export) and commit it before anything is shown."""
    require_lead(actor)
    facts = {"view": what, **{k: v for k, v in (detail or {}).items() if v is not None}}
    record_read(session, actor, action=action, object_type="audit_log", object_id=None, person_ids=(), detail=facts)


def seal_now(session: Session) -> bool:
    """Seal what is committed so every listed event has its sequence number; False if the log refuses sealing."""
    try:
        audit.seal(session.get_bind(), runtime().signing_key)
    except audit.AuditIntegrityError:
        log.error("the audit log contradicts its checkpoint; listing unsealed events as they are", exc_info=True)
        return False
    return True


@dataclass(frozen=True)
class EventQuery:
    """Filters on the log; `since` inclusive, `until` exclusive; newest first, at most `limit` events, and only
    those sealed before `before_seq` when given (the next page of a long answer)."""

    person_id: str | None = None
    user_id: str | None = None
    action: str | None = None
    outcome: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = LIMIT_DEFAULT
    before_seq: int | None = None

    def as_detail(self) -> dict:
        """The filters as audit detail (ids, names and times only: nothing sensitive)."""
        values = {k: getattr(self, k) for k in ("person_id", "user_id", "action", "outcome", "since", "before_seq")}
        return {k: (v.isoformat() if isinstance(v, datetime) else v) for k, v in values.items() if v is not None}


def event_query(
    *,
    person_id: str | None = None,
    user_id: str | None = None,
    action: str | None = None,
    outcome: str | None = None,
    since: str | None = None,
    limit: str | int | None = None,
    before_seq: str | int | None = None,
) -> EventQuery:
    """Filters given as text (query string or form); ValidationFailed names every bad one by its parameter."""
    problems: dict[str, str] = {}
    query = EventQuery(
        person_id=_optional_id(person_id, "person_id", "the person", problems),
        user_id=_optional_id(user_id, "user_id", "the user", problems),
        action=_optional_choice(action, "action", "an action", audit.ACTIONS, problems),
        outcome=_optional_choice(outcome, "outcome", "an outcome", audit.OUTCOMES, problems),
        since=_optional_since(since, problems),
        limit=_limit(limit, problems),
        before_seq=_before_seq(before_seq, problems),
    )
    if problems:
        raise ValidationFailed(problems)
    return query


def _optional_id(value, name: str, label: str, problems: dict) -> str | None:
    if value is None or value == "":
        return None
    if parsed := parse_id(value.strip() if isinstance(value, str) else value):
        return parsed
    problems[name] = f"Give {label} by their id, like 3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30"
    return None


def _optional_choice(value, name: str, label: str, options: Iterable[str], problems: dict) -> str | None:
    if value is None or value == "":
        return None
    if value not in options:
        problems[name] = f"Choose {label}: one of {', '.join(sorted(options))}"
    return value if value in options else None


def _optional_since(value, problems: dict) -> datetime | None:
    """A date (00:00 Europe/London) or an ISO 8601 time; a time without an offset is read as UK time."""
    if value is None or value == "":
        return None
    text = str(value).strip()
    if len(text) > 6 and text[-6] == " " and text[-5:-3].isdigit() and text[-3] == ":":
        text = text[:-6] + "+" + text[-5:]  # a "+" offset sent unencoded in a query string arrives as a space
    try:
        parsed = iso_date(text) if len(text) == 10 else iso_datetime(text)
    except ValueError:
        problems["since"] = "Give a date like 2026-03-01, or a time like 2026-03-01T18:30:00+00:00"
        return None
    if len(text) == 10:
        parsed = datetime.combine(parsed, time(0))
    if parsed.year < 1900:
        problems["since"] = "Give a date after 1900"
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=LONDON)


def _limit(value, problems: dict) -> int:
    try:
        return whole_number(value, field="limit", label="a limit", low=1, high=LIMIT_MAX, default=LIMIT_DEFAULT)
    except ValidationFailed as failure:
        problems.update(failure.fields)
        return LIMIT_DEFAULT


def _before_seq(value, problems: dict) -> int | None:
    try:
        return whole_number(value, field="before_seq", label="a sequence number", low=1, high=MAX_SEQ)
    except ValidationFailed as failure:
        problems.update(failure.fields)
        return None


def find_events(session: Session, query: EventQuery) -> list[AuditEvent]:
    """Events matching the filters, newest first (unsealed ones, if any, before the sealed)."""
    stmt = select(AuditEvent).options(defer(AuditEvent.canonical), defer(AuditEvent.leaf_hash))
    if query.person_id:
        # Access to a duplicate before it was merged was access to this person's record too.
        records = [query.person_id, *merged_into(session, query.person_id)]
        stmt = stmt.where(or_(*(touched(record) for record in records)))
    for column, value in (
        (AuditEvent.actor_user_id, query.user_id),
        (AuditEvent.action, query.action),
        (AuditEvent.outcome, query.outcome),
    ):
        if value is not None:
            stmt = stmt.where(column == value)
    if query.since is not None:
        stmt = stmt.where(AuditEvent.at >= query.since)
    if query.until is not None:
        stmt = stmt.where(AuditEvent.at < query.until)
    if query.before_seq is not None:
        stmt = stmt.where(AuditEvent.seq < query.before_seq)
    stmt = stmt.order_by(AuditEvent.seq.desc().nulls_first(), AuditEvent.at.desc(), AuditEvent.id.desc())
    return list(session.scalars(stmt.limit(query.limit)))


@dataclass(frozen=True)
class EventRow:
    """One event as the workspace shows it: who (by name, agency and role at the time), what, and on what basis."""

    event: AuditEvent
    actor_name: str
    agency_name: str
    bases: tuple[str, ...]
    break_glass_reason: str | None

    @property
    def basis_text(self) -> str:
        if self.event.outcome == "denied":
            return "Refused: no legitimate relationship" if self.event.person_id_list else "Refused"
        if self.bases:
            return "; ".join(BASIS_LABELS.get(b, b) for b in self.bases)
        return ACTION_BASIS.get(self.event.action, "No relationship recorded for this action")


def describe(session: Session, events: list[AuditEvent]) -> list[EventRow]:
    """Name each event's actor and agency and give the basis of each access (a handful of queries in all)."""
    users = _by_id(session, User, {e.actor_user_id for e in events})
    agencies = _by_id(session, Agency, {e.actor_agency_id for e in events})
    grants = _grants_for(session, events)
    rows = []
    for event in events:
        detail = event.detail_dict or {}
        bases = tuple(b for b in detail.get("basis", ()) if isinstance(b, str))
        user, agency = users.get(event.actor_user_id), agencies.get(event.actor_agency_id)
        rows.append(
            EventRow(
                event=event,
                actor_name=user.display_name if user else ("System" if event.actor_user_id is None else "Unknown user"),
                agency_name=agency.name if agency else "",
                bases=bases,
                break_glass_reason=_break_glass_reason(event, bases, grants),
            )
        )
    return rows


def _by_id(session: Session, model, ids: set) -> dict:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids)))}


def _grants_for(session: Session, events: list[AuditEvent]) -> dict[tuple[str, str], list[BreakGlassGrant]]:
    """Break-glass grants of the actors and people of events that relied on one."""
    wanted = [e for e in events if "break_glass" in ((e.detail_dict or {}).get("basis") or ())]
    users, people = {e.actor_user_id for e in wanted}, {p for e in wanted for p in e.person_id_list}
    if not wanted:
        return {}
    query = select(BreakGlassGrant).where(BreakGlassGrant.user_id.in_(users), BreakGlassGrant.person_id.in_(people))
    grants: dict[tuple[str, str], list[BreakGlassGrant]] = {}
    for grant in session.scalars(query):
        grants.setdefault((grant.user_id, grant.person_id), []).append(grant)
    return grants


def _break_glass_reason(event: AuditEvent, bases: tuple[str, ...], grants: dict) -> str | None:
    if event.action == "break_glass":
        return event.reason
    if "break_glass" not in bases:
        return None
    for person_id in event.person_id_list:
        for grant in grants.get((event.actor_user_id, person_id), ()):
            # A second of slack: the grant's times and the event's are taken by separate clock reads.
            if grant.granted_at - timedelta(seconds=1) <= event.at <= grant.expires_at:
                return grant.reason
    return None


def listing(session: Session, actor, what: str, query: EventQuery, *, action: str = "audit_view") -> list[EventRow]:
    """Audit the look (or the export), seal, then describe the matching events: for pages and CSV alike."""
    record_audit_view(session, actor, what, action=action, detail={"filters": query.as_detail()})
    seal_now(session)
    return describe(session, find_events(session, query))


def users_to_choose(session: Session) -> list[User]:
    """Every user (active or not), for the 'what did this user do' chooser."""
    return list(session.scalars(select(User).order_by(User.family_name, User.given_name, User.username)))
