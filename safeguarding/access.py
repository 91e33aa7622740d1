"""Reading protected records: load (404), decide (403, audited), record the access, then hand over the data."""

import logging
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy.orm import Session, scoped_session

import audit
from models.base import get_by_id, utcnow
from models.person import Person
from safeguarding import policy
from safeguarding.denials import record_denial
from safeguarding.errors import AuditUnavailable, Conflict, NotFound, PermissionDenied
from safeguarding.policy import PersonAccess

log = logging.getLogger("safecontext.audit")


def load_person(session: Session, person_id: str) -> Person:
    """A live person record; erased people answer as unknown."""
    person = get_by_id(session, Person, person_id)
    if person is None or person.erased_at is not None:
        raise NotFound("No person with that id")
    return person


def load_person_to_record_on(session: Session, person_id: str) -> Person:
    """A live person to change or add records to: a merged duplicate is only a pointer now, and what is recorded
    on it would be missing from the record that holds the person's data (409). The message names no record: the
    caller's access is checked after this, and the pointer shows on the duplicate to whoever may read it."""
    person = load_person(session, person_id)
    if person.merged_into_id:
        raise Conflict("This record was merged into another: record this on the record it was merged into")
    return person


def require_person_access(
    session: Session,
    actor,
    person: Person,
    *,
    need: str = "full",
    object_type: str = "person",
    object_id=None,
    now: datetime | None = None,
    access: PersonAccess | None = None,
) -> PersonAccess:
    """The actor's access to a person, at least `need`: "visible", "full", or "lasting" (full on a rule other than
    break-glass, which lets its holder read for an hour, not make the access last: open a case, merge records, send
    a referral);
    otherwise 403, audited.

    `access`: the policy's answer for this person, when the caller already asked it about several at once."""
    access = access or policy.person_access(session, actor, person.id, now or utcnow())
    allowed = {"visible": access.visible, "full": access.full, "lasting": access.lasting}
    if not allowed[need]:
        record_denial(
            session,
            actor,
            object_type=object_type,
            object_id=object_id or person.id,
            person_ids=[person.id],
            detail={"needed": need, "had": access.level},
        )
        if access.via_break_glass:
            raise PermissionDenied(
                "Emergency access lets you read this record for an hour, not open cases, merge or send referrals"
            )
        raise PermissionDenied(
            "You do not have a legitimate relationship with this person",
            break_glass_allowed=access.break_glass_allowed,
        )
    return access


def record_read(
    session: Session,
    actor,
    *,
    action: str,
    object_type: str,
    object_id: str | None,
    person_ids: Iterable[str],
    access: PersonAccess | None = None,
    purpose: str | None = None,
    detail: dict | None = None,
    shown: Iterable[PersonAccess] = (),
) -> None:
    """Commit the read's audit event before any data leaves (fail-closed).

    `access`: the access to the one person the read is about; `shown`: the access to each person a list or a map
    shows beside them.

    The read's own transaction ends first, so the event's writer never waits on locks this request holds; the
    event is then group-committed with concurrent reads (audit.record_durably)."""
    # SPEC 5: an access without a case assignment in force (recorder, referral, break-glass) is flagged for review:
    # the read's own subject on any other basis, or anyone shown in full on one. A limited view comes of a case
    # team's work (rule 3), so a list or map of neighbours is not flagged for them.
    flagged = (access is not None and "case_team" not in access.bases) or any(
        a.full and "case_team" not in a.bases for a in shown
    )
    try:
        _end_read_transaction(session)
        audit.record_durably(
            session.get_bind(),
            action=action,
            actor=actor,
            object_type=object_type,
            object_id=object_id,
            person_ids=list(person_ids),
            purpose=purpose,
            detail={**(detail or {}), **({"basis": list(access.bases)} if access else {})},
            flagged=flagged,
        )
    except Exception as exc:
        session.rollback()
        log.exception("could not record a %s of %s %s: refusing to return the data", action, object_type, object_id)
        raise AuditUnavailable(
            "The service cannot record this access right now, so it cannot show the data. Try again shortly"
        ) from exc


def _end_read_transaction(session) -> None:
    """Commit without expiring what was read: the data about to be shown is what this transaction read, and what
    its audit event records; expiring it would reload every object, one query each, as the response is built."""
    target = session() if isinstance(session, scoped_session) else session
    expire = target.expire_on_commit
    target.expire_on_commit = False
    try:
        target.commit()
    finally:
        target.expire_on_commit = expire
