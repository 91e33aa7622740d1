"""Referrals between agencies: one state machine, statutory timescales and the history of every step.

submitted -> acknowledged -> accepted | declined; withdrawn by the sender before a decision. Any practitioner
of the receiving agency acknowledges, accepts or declines. Every transition is audited and kept as history.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

import audit
from models.agency import Agency
from models.base import get_by_id, parse_id, utcnow
from models.case import Case, CaseMember
from models.person import Person
from models.referral import (
    FINAL_STATES,
    LAWFUL_BASES,
    OPEN_STATES,
    URGENCIES,
    Referral,
    ReferralTransition,
)
from models.user import PRACTITIONER_ROLES, User
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.cases import case_for_team_change, check_concerns, team_refusal
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.referral_subjects import case_subject_columns, open_cases_about, requested_subject, subject_to_refer
from safeguarding.runtime import current as runtime
from safeguarding.timescales import DueTimes, breaches, due_times, is_overdue
from safeguarding.validation import choice, clean_text, collect, london_day, parse_datetime, version_of

# The legal moves: from each state, which actions, by whom ("receiver" or "sender"), to which state.
TRANSITIONS = {
    "acknowledge": ({"submitted"}, "receiver", "acknowledged"),
    "accept": (set(OPEN_STATES), "receiver", "accepted"),
    "decline": (set(OPEN_STATES), "receiver", "declined"),
    "withdraw": (set(OPEN_STATES), "sender", "withdrawn"),
}
REASON_NEEDED = ("consent_overridden", "no_consent_sought")


@dataclass(frozen=True)
class Timeliness:
    due: DueTimes
    breached: dict[str, bool]
    overdue: bool


def timeliness(referral: Referral, now: datetime | None = None) -> Timeliness:
    """Due times, breaches and overdue, derived on every read (never stored, so never stale)."""
    now = now or utcnow()
    rt = runtime()
    due = due_times(
        referral.sent_at, referral.urgency, rt.timescales, rt.calendar, external=referral.to_agency.external
    )
    # A withdrawn referral stops its clocks when it was withdrawn.
    clock = referral.withdrawn_at or now
    return Timeliness(
        due,
        breaches(due, referral.acknowledged_at, referral.decided_at, clock),
        is_overdue(due, referral.acknowledged_at, referral.decided_at, clock) and referral.status not in FINAL_STATES,
    )


def validate_referral(data: dict) -> dict:
    checks = {
        "urgency": lambda v: choice(v, field="$.urgency", label="the urgency", options=URGENCIES),
        "reason": lambda v: clean_text(v, field="$.reason", label="the reason for the referral", max_length=10_000),
        "lawful_basis": lambda v: (
            "not_recorded"
            if v in (None, "")
            else choice(v, field="$.lawful_basis", label="the lawful basis for sharing", options=LAWFUL_BASES[:-1])
        ),
        "lawful_basis_reason": lambda v: clean_text(
            v,
            field="$.lawful_basis_reason",
            label="why consent was overridden or not sought",
            max_length=2000,
            required=False,
        ),
    }
    return collect(checks, data, between=_lawful_basis_explained)


def _lawful_basis_explained(clean: dict) -> dict:
    if clean.get("lawful_basis") in REASON_NEEDED and not clean.get("lawful_basis_reason"):
        return {"$.lawful_basis_reason": "Explain why consent was overridden or not sought"}
    return {}


def submit_referral(session: Session, actor, data: dict, sent_at: datetime | None = None) -> Referral:
    """Send a referral about a person (`person_id`), or a place or group (`subject`), the actor may see to another
    agency; or, with `from_agency_id` (an agency outside the partnership), record one the actor's agency received
    from it (SPEC 3: external senders)."""
    if actor.role not in PRACTITIONER_ROLES:
        raise PermissionDenied("Only practitioners send referrals")
    # Every field's problem at once, so a caller can fix them all in one go.
    errors = {}
    about = requested_subject(data, errors)
    from_agency, received = _external_sender(session, data, errors)
    received_at = _received_at(data, received, errors)
    to_agency = get_by_id(session, Agency, data.get("to_agency_id"))
    if to_agency is None:
        errors["$.to_agency_id"] = "Choose the agency to refer to"
    elif received and to_agency.id != actor.agency_id:
        errors["$.to_agency_id"] = "Record a referral from outside as received by your own agency"
    elif not received and to_agency.id == actor.agency_id:
        errors["$.to_agency_id"] = "Refer to another agency, not your own"
    try:
        clean = validate_referral(data)
    except ValidationFailed as failure:
        errors.update(failure.fields)
    if errors:
        raise ValidationFailed(errors)
    kind, subject = about[0], subject_to_refer(session, actor, *about)
    referral = Referral(
        person_id=subject.id if kind == "person" else None,
        place_id=subject.id if kind == "place" else None,
        group_id=subject.id if kind == "group" else None,
        from_agency_id=from_agency.id if received else actor.agency_id,
        to_agency_id=to_agency.id,
        sender_id=None if received else actor.id,  # the history names who recorded it
        urgency=clean["urgency"],
        status="submitted",
        sent_at=received_at or sent_at or utcnow(),
        lawful_basis=clean["lawful_basis"],
        lawful_basis_reason=clean["lawful_basis_reason"],
        # Under the person's key, erased with them; a context's text is under the context's key.
        data_key_id=subject.data_key_id,
    )
    session.add(referral)
    referral.reason = clean["reason"]
    session.add(
        ReferralTransition(
            referral_id=referral.id,
            actor_id=actor.id,
            at=referral.sent_at,
            from_status=None,
            to_status="submitted",
            data_key_id=referral.data_key_id,
        )
    )
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        person_ids=[subject.id] if kind == "person" else [],
        detail={"urgency": referral.urgency, "to_agency": to_agency.id}
        | ({"from_agency": from_agency.id} if received else {})
        | ({kind: subject.id} if kind != "person" else {}),
    )
    session.commit()
    return referral


def sender_joined_case(session: Session, referral: Referral) -> bool:
    """Whether an accepted referral's sender is on the team of its case: not one outside the partnership (no sender),
    nor one who could no longer join when it was accepted."""
    case = session.get(Case, referral.case_id) if referral.case_id else None
    return bool(referral.sender_id and case and case.has_member(referral.sender_id))


def _received_at(data: dict, received: bool, errors: dict) -> datetime | None:
    """When a referral from outside arrived (None: now). Its timescales run from then, so one recorded later is
    given no more time than it had; a referral sent from here is sent when it is made."""
    if data.get("received_at") is None:
        return None
    if not received:
        errors["$.received_at"] = "Only a referral received from outside is dated: one you send is sent now"
        return None
    try:
        at = parse_datetime(data["received_at"], field="$.received_at", label="when it was received")
    except ValidationFailed as failure:
        errors.update(failure.fields)
        return None
    if at > utcnow():
        errors["$.received_at"] = "When it was received cannot be in the future"
        return None
    return at


def _external_sender(session: Session, data: dict, errors: dict) -> tuple[Agency | None, bool]:
    """The agency outside the partnership a referral was received from, and whether one was named (a partner
    agency's referrals are sent by its own practitioners, so only an external one is recorded as a sender)."""
    if data.get("from_agency_id") is None:
        return None, False
    agency = get_by_id(session, Agency, data["from_agency_id"])
    if agency is None or not agency.external:
        errors["$.from_agency_id"] = "Choose an agency outside the partnership, or leave this out to send a referral"
    return agency, True


# A referral about an erased person went with them: its reason was shredded with their key (SPEC section 8).
# The erased are listed once (from their partial index), not looked up for each referral of a box.
NOT_ABOUT_ERASED = or_(
    Referral.person_id.is_(None),
    Referral.person_id.not_in(select(Person.id).where(Person.erased_at.is_not(None))),
)


def load_referral(session: Session, referral_id) -> Referral:
    referral_id = parse_id(referral_id)
    found = referral_id and session.scalar(select(Referral).where(Referral.id == referral_id, NOT_ABOUT_ERASED))
    if not found:
        raise NotFound("No referral with that id")
    return found


def party(actor, referral: Referral) -> str | None:
    """'receiver', 'sender' or None: the actor's part in a referral (practitioners of either agency)."""
    if actor.role not in PRACTITIONER_ROLES:
        return None
    if actor.agency_id == referral.to_agency_id:
        return "receiver"
    if actor.agency_id == referral.from_agency_id:
        return "sender"
    return None


def _acts_as(actor, referral: Referral, who: str) -> bool:
    """Any practitioner of the receiving agency acts as receiver; only the sender (or their team manager) as sender,
    and for a body outside the partnership, which has no users, also as receiver: they record its answer, so that
    the referral, and the access it gives their agency, can end."""
    if who == "receiver" and referral.to_agency.external:
        who = "sender"
    if party(actor, referral) != who:
        return False
    return who != "sender" or actor.id == referral.sender_id or actor.role == "team_manager"


def available_actions(actor, referral: Referral) -> list[str]:
    """The transitions this actor may take on this referral now (the rules transition() enforces)."""
    return [
        action
        for action, (allowed_from, who, _target) in TRANSITIONS.items()
        if referral.status in allowed_from and _acts_as(actor, referral, who)
    ]


def view_referral(session: Session, actor, referral_id: str) -> Referral:
    referral = load_referral(session, referral_id)
    if party(actor, referral) is None:
        record_denial(
            session,
            actor,
            object_type="referral",
            object_id=referral.id,
            person_ids=[referral.person_id] if referral.person_id else [],
        )
        raise PermissionDenied("Only the sending and receiving agencies see a referral")
    record_read(
        session,
        actor,
        action="view",
        object_type="referral",
        object_id=referral.id,
        person_ids=[referral.person_id] if referral.person_id else [],
        # The child's basis for this user: a view without a case assignment in force is flagged (SPEC 5).
        access=policy.person_access(session, actor, referral.person_id) if referral.person_id else None,
        detail={"party": party(actor, referral)},
    )
    return referral


def transition(
    session: Session, actor, referral_id: str, action: str, data: dict | None = None, at: datetime | None = None
) -> Referral:
    """Move a referral along the state machine; an illegal move is a 409 with a message, a wrong party a 403."""
    data = data or {}
    referral = load_referral(session, referral_id)
    allowed_from, who, target = TRANSITIONS[action]
    if not _acts_as(actor, referral, who):
        record_denial(
            session,
            actor,
            object_type="referral",
            object_id=referral.id,
            person_ids=[referral.person_id] if referral.person_id else [],
            detail={"action": action},
        )
        raise PermissionDenied(
            "Only the receiving agency can do that"
            if who == "receiver"
            else "Only the person who sent the referral, or their team manager, can withdraw it"
        )
    if data.get("version") is not None and version_of(data["version"], field="$.version") != referral.version:
        raise Conflict(f"This referral was changed by someone else (now version {referral.version}). Reload it")
    if referral.status not in allowed_from:
        raise Conflict(f"A referral that is {referral.status} cannot be {target}")
    now = at or utcnow()
    note = _apply(session, actor, referral, action, data, now)
    session.add(
        ReferralTransition(
            referral_id=referral.id,
            actor_id=actor.id,
            at=now,
            from_status=referral.status,
            to_status=target,
            data_key_id=referral.data_key_id,
            note=note,
        )
    )
    audit.record(
        session,
        action="referral_transition",
        actor=actor,
        object_type="referral",
        object_id=referral.id,
        person_ids=[referral.person_id] if referral.person_id else [],
        detail={"from": referral.status, "to": target},
    )
    referral.status = target
    session.commit()
    return referral


def _apply(session: Session, actor, referral: Referral, action: str, data: dict, now: datetime) -> str | None:
    if action == "acknowledge":
        referral.acknowledged_at = now
        return None
    if action == "withdraw":
        referral.withdrawn_at = now
        return clean_text(data.get("reason"), field="$.reason", label="why", max_length=1000, required=False)
    if action == "decline":  # checked before anything changes
        reason = clean_text(data.get("reason"), field="$.reason", label="the reason for declining", max_length=1000)
    if action == "accept":
        concerns = _concerns_of_new_case(referral, data)
    referral.acknowledged_at = referral.acknowledged_at or now  # a decision also acknowledges
    referral.decided_at = now
    if action == "decline":
        referral.decline_reason = reason
        return referral.decline_reason
    if not referral.to_agency.external:  # an outside body's acceptance, recorded by the sender, opens no case here
        referral.case_id = _case_for_acceptance(session, actor, referral, data.get("case_id"), concerns, now).id
    return None


def _may_link_on_acceptance(actor, case: Case) -> bool:
    """Accepting links a case the accepting agency leads, or one the accepting user is already on: linking adds
    them (and the referrer) to its team, and a team is joined at its own members' invitation, not by accepting."""
    return case.lead_agency_id == actor.agency_id or case.has_member(actor.id)


def cases_to_link(session: Session, actor, referral: Referral) -> list[Case]:
    """The open cases about the referral's person, place or group that accepting it may link (the accept form's
    choices)."""
    found = open_cases_about(session, referral.subject_type, referral.subject_id)
    return [c for c in found if _may_link_on_acceptance(actor, c)]


def _concerns_of_new_case(referral: Referral, data: dict) -> list[str]:
    """The concerns the accepting user names for the case accepting opens; none yet when they name none (the case
    page then asks for them)."""
    if referral.to_agency.external:
        named = [key for key in ("case_id", "concerns") if data.get(key) is not None]
        if named:
            raise ValidationFailed({f"$.{named[0]}": "An outside body's acceptance opens or links no case here"})
    if data.get("concerns") is None:
        return []
    if data.get("case_id") is not None:
        raise ValidationFailed({"$.concerns": "Concerns go with a new case: change a linked case's on its page"})
    return check_concerns(data["concerns"])


def _case_for_acceptance(
    session: Session, actor, referral: Referral, case_id, concerns: list[str], now: datetime
) -> Case:
    """Link an existing case about the same subject, or open one with the accepting user as lead. A referral about
    a place or group opens a case about it too: the referral, sent by a practitioner who could see the context and
    accepted by another agency, is its basis, where opening one directly needs work already under way with someone
    linked to it (policy.works_in_context)."""
    if case_id is not None:
        case = case_for_team_change(session, case_id)  # its team changes below, as add_member changes it
        if (case.subject_type, case.subject_id) != (referral.subject_type, referral.subject_id) or not case.is_open:
            raise ValidationFailed({"$.case_id": f"Link an open case about the same {referral.subject_type}"})
        if not _may_link_on_acceptance(actor, case):
            raise ValidationFailed(
                {
                    "$.case_id": "Link a case your agency leads or whose team you are on; to join another "
                    "agency's case, ask its lead worker to add you"
                }
            )
    else:
        case = Case(
            **case_subject_columns(referral.subject_type, referral.subject_id),
            lead_agency_id=actor.agency_id,
            lead_worker_id=actor.id,
            concerns=concerns,
            risk_level=_risk_of(referral.urgency),
            opened_on=london_day(now),
            data_key_id=referral.data_key_id,
        )
        session.add(case)
        case.summary = f"Opened on accepting a {referral.urgency} referral from {referral.from_agency.name}"
        audit.record(
            session,
            action="create",
            actor=actor,
            object_type="case",
            object_id=case.id,
            person_ids=[referral.person_id] if referral.person_id else [],
            detail={"from_referral": referral.id},
        )
    sender = session.get(User, referral.sender_id) if referral.sender_id else None
    # The sender joins as anyone joins a team: not once deactivated, or no longer a practitioner.
    joining = [actor] if sender is None or team_refusal(sender) else [actor, sender]
    for user in joining:
        if not case.has_member(user.id):
            session.add(CaseMember(case_id=case.id, user_id=user.id, added_by_id=actor.id))
    return case


def _risk_of(urgency: str) -> str:
    return {"red": "high", "amber": "medium", "green": "low"}[urgency]
