"""What a referral is about (SPEC 3): a person, or a context, a place or a group. Read from a request, checked
against what the sender may see, and the open cases about it that accepting may link.

A referral about a context gives no access to any person (rule 2 is about people): the receiving agency sees the
referral, the place or group and its reason. A home (a place of kind `address`) is referred only by those who may
see it on a lasting basis, as a person is; and any context only by someone already working with a person linked
to it, as opening a case about it needs."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.case import Case
from models.context import Group, Place
from models.person import Person
from safeguarding import policy
from safeguarding.access import load_person_to_record_on, require_person_access
from safeguarding.contexts import load_group, load_place, require_work_in_context
from safeguarding.denials import record_denial
from safeguarding.errors import PermissionDenied

CONTEXT_TYPES = ("place", "group")
SUBJECT_COLUMNS = {"person": Case.subject_person_id, "place": Case.subject_place_id, "group": Case.subject_group_id}


def requested_subject(data: dict, errors: dict) -> tuple[str, str] | None:
    """The (type, id) a request names: `person_id` for a person, or `subject` {"type": "place"|"group", "id"} for a
    context, exactly one of them. Problems go into `errors` by path (None is returned then)."""
    person_id, subject = data.get("person_id"), data.get("subject")
    if person_id is not None and subject is not None:
        errors["$.subject"] = "Give person_id for a person or subject for a place or group, not both"
        return None
    if subject is None:
        if not isinstance(person_id, str) or not person_id.strip():
            errors["$.person_id"] = "Choose the person the referral is about (or give subject for a place or group)"
            return None
        return "person", person_id
    if not isinstance(subject, dict):
        errors["$.subject"] = 'Give the place or group as {"type": "place"|"group", "id"}'
        return None
    kind, subject_id, problems = subject.get("type"), subject.get("id"), {}
    if kind == "person":
        problems["$.subject.type"] = "Give a person as person_id: subject names a place or a group"
    elif not isinstance(kind, str) or kind not in CONTEXT_TYPES:
        problems["$.subject.type"] = "Select the type of subject: place or group"
    if not isinstance(subject_id, str) or not subject_id.strip():
        problems["$.subject.id"] = "Give the id of the place or group, as text"
    errors.update(problems)
    return None if problems else (kind, subject_id)


def subject_to_refer(session: Session, actor, kind: str, subject_id: str) -> Person | Place | Group:
    """The record a referral from the actor will be about: 404 unknown, 403 (audited) if they may not refer it."""
    if kind == "person":
        person = load_person_to_record_on(session, subject_id)
        # Lasting access: the referral rule would give the sender's agency the person for a month after
        # break-glass's hour.
        require_person_access(session, actor, person, need="lasting", object_type="referral")
        return person
    record = load_group(session, subject_id) if kind == "group" else load_place(session, subject_id)
    if (
        kind == "place"
        and record.kind == "address"
        and not policy.visible_addresses(session, actor, [record.id], lasting=True)
    ):
        record_denial(
            session, actor, object_type="place", object_id=record.id, person_ids=[], detail={"referring": True}
        )
        raise PermissionDenied("This place is someone's home: only those who may see a person living there refer it")
    require_work_in_context(session, actor, kind, record.id, "referral")
    return record


def open_cases_about(session: Session, kind: str, subject_id: str) -> list[Case]:
    """The open cases about this person, place or group, newest first."""
    column = SUBJECT_COLUMNS[kind]
    query = select(Case).where(column == subject_id, Case.status == "open").order_by(Case.opened_on.desc())
    return list(session.scalars(query))


def case_subject_columns(kind: str, subject_id: str) -> dict[str, str | None]:
    """A case's subject columns for this person, place or group."""
    return {column.key: subject_id if name == kind else None for name, column in SUBJECT_COLUMNS.items()}
