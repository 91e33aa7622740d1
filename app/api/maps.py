"""Context maps, their exports, and the analyses of the context graph, redacted per caller (SPEC sections 7, 10)."""

from flask import Response, jsonify

from app.api import bp
from app.api.inputs import query_args, query_once, record_id
from app.api.openapi import component, operation, path_param, query_param, register, response, results_of
from app.api.schemas import BOOLEAN, DATE, DATETIME, ID, INTEGER, NAMED, STRING, enum, nullable, obj
from app.contexts import map_view
from app.extensions import db
from app.permissions import current_actor, personal_data
from models.context import ALL_RELATIONSHIP_KINDS, PLACE_KINDS, RELATIONSHIP_KINDS
from safeguarding import context_insights, context_maps
from safeguarding.errors import ValidationFailed
from safeguarding.graph import redact
from safeguarding.graph.risk import NEAR_ADULT, RIVAL_GROUPS

EXPORTS = {
    "graphml": (redact.export_graphml, "application/graphml+xml"),
    "gexf": (redact.export_gexf, "application/gexf+xml"),
    "json": (redact.export_json, "application/json"),
}
MAPS = {"person": context_maps.person_map, "place": context_maps.place_map, "group": context_maps.group_map}


def map_options() -> context_maps.MapFilter:
    options = query_args("depth", "since", "until", "kinds")
    return context_maps.parse_filter(**options, max_nodes=map_view.max_nodes())


def _map(kind: str, raw_id: str, fmt: str | None = None):
    """The map as JSON, or (with a format) a download of exactly the same redacted view, audited as an export."""
    subject_id = record_id(raw_id, kind)
    fmt = fmt or query_once("format") or None
    if fmt is not None and fmt not in EXPORTS:
        raise ValidationFailed({"format": f"Choose the format: one of {', '.join(EXPORTS)}"})
    options = map_options()
    data = MAPS[kind](db.session, current_actor(), subject_id, options, action="export" if fmt else "map_view")
    if fmt is None:
        return jsonify(data)
    writer, mimetype = EXPORTS[fmt]
    filename = f"context-{kind}-{subject_id}-depth-{options.depth}.{fmt}"
    return Response(
        writer(data), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/people/<person_id>/context")
@personal_data
def person_context(person_id):
    return _map("person", person_id)


@bp.get("/places/<place_id>/context")
@personal_data
def place_context(place_id):
    return _map("place", place_id)


@bp.get("/groups/<group_id>/context")
@personal_data
def group_context(group_id):
    return _map("group", group_id)


@bp.get("/people/<person_id>/context.<any(graphml, gexf, json):fmt>")
@personal_data
def export_person_context(person_id, fmt):
    return _map("person", person_id, fmt)


@bp.get("/places/<place_id>/context.<any(graphml, gexf, json):fmt>")
@personal_data
def export_place_context(place_id, fmt):
    return _map("place", place_id, fmt)


@bp.get("/groups/<group_id>/context.<any(graphml, gexf, json):fmt>")
@personal_data
def export_group_context(group_id, fmt):
    return _map("group", group_id, fmt)


@bp.get("/people/<person_id>/shared-contexts")
@personal_data
def shared_contexts(person_id):
    return jsonify(context_insights.shared_contexts(db.session, current_actor(), record_id(person_id, "person")))


@bp.get("/people/<person_id>/paths/<other_id>")
@personal_data
def connection_paths(person_id, other_id):
    protective = query_once("include_protective", "false")
    if protective not in ("true", "false"):
        raise ValidationFailed({"include_protective": "Give include_protective as true or false"})
    found = context_insights.connection_paths(
        db.session,
        current_actor(),
        record_id(person_id, "person"),
        record_id(other_id, "person"),
        include_protective=protective == "true",
    )
    return jsonify(found)


@bp.get("/people/<person_id>/exposures")
@personal_data
def exposures(person_id):
    return jsonify(context_insights.exposures(db.session, current_actor(), record_id(person_id, "person")))


@bp.get("/analysis/peer-groups")
@personal_data
def peer_groups():
    return jsonify(context_insights.peer_groups(db.session, current_actor()))


@bp.get("/analysis/connectors")
@personal_data
def connectors():
    return jsonify(context_insights.connectors(db.session, current_actor()))


@bp.get("/analysis/hotspots")
@personal_data
def hotspots():
    return jsonify(context_insights.hotspots(db.session, current_actor()))


# --- OpenAPI ---------------------------------------------------------------------------------------------------

NODE_ID = {"type": "string", "description": "person:<id>, place:<id>, group:<id>, or redacted:<n> (per response)"}
NODE = component(
    "MapNode",
    obj(
        {"id": NODE_ID, "type": enum(("person", "place", "group")), "label": nullable(STRING), "redacted": BOOLEAN},
        ["id", "type", "label", "redacted"],
    ),
)
_GRADING = obj({"source": STRING, "information": STRING, "handling": STRING}, ["source", "information", "handling"])
EDGE = component(
    "MapEdge",
    obj(
        {
            "source": NODE_ID,
            "target": NODE_ID,
            "kind": enum(ALL_RELATIONSHIP_KINDS),
            "agency": ID,
            "first_seen": nullable(DATE),
            "grading": nullable(_GRADING),
            "redacted": BOOLEAN,
        },
        ["source", "target", "kind"],
    ),
)
CONTEXT_MAP = component(
    "ContextMap",
    obj(
        {"nodes": {"type": "array", "items": NODE}, "edges": {"type": "array", "items": EDGE}, "omitted": INTEGER},
        ["nodes", "edges", "omitted"],
    ),
)
KINDS_HELP = "Comma-separated relationship kinds or families (" + ", ".join(RELATIONSHIP_KINDS) + ")"
MAP_PARAMS = [
    query_param("depth", {"type": "integer", "minimum": 1, "maximum": 3, "default": 1}, "Hops from the centre"),
    query_param("since", DATE, "Only relationships seen on or after this date"),
    query_param("until", DATE, "Only relationships seen on or before this date"),
    query_param("kinds", STRING, KINDS_HELP),
]
# The map as JSON, or with a format the same redacted view as a file: GraphML and GEXF are XML text, JSON is the map.
_MAP_OR_DOWNLOAD = {
    "200": {
        "description": "The map, or with a format the same redacted view as a file",
        "content": {
            mime: {"schema": CONTEXT_MAP if mime == "application/json" else STRING} for _, mime in EXPORTS.values()
        },
    }
}
for _kind, _noun in (("person", "people"), ("place", "places"), ("group", "groups")):
    _id = path_param(f"{_kind}_id")
    register(
        f"/{_noun}/{{{_kind}_id}}/context",
        "get",
        operation(
            f"The context map around a {_kind}: nodes the caller may not see are redacted (audited as a map view)",
            _MAP_OR_DOWNLOAD,
            params=[_id, *MAP_PARAMS, query_param("format", enum(EXPORTS), "Download the map in this format")],
        ),
    )
    register(
        f"/{_noun}/{{{_kind}_id}}/context.{{fmt}}",
        "get",
        operation(
            f"Export the context map around a {_kind} as GraphML, GEXF or JSON (audited as an export)",
            _MAP_OR_DOWNLOAD,
            params=[_id, path_param("fmt", "graphml, gexf or json"), *MAP_PARAMS],
        ),
    )

_REF = obj({"id": NODE_ID, "type": STRING, "label": nullable(STRING), "redacted": BOOLEAN}, ["id", "type", "redacted"])
STEP = component(
    "PathStep",
    obj(
        {
            "source": NODE_ID,
            "target": NODE_ID,
            "kind": enum(ALL_RELATIONSHIP_KINDS),
            "agency": NAMED,
            "recorded_by": NAMED,
            "first_seen": nullable(DATE),
            "grading": nullable(_GRADING),
            "corroborated": BOOLEAN,
            "redacted": BOOLEAN,
        },
        ["source", "target", "kind", "corroborated", "redacted"],
    ),
)
PATH = component(
    "ConnectionPath",
    obj(
        {
            "corroborated": BOOLEAN,
            "basis": enum(("corroborated", "uncorroborated")),
            "length": INTEGER,
            "steps": {"type": "array", "items": STEP},
        },
        ["corroborated", "basis", "steps"],
    ),
)
register(
    "/people/{person_id}/shared-contexts",
    "get",
    operation(
        "Places and groups the person is linked to, with the other people linked there (redacted where not visible)",
        response(
            200,
            "Shared contexts, most shared first",
            results_of(
                obj({"context": _REF, "people": {"type": "array", "items": _REF}, "count": INTEGER}), person=_REF
            ),
        ),
        params=[path_param("person_id")],
    ),
)
register(
    "/people/{person_id}/paths/{other_id}",
    "get",
    operation(
        "How two people are connected: paths with each step's provenance; uncorroborated suspicion (information "
        "C-E or handling C) is marked apart from corroborated facts",
        response(
            200,
            "Paths, corroborated first",
            results_of(
                PATH,
                **{"from": _REF, "to": _REF, "corroborated": INTEGER, "uncorroborated": INTEGER},
                nodes={"type": "array", "items": _REF, "description": "Everyone and everything the paths pass"},
            ),
        ),
        params=[
            path_param("person_id"),
            path_param("other_id"),
            query_param("include_protective", enum(("true", "false")), "Also travel along protective ties"),
        ],
    ),
)
register(
    "/people/{person_id}/exposures",
    "get",
    operation(
        "Why the person is exposed, as the exposure alert rules see it today: each adult of concern within two hops "
        "(adult, steps with provenance, corroborated when every step is) and each pair of rival groups they belong to",
        response(
            200,
            "Exposures",
            results_of(
                obj(
                    {
                        "reason": enum((NEAR_ADULT, RIVAL_GROUPS)),
                        "since": DATE,
                        "adult": _REF,
                        "steps": {"type": "array", "items": STEP},
                        "corroborated": BOOLEAN,
                        "groups": {"type": "array", "items": _REF},
                    },
                    ["reason", "since"],
                ),
                person=_REF,
                nodes={"type": "array", "items": _REF, "description": "Everyone and everything the routes pass"},
            ),
        ),
        params=[path_param("person_id")],
    ),
)
# Whole-graph analyses come from the stored result of the analysis job: when it ran, and whether the graph has
# changed since.
STORED = {"computed_at": DATETIME, "up_to_date": BOOLEAN}
register(
    "/analysis/peer-groups",
    "get",
    operation(
        "Proposed peer groups (community detection, fixed seed) holding someone the caller may see",
        response(
            200,
            "Peer groups, largest first",
            results_of(
                obj(
                    {
                        "number": INTEGER,
                        "size": INTEGER,
                        "members": {"type": "array", "items": _REF},
                        "recorded_groups": {
                            "type": "array",
                            "items": obj({"id": ID, "name": STRING, "members": INTEGER}, ["id", "name", "members"]),
                            "description": "Recorded groups the members shown belong to, with how many of them",
                        },
                    }
                ),
                other_groups=INTEGER,
                **STORED,
            ),
        ),
    ),
)
register(
    "/analysis/connectors",
    "get",
    operation(
        "People linking otherwise separate parts of the graph (betweenness), redacted where not visible",
        response(
            200,
            "Connectors, highest first",
            results_of(obj({"person": _REF, "score": {"type": "number"}}), **STORED),
        ),
    ),
)
register(
    "/analysis/hotspots",
    "get",
    operation(
        "Places ranked by the number of at-risk young people linked to them (counts only)",
        response(
            200,
            "Hotspots",
            results_of(
                obj(
                    {
                        "place": obj({"id": ID, "name": STRING, "kind": enum(PLACE_KINDS), "area": nullable(STRING)}),
                        "young_people_at_risk": INTEGER,
                    }
                ),
                **STORED,
            ),
        ),
    ),
)

# The context-work routes (assessments, weightings, meetings, safety ratings) register on bp with the maps.
from app.api import context_work  # noqa: E402,F401
