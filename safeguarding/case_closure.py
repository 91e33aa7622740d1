"""Closing a case with a reason, and reopening it: the status that decides whether its team sees the subject."""

from sqlalchemy.orm import Session

import audit
from models.case import Case
from safeguarding import policy
from safeguarding.cases import case_for_team_change
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from safeguarding.validation import choice, clean_text, collect, uk_today, version_of

STATUSES = ("open", "closed")
CLOSED_REASON_MAX = 500  # Case.closed_reason's length
STATUS_FIELDS = ("version", "status", "closed_reason")
REFUSAL = "Only the lead worker, or a team manager of the lead agency on the case team, can close or reopen the case"


def validate_status_change(data: dict) -> dict:
    """The version, the status wanted and, when closing, the reason; every problem at once, unknown keys included."""
    unknown = {f"$.{key}": "This field cannot be changed here" for key in sorted(set(data) - set(STATUS_FIELDS))}
    checks = {
        "version": lambda v: version_of(v, field="$.version"),
        "status": lambda v: choice(v, field="$.status", label="the status", options=STATUSES),
        "closed_reason": lambda v: clean_text(
            v, field="$.closed_reason", label="why the case is closing", max_length=CLOSED_REASON_MAX, required=False
        ),
    }
    try:
        clean = collect(checks, data, between=_reason_for_status)
    except ValidationFailed as failure:
        raise ValidationFailed(unknown | failure.fields) from None
    if unknown:
        raise ValidationFailed(unknown)
    return clean


def _reason_for_status(clean: dict) -> dict:
    status, reason = clean.get("status"), clean.get("closed_reason")
    if status == "closed" and reason is None:
        return {"$.closed_reason": "Enter why the case is closing"}
    if status == "open" and reason is not None:
        return {"$.closed_reason": "Leave out the reason when reopening a case: only closing takes one"}
    return {}


def change_case_status(session: Session, actor, case_id: str, data: dict) -> Case:
    """Close an open case (with a reason, dated the UK day) or reopen a closed one; 409 when stale or no change."""
    case = case_for_team_change(session, case_id)  # queued with team changes: both decide who sees the subject
    subject = [case.subject_person_id] if case.subject_person_id else []
    if not policy.may_change_case_status(actor, case):
        record_denial(session, actor, object_type="case", object_id=case.id, person_ids=subject)
        raise PermissionDenied(REFUSAL)
    clean = validate_status_change(data)
    if clean["version"] != case.version:
        raise Conflict(f"This case was changed by someone else (now version {case.version}). Reload and try again")
    if clean["status"] == case.status:
        raise Conflict(f"This case is already {case.status}")
    if clean["status"] == "closed":
        case.status, case.closed_on = "closed", uk_today()
        case.closed_reason = clean["closed_reason"]  # through the ORM, which encrypts it
    else:
        case.status, case.closed_on = "open", None
        case.closed_reason = None
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="case",
        object_id=case.id,
        person_ids=subject,
        detail={"change": "closed" if case.status == "closed" else "reopened"},
    )
    session.commit()
    return case
