"""Work on contexts from the pages: assessments and conferences about places and groups, strategy meetings and MACE
panels about a young person, their context weighting and safety ratings, and the safety heat-map of places."""

from datetime import datetime

from flask import flash, redirect, render_template, url_for

from app.contexts import bp
from app.contexts.forms import CONTEXT_LABELS, AssessmentForm, MeetingForm, SafetyRatingForm, WeightingForm
from app.extensions import db
from app.people.fields import reject_submission
from app.people.labels import MEETING_LABELS
from app.people.views import person_for_work
from app.permissions import current_actor, personal_data, practitioners
from models.context_work import CONTEXTS
from safeguarding import accounts, context_insights, context_work, contexts
from safeguarding.errors import NotFound, ValidationFailed

SUBJECTS = {
    "place": (contexts.load_visible_place, "people.place", "place_id"),
    "group": (lambda session, _actor, group_id: contexts.load_group(session, group_id), "people.group", "group_id"),
    # Full access, refused (403, audited) otherwise, as the person's other work pages need.
    "person": (lambda _session, _actor, person_id: person_for_work(person_id), "people.person", "person_id"),
}
ASSESSMENT_FIELDS = {"assessed_on": "assessed_on", "findings": "findings", "interventions": "findings"}
MEETING_FIELDS = {"held_on": "held_on", "decisions": "decisions", "actions": "decisions"}


def _context(kind: str, subject_id: str):
    loader, endpoint, arg = SUBJECTS[kind]
    # A home the user may not see is refused (403, audited) before its form names it, as its own page is.
    record = loader(db.session, current_actor(), subject_id)
    return record, url_for(endpoint, **{arg: record.id})


def _new_assessment(kind: str, subject_id: str):
    record, back = _context(kind, subject_id)
    what = "location assessment" if kind == "place" else "peer-group assessment"
    form = AssessmentForm()
    form.set_agencies(accounts.list_agencies(db.session))
    if form.validate_on_submit():
        try:
            context_work.record_assessment(db.session, current_actor(), form.assessment_data(kind, record.id))
        except ValidationFailed as failure:
            reject_submission(form, failure, ASSESSMENT_FIELDS, fallback="findings")
        else:
            flash(f"{what.capitalize()} recorded for {record.name}", "success")
            return redirect(f"{back}#assessments")
    return render_template(
        "contexts/assessment_new.html", form=form, record=record, back=back, what=what
    ), 422 if form.errors else 200


def _new_meeting(kind: str, subject_id: str):
    record, back = _context(kind, subject_id)
    name = record.display_name if kind == "person" else record.name
    form = MeetingForm(kind)
    form.set_people(
        [u for u in accounts.list_users(db.session) if u.active and u.role != "admin"],
        accounts.list_agencies(db.session),
    )
    if form.validate_on_submit():
        try:
            meeting = context_work.record_meeting(db.session, current_actor(), form.meeting_data(record.id))
        except ValidationFailed as failure:
            reject_submission(form, failure, MEETING_FIELDS, fallback="decisions")
        else:
            flash(f"{MEETING_LABELS[meeting.kind]} recorded", "success")
            return redirect(f"{back}#meetings")
    return render_template(
        "contexts/meeting_new.html", form=form, subject_kind=kind, name=name, back=back
    ), 422 if form.errors else 200


@bp.route("/places/<place_id>/assessments/new", methods=["GET", "POST"])
@practitioners
def new_place_assessment(place_id: str):
    return _new_assessment("place", place_id)


@bp.route("/groups/<group_id>/assessments/new", methods=["GET", "POST"])
@practitioners
def new_group_assessment(group_id: str):
    return _new_assessment("group", group_id)


@bp.route("/places/<place_id>/meetings/new", methods=["GET", "POST"])
@practitioners
def new_place_meeting(place_id: str):
    return _new_meeting("place", place_id)


@bp.route("/groups/<group_id>/meetings/new", methods=["GET", "POST"])
@practitioners
def new_group_meeting(group_id: str):
    return _new_meeting("group", group_id)


@bp.route("/people/<person_id>/meetings/new", methods=["GET", "POST"])
@practitioners
def new_person_meeting(person_id: str):
    return _new_meeting("person", person_id)


@bp.route("/people/<person_id>/context-weighting", methods=["GET", "POST"])
@practitioners
def weighting(person_id: str):
    person = person_for_work(person_id)
    form = WeightingForm()
    if form.validate_on_submit():
        try:
            context_work.record_weighting(db.session, current_actor(), person.id, form.weighting_data())
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="assessed_on")
        else:
            flash("Context weighting recorded", "success")
            return redirect(url_for("contexts.weighting", person_id=person.id))
    history = context_work.weightings_of(db.session, current_actor(), person.id)
    return render_template(
        "contexts/weighting.html",
        form=form,
        person=person,
        history=history,
        contexts=CONTEXTS,
        context_labels=CONTEXT_LABELS,
    ), 422 if form.errors else 200


@bp.route("/people/<person_id>/safety-ratings/new", methods=["GET", "POST"])
@practitioners
def new_safety_rating(person_id: str):
    person = person_for_work(person_id)
    form = SafetyRatingForm()
    if form.validate_on_submit():
        try:
            context_work.rate_place(db.session, current_actor(), person.id, form.rating_data())
        except ValidationFailed as failure:
            reject_submission(form, failure, {"place_id": "place", "rated_on": "rated_on"}, fallback="rating")
        except NotFound:
            db.session.rollback()
            form.place.errors.append("No place has that link or reference. Check it and try again")
        else:
            flash("Safety rating recorded", "success")
            return redirect(url_for("contexts.new_safety_rating", person_id=person.id))
    ratings = context_work.ratings_of(db.session, current_actor(), person.id)
    return render_template(
        "contexts/safety_rating_new.html", form=form, person=person, ratings=ratings
    ), 422 if form.errors else 200


@bp.get("/safety-heat-map")
@personal_data
def heat_map():
    actor = current_actor()
    hotspots = context_insights.hotspots(db.session, actor)
    return render_template(
        "contexts/heat_map.html",
        places=context_work.heat_map(db.session, actor),
        hotspots=hotspots,
        hotspots_at=datetime.fromisoformat(hotspots["computed_at"]),
    )
