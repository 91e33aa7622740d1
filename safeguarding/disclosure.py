"""Role-based disclosure in one place: what of a record each viewer sees. Pages and API use the same views."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.case import Case, ChronologyEntry
from models.context import Group, Place, Relationship
from models.crypto import UNREADABLE
from models.person import ENCRYPTED_FIELDS, Person
from safeguarding import policy
from safeguarding.policy import PersonAccess
from safeguarding.validation import uk_today

# Victim status is visible to every agency that may see the person: young people who offend are often victims too.
VICTIM_FLAGS = ("victim_of_exploitation", "nrm_positive_decision")


def plain_value(value):
    """A decrypted value as pages and the API show it: none when unreadable, a date as ISO text."""
    if value is UNREADABLE:
        return None
    return value.isoformat() if isinstance(value, date) else value


def person_view(session: Session, person: Person, access: PersonAccess, today: date | None = None) -> dict:
    today = today or uk_today()
    if access.full:
        return full_person(person, access, today)
    return limited_person(session, person, today)


def full_person(person: Person, access: PersonAccess, today: date) -> dict:
    body = {"id": person.id, "version": person.version, "view": "full", "basis": list(access.bases)}
    unreadable = []
    for attr, _column, _kind in ENCRYPTED_FIELDS:
        value = getattr(person, attr)
        if value is UNREADABLE:
            unreadable.append(attr)
        body[attr] = plain_value(value)
    body.update(
        display_name=person.display_name,
        dob_estimated=person.dob_estimated,
        age=person.age_on(today),
        flags=[{"flag": f.flag, "set_by": f.set_by_id, "set_at": f.set_at.isoformat()} for f in person.active_flags],
        merged_into=person.merged_into_id,
        recorded_at=person.created_at.isoformat(),
        unreadable_fields=unreadable,
    )
    return body


def limited_person(session: Session, person: Person, today: date) -> dict:
    """Context-neighbour view: display name, age, relationship kinds, places but no address; nothing else."""
    edges = list(
        session.scalars(
            select(Relationship).where(
                Relationship.ended_on.is_(None),
                or_(Relationship.source_person_id == person.id, Relationship.target_person_id == person.id),
            )
        )
    )
    place_ids = {e.target_place_id for e in edges if e.target_place_id}
    # "No address" (SPEC section 4): a home recorded as a place of kind address is left out with the field.
    chosen = select(Place).where(Place.id.in_(place_ids), Place.kind != "address")
    places = session.scalars(chosen) if place_ids else []
    return {
        "id": person.id,
        "view": "limited",
        "display_name": person.display_name,
        "age": person.age_on(today),
        "relationship_kinds": sorted({e.kind for e in edges}),
        "places": sorted(({"id": p.id, "name": p.name, "kind": p.kind} for p in places), key=lambda p: p["name"]),
        "flags": [{"flag": f.flag} for f in person.active_flags if f.flag in VICTIM_FLAGS],
    }


def entry_view(entry: ChronologyEntry, view: str) -> dict:
    """A chronology entry; where only its existence may be shown, the summary is withheld."""
    body = {
        "id": entry.id,
        "occurred_on": entry.occurred_on.isoformat(),
        "category": entry.category,
        "sensitivity": entry.sensitivity,
        "agency": {"id": entry.agency_id, "name": entry.agency.name},
        "author": entry.author.display_name if entry.author else None,
        "recorded_at": entry.created_at.isoformat(),
        "summary": plain_value(entry.summary) if view == "full" else None,
        "withheld": view != "full",
        "derived": getattr(entry, "derived", False),
    }
    if body["derived"]:  # a referral shown in the chronology: derived on read, never stored
        referral = entry.referral
        body["referral"] = {
            "id": referral.id,
            "urgency": referral.urgency,
            "status": referral.status,
            "from_agency": {"id": referral.from_agency_id, "name": referral.from_agency.name},
            "to_agency": {"id": referral.to_agency_id, "name": referral.to_agency.name},
        }
    return body


def case_view(case: Case, role: str) -> dict:
    return {
        "id": case.id,
        "version": case.version,
        "subject": {"type": case.subject_type, "id": case.subject_id},
        "lead_agency": {"id": case.lead_agency_id, "name": case.lead_agency.name},
        "lead_worker": {"id": case.lead_worker_id, "display_name": case.lead_worker.display_name}
        if case.lead_worker
        else None,
        "members": [
            {
                "user_id": m.user_id,
                "display_name": m.user.display_name,
                "agency": m.user.agency.name,
                "role": m.user.role,
                "added_at": m.added_at.isoformat(),
            }
            for m in case.current_members
        ],
        "concerns": list(case.concerns),
        "risk_level": case.risk_level,
        "status": case.status,
        "opened_on": case.opened_on.isoformat(),
        "closed_on": case.closed_on.isoformat() if case.closed_on else None,
        "closed_reason": plain_value(case.closed_reason),
        "closure_request": _closure_step(
            case.closure_requested_by, case.closure_requested_at, case.closure_request_reason
        ),
        "closure_returned": _closure_step(
            case.closure_returned_by, case.closure_returned_at, case.closure_return_reason
        ),
        "summary": plain_value(case.summary),
        "your_role": role,
    }


def _closure_step(user, at, reason) -> dict | None:
    """A request to close the case, or a manager's return of one: who, when and why; None when there is none."""
    if at is None:
        return None
    who = {"id": user.id, "display_name": user.display_name} if user else None
    return {"by": who, "at": at.isoformat(), "reason": plain_value(reason)}


def seen_in_full(session: Session, actor, person_ids) -> set[str]:
    """Which of these people the actor may see in full: only their names, and what is written about them, show."""
    access = policy.people_access(session, actor, [p for p in person_ids if p])
    return {person_id for person_id, level in access.items() if level.full}


def full_names(session: Session, actor, person_ids) -> dict[str, str]:
    """Display names of the people the actor may see in full; the others are shown by reference only."""
    seen = sorted(seen_in_full(session, actor, person_ids))
    query = select(Person).where(Person.id.in_(seen), Person.erased_at.is_(None))
    return {person.id: person.display_name for person in session.scalars(query)}


def withheld_referrals(session: Session, actor, referrals) -> set[str]:
    """The referrals whose free text (reasons, history notes) is withheld from the actor: those about a person they
    may no longer see in full, once the referral rule's 30 days after a decision or withdrawal have run out, or
    about a home they may no longer see on the same terms. A place or group otherwise shows to every practitioner."""
    seen = seen_in_full(session, actor, {r.person_id for r in referrals})
    hidden = hidden_homes(session, actor, {r.place_id for r in referrals})
    return {r.id for r in referrals if (r.person_id is not None and r.person_id not in seen) or r.place_id in hidden}


def hidden_homes(session: Session, actor, place_ids) -> set[str]:
    """Of these places, the homes (kind `address`) the actor may not see (policy.visible_addresses)."""
    ids = {p for p in place_ids if p}
    if not ids:
        return set()
    homes = set(session.scalars(select(Place.id).where(Place.id.in_(ids), Place.kind == "address")))
    return homes - policy.visible_addresses(session, actor, homes)


@dataclass(frozen=True)
class ReferralSubject:
    """What a referral is about, as one viewer sees it: its name is None for a person or a home they may no longer
    see (only the reference shows)."""

    type: str
    id: str
    name: str | None


def referral_subjects(session: Session, actor, referrals) -> dict[str, ReferralSubject]:
    """Each referral's subject (by referral id), named as the actor may see it: for a whole box at once."""
    people = full_names(session, actor, {r.person_id for r in referrals if r.person_id})
    place_ids, group_ids = {r.place_id for r in referrals} - {None}, {r.group_id for r in referrals} - {None}
    names = dict(session.execute(select(Place.id, Place.name).where(Place.id.in_(place_ids))).all())
    names |= dict(session.execute(select(Group.id, Group.name).where(Group.id.in_(group_ids))).all())
    hidden = hidden_homes(session, actor, place_ids)
    return {
        r.id: ReferralSubject(
            r.subject_type,
            r.subject_id,
            people.get(r.person_id) if r.person_id else None if r.subject_id in hidden else names.get(r.subject_id),
        )
        for r in referrals
    }
