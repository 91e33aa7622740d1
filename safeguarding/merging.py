"""Putting records right: merging duplicate people, and moving an entry made on the wrong case."""

from collections.abc import Iterable

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

import audit
from models.base import get_by_id, parse_id
from models.case import Case, ChronologyEntry
from models.context import Relationship
from models.context_work import ContextWeighting, Meeting, SafetyRating
from models.id_lists import among
from models.locking import lock_record
from models.person import Person, PersonFlag, PersonIndexToken
from models.referral import Referral
from models.safeguarding_events import Alert, MissingEpisode
from safeguarding import policy
from safeguarding.access import load_person, load_person_to_record_on, record_read, require_person_access
from safeguarding.cases import load_case
from safeguarding.denials import record_denial
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.people import reindex
from safeguarding.policy import PersonAccess
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


def survivor_for_merge(session: Session, actor, person_id: str) -> Person:
    """The record a duplicate would be merged into, read for the page that merges: a live record that is not a
    pointer itself (409), which the actor sees on a rule other than break-glass (403, audited); the read is audited."""
    person = load_person_to_record_on(session, person_id)
    access = require_person_access(session, actor, person, need="lasting")
    record_read(
        session, actor, action="view", object_type="person", object_id=person.id, person_ids=[person.id], access=access
    )
    return person


def check_merge(
    session: Session, actor, survivor_id: str, duplicate_id: str, versions: tuple[int, int] | None = None
) -> tuple[Person, Person, tuple[PersonAccess, PersonAccess]]:
    """The two records a merge would fold together, and the actor's access to each, once the actor may merge them:
    two live records, neither merged yet (409), each seen on a rule other than break-glass (403, audited).

    `versions`: the survivor's and the duplicate's, as the actor checked them; 409 when either has changed since."""
    survivor, duplicate = load_person(session, survivor_id), load_person(session, duplicate_id)
    if survivor.id == duplicate.id:
        raise ValidationFailed({"$.duplicate_id": "Choose two different records to merge"})
    if survivor.merged_into_id or duplicate.merged_into_id:
        raise Conflict("One of these records has already been merged into another")
    accesses = tuple(require_person_access(session, actor, person, need="lasting") for person in (survivor, duplicate))
    if versions is not None and (survivor.version, duplicate.version) != tuple(versions):
        raise Conflict("One of these records was changed after you checked it. Check them again before merging")
    return survivor, duplicate, accesses


def preview_merge(session: Session, actor, survivor_id: str, duplicate_id: str):
    """check_merge, for a page that shows the two records side by side before the merge: the read is audited."""
    survivor, duplicate, accesses = check_merge(session, actor, survivor_id, duplicate_id)
    record_read(
        session,
        actor,
        action="view",
        object_type="person",
        object_id=duplicate.id,
        person_ids=[survivor.id, duplicate.id],
        access=accesses[1],
        shown=accesses,
        detail={"merge_into": survivor.id},
    )
    return survivor, duplicate, accesses


def merge_people(
    session: Session, actor, survivor_id: str, duplicate_id: str, versions: tuple[int, int] | None = None
) -> Person:
    """Fold a duplicate into the surviving record; the duplicate stays as a pointer, and the merge is audited."""
    survivor, duplicate, _ = check_merge(session, actor, survivor_id, duplicate_id, versions)
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


def may_move(case_role: str | None, view: str) -> bool:
    """Whether an entry may be moved off a case by someone with this role on the case and this view of the entry (and
    onto a case where the same holds): a member of the team who may read what they are moving."""
    return case_role == "team" and view == "full"


def _require_movable(session: Session, actor, entry: ChronologyEntry, cases: list[Case]) -> None:
    """403 (audited) unless the actor is on the team of each case; an entry hidden from them is not there for them
    (404), and one whose content is withheld from them is moved by someone who can read what they are moving (403)."""
    people = sorted({c.subject_person_id for c in cases if c.subject_person_id})
    if not all(policy.case_role(session, actor, case) == "team" for case in cases):
        record_denial(session, actor, object_type="chronology_entry", object_id=entry.id, person_ids=people)
        raise PermissionDenied("You must be on the team of both cases to move an entry")
    view = policy.entry_view(actor, entry)
    if view == "hidden":
        raise NotFound("No chronology entry with that id")
    if not may_move("team", view):
        record_denial(session, actor, object_type="chronology_entry", object_id=entry.id, person_ids=people)
        raise PermissionDenied("Only someone who may read this entry can move it")


def _entry_on_case(session: Session, actor, case_id: str, entry_id: str) -> tuple[ChronologyEntry, Case]:
    """An entry of this case; 409, for its team, when it has been moved off the case since they saw it there."""
    source = load_case(session, case_id)
    entry = get_by_id(session, ChronologyEntry, entry_id)
    if entry is None or entry.case_id != source.id:
        moved = entry is not None and entry.moved_from_case_id == source.id
        if moved and policy.case_role(session, actor, source) == "team":
            raise Conflict("This entry has been moved to another case since you opened this page")
        raise NotFound("No chronology entry with that id on this case")
    return entry, source


def entry_to_move(session: Session, actor, case_id: str, entry_id: str) -> tuple[ChronologyEntry, Case]:
    """An entry of this case and the case, for the page that moves it, once the actor may move it off the case;
    the read is audited."""
    entry, source = _entry_on_case(session, actor, case_id, entry_id)
    _require_movable(session, actor, entry, [source])
    record_read(
        session,
        actor,
        action="view",
        object_type="chronology_entry",
        object_id=entry.id,
        person_ids=[source.subject_person_id] if source.subject_person_id else [],
        detail={"case_id": source.id},
    )
    return entry, source


def check_move(
    session: Session, actor, entry_id: str, to_case_id: str, from_case_id: str | None = None
) -> tuple[ChronologyEntry, Case, Case]:
    """The entry, its case and the case it would move to, once the actor may move it there: on the team of both
    cases, reading the entry in full. `from_case_id`: the case the actor saw it on (409 when it has moved since)."""
    if from_case_id is None:
        entry = get_by_id(session, ChronologyEntry, entry_id)
        if entry is None:
            raise NotFound("No chronology entry with that id")
        source = load_case(session, entry.case_id)
    else:
        entry, source = _entry_on_case(session, actor, from_case_id, entry_id)
    target = load_case(session, to_case_id)
    if source.id == target.id:
        raise ValidationFailed({"$.case_id": "Choose a different case"})
    _require_movable(session, actor, entry, [source, target])
    return entry, source, target


def preview_move(
    session: Session, actor, entry_id: str, to_case_id: str, from_case_id: str
) -> tuple[ChronologyEntry, Case, Case]:
    """check_move, for a page that shows the case an entry would move to before the move: the read is audited."""
    entry, source, target = check_move(session, actor, entry_id, to_case_id, from_case_id)
    record_read(
        session,
        actor,
        action="view",
        object_type="case",
        object_id=target.id,
        person_ids=[target.subject_person_id] if target.subject_person_id else [],
        detail={"move_entry": entry.id},
    )
    return entry, source, target


def move_chronology_entry(
    session: Session, actor, entry_id: str, to_case_id: str, from_case_id: str | None = None
) -> ChronologyEntry:
    """Move an entry recorded on the wrong case; the actor must be on both teams. The summary is re-keyed."""
    _hold_entry(session, entry_id)
    entry, source, target = check_move(session, actor, entry_id, to_case_id, from_case_id)
    people = sorted({p for p in (source.subject_person_id, target.subject_person_id) if p})
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


def _hold_entry(session: Session, entry_id: str) -> None:
    """Queue moves of one entry, and read it afresh once they are queued: of two moves from one case, the second
    finds the entry gone from it (409) instead of moving it on from where the first put it."""
    entry_key = parse_id(entry_id)
    if entry_key:
        lock_record(session, ChronologyEntry, entry_key)
        if (held := session.get(ChronologyEntry, entry_key)) is not None:
            session.refresh(held)
