"""The sections of a subject access bundle, written out from the records held, each text passed through the
redactor. Staff are named (who recorded, decided and accessed is part of the answer); other people are not."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.case import Case
from models.context import Group, Place, Relationship
from models.crypto import UNREADABLE
from models.person import ENCRYPTED_FIELDS, Person
from models.user import User
from safeguarding.subject_access.records import Held
from safeguarding.subject_access.redaction import REDACTED, Redactor

MERGED_RECORD = "[their own record, merged into this one]"


def plain(value):
    """A value as JSON holds it; an encrypted value that failed its integrity check reads as null, as shredded."""
    if value is UNREADABLE:
        return None
    return value.isoformat() if hasattr(value, "isoformat") else value


@dataclass
class Names:
    """Names the sections show, each kind read in one query: staff (with their agency), agencies, contexts."""

    staff: dict[str, tuple[str, str]]
    agencies: dict[str, str]
    contexts: dict[str, str]

    @classmethod
    def read(cls, session: Session, held: Held) -> "Names":
        staff = session.scalars(select(User).where(User.id.in_(_users(held))))
        return cls(
            staff={user.id: (user.display_name, user.agency.name) for user in staff},
            agencies=dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(_agencies(held)))).all()),
            contexts=dict(session.execute(select(Place.id, Place.name).where(Place.id.in_(held.places))).all())
            | dict(session.execute(select(Group.id, Group.name).where(Group.id.in_(held.groups))).all()),
        )

    def user(self, user_id) -> str | None:
        return self.staff[user_id][0] if user_id in self.staff else None


def _users(held: Held) -> set[str]:
    """Every member of staff the bundle names: who set flags, recorded, reported, decided, met and accessed."""
    users = {f.set_by_id for f in held.flags} | {f.cleared_by_id for f in held.flags}
    users |= {e.recorded_by_id for e in held.edges} | {e.reported_by_id for e in held.episodes}
    users |= {r.sender_id for r in held.referrals}
    users |= {step.actor_id for steps in held.histories.values() for step in steps}
    users |= {m.chair_id for m in held.meetings} | {u for m in held.meetings for u in m.attendee_ids or ()}
    users |= {a.get("owner_id") for m in held.meetings for a in _items(m.actions)}
    users |= {a.author_id for a in held.assessments} | {row.actor_user_id for row in held.accesses}
    return users - {None}


def _agencies(held: Held) -> set[str]:
    agencies = {a for m in held.meetings for a in m.not_invited_agency_ids or ()}
    agencies |= {i.get("owner_agency_id") for a in held.assessments for i in _items(a.interventions)}
    return (agencies | {a.agency_id for a in held.assessments}) - {None}


def person(held: Held, redact: Redactor, names: Names) -> dict:
    record = held.person
    return fields(record, redact) | {
        "id": record.id,
        "dob_estimated": record.dob_estimated,
        "flags": [f.flag for f in record.active_flags],
        "flag_history": _flag_history(held, names),
        "recorded_at": record.created_at.isoformat(),
    }


def fields(record: Person, redact: Redactor) -> dict:
    """A record's own encrypted fields; its text (its notes above all) can name other people too."""
    return {attr: redact(plain(getattr(record, attr))) for attr, _c, _k in ENCRYPTED_FIELDS}


def _flag_history(held: Held, names: Names) -> list[dict]:
    """Every flag set on the person's records, cleared ones too; a merge copies a duplicate's active flags to the
    survivor with who set them and when, so each copy is shown once."""
    seen, history = set(), []
    for flag in sorted(held.flags, key=lambda f: (f.set_at, f.person_id != held.person.id)):
        key = (flag.flag, flag.set_by_id, flag.set_at)
        if key in seen:
            continue
        seen.add(key)
        history.append(
            {
                "flag": flag.flag,
                "set_by": names.user(flag.set_by_id),
                "set_at": plain(flag.set_at),
                "cleared_by": names.user(flag.cleared_by_id),
                "cleared_at": plain(flag.cleared_at),
            }
        )
    return history


def relationships(held: Held, redact: Redactor, names: Names) -> list[dict]:
    """Every tie recorded to or from the person, ended ones too; places and groups by their (redacted) names."""
    return [
        {
            "kind": edge.kind,
            "with": _other_end(edge, held.ids, redact(names.contexts.get(edge.target_id))),
            "first_seen": plain(edge.first_seen),
            "last_seen": plain(edge.last_seen),
            "ended_on": plain(edge.ended_on),
            "review_on": plain(edge.review_on),
            "grading": edge.grading,
            "recorded_by_agency": edge.agency.name,
            "recorded_by": names.user(edge.recorded_by_id),
            "notes": redact(plain(edge.notes)),
        }
        for edge in held.edges
    ]


def _other_end(edge: Relationship, ids: list[str], context_name: str | None) -> str | None:
    if edge.target_type != "person":
        return context_name
    # The tie a merge ended between two of the person's own records.
    return MERGED_RECORD if {edge.source_person_id, edge.target_person_id} <= set(ids) else REDACTED


def cases(held: Held, redact: Redactor) -> list[dict]:
    return [_case(case, held, redact) for case in held.cases]


def _case(case: Case, held: Held, redact: Redactor) -> dict:
    return {
        "opened_on": plain(case.opened_on),
        "status": case.status,
        "closed_on": plain(case.closed_on),
        "closed_reason": redact(plain(case.closed_reason)),
        "concerns": case.concerns,
        "risk_level": case.risk_level,
        "summary": redact(plain(case.summary)),
        "lead_agency": case.lead_agency.name,
        "lead_worker": case.lead_worker.display_name if case.lead_worker else None,
        "team": [
            {
                "name": m.user.display_name,
                "agency": m.user.agency.name,
                "role": m.user.role,
                "added_at": plain(m.added_at),
                "removed_at": plain(m.removed_at),
            }
            for m in case.members
        ],
        "plan": [
            {
                "action": redact(plain(a.description)),
                "owner": a.owner.display_name,
                "due_on": plain(a.due_on),
                "done_at": plain(a.done_at),
            }
            for a in held.plans.get(case.id, [])
        ],
        "chronology": [
            {
                "occurred_on": plain(e.occurred_on),
                "category": e.category,
                "sensitivity": e.sensitivity,
                "agency": e.agency.name,
                "author": e.author.display_name if e.author else None,
                "summary": redact(plain(e.summary)),
            }
            for e in held.entries.get(case.id, [])
        ],
    }


def missing_episodes(held: Held, redact: Redactor, names: Names) -> list[dict]:
    return [
        {
            "reported_at": plain(e.reported_at),
            "returned_at": plain(e.returned_at),
            "found_at": redact(e.found_at_place.name) if e.found_at_place else None,
            "reported_by_agency": e.reporting_agency.name,
            "reported_by": names.user(e.reported_by_id),
            "return_interview_offered_at": plain(e.return_interview_offered_at),
        }
        for e in held.episodes
    ]


def referrals(held: Held, redact: Redactor, names: Names) -> list[dict]:
    return [
        {
            "sent_at": plain(r.sent_at),
            "from": r.from_agency.name,
            "to": r.to_agency.name,
            "sent_by": names.user(r.sender_id),
            "urgency": r.urgency,
            "status": r.status,
            "reason": redact(plain(r.reason)),
            "lawful_basis": r.lawful_basis,
            "lawful_basis_reason": redact(plain(r.lawful_basis_reason)),
            "decline_reason": redact(plain(r.decline_reason)),
            "history": [
                {
                    "at": plain(step.at),
                    "from_status": step.from_status,
                    "to_status": step.to_status,
                    "by": names.user(step.actor_id),
                    "note": redact(plain(step.note)),
                }
                for step in held.histories.get(r.id, [])
            ],
        }
        for r in held.referrals
    ]


def meetings(held: Held, redact: Redactor, names: Names) -> list[dict]:
    """Meetings about the person, and context conferences about their places and groups."""
    return [
        {
            "kind": m.kind,
            "about": "them" if m.person_id else redact(names.contexts.get(m.subject_id)),
            "held_on": plain(m.held_on),
            "chair": names.user(m.chair_id),
            "attendees": [names.user(u) for u in m.attendee_ids or ()],
            "not_invited": [names.agencies.get(a) for a in m.not_invited_agency_ids or ()],
            "decisions": redact(plain(m.decisions)),
            "actions": [
                {"action": redact(a.get("action")), "owner": names.user(a.get("owner_id")), "due_on": a.get("due_on")}
                for a in _items(m.actions)
            ],
        }
        for m in held.meetings
    ]


def context_assessments(held: Held, redact: Redactor, names: Names) -> list[dict]:
    """Location and peer-group assessments of the places and groups the person is tied to."""
    return [
        {
            "kind": a.kind,
            "about": redact(names.contexts.get(a.place_id or a.group_id)),
            "assessed_on": plain(a.assessed_on),
            "agency": names.agencies.get(a.agency_id),
            "author": names.user(a.author_id),
            "findings": redact(plain(a.findings)),
            "interventions": [
                {
                    "intervention": i.get("intervention"),
                    "detail": redact(i.get("detail")),
                    "owner_agency": names.agencies.get(i.get("owner_agency_id")),
                    "due_on": i.get("due_on"),
                }
                for i in _items(a.interventions)
            ],
        }
        for a in held.assessments
    ]


def accesses(held: Held, names: Names) -> list[dict]:
    unknown = ("unknown", "unknown")
    return [
        {
            "at": plain(at),
            "action": action,
            "by": names.staff.get(user_id, unknown)[0],
            "agency": names.staff.get(user_id, unknown)[1],
            "outcome": outcome,
        }
        for at, action, user_id, outcome in held.accesses
    ]


def _items(value) -> list[dict]:
    """The objects of a JSON list field; an unreadable or shredded one has none."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []
