"""A team manager's decision on a lead worker's request to close a case (SPEC 1: team managers approve case
closure): approving closes the case with the reason asked; returning it keeps the case open, with the manager's
reason shown to the lead; the lead may withdraw the request."""

from functools import partial

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.base import utcnow
from models.case import Case
from safeguarding import policy
from safeguarding.case_closure import (
    CLOSED_REASON_MAX,
    case_version,
    clear_closure_request,
    close_case,
    refuse_stale,
)
from safeguarding.cases import case_for_team_change, commit_case_change
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, PermissionDenied
from safeguarding.validation import clean_text, collect_only

DECISION_REFUSAL = "Only a team manager of the case's lead agency can approve or return a request to close it"
WITHDRAW_REFUSAL = "Only the lead worker can withdraw a request to close the case"


def approve_closure(session: Session, actor, case_id: str, data: dict) -> Case:
    """Close the case with the reason the lead gave, dated today; 409 when stale or nothing is asked."""
    case, subject, _ = _pending(session, actor, case_id, data, may=policy.may_reassign_case, refusal=DECISION_REFUSAL)
    asked_by = case.closure_requested_by_id
    close_case(case, case.closure_request_reason)
    return commit_case_change(session, actor, case, subject, {"change": "closed", "approved_request_of": asked_by})


def return_closure(session: Session, actor, case_id: str, data: dict) -> Case:
    """Keep the case open and tell the lead why: the request ends, the manager's reason stays on the case."""
    reason = partial(
        clean_text, field="$.reason", label="why the case is not to close yet", max_length=CLOSED_REASON_MAX
    )
    case, subject, clean = _pending(
        session, actor, case_id, data, may=policy.may_reassign_case, refusal=DECISION_REFUSAL, reason=reason
    )
    asked_by = case.closure_requested_by_id
    clear_closure_request(case)
    case.closure_returned_by_id, case.closure_returned_at = actor.id, utcnow()
    case.closure_return_reason = clean["reason"]
    return commit_case_change(session, actor, case, subject, {"change": "closure_returned", "request_of": asked_by})


def withdraw_closure_request(session: Session, actor, case_id: str, data: dict) -> Case:
    """The lead takes back their request: the case stays open, as it was."""
    case, subject, _ = _pending(
        session, actor, case_id, data, may=policy.may_change_case_status, refusal=WITHDRAW_REFUSAL
    )
    clear_closure_request(case)
    return commit_case_change(session, actor, case, subject, {"change": "closure_request_withdrawn"})


def _pending(session: Session, actor, case_id: str, data: dict, *, may, refusal: str, **checks):
    """The case with a request awaiting a decision, its subject and the data checked (the version, and `checks`),
    for whoever `may` decide (403, audited, for anyone else); 409 when stale or nothing is asked."""
    case = case_for_team_change(session, case_id)  # queued with closing and team changes
    subject = [case.subject_person_id] if case.subject_person_id else []
    if not may(actor, case):
        record_denial(session, actor, object_type="case", object_id=case.id, person_ids=subject)
        raise PermissionDenied(refusal)
    clean = collect_only({"version": case_version, **checks}, data)
    refuse_stale(case, clean["version"])
    if case.closure_requested_at is None:
        raise Conflict("Nobody has asked to close this case, or the request was already decided")
    return case, subject, clean


def awaiting_decision(session: Session, actor) -> list[Case]:
    """The open cases of a team manager's agency whose lead asked to close them, oldest request first: for their
    home page, which names no subject (the manager reads a case on its page, on the policy's terms)."""
    if actor.role != "team_manager":
        return []
    query = (
        select(Case)
        .where(Case.lead_agency_id == actor.agency_id, Case.status == "open", Case.closure_requested_at.is_not(None))
        .order_by(Case.closure_requested_at)
    )
    return list(session.scalars(query))
