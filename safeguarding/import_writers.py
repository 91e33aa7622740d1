"""Writing checked import items in bulk: each chunk is planned with a few batched queries, then written by statement.

Planning a chunk resolves each item to the record it updates (its remembered ref, else its natural key, looked up
for the whole chunk at once) or a new id. Writing builds every row in a tight loop, encrypting sensitive fields as
the row is built (AES-GCM bound to table, column and row, under the owner's data key), and sends the chunk's
inserts and updates as one executemany each, in the caller's transaction. A record's owner and data key are fixed
when it is created; an update re-encrypts its fields under the key it already has.
"""

from collections import defaultdict
from collections.abc import Callable, Iterable

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.orm import Session

from models.agency import Agency
from models.base import new_id
from models.case import Case
from models.context import Group, Place, Relationship
from models.crypto import current_keyring
from models.import_ref import ImportRef
from models.person import Person, PersonFlag, PersonIndexToken
from safeguarding.blind_index import person_tokens
from safeguarding.contexts import first_review
from safeguarding.import_casework import CaseworkSections
from safeguarding.import_checks import KIND_OF_SECTION
from safeguarding.import_matching import NaturalKeyMatching
from safeguarding.import_rows import Plan, chunks, stored_columns, unseal_stored, updated_ids
from safeguarding.runtime import current as runtime
from safeguarding.validation import uk_today

# The fields of each section that may name a person whose data the item is (or is part of).
PERSON_FIELDS = {
    "relationships": ("source", "target"),
    "cases": ("subject",),
    "missing_episodes": ("person",),
    "referrals": ("person",),
}
TABLE_OF_KIND = {"person": Person, "place": Place, "group": Group, "case": Case}

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


class ImportWriter(NaturalKeyMatching, CaseworkSections):
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
        keys = [self.natural_key(section, item) for item in chunk]
        unresolved = [key for item, key in zip(chunk, keys, strict=True) if key and self.id_of(item["ref"]) is None]
        stored = self.stored_matches(section, unresolved) if unresolved else {}
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
                else unseal_stored(Relationship, "notes", notes, edge_id, self.keys.get(key_id)),
            }
            self.carried[successor] = {name: values[name] for name in omitting[successor]}

    def _new_refs(self, section: str, plan: Plan) -> list[dict]:
        kind = KIND_OF_SECTION[section]
        return [
            {"ref": item["ref"], "kind": kind, "record_id": record_id}
            for item, record_id, _ in plan
            if item["ref"] is not None and item["ref"] not in self.known
        ]

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
        return unseal_stored(Person, "aliases", stored[1], person_id, self.keys[key_id]) or []

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
