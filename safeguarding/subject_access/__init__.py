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
from safeguarding import merging
from safeguarding.access import load_person
from safeguarding.errors import PermissionDenied
from safeguarding.subject_access.redaction import REDACTED, redactor

__all__ = ["FRESH_AUTHENTICATION", "REDACTED", "build_bundle"]

FRESH_AUTHENTICATION = timedelta(minutes=5)
MERGED_RECORD = "[their own record, merged into this one]"


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
    # A merged duplicate's id gives the surviving record's bundle, which gathers over every record merged into it.
    person = merging.survivor_of(session, load_person(session, person_id))
    merged = list(session.scalars(select(Person).where(Person.id.in_(merging.merged_ids(session, person.id)))))
    ids = [person.id, *(m.id for m in merged)]
    edges = list(
        session.scalars(
            select(Relationship)
            .where(or_(Relationship.source_person_id.in_(ids), Relationship.target_person_id.in_(ids)))
            .order_by(Relationship.recorded_at)
        )
    )
    ratings = session.execute(
        select(SafetyRating.place_id, Place.name, SafetyRating.rating, SafetyRating.rated_on)
        .join(Place, Place.id == SafetyRating.place_id)
        .where(SafetyRating.person_id.in_(ids))
    ).all()
    redact = redactor(session, ids, edges, place_ids={place_id for place_id, *_ in ratings})
    bundle = {
        "person": _fields(person, redact)
        | {
            "id": person.id,
            "dob_estimated": person.dob_estimated,
            "flags": [f.flag for f in person.active_flags],
            "recorded_at": person.created_at.isoformat(),
        },
        # What stayed on the records merged into this one: their own fields, kept as they were.
        "merged_records": [_fields(m, redact) | {"id": m.id, "recorded_at": m.created_at.isoformat()} for m in merged],
        "relationships": _relationships(session, ids, edges, redact),
        "cases": _cases(session, ids, redact),
        "missing_episodes": [
            {
                "reported_at": _plain(e.reported_at),
                "returned_at": _plain(e.returned_at),
                "return_interview_offered_at": _plain(e.return_interview_offered_at),
            }
            for e in session.scalars(select(MissingEpisode).where(MissingEpisode.person_id.in_(ids)))
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
            for r in session.scalars(select(Referral).where(Referral.person_id.in_(ids)))
        ],
        "meetings": [
            {"kind": m.kind, "held_on": _plain(m.held_on), "decisions": redact(_plain(m.decisions))}
            for m in session.scalars(select(Meeting).where(Meeting.person_id.in_(ids)))
        ],
        "context_weightings": [
            {"assessed_on": _plain(w.assessed_on), "weights": redact(w.weights)}
            for w in session.scalars(select(ContextWeighting).where(ContextWeighting.person_id.in_(ids)))
        ],
        "safety_ratings": [
            {"place": redact(place), "rating": rating, "rated_on": _plain(on)} for _id, place, rating, on in ratings
        ],
        "emergency_access": [
            {"by": g.user.display_name, "at": _plain(g.granted_at), "reason": redact(g.reason)}
            for g in session.scalars(select(BreakGlassGrant).where(BreakGlassGrant.person_id.in_(ids)))
        ],
        "accessed_by": _accesses(session, ids),
        "produced_at": utcnow().isoformat(),
    }
    audit.record(
        session,
        action="export",
        actor=actor,
        object_type="subject_access",
        object_id=person.id,
        person_ids=ids,
        detail={"sections": sorted(bundle)},
    )
    session.commit()
    return bundle


def _fields(person: Person, redact) -> dict:
    """A record's own encrypted fields; its text (its notes above all) can name other people too."""
    return {attr: redact(_plain(getattr(person, attr))) for attr, _c, _k in ENCRYPTED_FIELDS}


def _relationships(session: Session, ids: list[str], edges: list[Relationship], redact) -> list[dict]:
    """Every tie recorded to or from the person, ended ones too; places and groups by their (redacted) names."""
    places = _names(session, Place, {e.target_place_id for e in edges})
    groups = _names(session, Group, {e.target_group_id for e in edges})
    return [
        {
            "kind": edge.kind,
            "with": _other_end(edge, ids, redact((places | groups).get(edge.target_id))),
            "first_seen": _plain(edge.first_seen),
            "last_seen": _plain(edge.last_seen),
            "ended_on": _plain(edge.ended_on),
            "recorded_by_agency": edge.agency.name,
            "notes": redact(_plain(edge.notes)),
        }
        for edge in edges
    ]


def _other_end(edge: Relationship, ids: list[str], context_name: str | None) -> str | None:
    if edge.target_type != "person":
        return context_name
    # The tie a merge ended between two of the person's own records.
    return MERGED_RECORD if {edge.source_person_id, edge.target_person_id} <= set(ids) else REDACTED


def _names(session: Session, model, ids: set) -> dict[str, str]:
    ids.discard(None)
    return dict(session.execute(select(model.id, model.name).where(model.id.in_(ids))).all()) if ids else {}


def _cases(session: Session, ids: list[str], redact) -> list[dict]:
    cases = []
    for case in session.scalars(select(Case).where(Case.subject_person_id.in_(ids))):
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


def _accesses(session: Session, ids: list[str]) -> list[dict]:
    query = (
        select(AuditEvent.at, AuditEvent.action, AuditEvent.actor_user_id, AuditEvent.outcome)
        .where(or_(*(touched(person_id) for person_id in ids)))
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
