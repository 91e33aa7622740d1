"""Reviewing flagged access (SPEC 5): reads made with no case assignment in force, user by user.

A lead reviews a user's flagged events up to the last one they were shown; the verdict covers exactly those, and
anything flagged later waits for the next review. Asking for emergency access is reviewed on its own queue (the
grant), so those events are left out here; reads made under a grant stay in, marked with their basis.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, true
from sqlalchemy.orm import Session

import audit
from audit.models import MAX_SEQ, AuditEvent
from models.base import get_by_id
from models.safeguarding_events import FlaggedAccessReview
from models.user import User
from safeguarding.audit_review import checked_verdict
from safeguarding.audit_workspace import EventRow, describe, record_audit_view, require_lead, seal_now
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import whole_number

OUTCOMES = {
    "appropriate": "Appropriate: the work explains the access",
    "concern": "Concern: refer to information governance",
}
SHOWN_AT_ONCE = 500  # a review covers what the lead was shown; the rest waits for the next one
RECENT_REVIEWS = 20


@dataclass(frozen=True)
class FlaggedUser:
    """A user with flagged access awaiting review: how many events, over what time."""

    user: User
    events: int
    first_at: datetime
    last_at: datetime


@dataclass(frozen=True)
class ReviewRow:
    """A review with the user it was about and the lead who made it."""

    review: FlaggedAccessReview
    user: User
    reviewer: User

    @property
    def outcome_text(self) -> str:
        return OUTCOMES[self.review.outcome]


def _awaiting(since):
    """Sealed flagged events after `since` (a seq, or a column of them), as the partial index covers them."""
    e = AuditEvent
    # flagged = true, not IS TRUE: the form both engines match to the index's predicate.
    return (e.flagged == true(), e.seq.is_not(None), e.seq > since, e.action != "break_glass")


def review_queue(session: Session, actor) -> tuple[list[FlaggedUser], list[ReviewRow]]:
    """Audit the look, then each user with flagged access awaiting review (longest waiting first) and the latest
    reviews."""
    record_audit_view(session, actor, "flagged_access_queue")
    seal_now(session)
    e = AuditEvent
    rows = session.execute(_awaiting_by_user(e.actor_user_id, func.count(), func.min(e.at), func.max(e.at))).all()
    users = _users(session, {row[0] for row in rows})
    waiting = [FlaggedUser(users[user_id], count, first, last) for user_id, count, first, last in rows]
    return waiting, _recent_reviews(session)


def count_users_awaiting(session: Session) -> int:
    """How many users have flagged access awaiting review: a count for the audit log's page, naming nobody."""
    return session.scalar(select(func.count()).select_from(_awaiting_by_user(AuditEvent.actor_user_id).subquery()))


def _awaiting_by_user(*columns):
    """Per user, from their flagged events awaiting review, the columns asked for; longest waiting first."""
    reviewed = (
        select(FlaggedAccessReview.user_id, func.max(FlaggedAccessReview.through_seq).label("through"))
        .group_by(FlaggedAccessReview.user_id)
        .subquery()
    )
    e = AuditEvent
    return (
        select(*columns)
        .outerjoin(reviewed, reviewed.c.user_id == e.actor_user_id)
        .where(e.actor_user_id.is_not(None), *_awaiting(func.coalesce(reviewed.c.through, 0)))
        .group_by(e.actor_user_id)
        .order_by(func.min(e.at))
    )


def flagged_for_review(session: Session, actor, user_id: str) -> tuple[User, list[EventRow], ReviewRow | None]:
    """A user's flagged events awaiting review (the first SHOWN_AT_ONCE, oldest first) and their last review; the
    look is audited first."""
    require_lead(actor)
    user = _user(session, user_id)
    record_audit_view(session, actor, "flagged_access_review", detail={"user_id": user.id})
    seal_now(session)
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.actor_user_id == user.id, *_awaiting(_reviewed_through(session, user.id)))
        .order_by(AuditEvent.seq)
        .limit(SHOWN_AT_ONCE)
    )
    return user, describe(session, list(events)), _last_review(session, user.id)


def review_flagged_access(session: Session, actor, user_id: str, through_seq, outcome, note) -> FlaggedAccessReview:
    """Record a lead's verdict on a user's flagged events up to through_seq, audited in the same transaction."""
    require_lead(actor)
    user = _user(session, user_id)
    if user.id == actor.id:
        record_denial(session, actor, object_type="flagged_access", object_id=user.id, detail={"own_access": True})
        raise PermissionDenied("Another safeguarding lead must review your own flagged access")
    note = checked_verdict(
        outcome,
        note,
        OUTCOMES,
        choose="Select whether the access was appropriate",
        explain="Say what concerns you, for information governance",
    )
    through = whole_number(through_seq, field="through_seq", label="the last event reviewed", low=1, high=MAX_SEQ)
    if through is None:
        raise ValidationFailed({"through_seq": "Give the number of the last event reviewed"})
    since = _reviewed_through(session, user.id)
    covered = session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.actor_user_id == user.id, AuditEvent.seq <= through, *_awaiting(since))
    )
    if not covered:
        raise Conflict("These accesses have already been reviewed: open the user's flagged access again")
    review = FlaggedAccessReview(
        user_id=user.id, through_seq=through, events=covered, reviewed_by_id=actor.id, outcome=outcome, note=note
    )
    session.add(review)
    session.flush()
    # The note stays on the review: free text may name people, and the log holds no plaintext.
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="flagged_access_review",
        object_id=review.id,
        detail={"outcome": outcome, "user_id": user.id, "through_seq": through, "events": covered},
    )
    session.commit()
    return review


def _reviewed_through(session: Session, user_id: str) -> int:
    query = select(func.max(FlaggedAccessReview.through_seq)).where(FlaggedAccessReview.user_id == user_id)
    return session.scalar(query) or 0


def _last_review(session: Session, user_id: str) -> ReviewRow | None:
    query = (
        select(FlaggedAccessReview)
        .where(FlaggedAccessReview.user_id == user_id)
        .order_by(FlaggedAccessReview.through_seq.desc())
        .limit(1)
    )
    rows = _review_rows(session, list(session.scalars(query)))
    return rows[0] if rows else None


def _recent_reviews(session: Session) -> list[ReviewRow]:
    query = select(FlaggedAccessReview).order_by(FlaggedAccessReview.reviewed_at.desc()).limit(RECENT_REVIEWS)
    return _review_rows(session, list(session.scalars(query)))


def _review_rows(session: Session, reviews: list[FlaggedAccessReview]) -> list[ReviewRow]:
    users = _users(session, {r.user_id for r in reviews} | {r.reviewed_by_id for r in reviews})
    return [ReviewRow(r, users[r.user_id], users[r.reviewed_by_id]) for r in reviews]


def _user(session: Session, user_id: str) -> User:
    user = get_by_id(session, User, user_id)
    if user is None:
        raise NotFound("No user with that id")
    return user


def _users(session: Session, ids: set[str]) -> dict[str, User]:
    return {u.id: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {}
