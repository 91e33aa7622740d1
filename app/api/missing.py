"""/people/ID/missing-episodes and /missing-episodes/ID: episodes with the 72-hour return-home interview."""

from flask import jsonify

from app.api import bp
from app.api.inputs import body, iso, record_id
from app.api.openapi import component, operation, path_param, register, response, results_of
from app.api.schemas import AGENCY, BOOLEAN, DATETIME, ID, VERSION, nullable, obj
from app.extensions import db
from app.permissions import current_actor, personal_data, practitioners
from models.base import utcnow
from safeguarding import missing


def episode_view(status: missing.EpisodeStatus) -> dict:
    episode = status.episode
    place = episode.found_at_place
    return {
        "id": episode.id,
        "version": episode.version,
        "person_id": episode.person_id,
        "reported_at": iso(episode.reported_at),
        "returned_at": iso(episode.returned_at),
        "found_at_place_id": episode.found_at_place_id,
        "found_at": {"id": place.id, "name": place.name, "kind": place.kind} if place else None,
        "reporting_agency": {"id": episode.reporting_agency.id, "name": episode.reporting_agency.name},
        "return_interview_offered_at": iso(episode.return_interview_offered_at),
        "return_interview_due_by": iso(status.return_interview_due_by),
        "return_interview_late": status.return_interview_late,
    }


def _with_status(episode) -> dict:
    return episode_view(missing.status_of(episode, utcnow()))


@bp.post("/people/<person_id>/missing-episodes")
@practitioners
def record_missing_episode(person_id):
    episode = missing.record_episode(db.session, current_actor(), record_id(person_id, "person"), body())
    return jsonify(_with_status(episode)), 201


@bp.get("/people/<person_id>/missing-episodes")
@personal_data
def missing_episodes(person_id):
    statuses = missing.episodes_of(db.session, current_actor(), record_id(person_id, "person"))
    counts = missing.counts(statuses, utcnow())
    return jsonify(
        {
            "results": [episode_view(s) for s in statuses],
            "counts": {str(days): n for days, n in counts.items()},
        }
    )


@bp.patch("/missing-episodes/<episode_id>")
@practitioners
def update_missing_episode(episode_id):
    episode = missing.update_episode(db.session, current_actor(), record_id(episode_id, "missing episode"), body())
    return jsonify(_with_status(episode))


@bp.post("/missing-episodes/<episode_id>/move")
@practitioners
def move_missing_episode(episode_id):
    episode = missing.move_episode(db.session, current_actor(), record_id(episode_id, "missing episode"), body())
    return jsonify(_with_status(episode))


# --- OpenAPI ---------------------------------------------------------------------------------------------------

_TIME = nullable(DATETIME)
EPISODE = component(
    "MissingEpisode",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "person_id": ID,
            "reported_at": DATETIME,
            "returned_at": _TIME,
            "found_at_place_id": nullable(ID),
            "found_at": nullable(obj({"id": ID, "name": {"type": "string"}, "kind": {"type": "string"}})),
            "reporting_agency": AGENCY,
            "return_interview_offered_at": _TIME,
            "return_interview_due_by": _TIME,
            "return_interview_late": BOOLEAN,
        },
        ["id", "version", "person_id", "reported_at", "return_interview_due_by", "return_interview_late"],
    ),
)
_TIMES = {"reported_at": DATETIME, "returned_at": _TIME, "return_interview_offered_at": _TIME}
PERSON_ID = path_param("person_id")

register(
    "/people/{person_id}/missing-episodes",
    "post",
    operation(
        "Record a missing episode (a bare date means 00:00 Europe/London)",
        response(201, "Recorded", EPISODE),
        obj({**_TIMES, "found_at_place_id": nullable(ID)}, ["reported_at"]),
        [PERSON_ID],
    ),
)
register(
    "/people/{person_id}/missing-episodes",
    "get",
    operation(
        "A person's missing episodes in the order reported, with counts over the last 30 and 90 days",
        response(
            200,
            "Episodes",
            results_of(
                EPISODE,
                counts=obj({"30": {"type": "integer"}, "90": {"type": "integer"}}, ["30", "90"]),
            ),
        ),
        params=[PERSON_ID],
    ),
)
register(
    "/missing-episodes/{episode_id}",
    "patch",
    operation(
        "Record the return, where the child was found or the interview offer (stale version: 409)",
        response(200, "Changed", EPISODE),
        obj({**_TIMES, "found_at_place_id": nullable(ID), "version": VERSION}, ["version"]),
        [path_param("episode_id")],
    ),
)
register(
    "/missing-episodes/{episode_id}/move",
    "post",
    operation(
        "Move an episode recorded on the wrong child to the right child's record (full access to both; stale "
        "version: 409; overlapping the right child's own episodes: 422)",
        response(200, "Moved", EPISODE),
        obj({"person_id": ID, "version": VERSION}, ["person_id", "version"]),
        [path_param("episode_id")],
    ),
)
