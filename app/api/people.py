"""/people: record, search, read (full or limited view), change, and break-glass for one person."""

from flask import jsonify

from app.api import bp
from app.api.inputs import body, iso, query_args, query_once, record_id
from app.api.openapi import component, operation, path_param, query_param, register, response
from app.api.schemas import BOOLEAN, DATE, DATETIME, ID, INTEGER, STRING, VERSION, enum, nullable, obj, text
from app.extensions import db
from app.permissions import current_actor, personal_data, practitioners
from models.person import FLAGS, SEXES
from safeguarding import break_glass, case_lists, disclosure, people, policy, search
from safeguarding.runtime import current as runtime
from safeguarding.validation import clean_text


def person_json(person, access) -> dict:
    """The person as the policy lets this caller see them; the full view also lists the cases about them."""
    view = disclosure.person_view(db.session, person, access)
    if access.full:
        view["cases"] = [
            {"id": c.id, "status": c.status, "risk_level": c.risk_level, "opened_on": iso(c.opened_on)}
            for c in case_lists.cases_of_person(db.session, person.id)
        ]
    return view


@bp.post("/people")
@practitioners
def create_person():
    actor = current_actor()
    person = people.record_person(db.session, actor, body())
    return jsonify(person_json(person, policy.PersonAccess("full", ("recorder",)))), 201


@bp.get("/people")
@personal_data
def search_people():
    asked = query_args("given_name", "family_name", "date_of_birth")
    result = search.search_people(db.session, current_actor(), **asked)
    results = [
        {
            **disclosure.person_view(db.session, m.person, m.access),
            "score": round(m.score, 3),
            "reasons": list(m.reasons),
        }
        for m in result.matches
    ]
    return jsonify({"results": results, "other_matches": result.other_matches})


@bp.get("/people/<person_id>")
@personal_data
def get_person(person_id):
    person_id = record_id(person_id, "person")
    purpose = clean_text(
        query_once("purpose"), field="purpose", label="the purpose", max_length=people.PURPOSE_MAX, required=False
    )
    person, access = people.view_person(db.session, current_actor(), person_id, purpose=purpose)
    return jsonify(person_json(person, access))


@bp.patch("/people/<person_id>")
@practitioners
def update_person(person_id):
    actor = current_actor()
    person = people.update_person(db.session, actor, record_id(person_id, "person"), body())
    return jsonify(person_json(person, policy.person_access(db.session, actor, person.id)))


@bp.post("/people/<person_id>/break-glass")
@personal_data
def break_glass_person(person_id):
    grant = break_glass.break_glass(db.session, current_actor(), record_id(person_id, "person"), body().get("reason"))
    return jsonify(
        {
            "id": grant.id,
            "person_id": grant.person_id,
            "granted_at": iso(grant.granted_at),
            "expires_at": iso(grant.expires_at),
        }
    ), 201


# --- OpenAPI ---------------------------------------------------------------------------------------------------

# SPEC 2's flags; the document served names this deployment's (flag_codes), which may add more.
FLAG_CODE = component("FlagCode", enum(FLAGS))


def flag_codes() -> dict:
    """The flag codes schema of this deployment, for the document served."""
    return {"FlagCode": enum(runtime().person_flags)}


_FIELDS = {
    "given_name": text(100, min_length=1),
    "family_name": text(100, min_length=1),
    "date_of_birth": DATE,
    "dob_estimated": BOOLEAN,
    "sex": enum(SEXES, nullable=True),
    "aliases": {"type": "array", "items": text(100, min_length=1), "maxItems": 20, "nullable": True},
    "identifiers": {"type": "object", "additionalProperties": text(100), "maxProperties": 20, "nullable": True},
    **{key: text(length, nullable=True) for key, (_label, length) in people.TEXT_FIELDS.items()},
    "flags": {"type": "array", "items": FLAG_CODE, "nullable": True},
}
PERSON_IN = component("PersonInput", obj(_FIELDS, ["given_name", "family_name", "date_of_birth"], closed=True))
PERSON_PATCH = component("PersonPatch", obj({**_FIELDS, "version": VERSION}, ["version"], closed=True))
_FLAG = obj({"flag": FLAG_CODE, "set_by": ID, "set_at": DATETIME}, ["flag"])
_PLACE = obj({"id": ID, "name": STRING, "kind": STRING}, ["id", "name", "kind"])
FULL = component(
    "PersonFull",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "view": enum(["full"]),
            "basis": {"type": "array", "items": STRING},
            **{key: nullable(schema) for key, schema in _FIELDS.items() if key != "flags"},
            "display_name": STRING,
            "age": nullable(INTEGER),
            "flags": {"type": "array", "items": _FLAG},
            "merged_into": nullable(ID),
            "recorded_at": DATETIME,
            "unreadable_fields": {"type": "array", "items": STRING},
            "cases": {"type": "array", "items": obj({"id": ID, "status": STRING, "risk_level": STRING}, ["id"])},
        },
        ["id", "version", "view", "given_name", "family_name", "date_of_birth", "flags"],
    ),
)
LIMITED = component(
    "PersonLimited",
    obj(
        {
            "id": ID,
            "view": enum(["limited"]),
            "display_name": STRING,
            "age": nullable(INTEGER),
            "relationship_kinds": {"type": "array", "items": STRING},
            "places": {"type": "array", "items": _PLACE},
            "flags": {"type": "array", "items": _FLAG},
        },
        ["id", "view", "display_name", "age", "relationship_kinds", "places"],
    ),
)
PERSON = component("Person", {"oneOf": [FULL, LIMITED]})
_SCORED = {"score": {"type": "number"}, "reasons": {"type": "array", "items": STRING}}
MATCH = component(
    "PersonMatch",
    {"oneOf": [{"allOf": [FULL, obj(_SCORED, ["score"])]}, {"allOf": [LIMITED, obj(_SCORED, ["score"])]}]},
)
PERSON_ID = path_param("person_id")

register(
    "/people",
    "post",
    operation("Record a person (the recorder sees them for 30 days)", response(201, "Recorded", FULL), PERSON_IN),
)
register(
    "/people",
    "get",
    operation(
        "Is this child already known? Ranked matches the caller may see; the rest are only counted",
        response(
            200,
            "Matches",
            obj(
                {"results": {"type": "array", "items": MATCH}, "other_matches": {"type": "integer", "minimum": 0}},
                ["results", "other_matches"],
            ),
        ),
        params=[
            query_param("given_name", text(100)),
            query_param("family_name", text(100)),
            query_param("date_of_birth", DATE),
        ],
    ),
)
register(
    "/people/{person_id}",
    "get",
    operation(
        "A person: the full view, or the limited view of a context neighbour",
        response(200, "The person", PERSON),
        params=[
            PERSON_ID,
            query_param("purpose", text(people.PURPOSE_MAX), "Why you are looking (kept in the audit trail)"),
        ],
    ),
)
register(
    "/people/{person_id}",
    "patch",
    operation(
        "Change a person's fields (stale version: 409)", response(200, "Changed", FULL), PERSON_PATCH, [PERSON_ID]
    ),
)
register(
    "/people/{person_id}/break-glass",
    "post",
    operation(
        "Emergency access for 60 minutes, with a reason of at least 20 characters (reviewed by a lead)",
        response(
            201,
            "Access granted",
            obj(
                {"id": ID, "person_id": ID, "granted_at": DATETIME, "expires_at": DATETIME},
                ["expires_at"],
            ),
        ),
        obj({"reason": text(2000, min_length=20)}, ["reason"]),
        [PERSON_ID],
    ),
)
