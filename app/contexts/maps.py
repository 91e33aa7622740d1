"""Interactive context maps of a person, place or group, with their accessible tables and downloads."""

from flask import Response, render_template, request, url_for

from app.contexts import bp, map_view
from app.contexts.forms import FAMILY_NAMES, MapFilterForm
from app.extensions import db
from app.people.fields import show_service_errors
from app.permissions import current_actor, personal_data
from safeguarding import accounts, context_maps, contexts
from safeguarding.access import load_person
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.graph import redact

MAPS = {"person": context_maps.person_map, "place": context_maps.place_map, "group": context_maps.group_map}
EXPORTS = {
    "graphml": (redact.export_graphml, "application/graphml+xml", "GraphML"),
    "gexf": (redact.export_gexf, "application/gexf+xml", "GEXF"),
    "json": (redact.export_json, "application/json", "JSON"),
}
RECORD_PAGES = {"person": "people.person", "place": "people.place", "group": "people.group"}
FILTER_FIELDS = {"depth": "depth", "since": "since", "until": "until", "kinds": "kinds"}


def _subject(kind: str, subject_id: str):
    """Load the centre record (404 for an unknown id) before the map service checks the policy."""
    loader = {"person": load_person, "place": contexts.load_place, "group": contexts.load_group}[kind]
    return loader(db.session, subject_id)


def _options(form: MapFilterForm) -> context_maps.MapFilter:
    if form.validate():
        try:
            return context_maps.parse_filter(**form.filters(), max_nodes=map_view.max_nodes())
        except ValidationFailed as failure:
            show_service_errors(form, failure.fields, FILTER_FIELDS, fallback="depth")
    return context_maps.parse_filter(1, max_nodes=map_view.max_nodes())


def _filter_args() -> dict:
    """The filter as it stands in the address, to carry onto the download links."""
    return {key: request.args.getlist(key) for key in ("depth", "kinds", "since", "until") if key in request.args}


def _map_page(kind: str, subject_id: str):
    record = _subject(kind, subject_id)
    form = MapFilterForm(formdata=request.args)
    options = _options(form)
    try:
        data = MAPS[kind](db.session, current_actor(), record.id, options, with_layout=True)
    except PermissionDenied as refusal:
        if kind != "person":
            raise
        return render_template("people/no_access.html", person_id=record.id, refusal=refusal), 403
    centre = f"{kind}:{record.id}"
    agencies = {a.id: a.name for a in accounts.list_agencies(db.session)}
    view = map_view.build(data, centre, agencies)
    name = next(n["name"] for n in view.nodes if n["centre"])
    arg = {"person": "person_id", "place": "place_id", "group": "group_id"}[kind]
    downloads = [
        (label, url_for(f"contexts.export_{kind}_map", fmt=fmt, **{arg: record.id}, **_filter_args()))
        for fmt, (_writer, _mime, label) in EXPORTS.items()
    ]
    return render_template(
        "contexts/map.html",
        form=form,
        kind=kind,
        name=name,
        record_url=url_for(RECORD_PAGES[kind], **{arg: record.id}),
        view=view,
        depth=options.depth,
        families=FAMILY_NAMES,
        # Named only when the filter took effect: an invalid one falls back to every kind.
        shown_families=[FAMILY_NAMES[f] for f in form.kinds.data] if options.kinds else [],
        downloads=downloads,
    ), 422 if form.errors else 200


def _export(kind: str, subject_id: str, fmt: str):
    """Exactly what the viewer may see on the map, as a file; audited as an export."""
    record = _subject(kind, subject_id)
    form = MapFilterForm(formdata=request.args)
    if not form.validate():
        raise ValidationFailed({name: errors[0] for name, errors in form.errors.items()})
    options = context_maps.parse_filter(**form.filters(), max_nodes=map_view.max_nodes())
    data = MAPS[kind](db.session, current_actor(), record.id, options, action="export")
    writer, mimetype, _label = EXPORTS[fmt]
    filename = f"context-map-{kind}-{record.id}.{fmt}"
    return Response(
        writer(data), mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'}
    )


@bp.get("/people/<person_id>/map")
@personal_data
def person_map(person_id: str):
    return _map_page("person", person_id)


@bp.get("/places/<place_id>/map")
@personal_data
def place_map(place_id: str):
    return _map_page("place", place_id)


@bp.get("/groups/<group_id>/map")
@personal_data
def group_map(group_id: str):
    return _map_page("group", group_id)


@bp.get("/people/<person_id>/map.<any(graphml, gexf, json):fmt>")
@personal_data
def export_person_map(person_id: str, fmt: str):
    return _export("person", person_id, fmt)


@bp.get("/places/<place_id>/map.<any(graphml, gexf, json):fmt>")
@personal_data
def export_place_map(place_id: str, fmt: str):
    return _export("place", place_id, fmt)


@bp.get("/groups/<group_id>/map.<any(graphml, gexf, json):fmt>")
@personal_data
def export_group_map(group_id: str, fmt: str):
    return _export("group", group_id, fmt)
