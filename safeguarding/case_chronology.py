"""A case's merged multi-agency chronology: entries recorded by the team, and the referrals about its subject."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from models.case import CHRONOLOGY_CATEGORIES, SENSITIVITIES, Case, ChronologyEntry
from models.referral import Referral
from models.user import User
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.cases import load_case, require_case_access, require_case_role
from safeguarding.errors import ValidationFailed
from safeguarding.validation import choice, clean_text, collect, london_day, parse_date


def validate_entry(data: dict, today: date | None = None) -> dict:
    return collect(
        {
            "occurred_on": lambda v: parse_date(
                v,
                field="$.occurred_on",
                label="the date it happened",
                not_future=True,
                today=today,
            ),
            "category": lambda v: choice(v, field="$.category", label="a category", options=CHRONOLOGY_CATEGORIES),
            "summary": lambda v: clean_text(v, field="$.summary", label="what happened", max_length=10_000),
            # Left out (or null), an entry is general; anything else given must be one of the sensitivities.
            "sensitivity": lambda v: choice(
                "general" if v is None else v,
                field="$.sensitivity",
                label="the sensitivity",
                options=SENSITIVITIES,
            ),
        },
        data,
    )


def add_chronology_entry(session: Session, actor, case_id: str, data: dict) -> ChronologyEntry:
    """Any agency on the team adds dated events to the case's chronology."""
    case = load_case(session, case_id)
    require_case_role(session, actor, case, team=True)
    clean = validate_entry(data)
    if refusal := policy.sensitivity_refusal(actor, clean["sensitivity"]):
        raise ValidationFailed({"$.sensitivity": refusal})
    entry = ChronologyEntry(
        case_id=case.id,
        person_id=case.subject_person_id,
        occurred_on=clean["occurred_on"],
        category=clean["category"],
        sensitivity=clean["sensitivity"],
        agency_id=actor.agency_id,
        author_id=actor.id,
        data_key_id=case.data_key_id,
    )
    session.add(entry)
    entry.summary = clean["summary"]
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="chronology_entry",
        object_id=entry.id,
        person_ids=[case.subject_person_id] if case.subject_person_id else [],
    )
    session.commit()
    return entry


def chronology(
    session: Session,
    actor,
    case_id: str,
    *,
    agency_id=None,
    category=None,
    sensitivity=None,
    since: date | None = None,
    until: date | None = None,
    action: str = "list",
    detail: dict | None = None,
):
    """The merged chronology in date order (optionally between two dates, inclusive), each entry with what the
    actor may see of it; audited as `list`, or as the caller's action (an `export`)."""
    case = load_case(session, case_id)
    _, access = require_case_access(session, actor, case)
    query = select(ChronologyEntry).where(ChronologyEntry.case_id == case.id)
    if agency_id:
        query = query.where(ChronologyEntry.agency_id == agency_id)
    if category:
        query = query.where(ChronologyEntry.category == category)
    if sensitivity:
        query = query.where(ChronologyEntry.sensitivity == sensitivity)
    stored = list(session.scalars(query))
    derived = referral_entries(session, case, agency_id=agency_id, category=category, sensitivity=sensitivity)
    ordered = sorted([*stored, *derived], key=lambda e: (e.occurred_on, e.created_at))
    ordered = [
        e for e in ordered if (since is None or e.occurred_on >= since) and (until is None or e.occurred_on <= until)
    ]
    entries = [(e, policy.entry_view(actor, e)) for e in ordered]
    visible = [(e, view) for e, view in entries if view != "hidden"]
    record_read(
        session,
        actor,
        action=action,
        object_type="chronology",
        object_id=case.id,
        person_ids=[case.subject_person_id] if case.subject_person_id else [],
        access=access,
        detail={**(detail or {}), "entries": len(visible), "withheld": len(entries) - len(visible)},
    )
    return case, visible


REFERRAL_PROGRESS = {
    "submitted": "sent, not acknowledged",
    "acknowledged": "acknowledged, not yet decided",
    "accepted": "accepted",
    "declined": "declined",
    "withdrawn": "withdrawn",
}


@dataclass(frozen=True)
class _Author:
    display_name: str


class ReferralEntry:
    """A referral about the case's subject in its chronology: derived on every read, never stored, so always current."""

    category = "referral"
    sensitivity = "general"  # the reason is not shown: only the agencies, urgency and progress
    derived = True

    def __init__(self, referral: Referral, sender: User | None):
        self.referral = referral
        self.id = referral.id
        self.occurred_on = london_day(referral.sent_at)
        self.created_at = referral.sent_at
        self.agency_id = referral.from_agency_id
        self.agency = referral.from_agency
        self.author = sender or _Author("Not recorded")
        progress = REFERRAL_PROGRESS.get(referral.status, referral.status)
        self.summary = f"Referral to {referral.to_agency.name} ({referral.urgency}): {progress}"


def referral_entries(session: Session, case: Case, *, agency_id=None, category=None, sensitivity=None):
    """The referrals about a case's subject (a person, place or group), as chronology entries, under the
    chronology's filters."""
    if category not in (None, "referral") or sensitivity not in (None, "general"):
        return []
    column = {"person": Referral.person_id, "place": Referral.place_id, "group": Referral.group_id}[case.subject_type]
    query = select(Referral).where(column == case.subject_id)
    if agency_id:
        query = query.where(Referral.from_agency_id == agency_id)
    return [ReferralEntry(r, session.get(User, r.sender_id) if r.sender_id else None) for r in session.scalars(query)]
