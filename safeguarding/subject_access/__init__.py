"""Subject access: everything held about one person, with other people's identities redacted, and who looked.

Producing a bundle needs a fresh re-authentication (within five minutes) and is audited as an export.
"""

from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import audit
from audit.models import AuditEvent
from audit.person_index import touched
from models.base import utcnow
from models.case import Case, ChronologyEntry
from models.context import Group, Place, Relationship
from models.context_work import ContextWeighting, Meeting, SafetyRating
from models.crypto import UNREADABLE
from models.person import ENCRYPTED_FIELDS, Person
from models.referral import Referral
from models.safeguarding_events import BreakGlassGrant, MissingEpisode
from models.user import User
from safeguarding.access import load_person
from safeguarding.errors import PermissionDenied
from safeguarding.subject_access.redaction import REDACTED, redactor

__all__ = ["FRESH_AUTHENTICATION", "REDACTED", "build_bundle"]

FRESH_AUTHENTICATION = timedelta(minutes=5)


def _plain(value):
    if value is UNREADABLE:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


def build_bundle(session: Session, actor, person_id: str, reauthenticated_at: datetime | None) -> dict:
    """The bundle for one person; refused without a recent re-authentication or outside the lead's role."""
    if actor.role != "safeguarding_lead":
        raise PermissionDenied("Subject access bundles are produced by safeguarding leads")
    if reauthenticated_at is None or utcnow() - reauthenticated_at > FRESH_AUTHENTICATION:
        raise PermissionDenied("Confirm your password and security code again before producing a bundle")
    person = load_person(session, person_id)
    edges = list(
        session.scalars(
            select(Relationship)
            .where(or_(Relationship.source_person_id == person.id, Relationship.target_person_id == person.id))
            .order_by(Relationship.recorded_at)
        )
    )
    ratings = session.execute(
        select(SafetyRating.place_id, Place.name, SafetyRating.rating, SafetyRating.rated_on)
        .join(Place, Place.id == SafetyRating.place_id)
        .where(SafetyRating.person_id == person.id)
    ).all()
    redact = redactor(session, [person.id], edges, place_ids={place_id for place_id, *_ in ratings})
    bundle = {
        # The record's own text (its notes above all) can name other people too.
        "person": {attr: redact(_plain(getattr(person, attr))) for attr, _c, _k in ENCRYPTED_FIELDS}
        | {
            "id": person.id,
            "dob_estimated": person.dob_estimated,
            "flags": [f.flag for f in person.active_flags],
            "recorded_at": person.created_at.isoformat(),
        },
        "relationships": _relationships(session, edges, redact),
        "cases": _cases(session, person, redact),
        "missing_episodes": [
            {
                "reported_at": _plain(e.reported_at),
                "returned_at": _plain(e.returned_at),
                "return_interview_offered_at": _plain(e.return_interview_offered_at),
            }
            for e in session.scalars(select(MissingEpisode).where(MissingEpisode.person_id == person.id))
        ],
        "referrals": [
            {
                "sent_at": _plain(r.sent_at),
                "from": r.from_agency.name,
                "to": r.to_agency.name,
                "urgency": r.urgency,
                "status": r.status,
                "reason": redact(_plain(r.reason)),
            }
            for r in session.scalars(select(Referral).where(Referral.person_id == person.id))
        ],
        "meetings": [
            {"kind": m.kind, "held_on": _plain(m.held_on), "decisions": redact(_plain(m.decisions))}
            for m in session.scalars(select(Meeting).where(Meeting.person_id == person.id))
        ],
        "context_weightings": [
            {"assessed_on": _plain(w.assessed_on), "weights": redact(w.weights)}
            for w in session.scalars(select(ContextWeighting).where(ContextWeighting.person_id == person.id))
        ],
        "safety_ratings": [
            {"place": redact(place), "rating": rating, "rated_on": _plain(on)} for _id, place, rating, on in ratings
        ],
        "emergency_access": [
            {"by": g.user.display_name, "at": _plain(g.granted_at), "reason": redact(g.reason)}
            for g in session.scalars(select(BreakGlassGrant).where(BreakGlassGrant.person_id == person.id))
        ],
        "accessed_by": _accesses(session, person.id),
        "produced_at": utcnow().isoformat(),
    }
    audit.record(
        session,
        action="export",
        actor=actor,
        object_type="subject_access",
        object_id=person.id,
        person_ids=[person.id],
        detail={"sections": sorted(bundle)},
    )
    session.commit()
    return bundle


def _relationships(session: Session, edges: list[Relationship], redact) -> list[dict]:
    """Every tie recorded to or from the person, ended ones too; places and groups by their (redacted) names."""
    places = _names(session, Place, {e.target_place_id for e in edges})
    groups = _names(session, Group, {e.target_group_id for e in edges})
    return [
        {
            "kind": edge.kind,
            "with": REDACTED if edge.target_type == "person" else redact((places | groups).get(edge.target_id)),
            "first_seen": _plain(edge.first_seen),
            "last_seen": _plain(edge.last_seen),
            "ended_on": _plain(edge.ended_on),
            "recorded_by_agency": edge.agency.name,
            "notes": redact(_plain(edge.notes)),
        }
        for edge in edges
    ]


def _names(session: Session, model, ids: set) -> dict[str, str]:
    ids.discard(None)
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}


def _cases(session: Session, person: Person, redact) -> list[dict]:
    cases = []
    for case in session.scalars(select(Case).where(Case.subject_person_id == person.id)):
        entries = session.scalars(
            select(ChronologyEntry).where(ChronologyEntry.case_id == case.id).order_by(ChronologyEntry.occurred_on)
        )
        cases.append(
            {
                "opened_on": _plain(case.opened_on),
                "status": case.status,
                "concerns": case.concerns,
                "summary": redact(_plain(case.summary)),
                "lead_agency": case.lead_agency.name,
                "chronology": [
                    {
                        "occurred_on": _plain(e.occurred_on),
                        "category": e.category,
                        "agency": e.agency.name,
                        "summary": redact(_plain(e.summary)),
                    }
                    for e in entries
                ],
            }
        )
    return cases


def _accesses(session: Session, person_id: str) -> list[dict]:
    query = (
        select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_user_id, AuditEvent.outcome)
        .where(touched(person_id))
        .order_by(AuditEvent.at)
    )
    names = {u.id: (u.display_name, u.agency.name) for u in session.scalars(select(User))}
    return [
        {
            "at": _plain(at),
            "action": action,
            "by": names.get(user_id, ("unknown", ""))[0],
            "agency": names.get(user_id, ("", "unknown"))[1],
            "outcome": outcome,
        }
        for at, action, user_id, outcome in session.execute(query).all()
    ]
