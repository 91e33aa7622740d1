"""Break-glass: emergency access to one person for 60 minutes, with a stated reason, queued for review."""

from sqlalchemy.orm import Session

import audit
from models.base import utcnow
from models.safeguarding_events import BreakGlassGrant
from safeguarding import policy
from safeguarding.access import load_person
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.validation import clean_text


def break_glass(session: Session, actor, person_id: str, reason) -> BreakGlassGrant:
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role cannot use emergency access")
    person = load_person(session, person_id)
    reason = clean_text(reason, field="$.reason", label="the reason for emergency access", max_length=2000)
    if len(reason) < policy.BREAK_GLASS_MIN_REASON:
        minimum = policy.BREAK_GLASS_MIN_REASON
        raise ValidationFailed({"$.reason": f"Explain why you need emergency access in at least {minimum} characters"})
    now = utcnow()
    grant = BreakGlassGrant(
        user_id=actor.id,
        person_id=person.id,
        reason=reason,
        granted_at=now,
        expires_at=now + policy.BREAK_GLASS_DURATION,
    )
    session.add(grant)
    audit.record(
        session,
        action="break_glass",
        actor=actor,
        object_type="person",
        object_id=person.id,
        person_ids=[person.id],
        reason=reason,
        flagged=True,
        detail={"grant_id": grant.id},
    )
    session.commit()
    return grant
