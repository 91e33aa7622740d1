"""Putting records right: merge a duplicate person into another, move an entry made on the wrong case."""

from flask import jsonify

from app.api import bp
from app.api.cases import ENTRY
from app.api.inputs import body, record_id
from app.api.openapi import operation, path_param, register, response
from app.api.people import FULL, person_json
from app.api.schemas import ID, obj
from app.extensions import db
from app.permissions import current_actor, practitioners
from safeguarding import disclosure, merging, policy
from safeguarding.errors import ValidationFailed


@bp.post("/people/<person_id>/merge")
@practitioners
def merge_person(person_id):
    """Fold `duplicate_id` into this person; the duplicate remains as a pointer to this record."""
    duplicate_id = _required_id(body(), "duplicate_id", "the duplicate record", "person")
    survivor = merging.merge_people(db.session, current_actor(), record_id(person_id, "person"), duplicate_id)
    access = policy.person_access(db.session, current_actor(), survivor.id)
    return jsonify(person_json(survivor, access))


@bp.post("/chronology/<entry_id>/move")
@practitioners
def move_entry(entry_id):
    case_id = _required_id(body(), "case_id", "the case to move the entry to", "case")
    entry = merging.move_chronology_entry(db.session, current_actor(), record_id(entry_id, "chronology entry"), case_id)
    return jsonify(disclosure.entry_view(entry, "full"))


def _required_id(data: dict, key: str, label: str, what: str) -> str:
    if not isinstance(data.get(key), str) or not data[key]:
        raise ValidationFailed({f"$.{key}": f"Give the id of {label}"})
    return record_id(data[key], what)


register(
    "/people/{person_id}/merge",
    "post",
    operation(
        "Merge a duplicate record into this person (audited; the duplicate keeps a pointer)",
        response(200, "Merged", FULL),
        obj({"duplicate_id": ID}, ["duplicate_id"]),
        [path_param("person_id")],
    ),
)
register(
    "/chronology/{entry_id}/move",
    "post",
    operation(
        "Move a chronology entry recorded on the wrong case (team of both cases; an entry its mover may read; audited)",
        response(200, "Moved", ENTRY),
        obj({"case_id": ID}, ["case_id"]),
        [path_param("entry_id")],
    ),
)
