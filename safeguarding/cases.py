"""Cases: open, read, team, lead worker and plan actions."""

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from models.base import get_by_id, parse_id, utcnow
from models.case import (
    CONCERNS,
    RISK_LEVELS,
    Case,
    CaseMember,
    PlanAction,
)
from models.locking import lock_record
from models.person import Person
from models.user import PRACTITIONER_ROLES, User
from safeguarding import policy
from safeguarding.access import load_person_to_record_on, record_read, require_person_access
from safeguarding.contexts import load_group, load_place, require_work_in_context
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.validation import choice, clean_text, collect, parse_date, text_list, uk_today, version_of

SUBJECT_TYPES = ("person", "place", "group")


def load_case(session: Session, case_id: str) -> Case:
    """A case; one about an erased person answers as unknown, like the person."""
    case = get_by_id(session, Case, case_id)
    if case is None or (case.subject_person_id and session.get(Person, case.subject_person_id).erased_at):
        raise NotFound("No case with that id")
    return case


def require_case_role(session: Session, actor, case: Case, *, team: bool = False) -> str:
    return require_case_access(session, actor, case, team=team)[0]


def require_case_access(
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
    role, access = require_case_access(session, actor, case)
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
    require_case_role(session, actor, case, team=True)
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
    require_case_role(session, actor, case, team=True)
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


def add_plan_action(session: Session, actor, case_id: str, data: dict) -> PlanAction:
    case = load_case(session, case_id)
    require_case_role(session, actor, case, team=True)
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
    require_case_role(session, actor, case, team=True)
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
