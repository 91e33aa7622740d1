"""Retention and erasure: a schedule, purging what it makes due, and erasure on a lawful request.

Erasure is crypto-shredding: the person's data key is destroyed, so everything encrypted about them anywhere
(their record, chronologies, referral reasons, relationship notes) can no longer be read by any key held. Their
search tokens, flags and relationships are deleted and the record is kept only as a tombstone. Audit events
stay, and the log still verifies.
"""

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, or_, select, text, update
from sqlalchemy.orm import Session

import audit
from models.base import utcnow
from models.case import Case, ChronologyEntry
from models.context import Relationship
from models.context_work import ContextWeighting, Meeting, SafetyRating
from models.crypto import current_keyring
from models.person import ENCRYPTED_FIELDS, Person, PersonFlag, PersonIndexToken
from models.referral import Referral
from models.safeguarding_events import Alert, MissingEpisode
from safeguarding.access import load_person
from safeguarding.errors import ValidationFailed
from safeguarding.merging import merged_into, survivors
from safeguarding.validation import add_months, birthday, clean_text, london_day


@dataclass(frozen=True)
class RetentionSchedule:
    """Keep until the latest of: the person's 25th birthday, 6 years after their last case closed, 6 years after
    they were last recorded or updated. A person with an open case is never due."""

    age: int = 25
    years_after_closure: int = 6
    years_after_activity: int = 6

    @classmethod
    def configured(cls, config) -> "RetentionSchedule":
        """The schedule an app's configuration sets (RETENTION_AGE, RETENTION_YEARS_AFTER_CLOSURE and
        RETENTION_YEARS_AFTER_ACTIVITY)."""
        return cls(
            config["RETENTION_AGE"], config["RETENTION_YEARS_AFTER_CLOSURE"], config["RETENTION_YEARS_AFTER_ACTIVITY"]
        )


@dataclass(frozen=True)
class Due:
    person_id: str
    due_on: date
    reasons: tuple[str, ...]


def due_for_erasure(session: Session, as_of: date, schedule: RetentionSchedule = RetentionSchedule()) -> list[Due]:
    """Everyone the schedule makes due on `as_of`, with the dates that decided it."""
    about_people = Case.subject_person_id.is_not(None)
    open_cases = select(Case.subject_person_id, Case.opened_on).where(Case.status == "open", about_people)
    open_subjects = set(_latest_by_survivor(session, session.execute(open_cases).all()))
    closed = _latest_by_survivor(
        session,
        session.execute(
            select(Case.subject_person_id, func.max(Case.closed_on))
            .where(about_people)
            .group_by(Case.subject_person_id)
        ).all(),
    )
    activity = _last_activity(session)
    due = []
    for person in session.scalars(select(Person).where(Person.erased_at.is_(None), Person.merged_into_id.is_(None))):
        born = person.date_of_birth
        # A date of birth that failed its integrity check hides the 25th birthday, and erasure cannot be undone:
        # the person waits for it to be put right.
        if person.id in open_subjects or not born:
            continue
        limits = [(birthday(born, schedule.age), f"{schedule.age}th birthday")]
        if closed.get(person.id):
            limits.append(
                (
                    add_months(closed[person.id], 12 * schedule.years_after_closure),
                    f"{schedule.years_after_closure} years after the last case closed",
                )
            )
        last = london_day(activity[person.id])
        limits.append(
            (
                add_months(last, 12 * schedule.years_after_activity),
                f"{schedule.years_after_activity} years after last recorded or updated",
            )
        )
        due_on = max(day for day, _ in limits)
        if due_on <= as_of:
            due.append(Due(person.id, due_on, tuple(reason for _, reason in limits)))
    return due


def _last_activity(session: Session) -> dict[str, datetime]:
    """The latest record about each person, from every table that records things about people: a tie recorded
    today to someone recorded years ago is a record about them both."""
    found: list = []
    for column, when in (
        (Person.id, Person.updated_at),
        (ChronologyEntry.person_id, ChronologyEntry.created_at),
        (Relationship.source_person_id, Relationship.recorded_at),
        (Relationship.target_person_id, Relationship.recorded_at),
        (MissingEpisode.person_id, MissingEpisode.updated_at),
        (Referral.person_id, Referral.updated_at),
        (Meeting.person_id, Meeting.updated_at),
        (ContextWeighting.person_id, ContextWeighting.updated_at),
        (SafetyRating.person_id, SafetyRating.updated_at),
        (PersonFlag.person_id, func.coalesce(PersonFlag.cleared_at, PersonFlag.set_at)),
    ):
        found += session.execute(select(column, func.max(when)).group_by(column)).all()
    return _latest_by_survivor(session, found)


def _latest_by_survivor(session: Session, rows: list) -> dict:
    """The latest value of (person id, value) rows for each person, those of a merged duplicate (recorded by its old
    id) counted as its survivor's, who is erased with it."""
    rows = [row for row in rows if all(row)]
    owners = survivors(session, {person_id for person_id, _ in rows})
    latest = {}
    for person_id, value in rows:
        owner = owners.get(person_id, person_id)
        if owner not in latest or value > latest[owner]:
            latest[owner] = value
    return latest


def erase(session: Session, person_id: str, *, reason: str, actor=None) -> list[str]:
    """Crypto-shred one person (and any duplicates merged into them); returns the erased record ids."""
    reason = clean_text(reason, field="reason", label="the lawful reason for erasure", max_length=1000)
    person = load_person(session, person_id)
    if person.merged_into_id:
        # Its records now belong to the survivor, some still under its key: erasing it alone would leave the person
        # findable and make the survivor's records unreadable.
        raise ValidationFailed(
            {"person_id": f"This record was merged into {person.merged_into_id}: erase that one, which erases both"}
        )
    ids = [person.id, *merged_into(session, person.id)]
    keyring = current_keyring()
    for record in session.scalars(select(Person).where(Person.id.in_(ids))):
        keyring.destroy(session, record.data_key_id)
        for attr, _column, _kind in ENCRYPTED_FIELDS:
            setattr(record, f"{attr}_enc", None)
        record.erased_at = utcnow()
    ties = or_(Relationship.source_person_id.in_(ids), Relationship.target_person_id.in_(ids))
    for statement in (
        delete(PersonIndexToken).where(PersonIndexToken.person_id.in_(ids)),
        delete(PersonFlag).where(PersonFlag.person_id.in_(ids)),
        # A tie to them corrected to someone else: the correction stays, without pointing at a tie that is gone.
        update(Relationship)
        .where(Relationship.supersedes_id.in_(select(Relationship.id).where(ties)))
        .values(supersedes_id=None),
        delete(Relationship).where(ties),
        delete(SafetyRating).where(SafetyRating.person_id.in_(ids)),
        delete(ContextWeighting).where(ContextWeighting.person_id.in_(ids)),
        delete(Alert).where(Alert.person_id.in_(ids)),
        delete(MissingEpisode).where(MissingEpisode.person_id.in_(ids)),
    ):
        session.execute(statement)
    audit.record(
        session,
        action="retention",
        actor=actor,
        object_type="person",
        object_id=person.id,
        person_ids=ids,
        reason=reason,
        detail={"erased": len(ids)},
    )
    session.commit()
    _forget_deleted_pages(session)
    return ids


def _forget_deleted_pages(session: Session) -> None:
    """On SQLite, fold the write-ahead log back so that no copy of the file keeps deleted tokens in old frames."""
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        session.commit()


def purge(session: Session, as_of: date, *, dry_run: bool, schedule: RetentionSchedule = RetentionSchedule()):
    """List (and unless dry_run, erase) everyone the schedule makes due at `as_of`."""
    due = due_for_erasure(session, as_of, schedule)
    if dry_run:
        # The list is read from people's records (a due date may be a 25th birthday): audited before it is shown.
        audit.record(
            session,
            action="retention",
            actor=None,
            object_type="retention_schedule",
            object_id=None,
            person_ids=[item.person_id for item in due],
            detail={"dry_run": True, "as_of": as_of.isoformat(), "due": len(due)},
        )
        session.commit()
    else:
        for item in due:
            erase(session, item.person_id, reason=f"Retention schedule: due on {item.due_on.isoformat()}")
    return due
