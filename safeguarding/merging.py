"""Putting records right: merging duplicate people, and moving an entry made on the wrong case."""

from collections.abc import Iterable

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

import audit
from models.base import get_by_id
from models.case import Case, ChronologyEntry
from models.context import Relationship
from models.context_work import ContextWeighting, Meeting, SafetyRating
from models.id_lists import among
from models.person import Person, PersonFlag, PersonIndexToken
from models.referral import Referral
from models.safeguarding_events import Alert, MissingEpisode
from safeguarding import policy
from safeguarding.access import load_person, require_person_access
from safeguarding.cases import load_case
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.people import reindex
from safeguarding.validation import uk_today

# (model, column) pairs that point at a person and follow them into the surviving record.
PERSON_REFERENCES = (
    (Relationship, Relationship.source_person_id),
    (Relationship, Relationship.target_person_id),
    (Case, Case.subject_person_id),
    (ChronologyEntry, ChronologyEntry.person_id),
    (MissingEpisode, MissingEpisode.person_id),
    (Referral, Referral.person_id),
    (Meeting, Meeting.person_id),
    (ContextWeighting, ContextWeighting.person_id),
    (SafetyRating, SafetyRating.person_id),
)


def merged_into(session: Session, person_id: str) -> list[str]:
    """Every record merged into this one, directly or through a record merged into it in turn (a survivor can
    itself be merged later, and its duplicates then point at it, not at the last survivor)."""
    found, layer = [], [person_id]
    while layer:
        layer = list(session.scalars(select(Person.id).where(Person.merged_into_id.in_(layer))))
        found += layer
    return found


def merge_people(session: Session, actor, survivor_id: str, duplicate_id: str):
    """Fold a duplicate into the surviving record; the duplicate stays as a pointer, and the merge is audited."""
    if survivor_id == duplicate_id:
        raise ValidationFailed({"$.duplicate_id": "Choose two different records to merge"})
    survivor, duplicate = load_person(session, survivor_id), load_person(session, duplicate_id)
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise Conflict("One of these records has already been merged into another")
    for person in (survivor, duplicate):
        require_person_access(session, actor, person, need="lasting")
    # An edge between the two would become a person related to themselves: end it instead.
    session.execute(
        update(Relationship)
        .where(
            or_(
                (Relationship.source_person_id == survivor.id) & (Relationship.target_person_id == duplicate.id),
                (Relationship.source_person_id == duplicate.id) & (Relationship.target_person_id == survivor.id),
            ),
            Relationship.ended_on.is_(None),
        )
        .values(ended_on=uk_today())
    )
    for model, column in PERSON_REFERENCES:
        session.execute(update(model).where(column == duplicate.id).values({column.key: survivor.id}))
    held = {f.flag for f in survivor.active_flags}
    for flag in duplicate.active_flags:
        if flag.flag not in held:
            survivor.flags.append(PersonFlag(flag=flag.flag, set_by_id=flag.set_by_id, set_at=flag.set_at))
    # The duplicate's names stay findable, as aliases of the survivor.
    other_names = {duplicate.display_name, *(duplicate.aliases or [])} - {survivor.display_name}
    survivor.aliases = list(dict.fromkeys([*(survivor.aliases or []), *sorted(other_names)]))
    duplicate.merged_into_id = survivor.id
    # Their records are the survivor's now: the survivor's own alerts are fired (and dated) from them.
    session.execute(delete(Alert).where(Alert.person_id == duplicate.id))
    session.query(PersonIndexToken).filter(PersonIndexToken.person_id == duplicate.id).delete()
    reindex(session, survivor)
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="person",
        object_id=survivor.id,
        person_ids=[survivor.id, duplicate.id],
        detail={"change": "merged", "merged": duplicate.id},
    )
    session.commit()
    return survivor


def survivor_of(session: Session, person: Person) -> Person:
    """The record a merged duplicate now points to (through any later merges), or the person themselves."""
    return session.get(Person, survivors(session, [person.id])[person.id]) if person.merged_into_id else person


def survivors(session: Session, person_ids: Iterable[str]) -> dict[str, str]:
    """Merged person id -> the record that holds their data now, following merges of merged records to the end;
    ids of records never merged are left out. One query a level of merging, whatever the number of ids."""
    pointers: dict[str, str] = {}
    asked = set(person_ids)
    while asked:
        query = select(Person.id, Person.merged_into_id).where(
            among(Person.id, asked), Person.merged_into_id.is_not(None)
        )
        found = dict(session.execute(query).all())
        pointers.update(found)
        asked = set(found.values()) - pointers.keys()
    found_survivors = {}
    for person_id in pointers:
        survivor = person_id
        while survivor in pointers:
            survivor = pointers[survivor]
        found_survivors[person_id] = survivor
    return found_survivors


def move_chronology_entry(session: Session, actor, entry_id: str, to_case_id: str) -> ChronologyEntry:
    """Move an entry recorded on the wrong case; the actor must be on both teams. The summary is re-keyed."""
    entry = get_by_id(session, ChronologyEntry, entry_id)
    if entry is None:
        raise NotFound("No chronology entry with that id")
    source, target = load_case(session, entry.case_id), load_case(session, to_case_id)
    if source.id == target.id:
        raise ValidationFailed({"$.case_id": "Choose a different case"})
    people = sorted({p for p in (source.subject_person_id, target.subject_person_id) if p})
    if not (policy.case_role(session, actor, source) == "team" == policy.case_role(session, actor, target)):
        record_denial(session, actor, object_type="chronology_entry", object_id=entry.id, person_ids=people)
        raise PermissionDenied("You must be on the team of both cases to move an entry")
    # Field sensitivity holds here too: an entry hidden from the mover is not there for them, and one whose
    # content is withheld from them is moved by someone who can read what they are moving.
    view = policy.entry_view(actor, entry)
    if view == "hidden":
        raise NotFound("No chronology entry with that id")
    if view != "full":
        record_denial(session, actor, object_type="chronology_entry", object_id=entry.id, person_ids=people)
        raise PermissionDenied("Only someone who may read this entry can move it")
    summary = entry.summary
    entry.moved_from_case_id = source.id
    entry.case_id = target.id
    entry.person_id = target.subject_person_id
    entry.data_key_id = target.data_key_id
    entry.summary = summary
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="chronology_entry",
        object_id=entry.id,
        person_ids=people,
        detail={"change": "moved", "from_case": source.id, "to_case": target.id},
    )
    session.commit()
    return entry
