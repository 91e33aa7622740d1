"""Cases: open, read, team, plan actions and the merged multi-agency chronology."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

import audit
from models.base import get_by_id, parse_id, utcnow
from models.case import (
    CHRONOLOGY_CATEGORIES,
    CONCERNS,
    RISK_LEVELS,
    SENSITIVITIES,
    Case,
    CaseMember,
    ChronologyEntry,
    PlanAction,
)
from models.context import Group, Place, Relationship
from models.locking import lock_record
from models.person import Person, display_names
from models.referral import Referral
from models.user import PRACTITIONER_ROLES, User
from safeguarding import policy
from safeguarding.access import load_person, load_person_to_record_on, record_read, require_person_access
from safeguarding.contexts import load_group, load_place, load_visible_place, require_work_in_context
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import choice, clean_text, collect, london_day, parse_date, text_list, uk_today, version_of

SUBJECT_TYPES = ("person", "place", "group")


def load_case(session: Session, case_id: str) -> Case:
    """A case; one about an erased person answers as unknown, like the person."""
    case = get_by_id(session, Case, case_id)
    if case is None or (case.subject_person_id and session.get(Person, case.subject_person_id).erased_at):
        raise NotFound("No case with that id")
    return case


def _require_case_role(session: Session, actor, case: Case, *, team: bool = False) -> str:
    return _require_case_access(session, actor, case, team=team)[0]


def _require_case_access(
    session: Session, actor, case: Case, *, team: bool = False
) -> tuple[str, policy.PersonAccess | None]:
    """The actor's role on the case (403, audited, without one), and the subject access a reader reads by."""
    role, access = policy.case_access(session, actor, case)
    if role is None or (team and role != "team"):
        record_denial(
            session,
            actor,
            object_type="case",
            object_id=case.id,
            person_ids=[case.subject_person_id] if case.subject_person_id else [],
        )
        raise PermissionDenied(
            "Only the case team can do that" if role else "You are not on this case's team",
            break_glass_allowed=bool(case.subject_person_id) and role is None,
        )
    return role, access


def _subject_reference(subject) -> tuple[str, str]:
    if not isinstance(subject, dict):
        raise ValidationFailed({"$.subject": 'Give the subject as {"type": "person"|"place"|"group", "id"}'})
    checks = {
        "type": lambda v: choice(v, field="$.subject.type", label="the subject type", options=SUBJECT_TYPES),
        "id": lambda v: clean_text(v, field="$.subject.id", label="the id of the subject", max_length=100),
    }
    clean = collect(checks, subject)
    return clean["type"], clean["id"]


def _subject(session: Session, actor, kind: str, subject_id: str) -> tuple[str, object]:
    if kind == "person":
        person = load_person_to_record_on(session, subject_id)
        require_person_access(session, actor, person, need="lasting")
        return kind, person
    record = (load_place if kind == "place" else load_group)(session, subject_id)
    require_work_in_context(session, actor, kind, record.id, "case")
    return kind, record


CASE_FIELDS = {
    "concerns": lambda v: check_concerns(v),
    "risk_level": lambda v: choice(v, field="$.risk_level", label="the risk level", options=RISK_LEVELS),
    "summary": lambda v: clean_text(v, field="$.summary", label="a summary of the concern", max_length=5000),
}


def validate_case(data: dict) -> dict:
    return collect(CASE_FIELDS, data)


def check_concerns(value) -> list[str]:
    """At least one concern, each from the list: for a case opened here or brought in by an import."""
    concerns = text_list(value, field="$.concerns", label="concerns", max_items=len(CONCERNS), max_length=40)
    if not concerns:
        raise ValidationFailed({"$.concerns": "Select at least one concern"})
    unknown = [c for c in concerns if c not in CONCERNS]
    if unknown:
        raise ValidationFailed({"$.concerns": f"Unknown concern {unknown[0]!r}: use one of {', '.join(CONCERNS)}"})
    return list(dict.fromkeys(concerns))


def open_case(session: Session, actor, data: dict, opened_on: date | None = None) -> Case:
    """Open a case about a person or a context; the caller becomes lead worker and a member."""
    if not policy.may_record_people(actor):
        raise PermissionDenied("Only practitioners open cases")
    clean = collect({"subject": _subject_reference, **CASE_FIELDS}, data)  # every problem at once
    kind, subject = _subject(session, actor, *clean["subject"])
    key_id = subject.data_key_id
    case = Case(
        subject_person_id=subject.id if kind == "person" else None,
        subject_place_id=subject.id if kind == "place" else None,
        subject_group_id=subject.id if kind == "group" else None,
        lead_agency_id=actor.agency_id,
        lead_worker_id=actor.id,
        concerns=clean["concerns"],
        risk_level=clean["risk_level"],
        opened_on=opened_on or uk_today(),
        data_key_id=key_id,
    )
    session.add(case)
    case.summary = clean["summary"]
    session.add(CaseMember(case_id=case.id, user_id=actor.id, added_by_id=actor.id))
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="case",
        object_id=case.id,
        person_ids=[subject.id] if kind == "person" else [],
    )
    session.commit()
    return case


def view_case(session: Session, actor, case_id: str) -> tuple[Case, str]:
    case = load_case(session, case_id)
    role, access = _require_case_access(session, actor, case)
    record_read(
        session,
        actor,
        action="view",
        object_type="case",
        object_id=case.id,
        person_ids=[case.subject_person_id] if case.subject_person_id else [],
        access=access,
        detail={"case_role": role},
    )
    return case, role


def case_for_team_change(session: Session, case_id) -> Case:
    """The case, its team read after taking the lock that queues changes to it (so no one is added twice): for
    every change to a team, here and on accepting a referral that links the case."""
    case_id = parse_id(case_id)
    if case_id:
        lock_record(session, Case, case_id)
    case = load_case(session, case_id)
    session.refresh(case)  # loaded before the lock, its team may be out of date
    return case


def team_refusal(user) -> str | None:
    """Why this user (anything with active and role) cannot join a case team, or None: added here or imported."""
    if user is None or not user.active:
        return "Choose an active user to add to the team"
    if user.role not in PRACTITIONER_ROLES:
        return "Only practitioners can join a case team"
    return None


def add_member(session: Session, actor, case_id: str, user_id) -> CaseMember:
    """Add a practitioner from any agency to the team; only current members may do so."""
    case = case_for_team_change(session, case_id)
    _require_case_role(session, actor, case, team=True)
    user = get_by_id(session, User, user_id)
    if refusal := team_refusal(user):
        raise ValidationFailed({"$.user_id": refusal})
    if case.has_member(user.id):
        raise Conflict("This user is already on the team")
    member = CaseMember(case_id=case.id, user_id=user.id, added_by_id=actor.id)
    session.add(member)
    subject = [case.subject_person_id] if case.subject_person_id else []
    commit_case_change(session, actor, case, subject, {"change": "member_added", "user_id": user.id})
    return member


def manages_team(actor, case: Case) -> bool:
    """Whether the actor may take others off the case team: its lead worker, or a team manager of the lead agency
    (who reassigns their agency's cases, SPEC 1)."""
    return policy.leads_case(actor, case)


def remove_member(session: Session, actor, case_id: str, user_id: str) -> None:
    """Take a practitioner off the team: the lead worker or a lead-agency team manager may; anyone may leave."""
    case = case_for_team_change(session, case_id)
    _require_case_role(session, actor, case, team=True)
    subject = [case.subject_person_id] if case.subject_person_id else []
    if user_id != actor.id and not manages_team(actor, case):
        record_denial(session, actor, object_type="case", object_id=case.id, person_ids=subject)
        raise PermissionDenied(
            "Only the lead worker, or a team manager of the lead agency, can take someone else off the team"
        )
    member = next((m for m in case.current_members if m.user_id == user_id), None)
    if member is None:
        raise NotFound("That user is not on the team")
    if user_id == case.lead_worker_id:
        raise Conflict("The lead worker cannot be removed; change the lead worker first")
    member.removed_at = utcnow()
    commit_case_change(session, actor, case, subject, {"change": "member_removed", "user_id": user_id})


LEAD_REFUSAL = "Only a team manager of the lead agency can change the lead worker"


def lead_candidates(session: Session, case: Case) -> list[User]:
    """Whom the case may be handed to: the lead agency's active practitioners, but its current lead worker."""
    query = (
        select(User)
        .where(User.agency_id == case.lead_agency_id, User.active.is_(True), User.role.in_(PRACTITIONER_ROLES))
        .order_by(User.family_name, User.given_name, User.id)
    )
    return [u for u in session.scalars(query) if u.id != case.lead_worker_id]


def _new_lead(session: Session, case: Case, user_id) -> User:
    """The user named to lead the case: an active practitioner of its lead agency (422 on $.user_id otherwise)."""
    user = get_by_id(session, User, user_id)
    if user is None or not user.active or user.role not in PRACTITIONER_ROLES:
        raise ValidationFailed({"$.user_id": "Choose an active practitioner to lead the case"})
    if user.agency_id != case.lead_agency_id:
        raise ValidationFailed({"$.user_id": f"Choose a practitioner of {case.lead_agency.name}, the lead agency"})
    return user


def reassign_lead(session: Session, actor, case_id: str, data: dict) -> Case:
    """Hand the case to another practitioner of its lead agency (a team manager of that agency only), open or closed:
    the new lead joins the team if not on it; the old lead stays on it until taken off. 409 when stale."""
    case = case_for_team_change(session, case_id)  # queued with team changes: the new lead may join the team
    subject = [case.subject_person_id] if case.subject_person_id else []
    if not policy.may_reassign_case(actor, case):
        record_denial(session, actor, object_type="case", object_id=case.id, person_ids=subject)
        raise PermissionDenied(LEAD_REFUSAL)
    clean = collect(
        {"version": lambda v: version_of(v, field="$.version"), "user_id": lambda v: _new_lead(session, case, v)}, data
    )
    if clean["version"] != case.version:
        raise Conflict(f"This case was changed by someone else (now version {case.version}). Reload and try again")
    user, previous = clean["user_id"], case.lead_worker_id
    if user.id == previous:
        raise ValidationFailed({"$.user_id": "They already lead the case: choose someone else"})
    joined = not case.has_member(user.id)
    if joined:
        session.add(CaseMember(case_id=case.id, user_id=user.id, added_by_id=actor.id))
    case.lead_worker_id = user.id
    detail = {"change": "lead_changed", "from_user_id": previous, "user_id": user.id, "joined_team": joined}
    return commit_case_change(session, actor, case, subject, detail)


def commit_case_change(session: Session, actor, case: Case, subject: list[str], detail: dict) -> Case:
    """Commit a change to a case (its team, lead, status or assessment) with its audit event, against the subject,
    in the same transaction."""
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="case",
        object_id=case.id,
        person_ids=subject,
        detail=detail,
    )
    session.commit()
    return case


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
    _require_case_role(session, actor, case, team=True)
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
    _, access = _require_case_access(session, actor, case)
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


def add_plan_action(session: Session, actor, case_id: str, data: dict) -> PlanAction:
    case = load_case(session, case_id)
    _require_case_role(session, actor, case, team=True)
    description = clean_text(data.get("description"), field="$.description", label="the action", max_length=2000)
    due_on = parse_date(data.get("due_on"), field="$.due_on", label="the due date", required=False)
    owner_id = data.get("owner_id") or actor.id
    if not case.has_member(owner_id):
        raise ValidationFailed({"$.owner_id": "Choose a member of the case team as the owner"})
    action = PlanAction(case_id=case.id, owner_id=owner_id, due_on=due_on, data_key_id=case.data_key_id)
    session.add(action)
    action.description = description
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="plan_action",
        object_id=action.id,
        person_ids=[case.subject_person_id] if case.subject_person_id else [],
    )
    session.commit()
    return action


def complete_plan_action(session: Session, actor, action_id: str, version) -> PlanAction:
    action = get_by_id(session, PlanAction, action_id)
    if action is None:
        raise NotFound("No plan action with that id")
    case = load_case(session, action.case_id)
    _require_case_role(session, actor, case, team=True)
    if version_of(version) != action.version:
        raise Conflict("This action was changed by someone else. Reload and try again")
    action.done_at = utcnow()
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="plan_action",
        object_id=action.id,
        person_ids=[case.subject_person_id] if case.subject_person_id else [],
        detail={"change": "done"},
    )
    session.commit()
    return action


def plan(session: Session, case: Case) -> list[PlanAction]:
    """The plan of a case the caller has already been allowed to read."""
    query = select(PlanAction).where(PlanAction.case_id == case.id).order_by(PlanAction.due_on, PlanAction.created_at)
    return list(session.scalars(query))


def cases_of_person(session: Session, person_id: str) -> list[Case]:
    """Cases about a person the caller has already been allowed to read."""
    query = select(Case).where(Case.subject_person_id == person_id).order_by(Case.opened_on.desc())
    return list(session.scalars(query))


@dataclass(frozen=True)
class ContextCase:
    """A case about a place or group as a page lists it: who leads it for everyone, what it is about for its team;
    `context_name`: the place's or group's name."""

    case: Case
    on_team: bool
    context_name: str


def cases_about_context(session: Session, actor, kind: str, context_id: str) -> list[ContextCase]:
    """The cases about this place or group, open ones first, newest first: whoever works there sees who to contact;
    its concerns and risk are for its team. Audited as a list (a context is no person)."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role has no cases")
    # Unknown: 404; a home the actor may not see: 403, audited.
    record = load_visible_place(session, actor, context_id) if kind == "place" else load_group(session, context_id)
    column = Case.subject_place_id if kind == "place" else Case.subject_group_id
    query = select(Case).where(column == record.id).order_by(Case.status != "open", Case.opened_on.desc(), Case.id)
    found = list(session.scalars(query))
    listed = _as_context_cases(session, actor, found, {record.id: record.name})
    detail = {"about": kind, "subject": record.id, "shown": len(found)}
    record_read(session, actor, action="list", object_type="case", object_id=None, person_ids=[], detail=detail)
    return listed


def cases_in_contexts_of(
    session: Session, actor, person_id: str, access: policy.PersonAccess | None = None
) -> list[ContextCase]:
    """The open cases about the places and groups a person is linked to now, for whoever reads their record in full
    (403, audited, otherwise): work under way in their contexts, which another agency may lead. A home shows only
    to those who may see it. Audited as a list against the person. `access`: the caller's, already checked."""
    if access is None:
        person = load_person(session, person_id)
        person_id, access = person.id, require_person_access(session, actor, person, object_type="case")
    ties = select(Relationship.target_place_id, Relationship.target_group_id).where(
        Relationship.source_person_id == person_id,
        Relationship.ended_on.is_(None),
        Relationship.target_person_id.is_(None),
    )
    places, groups = set(), set()
    for place_id, group_id in session.execute(ties):
        (places if place_id else groups).add(place_id or group_id)
    homes = set(session.scalars(select(Place.id).where(Place.id.in_(places), Place.kind == "address")))
    places -= homes - policy.visible_addresses(session, actor, homes)
    query = (
        select(Case)
        .where(Case.status == "open", or_(Case.subject_place_id.in_(places), Case.subject_group_id.in_(groups)))
        .order_by(Case.opened_on.desc())
    )
    found = list(session.scalars(query))
    if not found:
        return []
    places_named = session.execute(select(Place.id, Place.name).where(Place.id.in_(places))).all()
    groups_named = session.execute(select(Group.id, Group.name).where(Group.id.in_(groups))).all()
    names = dict(places_named) | dict(groups_named)
    listed = _as_context_cases(session, actor, found, names)
    detail = {"about": "contexts_of_person", "shown": len(found)}
    record_read(
        session,
        actor,
        action="list",
        object_type="case",
        object_id=None,
        person_ids=[person_id],
        access=access,
        detail=detail,
    )
    return listed


def _as_context_cases(session: Session, actor, found: list[Case], names: dict[str, str]) -> list[ContextCase]:
    team = set(
        session.scalars(
            select(CaseMember.case_id).where(
                CaseMember.case_id.in_([case.id for case in found]),
                CaseMember.user_id == actor.id,
                CaseMember.removed_at.is_(None),
            )
        )
    )
    return [ContextCase(case, case.id in team, names[case.subject_place_id or case.subject_group_id]) for case in found]


@dataclass(frozen=True)
class Caseload:
    """A practitioner's cases: the open ones whose team they are on, and the closed ones they may reopen."""

    open: list[Case]
    closed: list[Case]
    subjects: dict[str, str]  # subject id -> its name, for the subjects the viewer may see
    actions_due: dict[str, int]  # case id -> the viewer's own plan actions past their due date and not done


def caseload(session: Session, actor) -> Caseload:
    """The actor's cases, newest first, audited as one list against the people it names."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role has no cases")
    query = (
        select(Case)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == actor.id, CaseMember.removed_at.is_(None))
        .order_by(Case.opened_on.desc(), Case.id)
    )
    # Closing ends rule 1 for the team; those who may reopen the case still need to find it.
    mine = [c for c in session.scalars(query) if c.is_open or policy.may_change_case_status(actor, c)]
    mine = [c for c in mine if not (c.subject_person_id and session.get(Person, c.subject_person_id).erased_at)]
    people = {c.subject_person_id for c in mine if c.subject_person_id}
    access = policy.people_access(session, actor, people) if people else {}
    named = sorted(p for p in people if access[p].visible)
    names = display_names(session, named)
    subjects = dict(names)
    for case in mine:
        if case.subject_place_id:
            subjects[case.subject_place_id] = load_place(session, case.subject_place_id).name
        elif case.subject_group_id:
            subjects[case.subject_group_id] = load_group(session, case.subject_group_id).name
    record_read(
        session,
        actor,
        action="list",
        object_type="caseload",
        object_id=actor.id,
        person_ids=named,
        shown=[access[p] for p in named],
        detail={"open": sum(c.is_open for c in mine), "closed": sum(not c.is_open for c in mine)},
    )
    return Caseload(
        open=[c for c in mine if c.is_open],
        closed=[c for c in mine if not c.is_open],
        subjects=subjects,
        actions_due=_actions_due(session, actor, [c.id for c in mine if c.is_open]),
    )


def _actions_due(session: Session, actor, case_ids: list[str]) -> dict[str, int]:
    if not case_ids:
        return {}
    query = (
        select(PlanAction.case_id, func.count())
        .where(
            PlanAction.case_id.in_(case_ids),
            PlanAction.owner_id == actor.id,
            PlanAction.done_at.is_(None),
            PlanAction.due_on < uk_today(),
        )
        .group_by(PlanAction.case_id)
    )
    return dict(session.execute(query).all())
