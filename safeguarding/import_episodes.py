"""An import's missing episodes checked as the records they will be, as the service checks an episode recorded or
changed on the record: its times in order (a time an item leaves out keeps the stored episode's), and a child missing
once at a time, in the document and with the episodes already stored (an item's own episode is no clash)."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.safeguarding_events import MissingEpisode
from safeguarding.import_checks import Problems
from safeguarding.import_rows import chunks
from safeguarding.import_writers import OPTIONAL_COLUMNS
from safeguarding.missing import already_missing, check_order, overlaps

TIMES = ("reported_at", "returned_at", "return_interview_offered_at")
# The times an item may leave out: the episode it updates keeps its own (import_writers.OPTIONAL_COLUMNS).
KEPT = tuple(name for name in TIMES if name in OPTIONAL_COLUMNS["missing_episodes"])


@dataclass(frozen=True)
class Episode:
    person: str | tuple[str, str]  # the child's record id, or ("new", ref) for a person this document creates
    reported_at: datetime
    returned_at: datetime | None
    return_interview_offered_at: datetime | None
    index: int | None = None  # the document's last item for it; None for a stored one the document leaves alone


def episode_conflicts(
    session: Session, items: list[dict], known: dict[str, tuple[str, str]], problems: dict[str, str]
) -> dict[str, str]:
    """By path, what the checked items of missing_episodes would store that the service refuses: an episode's times
    out of order, or overlapping another episode of the child's. Items whose child or times failed their own checks
    (in `problems`) are left to those."""
    found = Problems()
    checkable = [(i, item) for i, item in enumerate(items) if _checkable(i, item, problems)]
    stored = _stored(session, {known[item["person"]][1] for _, item in checkable if item["person"] in known})
    by_child = defaultdict(list)
    for episode in (stored | _as_written(checkable, known, stored, found)).values():
        if episode is not None:  # not one an item puts out of order: that item is refused for it
            by_child[episode.person].append(episode)
    for episodes in by_child.values():
        _refuse_overlaps(episodes, found)
    return dict(found)


def _checkable(index: int, item: dict, problems: dict[str, str]) -> bool:
    path = f"$.missing_episodes[{index}]"
    given = item.get("person") is not None and item.get("reported_at") is not None
    return given and not any(f"{path}.{name}" in problems for name in ("person", *TIMES))


def _stored(session: Session, people: set[str]) -> dict[str, Episode]:
    """The stored episodes of these children, by id."""
    found = {}
    columns = [getattr(MissingEpisode, name) for name in TIMES]
    for batch in chunks(sorted(people)):
        query = select(MissingEpisode.id, MissingEpisode.person_id, *columns).where(MissingEpisode.person_id.in_(batch))
        for episode_id, person_id, *times in session.execute(query):
            found[episode_id] = Episode(person_id, *times)
    return found


def _as_written(
    items: list[tuple[int, dict]], known: dict[str, tuple[str, str]], stored: dict[str, Episode], found: Problems
) -> dict[object, Episode | None]:
    """The episode each item leaves, by record, each checked as it is written: an item updates the episode the
    writer finds for it (its remembered ref, else the child and the time reported, in the document first), and a
    time it leaves out keeps that episode's. An episode out of order is reported, and None."""
    matched = {}
    for episode_id, episode in stored.items():
        matched.setdefault((episode.person, episode.reported_at.astimezone(UTC)), episode_id)
    written: dict[tuple, object] = {}
    episodes: dict[object, Episode | None] = {}
    for index, item in items:
        person = known[item["person"]][1] if item["person"] in known else ("new", item["person"])
        key = (person, item["reported_at"].astimezone(UTC))
        ref = item["ref"]
        record = known[ref][1] if ref in known else written.get(key) or matched.get(key) or ("item", index)
        written[key] = record
        before = episodes.get(record) or stored.get(record)
        if ref in known and before is None:
            continue  # the ref of another child's episode: refused as a change of owner
        times = {"reported_at": item["reported_at"]} | {
            name: item[name] if before is None or name in item["given"] else getattr(before, name) for name in KEPT
        }
        in_order = found.at(f"$.missing_episodes[{index}]", _in_order, times)
        episodes[record] = Episode(person, **times, index=index) if in_order else None
    return episodes


def _refuse_overlaps(episodes: list[Episode], found: Problems) -> None:
    """Each of the document's episodes that overlaps another of the same child's: reported on the later item of
    two in the document, naming the other (an overlap of two stored episodes is not the document's to report)."""
    still_open: list[Episode] = []  # those earlier episodes that later ones may still overlap
    for episode in sorted(episodes, key=lambda e: e.reported_at):
        still_open = [other for other in still_open if overlaps(episode.reported_at, None, other)]
        for other in still_open:
            if overlaps(episode.reported_at, episode.returned_at, other):
                _report(found, episode, other)
        still_open.append(episode)


def _report(found: Problems, one: Episode, other: Episode) -> None:
    if one.index is None and other.index is None:
        return
    if one.index is None or (other.index is not None and other.index > one.index):
        one, other = other, one
    which = "the episode on record" if other.index is None else f"the episode at $.missing_episodes[{other.index}]"
    found.setdefault(f"$.missing_episodes[{one.index}].reported_at", already_missing(other, which))


def _in_order(times: dict) -> bool:
    check_order(times)
    return True
