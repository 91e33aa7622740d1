"""The lead's decisions about a case: closing it with a reason and reopening it (the status that decides whether
its team sees the subject), and changing its risk level or concerns as the work goes on. A lead who is not a team
manager asks to close, where the lead agency has a team manager to approve it (safeguarding.closure_approval)."""

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.case import Case
from models.user import User
from safeguarding import policy
from safeguarding.cases import CASE_FIELDS, case_for_team_change, commit_case_change
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, PermissionDenied
from safeguarding.validation import choice, clean_text, collect_only, uk_today, version_of

STATUSES = ("open", "closed")
CLOSED_REASON_MAX = 500  # Case.closed_reason's length
REASSESSED = ("risk_level", "concerns")
REFUSAL = (
    "Only the lead worker, or a team manager of the lead agency on the case team, can close or reopen the case, or "
    "change its risk level or concerns"
)


def case_version(value) -> int:
    return version_of(value, field="$.version")


def validate_status_change(data: dict) -> dict:
    """The version, the status wanted and, when closing, the reason; every problem at once, unknown keys included."""
    checks = {
        "version": case_version,
        "status": lambda v: choice(v, field="$.status", label="the status", options=STATUSES),
        "closed_reason": lambda v: clean_text(
            v, field="$.closed_reason", label="why the case is closing", max_length=CLOSED_REASON_MAX, required=False
        ),
    }
    return collect_only(checks, data, between=_reason_for_status)


def validate_reassessment(data: dict) -> dict:
    """The version and a new risk level, new concerns or both; every problem at once, unknown keys included."""
    checks = {"version": case_version, **{key: CASE_FIELDS[key] for key in REASSESSED}}

    def given(_clean: dict) -> dict:
        problems = {} if "version" in data else {"$.version": "Give the version of the case you are changing"}
        if not set(REASSESSED) & set(data):
            problems["$.risk_level"] = "Give the risk level or the concerns to change"
        return problems

    return collect_only(checks, data, partial=True, between=given)


def _reason_for_status(clean: dict) -> dict:
    status, reason = clean.get("status"), clean.get("closed_reason")
    if status == "closed" and reason is None:
        return {"$.closed_reason": "Enter why the case is closing"}
    if status == "open" and reason is not None:
        return {"$.closed_reason": "Leave out the reason when reopening a case: only closing takes one"}
    return {}


def change_case_status(session: Session, actor, case_id: str, data: dict) -> Case:
    """Close an open case (with a reason, dated the UK day) or reopen a closed one; 409 when stale or no change."""
    case, subject = _case_for_its_lead(session, actor, case_id)
    clean = validate_status_change(data)
    refuse_stale(case, clean["version"])
    if clean["status"] == case.status:
        raise Conflict(f"This case is already {case.status}")
    if clean["status"] == "closed":
        if needs_approval(session, actor, case):
            return _request_closure(session, actor, case, subject, clean["closed_reason"])
        close_case(case, clean["closed_reason"])
    else:
        case.status, case.closed_on = "open", None
        case.closed_reason = None
    change = "closed" if case.status == "closed" else "reopened"
    return commit_case_change(session, actor, case, subject, {"change": change})


def close_case(case: Case, reason: str) -> None:
    """Close the case today with its reason (through the ORM, which encrypts it); this settles any request to."""
    case.status, case.closed_on = "closed", uk_today()
    case.closed_reason = reason
    clear_closure_request(case)


def clear_closure_request(case: Case) -> None:
    case.closure_requested_by_id = case.closure_requested_at = None
    case.closure_request_reason = None


def needs_approval(session: Session, actor, case: Case) -> bool:
    """SPEC 1: team managers approve case closure. A lead who is not one asks, where the lead agency has an active
    team manager to ask; in an agency without one, the lead decides."""
    if actor.role == "team_manager":
        return False
    managers = select(User.id).where(
        User.agency_id == case.lead_agency_id, User.role == "team_manager", User.active.is_(True)
    )
    return session.scalar(select(exists(managers))) or False


def _request_closure(session: Session, actor, case: Case, subject: list[str], reason: str) -> Case:
    """The case stays open, with the lead's request to close it (and why) awaiting a team manager."""
    if case.closure_requested_at is not None:
        raise Conflict("Closing this case already waits for a team manager's approval")
    case.closure_requested_by_id, case.closure_requested_at = actor.id, utcnow()
    case.closure_request_reason = reason
    case.closure_returned_by_id = case.closure_returned_at = None
    case.closure_return_reason = None
    return commit_case_change(session, actor, case, subject, {"change": "closure_requested"})


def change_case_assessment(session: Session, actor, case_id: str, data: dict) -> Case:
    """Change an open case's risk level or concerns (who may close it may); 409 when stale or closed."""
    case, subject = _case_for_its_lead(session, actor, case_id)
    clean = validate_reassessment(data)
    refuse_stale(case, clean["version"])
    if not case.is_open:
        raise Conflict("This case is closed: reopen it to change its risk level or concerns")
    changed = [key for key in REASSESSED if key in clean and clean[key] != getattr(case, key)]
    if not changed:
        return case
    for key in changed:
        setattr(case, key, clean[key])
    return commit_case_change(session, actor, case, subject, {"change": "reassessed", "fields": changed})


def _case_for_its_lead(session: Session, actor, case_id: str) -> tuple[Case, list[str]]:
    """The case and its subject's person ids, for the lead worker or a lead agency's team manager on it (403,
    audited, for anyone else)."""
    case = case_for_team_change(session, case_id)  # queued with team changes: both decide who sees the subject
    subject = [case.subject_person_id] if case.subject_person_id else []
    if not policy.may_change_case_status(actor, case):
        record_denial(session, actor, object_type="case", object_id=case.id, person_ids=subject)
        raise PermissionDenied(REFUSAL)
    return case, subject


def refuse_stale(case: Case, version: int) -> None:
    if version != case.version:
        raise Conflict(f"This case was changed by someone else (now version {case.version}). Reload and try again")
