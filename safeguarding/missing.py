"""Missing episodes: reported and returned times, where found, and the return-home interview (72 hours by default)."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from models.base import get_by_id, parse_id, utcnow
from models.locking import lock_record
from models.person import Person
from models.safeguarding_events import MissingEpisode
from safeguarding.access import load_person, load_person_to_record_on, record_read, require_person_access
from safeguarding.contexts import load_visible_place
from safeguarding.errors import Conflict, NotFound, ValidationFailed
from safeguarding.runtime import current as runtime
from safeguarding.validation import collect, parse_datetime, uk_time_text, version_of

COUNT_WINDOWS = (30, 90)


@dataclass(frozen=True)
class EpisodeStatus:
    episode: MissingEpisode
    return_interview_due_by: datetime | None
    return_interview_late: bool


def status_of(episode: MissingEpisode, now: datetime) -> EpisodeStatus:
    """Late = offered after the due time, or not offered and the due time has passed (derived, never stored)."""
    if episode.returned_at is None:
        return EpisodeStatus(episode, None, False)
    due = episode.returned_at + runtime().return_interview_within
    late = (episode.return_interview_offered_at or now) > due
    return EpisodeStatus(episode, due, late)


def _times(data: dict, partial: bool) -> dict:
    checks = {
        key: lambda value, key=key, label=label, required=required: parse_datetime(
            value, field=f"$.{key}", label=label, required=required
        )
        for key, label, required in (
            ("reported_at", "when the child was reported missing", True),
            ("returned_at", "when the child returned", False),
            ("return_interview_offered_at", "when the return-home interview was offered", False),
        )
    }
    return collect(checks, data, partial=partial)


def check_order(episode_times: dict) -> None:
    """An episode's times as the child lives them: none in the future, returned after reported, and the interview
    offered after the return (so never without one); the first problem is raised, by the field's path."""
    reported, returned = episode_times.get("reported_at"), episode_times.get("returned_at")
    offered = episode_times.get("return_interview_offered_at")
    latest = utcnow() + timedelta(minutes=5)  # a device clock a little fast is no reason to refuse a report
    for key, what in (("reported_at", "report"), ("returned_at", "return"), ("return_interview_offered_at", "offer")):
        if (at := episode_times.get(key)) and at > latest:
            raise ValidationFailed({f"$.{key}": f"The time of the {what} cannot be in the future"})
    if returned and reported and returned < reported:
        raise ValidationFailed({"$.returned_at": "The return must be after the child was reported missing"})
    if offered and not returned:
        raise ValidationFailed({"$.return_interview_offered_at": "Record the return before the interview"})
    if offered and returned and offered < returned:
        raise ValidationFailed({"$.return_interview_offered_at": "The interview is offered after the return"})


def overlaps(reported_at: datetime, returned_at: datetime | None, other) -> bool:
    """Whether a span from reported_at until returned_at (None: not yet returned) overlaps another episode (anything
    with reported_at and returned_at): a child is missing once at a time, but one episode may end as the next is
    reported."""
    return (other.returned_at is None or other.returned_at > reported_at) and (
        returned_at is None or other.reported_at < returned_at
    )


def already_missing(clash, which: str = "that episode") -> str:
    """Why times that overlap the episode `clash` are refused; `which` names it for the correction."""
    since = uk_time_text(clash.reported_at)
    span = (
        f"from {since} until {uk_time_text(clash.returned_at)}"
        if clash.returned_at
        else f"from {since} and has not been recorded as returned"
    )
    return f"This child was already missing {span} (UK time): correct {which}, or these times"


def _refuse_overlap(session: Session, person_id: str, times: dict, field: str, own_id: str | None = None) -> None:
    """An episode's span may not overlap another of the child's (the earliest clash is named)."""
    others = session.execute(
        select(MissingEpisode.reported_at, MissingEpisode.returned_at)
        .where(MissingEpisode.person_id == person_id, MissingEpisode.id != (own_id or ""))
        .order_by(MissingEpisode.reported_at)
    )
    clash = next((other for other in others if overlaps(times["reported_at"], times.get("returned_at"), other)), None)
    if clash is not None:
        raise ValidationFailed({field: already_missing(clash)})


def _found_at(session: Session, actor, place_id) -> str | None:
    """Where the child was found: a place the actor may see, or None."""
    if place_id is None:
        return None
    try:
        return load_visible_place(session, actor, place_id).id
    except NotFound:
        raise ValidationFailed({"$.found_at_place_id": "No place with that id"}) from None


def record_episode(session: Session, actor, person_id: str, data: dict) -> MissingEpisode:
    if isinstance(person_id, str):
        lock_record(session, Person, person_id)  # two reports at once: the second sees the first (one at a time)
    person = load_person_to_record_on(session, person_id)
    require_person_access(session, actor, person, object_type="missing_episode")
    times = _times(data, partial=False)
    check_order(times)
    _refuse_overlap(session, person.id, times, "$.reported_at")
    place_id = _found_at(session, actor, data.get("found_at_place_id"))
    episode = MissingEpisode(
        person_id=person.id,
        found_at_place_id=place_id,
        reporting_agency_id=actor.agency_id,
        reported_by_id=actor.id,
        **times,
    )
    session.add(episode)
    audit.record(
        session,
        action="create",
        actor=actor,
        object_type="missing_episode",
        object_id=episode.id,
        person_ids=[person.id],
    )
    session.commit()
    return episode


def update_episode(session: Session, actor, episode_id: str, data: dict) -> MissingEpisode:
    episode = get_by_id(session, MissingEpisode, episode_id)
    if episode is None:
        raise NotFound("No missing episode with that id")
    lock_record(session, Person, episode.person_id)  # changes to a child's episodes queue, as reports do
    session.refresh(episode)
    require_person_access(session, actor, load_person(session, episode.person_id), object_type="missing_episode")
    version = version_of(data.get("version"), field="$.version")
    changes = _times(data, partial=True)
    merged = {k: getattr(episode, k) for k in ("reported_at", "returned_at", "return_interview_offered_at")}
    merged.update(changes)
    check_order(merged)
    moved = "$.reported_at" if "reported_at" in changes else "$.returned_at"
    _refuse_overlap(session, episode.person_id, merged, moved, own_id=episode.id)
    # Where the child was found is known with the return, which is often recorded after the report.
    if "found_at_place_id" in data:
        changes["found_at_place_id"] = _found_at(session, actor, data["found_at_place_id"])
    if version != episode.version:
        raise Conflict("This episode was changed by someone else. Reload and try again")
    for key, value in changes.items():
        setattr(episode, key, value)
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="missing_episode",
        object_id=episode.id,
        person_ids=[episode.person_id],
        detail={"fields": sorted(changes)},
    )
    session.commit()
    return episode


def move_episode(session: Session, actor, episode_id: str, data: dict) -> MissingEpisode:
    """Move an episode recorded on the wrong child to the right one (SPEC 2: an entry made on the wrong record can
    be moved): full access to both children, the episode's version, and no overlap with the right child's own."""
    episode = get_by_id(session, MissingEpisode, episode_id)
    if episode is None:
        raise NotFound("No missing episode with that id")
    to_id = parse_id(data.get("person_id"))
    if to_id is None:
        raise ValidationFailed({"$.person_id": "Give the id of the child's record to move the episode to"})
    for person_id in sorted({episode.person_id, to_id}):  # one order, so two moves between the same pair queue
        lock_record(session, Person, person_id)
    session.refresh(episode)
    source = load_person(session, episode.person_id)
    require_person_access(session, actor, source, object_type="missing_episode")
    target = load_person_to_record_on(session, to_id)
    require_person_access(session, actor, target, object_type="missing_episode")
    if target.id == source.id:
        raise ValidationFailed({"$.person_id": "The episode is already on this child's record"})
    if version_of(data.get("version"), field="$.version") != episode.version:
        raise Conflict("This episode was changed by someone else. Reload and try again")
    times = {"reported_at": episode.reported_at, "returned_at": episode.returned_at}
    _refuse_overlap(session, target.id, times, "$.person_id")
    episode.person_id = target.id
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="missing_episode",
        object_id=episode.id,
        person_ids=sorted({source.id, target.id}),
        detail={"change": "moved", "from_person": source.id, "to_person": target.id},
    )
    session.commit()
    return episode


def episodes_of(session: Session, actor, person_id: str) -> list[EpisodeStatus]:
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, object_type="missing_episode")
    now = utcnow()
    rows = session.scalars(
        select(MissingEpisode).where(MissingEpisode.person_id == person.id).order_by(MissingEpisode.reported_at)
    )
    result = [status_of(e, now) for e in rows]
    record_read(
        session,
        actor,
        action="list",
        object_type="missing_episode",
        object_id=person.id,
        person_ids=[person.id],
        access=access,
    )
    return result


def episode_of(session: Session, actor, person_id: str, episode_id: str) -> EpisodeStatus:
    """One of the person's episodes, read on the same terms (and audited) as the list; 404 if not theirs."""
    for status in episodes_of(session, actor, person_id):
        if status.episode.id == episode_id:
            return status
    raise NotFound("No missing episode with that id for this person")


def counts(episodes: list[EpisodeStatus], now: datetime) -> dict[int, int]:
    """Episodes reported in the last 30 and 90 days, shown on the person's record."""
    return {
        days: sum(1 for s in episodes if s.episode.reported_at >= now - timedelta(days=days)) for days in COUNT_WINDOWS
    }
