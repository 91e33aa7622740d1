"""Writing checked import items in bulk: each chunk is planned with a few batched queries, then written by statement.

Planning a chunk resolves each item to the record it updates (its remembered ref, else its natural key, looked up
for the whole chunk at once) or a new id. Writing builds every row in a tight loop, encrypting sensitive fields as
the row is built (AES-GCM bound to table, column and row, under the owner's data key), and sends the chunk's
inserts and updates as one executemany each, in the caller's transaction. A record's owner and data key are fixed
when it is created; an update re-encrypts its fields under the key it already has.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable
from datetime import UTC

from sqlalchemy import bindparam, delete, func, insert, select, update
from sqlalchemy.orm import Session

from models.agency import Agency
from models.base import new_id
from models.case import Case, CaseMember, ChronologyEntry
from models.context import Group, Place, Relationship
from models.crypto import DecryptionError, current_keyring
from models.crypto.fields import security_log
from models.import_ref import ImportRef
from models.person import Person, PersonFlag, PersonIndexToken
from models.referral import STATE_STEP, Referral, ReferralTransition
from models.safeguarding_events import MissingEpisode
from safeguarding.blind_index import person_tokens
from safeguarding.contexts import first_review
from safeguarding.import_checks import KIND_OF_SECTION
from safeguarding.import_referrals import imported_status, imported_times, kept_progress
from safeguarding.runtime import current as runtime
from safeguarding.validation import start_of_day, uk_today

CHUNK = 1000
# The fields of each section that may name a person whose data the item is (or is part of).
PERSON_FIELDS = {
    "relationships": ("source", "target"),
    "cases": ("subject",),
    "missing_episodes": ("person",),
    "referrals": ("person",),
}
TABLE_OF_KIND = {"person": Person, "place": Place, "group": Group, "case": Case}

Plan = list[tuple[dict, str, bool]]  # (item, record id, created) for each item of a chunk
# The optional fields of each section and the columns they set: left out of an item, they keep what the record
# has (given as null, they clear it); a record created takes the defaults.
OPTIONAL_COLUMNS = {
    "agencies": {"external": ("external",)},
    "people": {"sex": ("sex",)},
    "relationships": {
        "last_seen": ("last_seen",),
        "grading": ("grading_source", "grading_information", "grading_handling"),
        "notes": ("notes",),
    },
    "cases": {"closed_on": ("closed_on", "status", "closed_reason")},
    "missing_episodes": {
        "returned_at": ("returned_at",),
        "found_at": ("found_at_place_id",),
        "return_interview_offered_at": ("return_interview_offered_at",),
    },
}


# What an edge is, which an import never overwrites: its target (as the person, place or group ids) and kind, and
# when it was first seen.
EDGE_IDENTITY = (
    Relationship.target_person_id,
    Relationship.target_place_id,
    Relationship.target_group_id,
    Relationship.kind,
    Relationship.first_seen,
)


def corrects(item: dict, target_id: str | None, stored: tuple) -> bool:
    """Whether a relationship item (its target's record id given) changes what its stored edge (EDGE_IDENTITY) is:
    edges are never overwritten (SPEC 2), so the import ends that edge and adds a correction."""
    target_person, target_place, target_group, kind, first_seen = stored
    was = (target_person or target_place or target_group, kind, first_seen)
    return was != (target_id, item["kind"], item["first_seen"])


def chunks(values: list, size: int | None = None) -> Iterable[list]:
    size = size or CHUNK
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_columns(session: Session, model, ids: Iterable[str], *columns) -> dict[str, tuple]:
    """Columns of stored records by id (one query per chunk of ids)."""
    found = {}
    for batch in chunks(list(dict.fromkeys(ids))):
        for row in session.execute(select(model.id, *columns).where(model.id.in_(batch))):
            found[row[0]] = tuple(row[1:])
    return found


def updated_ids(plan: Plan) -> list[str]:
    """The stored records a chunk updates."""
    return [record_id for _, record_id, is_new in plan if not is_new]


class ImportWriter:
    """Writes one document's sections in order (or, in a dry run, only plans them to count what would change)."""

    def __init__(
        self,
        session: Session,
        known: dict[str, tuple[str, str]],
        users: dict[str, str],
        merged: set[str],
        dry_run: bool,
    ):
        self.session, self.known, self.users, self.dry_run = session, known, users, dry_run
        self.merged = merged  # refs of people since merged: known gives the survivor's id
        self.ids: dict[str, str] = {}  # refs this import wrote: ref -> record id
        self.kinds: dict[str, str] = {}  # refs this import wrote: ref -> kind
        self.created: set[str] = set()  # ids of records this import creates: nothing stored hangs off them yet
        self.natural: dict[str, dict[tuple, str]] = defaultdict(dict)  # natural keys of records written so far
        self.key_ids: dict[str, str] = {}  # record id -> data key id, for owners written by this import
        self.case_subjects: dict[str, str | None] = {}  # case id -> subject person id, for cases written
        self.keys: dict[str, bytes] = {}  # data key id -> plaintext data key
        self.name_tokens: dict[tuple, list] = {}  # blind-index tokens of names already indexed by this import
        self.keyring = current_keyring()
        self.touched: set[str] = set()  # ids of the people whose data this import created or updated (for audit)
        self.superseded: dict[str, str] = {}  # id of an edge this import adds as a correction -> the edge it ends
        self.carried: dict[str, dict] = {}  # id of a correction -> the optional fields it keeps from that edge

    # --- refs -------------------------------------------------------------------------------------------------

    def id_of(self, ref: str | None) -> str | None:
        """The record a ref stands for: written by this import or remembered from an earlier one (else None)."""
        if ref is None:
            return None
        return self.ids.get(ref) or self.known.get(ref, (None, None))[1]

    def kind_of(self, ref: str) -> str:
        return self.kinds.get(ref) or self.known[ref][0]

    def _touch(self, section: str, plan: Plan) -> None:
        """Note the people whose data a written chunk created or updated."""
        if section == "people":
            self.touched.update(record_id for _, record_id, _ in plan)
        elif section == "chronology":
            self.touched.update(self.case_subjects[self.id_of(item["case"])] for item, _, _ in plan)
            self.touched.discard(None)  # an entry on a case about a place or group
        for name in PERSON_FIELDS.get(section, ()):
            self.touched.update(
                self.id_of(item[name]) for item, _, _ in plan if item[name] and self.kind_of(item[name]) == "person"
            )

    # --- planning ---------------------------------------------------------------------------------------------

    def write(self, section: str, items: list[dict], progress: Callable[[int], None] | None = None) -> tuple[int, int]:
        """Create or update every item of a section; returns (created, updated)."""
        created = updated = 0
        for chunk in chunks(items):
            plan = self._plan(section, chunk)
            if section == "relationships":
                plan = self._corrections(plan)
            if not self.dry_run:
                getattr(self, f"_write_{section}")(plan)
                self._touch(section, plan)
                self._insert(ImportRef, self._new_refs(section, plan))
            fresh = sum(1 for _, _, is_new in plan if is_new)
            created, updated = created + fresh, updated + len(plan) - fresh
            if progress is not None:
                progress(created + updated)
        return created, updated

    def _plan(self, section: str, chunk: list[dict]) -> Plan:
        natural_key = NATURAL_KEYS.get(section)
        keys = [natural_key(self, item) if natural_key else None for item in chunk]
        unresolved = [key for item, key in zip(chunk, keys, strict=True) if key and self.id_of(item["ref"]) is None]
        stored = MATCHERS[section](self, unresolved) if unresolved else {}
        written = self.natural[section]
        plan = []
        for item, key in zip(chunk, keys, strict=True):
            record_id = self.id_of(item["ref"])
            if record_id is None and key is not None:
                record_id = written.get(key) or stored.get(key)
            is_new = record_id is None
            if is_new:
                record_id = new_id()
                self.created.add(record_id)
            if key is not None:
                written[key] = record_id
            if item["ref"] is not None:
                self.ids[item["ref"]], self.kinds[item["ref"]] = record_id, KIND_OF_SECTION[section]
            plan.append((item, record_id, is_new))
        return plan

    def _corrections(self, plan: Plan) -> Plan:
        """Edges are never overwritten (SPEC 2): a remembered edge whose target, kind or first-seen date the item
        changes is ended, and a new edge that supersedes it is planned instead; the ref moves to the new edge."""
        ids = [record_id for item, record_id, is_new in plan if not is_new and item["ref"] is not None]
        stored = self._stored(Relationship, ids, *EDGE_IDENTITY)
        corrected = []
        for item, record_id, is_new in plan:
            if record_id in stored and corrects(item, self.id_of(item["target"]), stored[record_id]):
                target_person = stored[record_id][0]
                if target_person and not self.dry_run:
                    self.touched.add(target_person)  # their tie is ended: the import changed their data too
                successor = new_id()
                self.superseded[successor] = record_id
                self.created.add(successor)
                self.ids[item["ref"]] = successor
                self.natural["relationships"][self._relationship_key(item)] = successor
                record_id, is_new = successor, True
            corrected.append((item, record_id, is_new))
        self._carry_over([(item, successor) for item, successor, _ in corrected if successor in self.superseded])
        return corrected

    def _carry_over(self, corrections: list[tuple[dict, str]]) -> None:
        """What a correction's item leaves out of the optional fields, it keeps from the edge it supersedes."""
        omitting = {
            successor: OPTIONAL_COLUMNS["relationships"].keys() - item["given"] for item, successor in corrections
        }
        old = {successor: self.superseded[successor] for successor, omitted in omitting.items() if omitted}
        edge = Relationship
        columns = (edge.last_seen, edge.grading_source, edge.grading_information, edge.grading_handling)
        stored = self._stored(edge, list(old.values()), *columns, edge.notes_enc, edge.data_key_id)
        self._load_keys(row[5] for row in stored.values() if row[4] is not None)
        for successor, edge_id in old.items():
            last_seen, source, information, handling, notes, key_id = stored[edge_id]
            values = {
                "last_seen": last_seen,
                "grading": None
                if source is None
                else {"source": source, "information": information, "handling": handling},
                "notes": None
                if notes is None
                else _unseal(Relationship, "notes", notes, edge_id, self.keys.get(key_id)),
            }
            self.carried[successor] = {name: values[name] for name in omitting[successor]}

    def _new_refs(self, section: str, plan: Plan) -> list[dict]:
        kind = KIND_OF_SECTION[section]
        return [
            {"ref": item["ref"], "kind": kind, "record_id": record_id}
            for item, record_id, _ in plan
            if item["ref"] is not None and item["ref"] not in self.known
        ]

    # --- natural keys (SPEC section 10): matched against this import's records, then the database's -------------

    def _agency_key(self, item: dict) -> tuple:
        return (item["name"],)

    def _relationship_key(self, item: dict) -> tuple:
        return (self.id_of(item["source"]), self.id_of(item["target"]), item["kind"], item["first_seen"])

    def _chronology_key(self, item: dict) -> tuple:
        return (
            self.id_of(item["case"]),
            self.id_of(item["agency"]),
            item["occurred_on"],
            item["category"],
            item["summary"],
        )

    def _missing_key(self, item: dict) -> tuple:
        return (self.id_of(item["person"]), item["reported_at"].astimezone(UTC))

    def _stored_parents(self, keys: list[tuple]) -> list[str]:
        """Owners named by these keys that existed before this import (a record created now has nothing stored)."""
        return list({key[0] for key in keys if key[0] not in self.created})

    def _match_agencies(self, keys: list[tuple]) -> dict[tuple, str]:
        # Names are unique whatever their case, as `agencies create` holds them.
        lowered = {key[0].lower(): key for key in keys}
        rows = self.session.execute(
            select(func.lower(Agency.name), Agency.id).where(func.lower(Agency.name).in_(list(lowered)))
        )
        return {lowered[name]: agency_id for name, agency_id in rows}

    def _match_relationships(self, keys: list[tuple]) -> dict[tuple, str]:
        edge = Relationship
        found = {}
        for sources in chunks(self._stored_parents(keys)):
            rows = self.session.execute(
                select(
                    edge.id,
                    edge.source_person_id,
                    edge.target_person_id,
                    edge.target_place_id,
                    edge.target_group_id,
                    edge.kind,
                    edge.first_seen,
                ).where(edge.source_person_id.in_(sources))
            )
            for row in rows:
                found.setdefault((row[1], row[2] or row[3] or row[4], row[5], row[6]), row[0])
        return found

    def _match_chronology(self, keys: list[tuple]) -> dict[tuple, str]:
        wanted = {key[:4] for key in keys}
        entry = ChronologyEntry
        candidates = []
        for cases in chunks(self._stored_parents(keys)):
            rows = self.session.execute(
                select(
                    entry.id,
                    entry.case_id,
                    entry.agency_id,
                    entry.occurred_on,
                    entry.category,
                    entry.summary_enc,
                    entry.data_key_id,
                ).where(entry.case_id.in_(cases))
            )
            candidates += [row for row in rows if tuple(row[1:5]) in wanted]
        self._load_keys(row[6] for row in candidates if row[5] is not None)
        found = {}
        for row in candidates:
            summary = _unseal(ChronologyEntry, "summary", row[5], row[0], self.keys.get(row[6]))
            found.setdefault((*row[1:5], summary), row[0])
        return found

    def _match_missing(self, keys: list[tuple]) -> dict[tuple, str]:
        found = {}
        for people in chunks(self._stored_parents(keys)):
            rows = self.session.execute(
                select(MissingEpisode.id, MissingEpisode.person_id, MissingEpisode.reported_at).where(
                    MissingEpisode.person_id.in_(people)
                )
            )
            for episode_id, person_id, reported_at in rows:
                found.setdefault((person_id, reported_at.astimezone(UTC)), episode_id)
        return found

    # --- look-ups for writing ---------------------------------------------------------------------------------

    def _stored(self, model, ids: list[str], *columns) -> dict[str, tuple]:
        return stored_columns(self.session, model, ids, *columns)

    def _owner_key_ids(self, kind: str, ids: Iterable[str]) -> dict[str, str]:
        """Data key id of each owner record (person, place, group or case), from this import or the database."""
        ids = list(ids)
        missing = [record_id for record_id in ids if record_id not in self.key_ids]
        model = TABLE_OF_KIND[kind]
        for record_id, (key_id,) in self._stored(model, missing, model.data_key_id).items():
            self.key_ids[record_id] = key_id
        return {record_id: self.key_ids[record_id] for record_id in ids}

    def _load_keys(self, key_ids: Iterable[str]) -> None:
        missing = {key_id for key_id in key_ids if key_id not in self.keys}
        if missing:
            self.keys.update(self.keyring.keys_for(self.session, missing))

    def _seal(self, model, field: str, value, record_id: str, key_id: str) -> bytes | None:
        if value is None:
            return None  # nothing to encrypt: the owner's key may not even have been loaded
        return getattr(model, field).seal(
            value, table=model.__tablename__, row_id=record_id, key_id=key_id, key=self.keys[key_id]
        )

    def _transitions(self, referral_id: str, key_id: str, item: dict) -> list[dict]:
        """The referral's history as the old system dated it: sent, acknowledged, decided."""
        acknowledged = "acknowledged" if item["acknowledged_at"] else "submitted"
        steps = [
            (None, "submitted", item["sent_at"]),
            ("submitted", "acknowledged", item["acknowledged_at"]),
            (acknowledged, item["outcome"], item["decided_at"]),
        ]
        rows = [
            {"id": new_id(), "referral_id": referral_id, "at": at, "from_status": source, "to_status": target}
            | {"actor_id": None, "data_key_id": key_id}
            for source, target, at in steps
            if target and at
        ]
        for row in rows:
            row["note"] = self._seal(ReferralTransition, "note", "Imported", row["id"], key_id)
        return rows

    # --- statements -------------------------------------------------------------------------------------------

    def _insert(self, model, rows: list[dict]) -> None:
        if rows:
            self.session.connection().execute(insert(model.__table__), rows)

    def _update(self, model, rows: list[dict]) -> None:
        """Rows name their record as `record_id`; a versioned record moves on to its next version. Rows that set
        different columns (a referral whose progress is kept) go in separate statements, one per set of columns."""
        table = model.__table__
        statement = update(table).where(table.c.id == bindparam("record_id"))
        if "version" in table.c:
            statement = statement.values(version=table.c.version + 1)
        alike = defaultdict(list)
        for row in rows:
            alike[frozenset(row)].append(row)
        for group in alike.values():
            self.session.connection().execute(statement, group)

    def _apply(self, model, plan: Plan, build: Callable[[dict, str, bool], dict], section: str = "") -> None:
        """Build each item's row (full for a new record, the imported columns for an update) and write them."""
        optional = OPTIONAL_COLUMNS.get(section, {})
        inserts: dict[str, dict] = {}
        updates: dict[str, dict] = {}
        for item, record_id, is_new in plan:
            row = build(item, record_id, is_new)
            if not is_new:
                for name in optional.keys() - item["given"]:
                    for column in optional[name]:
                        row.pop(column, None)
            if is_new:
                inserts[record_id] = row
            elif record_id in inserts:  # a second item for a record this chunk creates: the later values win
                inserts[record_id].update(row)
            else:
                updates[record_id] = {"record_id": record_id, **row}
        self._insert(model, list(inserts.values()))
        self._update(model, list(updates.values()))

    # --- sections ---------------------------------------------------------------------------------------------

    def _write_agencies(self, plan: Plan) -> None:
        def build(item, record_id, is_new):
            row = {"name": item["name"], "kind": item["kind"], "external": bool(item["external"])}
            return {"id": record_id, **row} if is_new else row

        self._apply(Agency, plan, build, "agencies")

    def _write_people(self, plan: Plan) -> None:
        # A person since merged into another record: the survivor holds their data (their names as its aliases),
        # which their item's names must not overwrite; only its flags are added to the survivor, as the merge does.
        folded = [entry for entry in plan if entry[0]["ref"] in self.merged]
        plan = [entry for entry in plan if entry[0]["ref"] not in self.merged]
        new = [record_id for _, record_id, is_new in plan if is_new]
        fresh_keys = self.keyring.create_data_keys(self.session, len(new))
        self.keys.update(fresh_keys)
        self.key_ids.update(zip(new, fresh_keys, strict=True))
        stored_ids = updated_ids(plan)
        stored = self._stored(Person, stored_ids, Person.data_key_id, Person.aliases_enc)
        self.key_ids.update((record_id, key_id) for record_id, (key_id, _) in stored.items())
        self._load_keys(key_id for key_id, _ in stored.values())
        held = defaultdict(set)
        for batch in chunks(list(dict.fromkeys(stored_ids + updated_ids(folded)))):
            rows = self.session.execute(
                select(PersonFlag.person_id, PersonFlag.flag).where(
                    PersonFlag.person_id.in_(batch), PersonFlag.cleared_at.is_(None)
                )
            )
            for person_id, flag in rows:
                held[person_id].add(flag)
        for batch in chunks(stored_ids):
            self.session.connection().execute(delete(PersonIndexToken).where(PersonIndexToken.person_id.in_(batch)))
        indexer = runtime().indexer
        tokens, flags = [], []

        def add_flags(item, record_id):
            for flag in dict.fromkeys(item.get("flags") or []):
                if flag not in held[record_id]:
                    held[record_id].add(flag)
                    flags.append({"id": new_id(), "person_id": record_id, "flag": flag, "set_by_id": None})

        def build(item, record_id, is_new):
            key_id = self.key_ids[record_id]
            aliases = [] if is_new else self._aliases(record_id, stored[record_id], key_id)
            names = (item["given_name"], item["family_name"])
            found = person_tokens(indexer, *names, item["date_of_birth"], aliases, memo=self.name_tokens)
            tokens.extend({"person_id": record_id, "index_name": name, "token": token} for name, token in found)
            add_flags(item, record_id)
            row = {
                name: self._seal(Person, name, item.get(name), record_id, key_id)
                for name in ("given_name", "family_name", "date_of_birth", "sex")
            }
            return {"id": record_id, "data_key_id": key_id, **row} if is_new else row

        self._apply(Person, plan, build, "people")
        for item, record_id, _ in folded:
            add_flags(item, record_id)
        self._insert(PersonIndexToken, tokens)
        self._insert(PersonFlag, flags)

    def _aliases(self, person_id: str, stored: tuple, key_id: str) -> list[str]:
        """A stored person's aliases, indexed again with the names."""
        return _unseal(Person, "aliases", stored[1], person_id, self.keys[key_id]) or []

    def _write_places(self, plan: Plan) -> None:
        self._write_context(Place, plan)

    def _write_groups(self, plan: Plan) -> None:
        self._write_context(Group, plan)

    def _write_context(self, model, plan: Plan) -> None:
        system_key = self.keyring.system_key_id(self.session)

        def build(item, record_id, is_new):
            row = {"name": item["name"]} | ({"kind": item["kind"]} if model is Place else {})
            if is_new:
                self.key_ids[record_id] = system_key
                return {"id": record_id, "data_key_id": system_key, **row}
            return row

        self._apply(model, plan, build)

    def _write_relationships(self, plan: Plan) -> None:
        sources = self._owner_key_ids("person", {self.id_of(item["source"]) for item, _, _ in plan})
        stored = self._stored(Relationship, updated_ids(plan), Relationship.data_key_id)
        noted = [item for item, _, _ in plan if item["notes"] is not None]
        if noted or self.carried:
            self._load_keys(list(sources.values()) + [key_id for (key_id,) in stored.values()])

        def build(item, record_id, is_new):
            item = item | self.carried.pop(record_id, {})
            source = self.id_of(item["source"])
            # An edge keeps the key it was created under; one created earlier in this chunk has its source's.
            key_id = stored[record_id][0] if record_id in stored else sources[source]
            target_type, target_id = self.kind_of(item["target"]), self.id_of(item["target"])
            grading = item["grading"] or {}
            row = {
                "target_person_id": target_id if target_type == "person" else None,
                "target_place_id": target_id if target_type == "place" else None,
                "target_group_id": target_id if target_type == "group" else None,
                "kind": item["kind"],
                "first_seen": item["first_seen"],
                "last_seen": item["last_seen"],
                "agency_id": self.id_of(item["agency"]),
                "grading_source": grading.get("source"),
                "grading_information": grading.get("information"),
                "grading_handling": grading.get("handling"),
                "notes": self._seal(Relationship, "notes", item["notes"], record_id, key_id),
            }
            if not is_new:
                return row
            fixed = {"source_person_id": source, "data_key_id": key_id, "supersedes_id": self.superseded.get(record_id)}
            # Set once: a later import leaves the review date alone, as a review on the record may have moved it.
            fixed["review_on"] = first_review(item["kind"], item["first_seen"])
            return {"id": record_id, **fixed, **row}

        self._apply(Relationship, plan, build, "relationships")
        self._end_superseded([(item["ref"], record_id) for item, record_id, _ in plan if record_id in self.superseded])

    def _end_superseded(self, corrections: list[tuple[str, str]]) -> None:
        """End the edges these corrections (ref, new edge id) replace, today as a correction made on the record
        does (one already ended keeps its date), and move their refs to the corrections."""
        if not corrections:
            return
        table, connection = Relationship.__table__, self.session.connection()
        ending = update(table).where(table.c.id == bindparam("edge_id"), table.c.ended_on.is_(None))
        connection.execute(
            ending.values(ended_on=uk_today()),
            [{"edge_id": self.superseded[successor]} for _, successor in corrections],
        )
        moving = update(ImportRef.__table__).where(ImportRef.__table__.c.ref == bindparam("import_ref"))
        connection.execute(
            moving.values(record_id=bindparam("successor")),
            [{"import_ref": ref, "successor": successor} for ref, successor in corrections],
        )

    def _write_cases(self, plan: Plan) -> None:
        subjects = defaultdict(set)
        for item, _, is_new in plan:
            if is_new:
                subjects[self.kind_of(item["subject"])].add(self.id_of(item["subject"]))
        owners = {}
        for kind, ids in subjects.items():
            owners |= self._owner_key_ids(kind, ids)
        stored_ids = updated_ids(plan)
        stored = self._stored(Case, stored_ids, Case.data_key_id, Case.lead_worker_id)
        members = defaultdict(set)
        for batch in chunks(stored_ids):
            for case_id, user_id in self.session.execute(
                select(CaseMember.case_id, CaseMember.user_id).where(CaseMember.case_id.in_(batch))
            ):
                members[case_id].add(user_id)
        new_members = []

        def build(item, record_id, is_new):
            subject_type, subject_id = self.kind_of(item["subject"]), self.id_of(item["subject"])
            team = [self.users[name] for name in item["members"]]
            key_id, lead = (owners[subject_id], None) if is_new else stored[record_id]
            self.key_ids[record_id] = key_id
            self.case_subjects[record_id] = subject_id if subject_type == "person" else None
            added_at = start_of_day(item["opened_on"])
            for user_id in dict.fromkeys(team):
                if user_id not in members[record_id]:
                    members[record_id].add(user_id)
                    new_members.append({"id": new_id(), "case_id": record_id, "user_id": user_id, "added_at": added_at})
            row = {
                "subject_person_id": subject_id if subject_type == "person" else None,
                "subject_place_id": subject_id if subject_type == "place" else None,
                "subject_group_id": subject_id if subject_type == "group" else None,
                "lead_agency_id": self.id_of(item["agency"]),
                "opened_on": item["opened_on"],
                "closed_on": item["closed_on"],
                "concerns": list(item["concerns"]),
                "risk_level": item["risk_level"],
                "status": "closed" if item["closed_on"] else "open",
                "closed_reason": None,  # the import has no reason; one from the app was for another closing
                "lead_worker_id": lead or (team[0] if team else None),
            }
            return {"id": record_id, "data_key_id": key_id, **row} if is_new else row

        self._apply(Case, plan, build, "cases")
        self._insert(CaseMember, new_members)

    def _write_chronology(self, plan: Plan) -> None:
        cases = {self.id_of(item["case"]) for item, _, _ in plan}
        unknown = [case_id for case_id in cases if case_id not in self.case_subjects]
        for case_id, (key_id, subject) in self._stored(Case, unknown, Case.data_key_id, Case.subject_person_id).items():
            self.key_ids[case_id], self.case_subjects[case_id] = key_id, subject
        stored = self._stored(ChronologyEntry, updated_ids(plan), ChronologyEntry.data_key_id)
        self._load_keys([self.key_ids[case_id] for case_id in cases] + [key_id for (key_id,) in stored.values()])

        def build(item, record_id, is_new):
            case_id = self.id_of(item["case"])
            key_id = stored[record_id][0] if record_id in stored else self.key_ids[case_id]
            row = {
                "person_id": self.case_subjects[case_id],
                "agency_id": self.id_of(item["agency"]),
                "occurred_on": item["occurred_on"],
                "category": item["category"],
                "sensitivity": item["sensitivity"],
                "summary": self._seal(ChronologyEntry, "summary", item["summary"], record_id, key_id),
            }
            return {"id": record_id, "case_id": case_id, "data_key_id": key_id, **row} if is_new else row

        self._apply(ChronologyEntry, plan, build)

    def _write_missing_episodes(self, plan: Plan) -> None:
        def build(item, record_id, is_new):
            row = {
                "reporting_agency_id": self.id_of(item["agency"]),
                "found_at_place_id": self.id_of(item["found_at"]),
                "reported_at": item["reported_at"],
                "returned_at": item["returned_at"],
                "return_interview_offered_at": item["return_interview_offered_at"],
            }
            return {"id": record_id, "person_id": self.id_of(item["person"]), **row} if is_new else row

        self._apply(MissingEpisode, plan, build, "missing_episodes")

    def _write_referrals(self, plan: Plan) -> None:
        # A referral is sealed under its subject's key: a person's, or a place's or group's (SPEC 3, "or a context").
        about = {record_id: item["person"] or item["subject"] for item, record_id, is_new in plan if is_new}
        by_kind, owners = defaultdict(set), {}
        for ref in about.values():
            by_kind[self.kind_of(ref)].add(self.id_of(ref))
        for kind, ids in by_kind.items():
            owners |= self._owner_key_ids(kind, ids)
        stored = self._stored(Referral, updated_ids(plan), Referral.data_key_id, Referral.status)
        self._load_keys(list(owners.values()) + [key_id for key_id, _ in stored.values()])
        transitions = []

        def build(item, record_id, is_new):
            subject_id = self.id_of(about[record_id]) if is_new else None
            key_id = owners[subject_id] if is_new else stored[record_id][0]
            row = {
                "from_agency_id": self.id_of(item["from_agency"]),
                "to_agency_id": self.id_of(item["to_agency"]),
                "urgency": item["urgency"],
                "reason": self._seal(Referral, "reason", item["reason"], record_id, key_id),
                "sent_at": item["sent_at"],
            }
            status, times = imported_status(item), imported_times(item)
            progress = {
                "acknowledged_at": times["acknowledged_at"],
                "decided_at": times["decided_at"],
                "decline_reason": self._seal(Referral, "decline_reason", item["decline_reason"], record_id, key_id),
                "status": status,
            }
            if is_new:
                transitions.extend(self._transitions(record_id, key_id, item))
                kind = self.kind_of(about[record_id])
                subject = {f"{name}_id": subject_id if name == kind else None for name in ("person", "place", "group")}
                return {"id": record_id, **subject, "data_key_id": key_id, **row, **progress}
            before = stored[record_id][1]
            if STATE_STEP[status] > STATE_STEP[before]:  # the steps it had keep their times; the new ones are added
                steps = self._transitions(record_id, key_id, item)
                transitions.extend(t for t in steps if STATE_STEP[t["to_status"]] > STATE_STEP[before])
            # A referral only moves forward: one moved on here since (or otherwise decided) keeps its own progress.
            kept = kept_progress(before, status)
            return row | {name: value for name, value in progress.items() if name not in kept}

        self._apply(Referral, plan, build)
        self._insert(ReferralTransition, transitions)


def _unseal(model, field: str, blob: bytes | None, record_id: str, key: bytes | None):
    """A stored value read without its instance; one that fails its integrity check is logged and counts as absent."""
    try:
        return getattr(model, field).unseal(blob, table=model.__tablename__, row_id=record_id, key=key)
    except DecryptionError:
        message = "Encrypted value failed its integrity check: table=%s column=%s row=%s"
        security_log.error(message, model.__tablename__, field, record_id)
        return None


NATURAL_KEYS = {
    "agencies": ImportWriter._agency_key,
    "relationships": ImportWriter._relationship_key,
    "chronology": ImportWriter._chronology_key,
    "missing_episodes": ImportWriter._missing_key,
}
MATCHERS = {
    "agencies": ImportWriter._match_agencies,
    "relationships": ImportWriter._match_relationships,
    "chronology": ImportWriter._match_chronology,
    "missing_episodes": ImportWriter._match_missing,
}
