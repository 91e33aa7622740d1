"""Natural keys (SPEC section 10): the stored record that an item without a remembered ref updates.

An agency is known by its name, a relationship by its ends, kind and first-seen date, a chronology entry by its
case, agency, day, category and summary, a missing episode by its child and report time. Keys are matched against
the records this import wrote first (ImportWriter.natural), then against the database, a chunk at a time.
"""

from collections.abc import Iterator
from datetime import UTC

from sqlalchemy import Row, func, select

from models.agency import Agency
from models.case import ChronologyEntry
from models.context import Relationship
from models.safeguarding_events import MissingEpisode
from safeguarding.import_rows import chunks, unseal_stored


class NaturalKeyMatching:
    """The natural keys of ImportWriter, which provides session, created, keys, id_of() and _load_keys()."""

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

    def _stored_children(self, keys: list[tuple], parent, *columns) -> Iterator[Row]:
        """The stored rows (columns) under the owners these keys name (`parent`: the column naming the owner) that
        existed before this import: a record created now has nothing stored under it."""
        owners = list({key[0] for key in keys if key[0] not in self.created})
        for batch in chunks(owners):
            yield from self.session.execute(select(*columns).where(parent.in_(batch)))

    def _match_agencies(self, keys: list[tuple]) -> dict[tuple, str]:
        # Names are unique whatever their case, as `agencies create` holds them.
        lowered = {key[0].lower(): key for key in keys}
        rows = self.session.execute(
            select(func.lower(Agency.name), Agency.id).where(func.lower(Agency.name).in_(list(lowered)))
        )
        return {lowered[name]: agency_id for name, agency_id in rows}

    def _match_relationships(self, keys: list[tuple]) -> dict[tuple, str]:
        edge = Relationship
        ends = (edge.source_person_id, edge.target_person_id, edge.target_place_id, edge.target_group_id)
        found = {}
        for row in self._stored_children(keys, edge.source_person_id, edge.id, *ends, edge.kind, edge.first_seen):
            found.setdefault((row[1], row[2] or row[3] or row[4], row[5], row[6]), row[0])
        return found

    def _match_chronology(self, keys: list[tuple]) -> dict[tuple, str]:
        wanted = {key[:4] for key in keys}
        entry = ChronologyEntry
        columns = (entry.id, entry.case_id, entry.agency_id, entry.occurred_on, entry.category)
        rows = self._stored_children(keys, entry.case_id, *columns, entry.summary_enc, entry.data_key_id)
        candidates = [row for row in rows if tuple(row[1:5]) in wanted]
        self._load_keys(row[6] for row in candidates if row[5] is not None)
        found = {}
        for row in candidates:
            summary = unseal_stored(ChronologyEntry, "summary", row[5], row[0], self.keys.get(row[6]))
            found.setdefault((*row[1:5], summary), row[0])
        return found

    def _match_missing(self, keys: list[tuple]) -> dict[tuple, str]:
        episode = MissingEpisode
        found = {}
        for episode_id, person_id, reported_at in self._stored_children(
            keys, episode.person_id, episode.id, episode.person_id, episode.reported_at
        ):
            found.setdefault((person_id, reported_at.astimezone(UTC)), episode_id)
        return found

    def natural_key(self, section: str, item: dict) -> tuple | None:
        """The item's natural key; None in sections matched by ref alone (people, places, groups, cases, referrals)."""
        key_of = _NATURAL_KEYS.get(section)
        return key_of(self, item) if key_of else None

    def stored_matches(self, section: str, keys: list[tuple]) -> dict[tuple, str]:
        """Stored record ids by natural key, for those of `keys` that match one."""
        return _MATCHERS[section](self, keys)


_NATURAL_KEYS = {
    "agencies": NaturalKeyMatching._agency_key,
    "relationships": NaturalKeyMatching._relationship_key,
    "chronology": NaturalKeyMatching._chronology_key,
    "missing_episodes": NaturalKeyMatching._missing_key,
}
_MATCHERS = {
    "agencies": NaturalKeyMatching._match_agencies,
    "relationships": NaturalKeyMatching._match_relationships,
    "chronology": NaturalKeyMatching._match_chronology,
    "missing_episodes": NaturalKeyMatching._match_missing,
}
