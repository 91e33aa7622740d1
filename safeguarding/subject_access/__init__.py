"""Subject access: everything held about one person, with other people's identities redacted, and who looked.

Producing a bundle needs a fresh re-authentication (within five minutes) and is audited as an export. The records
are read in `records`, other people's identities found in `redaction`, and the sections written in `sections`.
"""

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

import audit
from models.base import utcnow
from safeguarding.errors import PermissionDenied
from safeguarding.subject_access import sections
from safeguarding.subject_access.records import gather
from safeguarding.subject_access.redaction import REDACTED, redactor
from safeguarding.subject_access.sections import plain

__all__ = ["FRESH_AUTHENTICATION", "REDACTED", "build_bundle"]

FRESH_AUTHENTICATION = timedelta(minutes=5)


def build_bundle(session: Session, actor, person_id: str, reauthenticated_at: datetime | None) -> dict:
    """The bundle for one person; refused without a recent re-authentication or outside the lead's role."""
    if actor.role != "safeguarding_lead":
        raise PermissionDenied("Subject access bundles are produced by safeguarding leads")
    if reauthenticated_at is None or utcnow() - reauthenticated_at > FRESH_AUTHENTICATION:
        raise PermissionDenied("Confirm your password and security code again before producing a bundle")
    held = gather(session, person_id)
    redact = redactor(
        session, held.ids, held.edges, place_ids=held.places, group_ids=held.groups, person_ids=held.linked_people
    )
    names = sections.Names.read(session, held)
    bundle = {
        "person": sections.person(held, redact, names),
        # What stayed on the records merged into this one: their own fields, kept as they were.
        "merged_records": [
            sections.fields(m, redact) | {"id": m.id, "recorded_at": m.created_at.isoformat()} for m in held.merged
        ],
        "relationships": sections.relationships(held, redact, names),
        "cases": sections.cases(held, redact),
        "missing_episodes": sections.missing_episodes(held, redact, names),
        "referrals": sections.referrals(held, redact, names),
        "meetings": sections.meetings(held, redact, names),
        "context_assessments": sections.context_assessments(held, redact, names),
        "context_weightings": [
            {"assessed_on": plain(w.assessed_on), "weights": redact(w.weights)} for w in held.weightings
        ],
        "safety_ratings": [
            {"place": redact(place), "rating": rating, "rated_on": plain(on)} for _id, place, rating, on in held.ratings
        ],
        "emergency_access": [
            {"by": g.user.display_name, "at": plain(g.granted_at), "reason": redact(g.reason)} for g in held.grants
        ],
        # The prompts raised about them (a transition, a missed return interview, a run of referrals): held too.
        "alerts": [{"kind": a.kind, "fired_on": plain(a.fired_on), "detail": redact(a.detail)} for a in held.alerts],
        "accessed_by": sections.accesses(held, names),
        "produced_at": utcnow().isoformat(),
    }
    audit.record(
        session,
        action="export",
        actor=actor,
        object_type="subject_access",
        object_id=held.person.id,
        person_ids=held.ids,
        detail={"sections": sorted(bundle)},
    )
    session.commit()
    return bundle
