"""What the context graph tells practitioners: the places and groups a person shares with others, how two people
are connected, why a person is exposed, and the borough-wide analyses (peer groups, connectors, hotspots). Each
answer is redacted and audited by the service, as the API's are."""

from flask import render_template, request

from app.contexts import bp
from app.contexts.forms import ConnectionForm
from app.contexts.map_view import href_of, shown_record_ids
from app.extensions import db
from app.people.fields import show_service_errors
from app.permissions import current_actor, personal_data
from safeguarding import context_insights
from safeguarding.access import load_person
from safeguarding.errors import NotFound, PermissionDenied, ValidationFailed


@bp.get("/people/<person_id>/shared-contexts")
@personal_data
def shared_contexts(person_id: str):
    return _person_answer(person_id, context_insights.shared_contexts, "contexts/shared_contexts.html")


@bp.get("/people/<person_id>/exposures")
@personal_data
def exposures(person_id: str):
    return _person_answer(person_id, context_insights.exposures, "contexts/exposures.html")


def _person_answer(person_id: str, answer, template: str):
    """One of the graph's answers about a person, or the page that explains a refusal (403)."""
    record = load_person(db.session, person_id)
    try:
        found = answer(db.session, current_actor(), record.id)
    except PermissionDenied as refusal:
        return render_template("people/no_access.html", person_id=record.id, refusal=refusal), 403
    return render_template(template, **found, person_id=record.id, href_of=href_of)


@bp.get("/people/<person_id>/connections")
@personal_data
def connections(person_id: str):
    record = load_person(db.session, person_id)
    form = ConnectionForm(formdata=request.args if "to" in request.args else None)
    found = None
    if "to" in request.args and form.validate():
        try:
            found = context_insights.connection_paths(
                db.session, current_actor(), record.id, form.to.data, include_protective=form.protective.data
            )
        except NotFound:
            form.apply_errors({"to": "No person has that reference"})
        except PermissionDenied:
            form.apply_errors({"to": "You may not see one of these two people, so their connection cannot be shown"})
        except ValidationFailed as failure:
            show_service_errors(form, failure.fields, {"other_id": "to"}, fallback="to")
    page = render_template("contexts/connections.html", form=form, person_id=record.id, found=found, href_of=href_of)
    return page, 422 if form.errors else 200


@bp.get("/analysis")
@personal_data
def analysis():
    actor = current_actor()
    return render_template(
        "contexts/analysis.html",
        peer_groups=context_insights.peer_groups(db.session, actor),
        connectors=context_insights.connectors(db.session, actor),
        hotspots=context_insights.hotspots(db.session, actor),
        href_of=href_of,
        shown_record_ids=shown_record_ids,
    )
