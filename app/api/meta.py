"""Who am I, and the OpenAPI document."""

from flask import jsonify

from app.api import bp
from app.api.openapi import document
from app.api.people import flag_codes
from app.permissions import current_actor, public, signed_in


@bp.get("/me")
@signed_in
def me():
    actor = current_actor()
    return jsonify(
        {
            "id": actor.id,
            "username": actor.username,
            "display_name": actor.display_name,
            "role": actor.role,
            "agency": {"id": actor.agency.id, "name": actor.agency.name, "kind": actor.agency.kind},
        }
    )


@bp.get("/openapi.json")
@public
def openapi():
    return jsonify(document(flag_codes()))
