"""An import's missing episodes checked as the records they will be, as the service checks an episode recorded or
changed on the record: its times in order, with a time an item leaves out kept from the stored episode."""

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.safeguarding_events import MissingEpisode
from safeguarding.import_checks import Problems
from safeguarding.import_writers import OPTIONAL_COLUMNS, chunks
from safeguarding.missing import check_order

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
    out of order. Items whose child or times failed their own checks (in `problems`) are left to those."""
    found = Problems()
    checkable = [(i, item) for i, item in enumerate(items) if _checkable(i, item, problems)]
    stored = _stored(session, {known[item["person"]][1] for _, item in checkable if item["person"] in known})
    _as_written(checkable, known, stored, found)
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
) -> dict[object, Episode]:
    """The episode each item leaves, by record, each checked as it is written: an item updates the episode the
    writer finds for it (its remembered ref, else the child and the time reported, in the document first), and a
    time it leaves out keeps that episode's. An episode out of order is reported and left out of the result."""
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
    return {record: episode for record, episode in episodes.items() if episode is not None}


def _in_order(times: dict) -> bool:
    check_order(times)
    return True
