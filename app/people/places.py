"""Places and groups: the contexts that relationships and context cases point at."""

from flask import flash, redirect, render_template, url_for

from app.extensions import db
from app.people import bp
from app.people.fields import show_service_errors
from app.people.forms import GroupForm, PlaceForm
from app.permissions import current_actor, personal_data, practitioners
from safeguarding import contexts
from safeguarding.access import record_read
from safeguarding.errors import ValidationFailed


@bp.route("/places/new", methods=["GET", "POST"])
@practitioners
def new_place():
    form = PlaceForm()
    if form.validate_on_submit():
        try:
            place = contexts.create_place(db.session, current_actor(), form.data)
        except ValidationFailed as failure:
            db.session.rollback()
            show_service_errors(form, failure.fields, fallback="name")
        else:
            flash(f"{place.name} is recorded", "success")
            return redirect(url_for("people.place", place_id=place.id))
    return render_template("people/place_new.html", form=form), 422 if form.errors else 200


@bp.get("/places/<place_id>")
@personal_data
def place(place_id: str):
    record = contexts.load_place(db.session, place_id)
    record_read(db.session, current_actor(), action="view", object_type="place", object_id=record.id, person_ids=[])
    return render_template("people/place.html", place=record)


@bp.route("/groups/new", methods=["GET", "POST"])
@practitioners
def new_group():
    form = GroupForm()
    if form.validate_on_submit():
        try:
            group = contexts.create_group(db.session, current_actor(), form.data)
        except ValidationFailed as failure:
            db.session.rollback()
            show_service_errors(form, failure.fields, fallback="name")
        else:
            flash(f"{group.name} is recorded", "success")
            return redirect(url_for("people.group", group_id=group.id))
    return render_template("people/group_new.html", form=form), 422 if form.errors else 200


@bp.get("/groups/<group_id>")
@personal_data
def group(group_id: str):
    record = contexts.load_group(db.session, group_id)
    record_read(db.session, current_actor(), action="view", object_type="group", object_id=record.id, person_ids=[])
    return render_template("people/group.html", group=record)
