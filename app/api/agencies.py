"""/agencies: the partnership's agencies and the external bodies, so that callers can address a referral."""

from flask import jsonify

from app.api import bp
from app.api.openapi import component, operation, register, response, results_of
from app.api.schemas import BOOLEAN, ID, STRING, enum, obj
from app.extensions import db
from app.permissions import signed_in
from models.agency import AGENCY_KINDS
from safeguarding import accounts


@bp.get("/agencies")
@signed_in
def list_agencies():
    found = accounts.list_agencies(db.session)
    return jsonify({"results": [{"id": a.id, "name": a.name, "kind": a.kind, "external": a.external} for a in found]})


AGENCY_ENTRY = component(
    "AgencyEntry",
    obj(
        {"id": ID, "name": STRING, "kind": enum(AGENCY_KINDS), "external": BOOLEAN},
        ["id", "name", "kind", "external"],
    ),
)
register(
    "/agencies",
    "get",
    operation(
        "Every agency, including external bodies (another force, a national decision-maker), by name",
        response(200, "Agencies", results_of(AGENCY_ENTRY)),
    ),
)
