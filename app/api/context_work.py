"""Work on contexts: assessments, context weighting, meetings, young people's safety ratings and the heat-map."""

from flask import jsonify

from app.api import bp
from app.api.inputs import body, iso, record_id
from app.api.openapi import component, operation, path_param, register, response, results_of
from app.api.schemas import (
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    NAMED,
    STRING,
    SUBJECT,
    VERSION,
    enum,
    nullable,
    obj,
    text,
)
from app.extensions import db
from app.permissions import current_actor, personal_data, practitioners
from models.agency import Agency
from models.case import CONCERNS, RISK_LEVELS
from models.context_work import CONTEXTS, MEETING_KINDS, SAFETY_RATINGS
from safeguarding import case_lists, context_work


def _json_list(value) -> list:
    return value if isinstance(value, list) else []


def _agency(agency_id: str) -> dict:
    agency = db.session.get(Agency, agency_id)
    return {"id": agency_id, "name": agency.name if agency else None}


def assessment_view(row) -> dict:
    subject_type = "place" if row.place_id else "group"
    return {
        "id": row.id,
        "version": row.version,
        "kind": row.kind,
        "subject": {"type": subject_type, "id": row.place_id or row.group_id},
        "assessed_on": iso(row.assessed_on),
        "agency": _agency(row.agency_id),
        "author_id": row.author_id,
        "findings": row.findings if isinstance(row.findings, str) else None,
        "interventions": _json_list(row.interventions),
        "recorded_at": iso(row.created_at),
    }


def weighting_view(row) -> dict:
    return {
        "id": row.id,
        "person_id": row.person_id,
        "assessed_on": iso(row.assessed_on),
        "weights": row.weights if isinstance(row.weights, dict) else None,
        "agency": _agency(row.agency_id),
        "author_id": row.author_id,
        "recorded_at": iso(row.created_at),
    }


def meeting_view(row) -> dict:
    return {
        "id": row.id,
        "version": row.version,
        "kind": row.kind,
        "subject": {"type": row.subject_type, "id": row.subject_id},
        "held_on": iso(row.held_on),
        "chair_id": row.chair_id,
        "attendee_ids": list(row.attendee_ids or []),
        "not_invited_agency_ids": list(row.not_invited_agency_ids or []),
        "decisions": row.decisions if isinstance(row.decisions, str) else None,
        "actions": _json_list(row.actions),
        "recorded_at": iso(row.created_at),
    }


def rating_view(row) -> dict:
    return {
        "id": row.id,
        "person_id": row.person_id,
        "place_id": row.place_id,
        "rating": row.rating,
        "rated_on": iso(row.rated_on),
    }


@bp.post("/assessments")
@practitioners
def record_assessment():
    row = context_work.record_assessment(db.session, current_actor(), body())
    return jsonify(assessment_view(row)), 201


@bp.get("/places/<place_id>/assessments")
@personal_data
def place_assessments(place_id):
    rows = context_work.assessments_of(db.session, current_actor(), "place", record_id(place_id, "place"))
    return jsonify({"results": [assessment_view(r) for r in rows]})


@bp.get("/groups/<group_id>/assessments")
@personal_data
def group_assessments(group_id):
    rows = context_work.assessments_of(db.session, current_actor(), "group", record_id(group_id, "group"))
    return jsonify({"results": [assessment_view(r) for r in rows]})


@bp.get("/places/<place_id>/cases")
@personal_data
def place_cases(place_id):
    return _context_cases("place", record_id(place_id, "place"))


@bp.get("/groups/<group_id>/cases")
@personal_data
def group_cases(group_id):
    return _context_cases("group", record_id(group_id, "group"))


@bp.get("/people/<person_id>/context-cases")
@personal_data
def person_context_cases(person_id):
    rows = case_lists.cases_in_contexts_of(db.session, current_actor(), record_id(person_id, "person"))
    return jsonify({"results": [_context_case_view(row) for row in rows]})


def _context_cases(kind: str, context_id: str):
    rows = case_lists.cases_about_context(db.session, current_actor(), kind, context_id)
    return jsonify({"results": [_context_case_view(row) for row in rows]})


def _context_case_view(row) -> dict:
    """Who leads the case for everyone; what it is about for its team only."""
    case = row.case
    view = {
        "id": case.id,
        "opened_on": iso(case.opened_on),
        "status": case.status,
        "closed_on": iso(case.closed_on),
        "lead_agency": {"id": case.lead_agency_id, "name": case.lead_agency.name},
        "lead_worker": {"id": case.lead_worker_id, "name": case.lead_worker.display_name if case.lead_worker else None},
        "on_team": row.on_team,
        "subject": {
            "type": case.subject_type,
            "id": case.subject_id,
            "name": row.context_name,
        },
    }
    return view | ({"concerns": case.concerns, "risk_level": case.risk_level} if row.on_team else {})


@bp.post("/people/<person_id>/context-weightings")
@practitioners
def record_weighting(person_id):
    row = context_work.record_weighting(db.session, current_actor(), record_id(person_id, "person"), body())
    return jsonify(weighting_view(row)), 201


@bp.get("/people/<person_id>/context-weightings")
@personal_data
def context_weightings(person_id):
    rows = context_work.weightings_of(db.session, current_actor(), record_id(person_id, "person"))
    return jsonify({"results": [weighting_view(r) for r in rows]})


@bp.post("/meetings")
@practitioners
def record_meeting():
    return jsonify(meeting_view(context_work.record_meeting(db.session, current_actor(), body()))), 201


@bp.get("/people/<person_id>/meetings")
@personal_data
def person_meetings(person_id):
    rows = context_work.meetings_about(db.session, current_actor(), "person", record_id(person_id, "person"))
    return jsonify({"results": [meeting_view(r) for r in rows]})


@bp.get("/places/<place_id>/meetings")
@personal_data
def place_meetings(place_id):
    rows = context_work.meetings_about(db.session, current_actor(), "place", record_id(place_id, "place"))
    return jsonify({"results": [meeting_view(r) for r in rows]})


@bp.get("/groups/<group_id>/meetings")
@personal_data
def group_meetings(group_id):
    rows = context_work.meetings_about(db.session, current_actor(), "group", record_id(group_id, "group"))
    return jsonify({"results": [meeting_view(r) for r in rows]})


@bp.post("/people/<person_id>/safety-ratings")
@practitioners
def rate_place(person_id):
    row = context_work.rate_place(db.session, current_actor(), record_id(person_id, "person"), body())
    return jsonify(rating_view(row)), 201


@bp.get("/people/<person_id>/safety-ratings")
@personal_data
def safety_ratings(person_id):
    rows = context_work.ratings_of(db.session, current_actor(), record_id(person_id, "person"))
    return jsonify({"results": [rating_view(rating) for rating, _place in rows]})


@bp.get("/safety-heat-map")
@personal_data
def safety_heat_map():
    return jsonify({"results": context_work.heat_map(db.session, current_actor())})


# --- OpenAPI ---------------------------------------------------------------------------------------------------

_CONTEXT = obj({"type": enum(("place", "group")), "id": ID}, ["type", "id"])
_INTERVENTION = obj(
    {
        "intervention": enum(context_work.INTERVENTIONS),
        "detail": text(2000, nullable=True),
        "owner_agency_id": nullable(ID),
        "due_on": nullable(DATE),
    },
    ["intervention"],
)
ASSESSMENT = component(
    "ContextAssessment",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "kind": enum(("location", "peer_group")),
            "subject": _CONTEXT,
            "assessed_on": DATE,
            "agency": NAMED,
            "author_id": ID,
            "findings": nullable(STRING),
            "interventions": {"type": "array", "items": _INTERVENTION},
            "recorded_at": DATETIME,
        },
        ["id", "version", "kind", "subject", "assessed_on", "findings", "interventions"],
    ),
)
_SCORE = {"type": "integer", "minimum": 0, "maximum": 3}
_WEIGHTS = {
    **obj({c: obj({"harm": _SCORE, "safety": _SCORE}, ["harm", "safety"], closed=True) for c in CONTEXTS}, closed=True),
    "minProperties": 1,
}
WEIGHTING = component(
    "ContextWeighting",
    obj(
        {
            "id": ID,
            "person_id": ID,
            "assessed_on": DATE,
            "weights": _WEIGHTS,
            "agency": NAMED,
            "author_id": ID,
            "recorded_at": DATETIME,
        },
        ["id", "person_id", "assessed_on", "weights"],
    ),
)
_ACTION = obj({"action": text(2000, min_length=1), "owner_id": nullable(ID), "due_on": nullable(DATE)}, ["action"])
_IDS = {"type": "array", "items": ID, "maxItems": 100}
MEETING = component(
    "Meeting",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "kind": enum(MEETING_KINDS),
            "subject": SUBJECT,
            "held_on": DATE,
            "chair_id": ID,
            "attendee_ids": _IDS,
            "not_invited_agency_ids": _IDS,
            "decisions": nullable(STRING),
            "actions": {"type": "array", "items": _ACTION},
            "recorded_at": DATETIME,
        },
        ["id", "kind", "subject", "held_on", "attendee_ids", "not_invited_agency_ids", "decisions", "actions"],
    ),
)
RATING = component(
    "SafetyRating",
    obj(
        {"id": ID, "person_id": ID, "place_id": ID, "rating": enum(SAFETY_RATINGS), "rated_on": DATE},
        ["id", "person_id", "place_id", "rating", "rated_on"],
    ),
)
HEAT = component(
    "HeatMapPlace",
    obj(
        {"place_id": ID, "name": STRING, "kind": STRING, "red": INTEGER, "amber": INTEGER, "green": INTEGER},
        ["place_id", "name", "red", "amber", "green"],
    ),
)

register(
    "/assessments",
    "post",
    operation(
        "Record a location or peer-group assessment with an intervention plan aimed at the context",
        response(201, "Recorded", ASSESSMENT),
        obj(
            {
                "subject": _CONTEXT,
                "findings": text(20_000, min_length=1),
                "assessed_on": nullable(DATE),
                "interventions": {"type": "array", "items": _INTERVENTION, "maxItems": 30},
            },
            ["subject", "findings"],
        ),
    ),
)
for _kind, _noun in (("place", "places"), ("group", "groups")):
    register(
        f"/{_noun}/{{{_kind}_id}}/assessments",
        "get",
        operation(
            f"Assessments of a {_kind}, newest first",
            response(200, "Assessments", results_of(ASSESSMENT)),
            params=[path_param(f"{_kind}_id")],
        ),
    )
    register(
        f"/{_noun}/{{{_kind}_id}}/meetings",
        "get",
        operation(
            f"Context conferences about a {_kind}, newest first",
            response(200, "Meetings", results_of(MEETING)),
            params=[path_param(f"{_kind}_id")],
        ),
    )
register(
    "/people/{person_id}/context-weightings",
    "post",
    operation(
        "Record how much each context contributes to harm and to safety for a young person (0-3 each)",
        response(201, "Recorded", WEIGHTING),
        obj({"weights": _WEIGHTS, "assessed_on": nullable(DATE)}, ["weights"]),
        [path_param("person_id")],
    ),
)
register(
    "/people/{person_id}/context-weightings",
    "get",
    operation(
        "A young person's context weightings, newest first",
        response(200, "Weightings", results_of(WEIGHTING)),
        params=[path_param("person_id")],
    ),
)
register(
    "/meetings",
    "post",
    operation(
        "Record a strategy meeting or MACE panel (about a person) or a context conference (about a place or group)",
        response(201, "Recorded", MEETING),
        obj(
            {
                "kind": enum(MEETING_KINDS),
                "subject": SUBJECT,
                "held_on": DATE,
                "decisions": text(20_000, min_length=1),
                "attendee_ids": _IDS,
                "not_invited_agency_ids": _IDS,
                "actions": {"type": "array", "items": _ACTION, "maxItems": 50},
            },
            ["kind", "subject", "held_on", "decisions"],
        ),
    ),
)
register(
    "/people/{person_id}/meetings",
    "get",
    operation(
        "Strategy meetings and MACE panels about a person, newest first",
        response(200, "Meetings", results_of(MEETING)),
        params=[path_param("person_id")],
    ),
)
register(
    "/people/{person_id}/safety-ratings",
    "post",
    operation(
        "Record a young person's own red, amber or green rating of a place (safety mapping)",
        response(201, "Recorded", RATING),
        obj(
            {"place_id": ID, "rating": enum(SAFETY_RATINGS), "rated_on": nullable(DATE)},
            ["place_id", "rating"],
        ),
        [path_param("person_id")],
    ),
)
register(
    "/people/{person_id}/safety-ratings",
    "get",
    operation(
        "A young person's own safety map: their ratings of places, newest first (homes hidden from you left out)",
        response(200, "Ratings", results_of(RATING)),
        params=[path_param("person_id")],
    ),
)
register(
    "/safety-heat-map",
    "get",
    operation(
        "Young people's safety ratings combined per place (each person's latest rating; counts only)",
        response(200, "Places, most red first", results_of(HEAT)),
    ),
)
_CONTEXT_CASES = results_of(
    obj(
        {
            "id": ID,
            "opened_on": DATE,
            "status": enum(("open", "closed")),
            "closed_on": nullable(DATE),
            "lead_agency": NAMED,
            "lead_worker": NAMED,
            "on_team": BOOLEAN,
            "subject": obj({"type": enum(("place", "group")), "id": ID, "name": STRING}, ["type", "id", "name"]),
            "concerns": {"type": "array", "items": enum(CONCERNS), "description": "For its team only"},
            "risk_level": enum(RISK_LEVELS),
        },
        ["id", "opened_on", "status", "closed_on", "lead_agency", "lead_worker", "on_team", "subject"],
    )
)
for _kind in ("place", "group"):
    register(
        f"/{_kind}s/{{{_kind}_id}}/cases",
        "get",
        operation(
            f"Cases about the {_kind}, open ones first, newest first: who leads each for anyone who sees personal "
            "data; its concerns and risk level only for its team (on_team)",
            response(200, "Cases", _CONTEXT_CASES),
            params=[path_param(f"{_kind}_id")],
        ),
    )
register(
    "/people/{person_id}/context-cases",
    "get",
    operation(
        "Open cases about the places and groups the person is linked to now, whichever agency leads them (full "
        "access to the person needed; a home only to those who may see it)",
        response(200, "Cases", _CONTEXT_CASES),
        params=[path_param("person_id")],
    ),
)
