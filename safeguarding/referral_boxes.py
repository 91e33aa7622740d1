"""Referral boxes: an agency's inbox and outbox, a person's referrals, each referral's history, home-page counts."""

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from models.base import get_by_id
from models.crypto import current_keyring
from models.referral import FINAL_STATES, OPEN_STATES, REFERRAL_STATES, Referral, ReferralTransition
from models.user import PRACTITIONER_ROLES
from safeguarding.access import record_read
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.referrals import NOT_ABOUT_ERASED, timeliness
from safeguarding.validation import choice, whole_number

BOXES = ("inbox", "outbox")
# What a box can be narrowed to: "open" waits for the receiver's decision, "closed" is decided or withdrawn.
STATUS_FILTERS = {"open": OPEN_STATES, "closed": FINAL_STATES, **{state: (state,) for state in REFERRAL_STATES}}
PAGE_MAX = 200


@dataclass(frozen=True)
class ReferralPage:
    referrals: list[Referral]
    next_after: str | None  # the last referral's id when more follow: the `after` of the next page
    total: int  # in the box, under the status chosen, on every page


def list_referrals(
    session: Session, actor, box: str, *, status: str | None = None, limit=None, after: str | None = None
) -> ReferralPage:
    """The agency's inbox (received) or outbox (sent), newest first: all of it, or a page of `limit` referrals
    after the referral `after` (the last of the page before); `status` keeps one state, "open" or "closed".
    ValidationFailed names a bad parameter, such as an `after` outside the box.

    The listing is audited with the people of the referrals it returns, not of the whole box."""
    if box not in BOXES:
        raise ValidationFailed({"box": "Choose the box: inbox (received by your agency) or outbox (sent by it)"})
    if actor.role not in PRACTITIONER_ROLES:
        raise PermissionDenied("Only practitioners have referral inboxes")
    column = Referral.to_agency_id if box == "inbox" else Referral.from_agency_id
    chosen = [column == actor.agency_id, NOT_ABOUT_ERASED]
    if status is not None:
        status = choice(status, field="status", label="the status", options=STATUS_FILTERS)
        chosen.append(Referral.status.in_(STATUS_FILTERS[status]))
    size = whole_number(limit, field="limit", label="the number of referrals to list", low=1, high=PAGE_MAX)
    query = select(Referral).where(*chosen).order_by(Referral.sent_at.desc(), Referral.id.desc())
    if after is not None:
        last = get_by_id(session, Referral, after)
        if last is None or getattr(last, column.key) != actor.agency_id:
            raise ValidationFailed({"after": f"Give the id of a referral in your {box}, the last of the page before"})
        query = query.where(
            or_(Referral.sent_at < last.sent_at, and_(Referral.sent_at == last.sent_at, Referral.id < last.id))
        )
    rows = list(session.scalars(query if size is None else query.limit(size + 1)))
    more = size is not None and len(rows) > size
    rows = rows[:size]
    total = len(rows) if size is None else session.scalar(select(func.count()).select_from(Referral).where(*chosen))
    record_read(
        session,
        actor,
        action="list",
        object_type="referral",
        object_id=box,
        person_ids=sorted({r.person_id for r in rows if r.person_id}),
    )
    return ReferralPage(rows, rows[-1].id if more else None, total)


def referrals_about(session: Session, actor, person_id: str) -> list[Referral]:
    """Referrals about a person (whose record the caller may read) that the actor's agency sent or received."""
    if actor.role not in PRACTITIONER_ROLES:
        return []
    query = select(Referral).where(
        Referral.person_id == person_id,
        or_(Referral.from_agency_id == actor.agency_id, Referral.to_agency_id == actor.agency_id),
    )
    return list(session.scalars(query.order_by(Referral.sent_at.desc())))


class Step(NamedTuple):
    """One transition as a referral's history shows it."""

    actor_id: str | None
    at: datetime
    from_status: str | None
    to_status: str
    note: str | None


def history(session: Session, referral: Referral) -> list[Step]:
    return histories(session, [referral])[referral.id]


def histories(session: Session, referrals: list[Referral]) -> dict[str, list[Step]]:
    """Each referral's transitions in time order, in one query for a whole inbox; read as columns, not ORM objects,
    which would cost more than the rest of an inbox's reply. Notes are under their referral's key: the keys of a
    whole inbox are unwrapped in one query first, not one query each."""
    found: dict[str, list[Step]] = {r.id: [] for r in referrals}
    current_keyring().preload(session, (r.data_key_id for r in referrals))
    step = ReferralTransition
    query = select(step.id, step.referral_id, step.actor_id, step.at, step.from_status, step.to_status, step.note_enc)
    for row in session.execute(query.where(step.referral_id.in_(found)).order_by(step.at)):
        note = step.note.read_stored(session, row.id, row.note_enc)
        found[row.referral_id].append(Step(row.actor_id, row.at, row.from_status, row.to_status, note))
    return found


def awaiting_action(session: Session, actor) -> dict[str, int]:
    """Home-page counts: what in the actor's agency's inbox needs attention, and what they sent unacknowledged."""
    if actor.role not in PRACTITIONER_ROLES:
        return {}
    inbox = list(
        session.scalars(
            select(Referral).where(
                Referral.to_agency_id == actor.agency_id, Referral.status.in_(OPEN_STATES), NOT_ABOUT_ERASED
            )
        )
    )
    sent = session.scalar(
        select(func.count())
        .select_from(Referral)
        .where(Referral.sender_id == actor.id, Referral.status == "submitted", NOT_ABOUT_ERASED)
    )
    return {
        "inbox_open": len(inbox),
        "inbox_overdue": sum(1 for r in inbox if timeliness(r).overdue),
        "sent_unacknowledged": sent or 0,
    }
