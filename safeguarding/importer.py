"""Import from an existing case-management system (SPEC section 10): validate everything, then write it all.

The document's refs are remembered, so importing it again updates the same records instead of duplicating them;
items without a ref match on their natural key. Original dates are kept, everything is encrypted as it is
written, and the import is audited as one event with its counts and the people whose data it touched. The whole
document is written in one transaction (with the audit event), a chunk of items per statement, so a failure
part-way leaves nothing behind.
"""

from collections import defaultdict
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

import audit
from models.agency import Agency
from models.case import Case, ChronologyEntry
from models.context import Relationship
from models.crypto.data_keys import DataKey
from models.import_ref import ImportRef
from models.locking import lock_named
from models.person import Person
from models.referral import Referral
from models.safeguarding_events import MissingEpisode
from models.user import User
from safeguarding import merging
from safeguarding.cases import team_refusal
from safeguarding.errors import ValidationFailed
from safeguarding.import_checks import ERASED, SECTIONS, checked_items, referenced_refs, rejection
from safeguarding.import_episodes import episode_conflicts
from safeguarding.import_kept import kept_conflicts
from safeguarding.import_rows import chunks
from safeguarding.import_writers import ImportWriter
from safeguarding.validation import unstorable_text

Progress = Callable[[str, int, int], None] | None
IMPORT_PAGE_CACHE_KIB = 256 * 1024
IMPORT_LOCK_KEY = 0x5343494D504F5254  # pg_advisory_xact_lock key: "SCIMPORT" in ASCII


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    ids: dict[str, str] = field(default_factory=dict)
    ignored: dict[str, str] = field(default_factory=dict)  # path -> why: fields outside the format

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "ids": self.ids, "ignored": self.ignored}


def import_document(session: Session, document, *, dry_run: bool = False, progress: Progress = None) -> ImportResult:
    """Check the whole document first (every bad item reported by path); then write it in one transaction."""
    if problems := unstorable_text(document, "$"):  # before any ref is looked up
        raise rejection(problems)
    try:
        if not dry_run:
            # One import at a time: a second one started meanwhile waits, then finds what the first wrote and
            # updates it (two at once both planned to create the same ref-less relationships).
            lock_named(session, IMPORT_LOCK_KEY)
        known, merged = remembered_refs(session, referenced_refs(document))
        users = session.execute(select(User.username, User.id, User.active, User.role)).all()
        # Keyed as sign-in finds a username, whatever its case (names are unique so): see _Checker.cases.
        usernames = {user.username.lower(): user.id for user in users}
        unfit = {user.username.lower(): refusal for user in users if (refusal := team_refusal(user))}
        clean, ignored, problems = checked_items(document, known, usernames, unfit)
        # Every bad item is listed, those the stored records refuse too; an item's own problem comes first.
        stored = stored_conflicts(session, clean, known) | kept_conflicts(session, clean, known, problems)
        stored |= episode_conflicts(session, clean["missing_episodes"], known, problems)
        if problems := stored | problems:
            raise rejection(problems)
        clean["relationships"] = [item for item in clean["relationships"] if not _joins_merged(item, known)]
        result = ImportResult(ignored=ignored)
        writer = ImportWriter(session, known, usernames, merged, dry_run=dry_run)
        with _page_cache(session):
            for section in SECTIONS:
                items = clean[section]
                report = None if progress is None else (lambda done, s=section, n=len(items): progress(s, done, n))
                result.created[section], result.updated[section] = writer.write(section, items, report)
        if dry_run:  # nothing was written, so there are no ids to give
            return result
        result.ids = writer.ids
        audit.record(
            session,
            action="import",
            actor=None,
            object_type="import",
            object_id=None,
            person_ids=writer.touched,  # so "who accessed this person's record" finds the import
            detail={"created": result.created, "updated": result.updated},
        )
        session.commit()
    except BaseException:
        session.rollback()
        raise
    _refresh_planner_statistics(session)
    return result


def _refresh_planner_statistics(session: Session) -> None:
    """After a bulk load, PostgreSQL's planner still believes the tables are as small as before, and scans whole
    tables where an index answers in microseconds (a context map went from 65 to 140 ms) until autovacuum gets
    round to them: bring the statistics up to date now. SQLite plans from its indexes alone."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE"))
        session.commit()


@contextmanager
def _page_cache(session: Session):
    """On SQLite, a page cache big enough for the import's one transaction, so pages are not spilled and rewritten."""
    connection = session.connection()
    if connection.dialect.name != "sqlite":
        yield
        return
    usual = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    connection.exec_driver_sql(f"PRAGMA cache_size=-{IMPORT_PAGE_CACHE_KIB}")
    try:
        yield
    finally:  # the pooled connection goes back with its usual cache
        connection.exec_driver_sql(f"PRAGMA cache_size={int(usual)}")


def remembered_refs(session: Session, refs: set[str]) -> tuple[dict[str, tuple[str, str]], set[str]]:
    """Those of these refs that earlier imports remembered: ref -> (kind, record id), and the refs of people since
    merged into another record. A merged person's ref stands for the record it was merged into (the duplicate is
    only a pointer); the kind is ERASED for a record an erasure took (deleted, or its data key destroyed), which the
    checks refuse to bring back."""
    found = {}
    for batch in chunks(sorted(refs)):
        rows = session.execute(
            select(ImportRef.ref, ImportRef.kind, ImportRef.record_id).where(ImportRef.ref.in_(batch))
        )
        found.update((ref, (kind, record_id)) for ref, kind, record_id in rows)
    survivors = merging.survivors(session, [record_id for kind, record_id in found.values() if kind == "person"])
    merged = {ref for ref, (kind, record_id) in found.items() if kind == "person" and record_id in survivors}
    found = {ref: (kind, survivors.get(record_id, record_id)) for ref, (kind, record_id) in found.items()}
    gone = _erased(session, found.values())
    known = {ref: (ERASED if record_id in gone else kind, record_id) for ref, (kind, record_id) in found.items()}
    return known, merged


def _joins_merged(item: dict, known: dict[str, tuple[str, str]]) -> bool:
    """An edge of an earlier import between two people since merged into one: the merge ended it, and it stays so
    (written again, it would relate the survivor to themselves; stored_conflicts refuses a new one)."""
    source, target = known.get(item["source"]), known.get(item["target"])
    return item["ref"] in known and source is not None and source == target


# Records an erasure shreds with their person's data key, and how to find those still readable.
_KEYED = {
    "person": Person,
    "relationship": Relationship,
    "case": Case,
    "chronology": ChronologyEntry,
    "referral": Referral,
}


def _erased(session: Session, remembered) -> set[str]:
    """The remembered record ids that no longer stand: deleted, shredded, or a missing episode of an erased person."""
    ids_by_kind = defaultdict(list)
    for kind, record_id in remembered:
        ids_by_kind[kind].append(record_id)
    gone = set()
    for kind, ids in ids_by_kind.items():
        if kind in _KEYED:
            model = _KEYED[kind]
            readable = (
                select(model.id).join(DataKey, DataKey.id == model.data_key_id).where(DataKey.destroyed_at.is_(None))
            )
        elif kind == "missing_episode":
            readable = select(MissingEpisode.id).join(Person).where(Person.erased_at.is_(None))
        else:
            continue  # agencies, places and groups are never erased
        for batch in chunks(ids):
            gone.update(set(batch) - set(session.scalars(readable.where(readable.selected_columns[0].in_(batch)))))
    return gone


# What each record belongs to, which a later import cannot change: its data is sealed under its owner's key, which
# an erasure destroys with the owner.
# The fields naming the owner, the first an item gives: a referral is about a person or (`subject`) a context.
_OWNERS = {
    "relationships": (("source",), Relationship, Relationship.source_person_id),
    "cases": (("subject",), Case, func.coalesce(Case.subject_person_id, Case.subject_place_id, Case.subject_group_id)),
    "chronology": (("case",), ChronologyEntry, ChronologyEntry.case_id),
    "missing_episodes": (("person",), MissingEpisode, MissingEpisode.person_id),
    "referrals": (
        ("person", "subject"),
        Referral,
        func.coalesce(Referral.person_id, Referral.place_id, Referral.group_id),
    ),
}


def stored_conflicts(session: Session, clean: dict[str, list[dict]], known: dict[str, tuple[str, str]]) -> dict:
    """What a checked document asks that the stored records refuse, by path: a record of an earlier import moved to
    another owner (people compared as merged), a new edge between two people since merged into one, or an agency
    given a name another agency has (names are unique, whatever their case). Items that failed their own checks
    (an object missing, a field None) are passed over where they lack what a comparison needs."""
    problems = {}
    for section, (names, model, owner) in _OWNERS.items():
        earlier = {i: known[item["ref"]][1] for i, item in enumerate(clean[section]) if item.get("ref") in known}
        stored = {}
        for batch in chunks(sorted(set(earlier.values()))):
            stored.update(session.execute(select(model.id, owner).where(model.id.in_(batch))).all())
        for i, record_id in earlier.items():
            name = next((n for n in names if clean[section][i].get(n) is not None), names[0])
            if record_id in stored and known.get(clean[section][i][name], ("", ""))[1] != stored[record_id]:
                problems[f"$.{section}[{i}].{name}"] = (
                    f"An earlier import gave this record another {name}: it cannot change"
                )
    for i, item in enumerate(clean["relationships"]):
        source = known.get(item.get("source"))
        if item.get("ref") not in known and source is not None and source == known.get(item.get("target")):
            problems[f"$.relationships[{i}].target"] = (
                "Since a merge, this is the same person as the source: a person cannot be related to themselves"
            )
    agencies = [(i, item) for i, item in enumerate(clean["agencies"]) if item.get("name") is not None]
    named: dict[str, str] = {}  # lower-cased name -> ref of the first agency item with it
    for i, item in agencies:
        if named.setdefault(item["name"].lower(), item["ref"]) != item["ref"]:
            problems[f"$.agencies[{i}].name"] = "Another agency of this document has this name"
    earlier = defaultdict(list)  # lower-cased name -> (index, record id) of the items of earlier imports
    for i, item in agencies:
        if item["ref"] in known:
            earlier[item["name"].lower()].append((i, known[item["ref"]][1]))
    for batch in chunks(sorted(earlier)):
        for agency_id, lowered in session.execute(
            select(Agency.id, func.lower(Agency.name)).where(func.lower(Agency.name).in_(batch))
        ):
            for i, record_id in earlier[lowered]:
                if record_id != agency_id:
                    problems[f"$.agencies[{i}].name"] = "Another agency already has this name"
    return problems


def import_failure(failure: ValidationFailed) -> dict:
    return {"error": failure.message, "errors": [{"path": p, "message": m} for p, m in failure.fields.items()]}
