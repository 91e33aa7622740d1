"""Reviewing break-glass (emergency) access: the queue, what was looked at under a grant, and the lead's verdict."""

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import audit
from audit.models import AuditEvent
from audit.person_index import touched
from models.base import get_by_id, utcnow
from models.safeguarding_events import BreakGlassGrant
from models.user import User
from safeguarding.audit_workspace import EventRow, describe, record_audit_view, require_lead, seal_now
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import clean_text

REVIEW_OUTCOMES = {
    "justified": "Justified",
    "not_justified": "Not justified: refer to information governance",
}
NOTE_MAX = 2000
RECENT_REVIEWS = 20


@dataclass(frozen=True)
class GrantRow:
    """A grant with its user and how many audited events it covered."""

    grant: BreakGlassGrant
    user: User
    reviewer: User | None
    events: int

    @property
    def outcome_text(self) -> str:
        return REVIEW_OUTCOMES.get(self.grant.review_outcome or "", "Awaiting review")


def review_queue(session: Session, actor, *, action: str = "audit_view") -> tuple[list[GrantRow], list[GrantRow]]:
    """Audit the look (or export), then the grants awaiting review and the latest reviews."""
    record_audit_view(session, actor, "break_glass_queue", action=action)
    return awaiting_review(session), recently_reviewed(session)


def grant_for_review(session: Session, actor, grant_id: str) -> tuple[GrantRow, list[EventRow]]:
    """One grant (NotFound if unknown) and what was done under it; the look is audited first."""
    require_lead(actor)
    row = grant_row(session, grant_id)
    record_audit_view(session, actor, "break_glass_review", detail={"grant_id": row.grant.id})
    seal_now(session)
    return row, describe(session, grant_events(session, row.grant))


def awaiting_review(session: Session) -> list[GrantRow]:
    """Grants nobody has reviewed yet, oldest first (the queue)."""
    query = select(BreakGlassGrant).where(BreakGlassGrant.reviewed_at.is_(None)).order_by(BreakGlassGrant.granted_at)
    return _rows(session, list(session.scalars(query)))


def count_awaiting_review(session: Session) -> int:
    """How many grants wait in the queue: a count for the home page and the audit log, nothing about anyone."""
    waiting = select(func.count()).select_from(BreakGlassGrant).where(BreakGlassGrant.reviewed_at.is_(None))
    return session.scalar(waiting) or 0


def recently_reviewed(session: Session, limit: int = RECENT_REVIEWS) -> list[GrantRow]:
    """The latest reviews, newest first."""
    query = (
        select(BreakGlassGrant)
        .where(BreakGlassGrant.reviewed_at.is_not(None))
        .order_by(BreakGlassGrant.reviewed_at.desc())
        .limit(limit)
    )
    return _rows(session, list(session.scalars(query)))


def grant_row(session: Session, grant_id: str) -> GrantRow:
    """One grant; NotFound for an unknown id."""
    grant = get_by_id(session, BreakGlassGrant, grant_id)
    if grant is None:
        raise NotFound("No emergency access with that id")
    return _rows(session, [grant])[0]


def grant_events(session: Session, grant: BreakGlassGrant) -> list[AuditEvent]:
    """What the grant's user did to that person while the grant ran, in time order."""
    return list(session.scalars(_covered(grant).order_by(AuditEvent.at, AuditEvent.id)))


def _covered(grant: BreakGlassGrant):
    # A second of slack before the grant: the event and the grant take their times from separate clock reads.
    return select(AuditEvent).where(
        touched(grant.person_id),
        AuditEvent.actor_user_id == grant.user_id,
        AuditEvent.at >= grant.granted_at - timedelta(seconds=1),
        AuditEvent.at <= grant.expires_at,
    )


def _rows(session: Session, grants: list[BreakGlassGrant]) -> list[GrantRow]:
    ids = {g.user_id for g in grants} | {g.reviewed_by_id for g in grants if g.reviewed_by_id}
    users = {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
    rows = []
    for grant in grants:
        count = session.scalar(select(func.count()).select_from(_covered(grant).subquery()))
        rows.append(GrantRow(grant, users[grant.user_id], users.get(grant.reviewed_by_id), count or 0))
    return rows


def checked_verdict(outcome, note, outcomes: dict[str, str], *, choose: str, explain: str) -> str | None:
    """A review's outcome (one of outcomes; the last one is the concern) and its cleaned note, which a concern
    needs; every problem at once."""
    problems = {}
    if outcome not in outcomes:
        problems["outcome"] = choose
    try:
        note = clean_text(note, field="note", label="a note", max_length=NOTE_MAX, required=False)
    except ValidationFailed as failure:
        problems.update(failure.fields)
    if outcome == list(outcomes)[-1] and not note and "note" not in problems:
        problems["note"] = explain
    if problems:
        raise ValidationFailed(problems)
    return note


def review_break_glass(session: Session, actor, grant_id: str, outcome, note) -> BreakGlassGrant:
    """Record a lead's verdict on a grant, audited in the same transaction; a grant is reviewed once."""
    require_lead(actor)
    grant = grant_row(session, grant_id).grant
    if grant.user_id == actor.id:
        record_denial(session, actor, object_type="break_glass_grant", object_id=grant.id, detail={"own_grant": True})
        raise PermissionDenied("Another safeguarding lead must review your own emergency access")
    note = checked_verdict(
        outcome,
        note,
        REVIEW_OUTCOMES,
        choose="Select whether the emergency access was justified",
        explain="Say why the access was not justified, for information governance",
    )
    # Conditional on nobody having got there first, so two leads reviewing at once cannot overwrite each other.
    changed = session.execute(
        update(BreakGlassGrant)
        .where(BreakGlassGrant.id == grant.id, BreakGlassGrant.reviewed_at.is_(None))
        .values(reviewed_by_id=actor.id, reviewed_at=utcnow(), review_outcome=outcome, review_note=note)
        .execution_options(synchronize_session="fetch")
    ).rowcount
    if changed != 1:
        session.rollback()
        raise Conflict("Another safeguarding lead has already reviewed this emergency access")
    # The note stays on the grant: free text may name people, and the log holds no plaintext.
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="break_glass_grant",
        object_id=grant.id,
        detail={"review_outcome": outcome, "grant_user_id": grant.user_id, "person_id": grant.person_id},
    )
    session.commit()
    return grant
