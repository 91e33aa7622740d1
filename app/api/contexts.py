"""/places, /groups and /relationships: the records the context graph is built from."""

from flask import jsonify

from app.api import bp
from app.api.inputs import body, iso, optional_body, query_args, record_id
from app.api.openapi import component, operation, path_param, query_param, register, response, results_of
from app.api.schemas import (
    AGENCY,
    BOOLEAN,
    DATE,
    DATETIME,
    ID,
    INTEGER,
    NAMED,
    STRING,
    VERSION,
    enum,
    nullable,
    obj,
    text,
)
from app.extensions import db
from app.permissions import current_actor, personal_data, practitioners
from models.context import ALL_RELATIONSHIP_KINDS, PLACE_KINDS
from safeguarding import context_corrections, context_directory, contexts, group_members, membership_reviews, policy
from safeguarding.contexts import GRADING_HANDLING, GRADING_INFORMATION, GRADING_SOURCE, MAX_MEMBERS_AT_ONCE


def place_view(place) -> dict:
    return {
        "id": place.id,
        "version": place.version,
        "name": place.name,
        "kind": place.kind,
        "area": place.area,
        "description": place.description if isinstance(place.description, str) else None,
        "recorded_at": iso(place.created_at),
    }


def group_view(group) -> dict:
    return {
        "id": group.id,
        "version": group.version,
        "name": group.name,
        "description": group.description if isinstance(group.description, str) else None,
        "recorded_at": iso(group.created_at),
    }


def relationship_view(edge, actor) -> dict:
    return {
        "id": edge.id,
        "source": {"type": "person", "id": edge.source_person_id},
        "target": {"type": edge.target_type, "id": edge.target_id},
        "kind": edge.kind,
        "first_seen": iso(edge.first_seen),
        "last_seen": iso(edge.last_seen),
        "ended_on": iso(edge.ended_on),
        "review_on": iso(edge.review_on),
        "agency": {"id": edge.agency_id, "name": edge.agency.name},
        "recorded_by": edge.recorded_by_id,
        "recorded_at": iso(edge.recorded_at),
        "grading": edge.grading,
        "notes": edge.notes if isinstance(edge.notes, str) and policy.reads_relationship_notes(actor, edge) else None,
        "supersedes_id": edge.supersedes_id,
    }


@bp.post("/places")
@practitioners
def create_place():
    return jsonify(place_view(contexts.create_place(db.session, current_actor(), body()))), 201


@bp.get("/places")
@personal_data
def list_places():
    found = context_directory.find_places(db.session, current_actor(), query_args("name", "kind", "area", "page"))
    return jsonify(_page_of(found, place_view))


@bp.get("/groups")
@personal_data
def list_groups():
    found = context_directory.find_groups(db.session, current_actor(), query_args("name", "page"))
    return jsonify(_page_of(found, group_view))


def _page_of(found, view) -> dict:
    return {"results": [view(r) for r in found.records], "total": found.total, "page": found.page, "pages": found.pages}


@bp.get("/places/<place_id>")
@personal_data
def get_place(place_id):
    return jsonify(place_view(contexts.view_place(db.session, current_actor(), record_id(place_id, "place"))))


@bp.patch("/places/<place_id>")
@practitioners
def correct_place(place_id):
    place = context_corrections.correct_place(db.session, current_actor(), record_id(place_id, "place"), body())
    return jsonify(place_view(place))


@bp.patch("/groups/<group_id>")
@practitioners
def correct_group(group_id):
    group = context_corrections.correct_group(db.session, current_actor(), record_id(group_id, "group"), body())
    return jsonify(group_view(group))


@bp.post("/groups")
@practitioners
def create_group():
    return jsonify(group_view(contexts.create_group(db.session, current_actor(), body()))), 201


@bp.get("/groups/<group_id>")
@personal_data
def get_group(group_id):
    return jsonify(group_view(contexts.view_group(db.session, current_actor(), record_id(group_id, "group"))))


@bp.get("/groups/<group_id>/members")
@personal_data
def list_group_members(group_id):
    found = group_members.members_of(db.session, current_actor(), record_id(group_id, "group"))
    return jsonify({"results": [_member_view(m) for m in found["results"]], "other_members": found["other_members"]})


def _member_view(member: dict) -> dict:
    return {
        **member,
        "first_seen": iso(member["first_seen"]),
        "last_seen": iso(member["last_seen"]),
        "review_on": iso(member["review_on"]),
    }


@bp.get("/memberships/reviews-due")
@practitioners
def memberships_to_review():
    due = membership_reviews.reviews_due(db.session, current_actor())
    return jsonify({"results": [{**row, "review_on": iso(row["review_on"])} for row in due]})


@bp.post("/relationships")
@practitioners
def create_relationship():
    actor = current_actor()
    edge = contexts.add_relationship(db.session, actor, body())
    return jsonify(relationship_view(edge, actor)), 201


@bp.post("/relationships/<relationship_id>/end")
@practitioners
def end_relationship(relationship_id):
    edge_id = record_id(relationship_id, "relationship")
    actor = current_actor()
    edge = contexts.end_relationship(db.session, actor, edge_id, optional_body().get("ended_on"))
    return jsonify(relationship_view(edge, actor))


@bp.post("/relationships/<relationship_id>/review")
@practitioners
def review_membership(relationship_id):
    actor, edge_id = current_actor(), record_id(relationship_id, "relationship")
    optional_body()  # nothing to send, and anything sent is refused rather than ignored
    edge = contexts.review_membership(db.session, actor, edge_id)
    return jsonify(relationship_view(edge, actor))


# --- OpenAPI ---------------------------------------------------------------------------------------------------

PLACE = component(
    "Place",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "name": STRING,
            "kind": enum(PLACE_KINDS),
            "area": nullable(STRING),
            "description": nullable(STRING),
            "recorded_at": DATETIME,
        },
        ["id", "version", "name", "kind"],
    ),
)
GROUP = component(
    "Group",
    obj(
        {"id": ID, "version": VERSION, "name": STRING, "description": nullable(STRING), "recorded_at": DATETIME},
        ["id", "version", "name"],
    ),
)
_GRADING = obj(
    {"source": enum(GRADING_SOURCE), "information": enum(GRADING_INFORMATION), "handling": enum(GRADING_HANDLING)},
    ["source", "information", "handling"],
)
_END = obj({"type": enum(("person", "place", "group")), "id": ID}, ["type", "id"])
RELATIONSHIP = component(
    "Relationship",
    obj(
        {
            "id": ID,
            "source": _END,
            "target": _END,
            "kind": enum(ALL_RELATIONSHIP_KINDS),
            "first_seen": nullable(DATE),
            "last_seen": nullable(DATE),
            "ended_on": nullable(DATE),
            "review_on": nullable(DATE),
            "agency": AGENCY,
            "recorded_by": ID,
            "recorded_at": DATETIME,
            "grading": nullable(_GRADING),
            "notes": nullable(STRING),
            "supersedes_id": nullable(ID),
        },
        ["id", "source", "target", "kind", "first_seen", "last_seen", "ended_on", "agency", "grading"],
    ),
)

register(
    "/places",
    "post",
    operation(
        "Record a place",
        response(201, "Recorded", PLACE),
        obj(
            {
                "name": text(200, min_length=1),
                "kind": enum(PLACE_KINDS),
                "area": text(120, nullable=True),
                "description": text(5000, nullable=True),
            },
            ["name", "kind"],
        ),
    ),
)
register(
    "/places/{place_id}",
    "get",
    operation("A place", response(200, "The place", PLACE), params=[path_param("place_id")]),
)
_PAGE = {"total": INTEGER, "page": INTEGER, "pages": INTEGER}
_NAME = query_param("name", text(200), "Names holding this text, whatever its case")
_PAGE_NUMBER = query_param("page", {"type": "integer", "minimum": 1, "maximum": 10_000}, "50 a page; 1 by default")
register(
    "/places",
    "get",
    operation(
        "Places by name, kind and area, in name order (homes are not listed: they are found through the people who "
        "live there); a kind of address: 422",
        response(200, "A page of places", results_of(PLACE, **_PAGE)),
        params=[
            _NAME,
            query_param("kind", enum(context_directory.LISTED_KINDS), "Only places of this kind"),
            query_param("area", text(120), "Only places in this area or ward"),
            _PAGE_NUMBER,
        ],
    ),
)
_CORRECTION = "Stale version: 409; a home (a place of kind address) only by those who may see it"
register(
    "/places/{place_id}",
    "patch",
    operation(
        "Correct a place: its name, kind, area or description, on the version you saw. " + _CORRECTION,
        response(200, "Corrected", PLACE),
        obj(
            {
                "version": VERSION,
                "name": text(200, min_length=1),
                "kind": enum(PLACE_KINDS),
                "area": text(120, nullable=True),
                "description": text(5000, nullable=True),
            },
            ["version"],
        ),
        [path_param("place_id")],
    ),
)
register(
    "/groups/{group_id}",
    "patch",
    operation(
        "Correct a group: its name or description, on the version you saw. Stale version: 409",
        response(200, "Corrected", GROUP),
        obj(
            {"version": VERSION, "name": text(200, min_length=1), "description": text(5000, nullable=True)}, ["version"]
        ),
        [path_param("group_id")],
    ),
)
register(
    "/groups",
    "get",
    operation(
        "Groups by name, in name order",
        response(200, "A page of groups", results_of(GROUP, **_PAGE)),
        params=[_NAME, _PAGE_NUMBER],
    ),
)
register(
    "/groups",
    "post",
    operation(
        "Record a peer group or network; `members`, person ids, are recorded as members of it (member_of) in the same "
        "transaction, each needing full access as a relationship does: a member refused (403) or unknown (404) leaves "
        "nothing written",
        response(201, "Recorded", GROUP),
        obj(
            {
                "name": text(200, min_length=1),
                "description": text(5000, nullable=True),
                "members": {"type": "array", "items": ID, "maxItems": MAX_MEMBERS_AT_ONCE, "uniqueItems": True},
            },
            ["name"],
        ),
    ),
)
register(
    "/groups/{group_id}",
    "get",
    operation("A group", response(200, "The group", GROUP), params=[path_param("group_id")]),
)
register(
    "/groups/{group_id}/members",
    "get",
    operation(
        "The group's current members: those the caller may see (overdue reviews first, then by name), and how many "
        "other people are members",
        response(
            200,
            "Members",
            results_of(
                obj(
                    {
                        "relationship_id": ID,
                        "person_id": ID,
                        "name": nullable(STRING),
                        "view": enum(("full", "limited")),
                        "first_seen": nullable(DATE),
                        "last_seen": nullable(DATE),
                        "review_on": nullable(DATE),
                        "review_overdue": BOOLEAN,
                        "agency": AGENCY,
                        "grading": nullable(_GRADING),
                    },
                    ["relationship_id", "person_id", "view", "review_overdue", "agency"],
                ),
                other_members=INTEGER,
            ),
        ),
        params=[path_param("group_id")],
    ),
)
register(
    "/memberships/reviews-due",
    "get",
    operation(
        "Group memberships of the people the caller works with on open cases whose review has passed or falls in "
        "the next 14 days, the longest overdue first (confirm one with POST /relationships/{id}/review)",
        response(
            200,
            "Memberships to review",
            results_of(
                obj(
                    {
                        "relationship_id": ID,
                        "person": NAMED,
                        "group": NAMED,
                        "review_on": DATE,
                        "overdue": BOOLEAN,
                        "agency": AGENCY,
                    },
                    ["relationship_id", "person", "group", "review_on", "overdue", "agency"],
                )
            ),
        ),
    ),
)
register(
    "/relationships",
    "post",
    operation(
        "Record a relationship from a person to a person, place or group",
        response(201, "Recorded", RELATIONSHIP),
        obj(
            {
                "source": obj({"type": enum(["person"]), "id": ID}, ["type", "id"]),
                "target": _END,
                "kind": enum(ALL_RELATIONSHIP_KINDS),
                "first_seen": nullable(DATE),
                "last_seen": nullable(DATE),
                "grading": nullable(_GRADING),
                "notes": text(5000, nullable=True),
                "supersedes_id": nullable(ID),
            },
            ["source", "target", "kind"],
        ),
    ),
)
_END_OPERATION = operation(
    "End a relationship (a correction adds its successor with supersedes_id; nothing is overwritten)",
    response(200, "Ended", RELATIONSHIP),
    obj({"ended_on": nullable(DATE)}),
    [path_param("relationship_id")],
)
_END_OPERATION["requestBody"]["required"] = False  # an empty body ends the edge today
register("/relationships/{relationship_id}/end", "post", _END_OPERATION)
_REVIEW_OPERATION = operation(
    "Confirm a group membership on review: its next review (review_on) falls 180 days from today. Not a membership, "
    "or ended: 409",
    response(200, "Reviewed", RELATIONSHIP),
    obj({}),
    [path_param("relationship_id")],
)
_REVIEW_OPERATION["requestBody"]["required"] = False  # nothing to send: the review is dated today
register("/relationships/{relationship_id}/review", "post", _REVIEW_OPERATION)
