"""Places and groups: the contexts that relationships and context cases point at."""

import re
from urllib.parse import urlsplit, urlunsplit

from flask import flash, redirect, render_template, request, url_for

from app.extensions import db
from app.people import bp
from app.people.fields import reject_submission, show_service_errors
from app.people.forms import (
    CorrectGroupForm,
    CorrectPlaceForm,
    GroupFinderForm,
    NewGroupForm,
    PlaceFinderForm,
    PlaceForm,
)
from app.permissions import current_actor, personal_data, practitioners
from safeguarding import (
    accounts,
    case_lists,
    context_corrections,
    context_directory,
    context_work,
    contexts,
    group_members,
    policy,
)
from safeguarding.errors import Conflict, ValidationFailed

MAP_PATH = re.compile(r"/(people|places|groups)/[^/]+/map")


@bp.route("/places/new", methods=["GET", "POST"])
@practitioners
def new_place():
    form = PlaceForm()
    if form.validate_on_submit():
        try:
            place = contexts.create_place(db.session, current_actor(), form.data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="name")
        else:
            flash(f"{place.name} is recorded", "success")
            return redirect(url_for("people.place", place_id=place.id))
    return render_template("people/place_new.html", form=form), 422 if form.errors else 200


@bp.get("/places")
@personal_data
def places():
    return _finder(PlaceFinderForm, context_directory.find_places, "people/places.html")


@bp.get("/groups")
@personal_data
def groups():
    return _finder(GroupFinderForm, context_directory.find_groups, "people/groups.html")


def _finder(form_class, find, template: str):
    """A page of places or groups and the filters that chose them; a bad filter is explained on the form (422)."""
    form = form_class(formdata=request.args)
    found = None
    if form.validate():
        try:
            found = find(
                db.session, current_actor(), {k: v for k, v in request.args.items() if k in form or k == "page"}
            )
        except ValidationFailed as failure:
            show_service_errors(form, failure.fields, fallback="name")
    pages = _page_links(found) if found else {}
    return render_template(template, form=form, found=found, **pages), 422 if form.errors else 200


def _page_links(found) -> dict:
    """Links to the pages before and after this one, with the same filters."""
    args = {k: v for k, v in request.args.items() if k != "page"}
    before = url_for(request.endpoint, **args, page=found.page - 1) if found.page > 1 else None
    after = url_for(request.endpoint, **args, page=found.page + 1) if found.page < found.pages else None
    return {"previous_page": before, "next_page": after}


@bp.get("/places/<place_id>")
@personal_data
def place(place_id: str):
    actor = current_actor()
    record = contexts.view_place(db.session, actor, place_id)
    heat = context_work.heat_map(db.session, actor, place_id=record.id)
    return render_template(
        "people/place.html",
        place=record,
        heat=heat[0] if heat else None,
        back_link=_back_link(),
        **_context_work("place", record.id),
    )


@bp.route("/groups/new", methods=["GET", "POST"])
@practitioners
def new_group():
    # Linked from a proposed peer group (contexts.analysis) with its people's ids: those the recorder sees in full are
    # offered as members, ticked. The ids stay in the form's address, so a submission is checked against them.
    offered = group_members.members_to_record(db.session, current_actor(), request.args.getlist("member"))
    form = NewGroupForm()
    form.members.choices = list(offered.items())
    if request.method == "GET":
        form.members.data = list(offered)
    if form.validate_on_submit():
        try:
            group = contexts.create_group(db.session, current_actor(), form.data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="name")
        else:
            flash(f"{group.name} is recorded", "success")
            return redirect(url_for("people.group", group_id=group.id))
    return render_template("people/group_new.html", form=form, offered=offered), 422 if form.errors else 200


@bp.get("/groups/<group_id>")
@personal_data
def group(group_id: str):
    actor = current_actor()
    record = contexts.view_group(db.session, actor, group_id)
    return render_template(
        "people/group.html",
        group=record,
        members=group_members.members_of(db.session, actor, record.id),
        back_link=_back_link(),
        **_context_work("group", record.id),
    )


@bp.route("/places/<place_id>/edit", methods=["GET", "POST"])
@practitioners
def edit_place(place_id: str):
    record = contexts.view_place(db.session, current_actor(), place_id)
    return _correction(record, CorrectPlaceForm, context_corrections.correct_place, "people.place", "place_id")


@bp.route("/groups/<group_id>/edit", methods=["GET", "POST"])
@practitioners
def edit_group(group_id: str):
    record = contexts.view_group(db.session, current_actor(), group_id)
    return _correction(record, CorrectGroupForm, context_corrections.correct_group, "people.group", "group_id")


def _correction(record, form_class, correct, page: str, arg: str):
    """The record's form, filled in with what is stored; saved on the version shown (409 when someone saved
    first), or shown again with its errors (422)."""
    form, problem = form_class(obj=record), None
    if not form.is_submitted():
        form.description.data = record.description if isinstance(record.description, str) else None
    elif form.validate_on_submit():
        data = {name: field.data for name, field in form._fields.items() if name != "csrf_token"}
        try:
            correct(db.session, current_actor(), record.id, data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="name")
        except Conflict as conflict:
            db.session.rollback()
            problem = conflict.message
        else:
            flash(f"{form.name.data} is saved", "success")
            return redirect(url_for(page, **{arg: record.id}))
    status = 409 if problem else 422 if form.errors else 200
    here = url_for(page, **{arg: record.id})
    return render_template("people/context_edit.html", form=form, record=record, page=here, problem=problem), status


def _back_link() -> dict:
    """Back to the context map the user opened this record from, filters and all; otherwise home."""
    came_from = urlsplit(request.referrer or "")
    if came_from.netloc == request.host and MAP_PATH.fullmatch(came_from.path):
        return {"href": urlunsplit(("", "", came_from.path, came_from.query, "")), "text": "Back to the context map"}
    return {"href": url_for("main.home"), "text": "Back to home"}


def _context_work(kind: str, record_id: str) -> dict:
    """Cases, assessments and context conferences about a place or group, with the names the page shows, and
    whether the viewer works there (policy.works_in_context: what opening a case or sending a referral needs)."""
    actor = current_actor()
    return {
        "context_cases": case_lists.cases_about_context(db.session, actor, kind, record_id),
        "works_there": policy.may_record_people(actor) and policy.works_in_context(db.session, actor, kind, record_id),
        "assessments": context_work.assessments_of(db.session, actor, kind, record_id),
        "meetings": context_work.meetings_about(db.session, actor, kind, record_id),
        "agency_names": {a.id: a.name for a in accounts.list_agencies(db.session)},
        "user_names": {u.id: u.display_name for u in accounts.list_users(db.session)},
        "may_work": policy.may_record_people(actor),
        "subject_kind": kind,
        "subject_id": record_id,
    }
