"""Adding to a person's record: relationships and missing episodes."""

from flask import flash, redirect, render_template, request, url_for

from app.extensions import db
from app.people import bp
from app.people.fields import reject_submission
from app.people.forms import (
    EndRelationshipForm,
    EpisodeUpdateForm,
    MissingEpisodeForm,
    MoveEpisodeForm,
    RelationshipForm,
    ReviewMembershipForm,
)
from app.people.views import person_for_work
from app.permissions import current_actor, practitioners
from models.context import TARGET_TYPE_OF_KIND
from safeguarding import contexts, membership_reviews, missing, person_relationships
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed

# Where a service's message about a JSON path belongs on the form.
RELATIONSHIP_FIELDS = {"target": "target", "source": "target", "grading": "grading_source"}
EPISODE_FIELDS = {
    "reported_at": "reported_on",
    "returned_at": "returned_on",
    "return_interview_offered_at": "interview_on",
    "found_at_place_id": "found_at",
}


@bp.route("/people/<person_id>/relationships/new", methods=["GET", "POST"])
@practitioners
def new_relationship(person_id: str):
    person = person_for_work(person_id)
    form = RelationshipForm()
    if form.validate_on_submit():
        target_type = TARGET_TYPE_OF_KIND[form.kind.data]
        try:
            contexts.add_relationship(db.session, current_actor(), form.relationship_data(person.id, target_type))
        except ValidationFailed as failure:
            reject_submission(form, failure, RELATIONSHIP_FIELDS, fallback="target")
        except NotFound:
            db.session.rollback()
            form.target.errors.append(f"No {target_type} has that link or reference. Check it and try again")
        else:
            flash("Relationship added", "success")
            return redirect(url_for("people.person", person_id=person.id, _anchor="relationships"))
    return render_template("people/relationship_new.html", form=form, person=person), 422 if form.errors else 200


@bp.route("/people/<person_id>/relationships/<relationship_id>/end", methods=["GET", "POST"])
@practitioners
def end_relationship(person_id: str, relationship_id: str):
    person = person_for_work(person_id)
    # Only a relationship recorded on this person's record is ended from here; the other side ends it on theirs.
    row = next(
        (
            r
            for r in person_relationships.relationships_of(db.session, current_actor(), person.id)
            if r["id"] == relationship_id
        ),
        None,
    )
    if row is None or not row["outgoing"]:
        if row is None:
            contexts.refuse_if_ended(db.session, relationship_id, recorded_on=person.id)
        raise NotFound("No current relationship with that id on this person's record")
    form = EndRelationshipForm()
    if form.validate_on_submit():
        ended_on = form.ended_on.data.isoformat() if form.ended_on.data else None
        try:
            contexts.end_relationship(db.session, current_actor(), relationship_id, ended_on)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="ended_on")
        else:
            flash("Relationship ended. It stays in the record's history", "success")
            return redirect(url_for("people.person", person_id=person.id, _anchor="relationships"))
    return render_template(
        "people/relationship_end.html", form=form, person=person, row=row
    ), 422 if form.errors else 200


@bp.post("/people/<person_id>/relationships/<relationship_id>/review")
@practitioners
def review_membership(person_id: str, relationship_id: str):
    person = person_for_work(person_id)
    reviewed = None
    if not ReviewMembershipForm().validate_on_submit():
        flash("Reload the page and try again", "info")
    else:
        try:
            reviewed = contexts.review_membership(db.session, current_actor(), relationship_id)
        except Conflict as conflict:
            db.session.rollback()
            flash(conflict.message, "info")
        else:
            flash("Membership confirmed. Its next review is in 180 days", "success")
    # Back to the page the review was made from: the worklist, the group's members, or (by default) the person.
    came_from = request.form.get("from")
    if came_from == "reviews":
        return redirect(url_for("people.memberships_to_review"))
    if came_from == "group" and reviewed is not None:
        return redirect(url_for("people.group", group_id=reviewed.target_group_id, _anchor="members"))
    return redirect(url_for("people.person", person_id=person.id, _anchor="relationships"))


@bp.get("/memberships/reviews")
@practitioners
def memberships_to_review():
    return render_template(
        "people/memberships_to_review.html", due=membership_reviews.reviews_due(db.session, current_actor())
    )


@bp.route("/people/<person_id>/missing-episodes/new", methods=["GET", "POST"])
@practitioners
def new_missing_episode(person_id: str):
    person = person_for_work(person_id)
    form = MissingEpisodeForm()
    if form.validate_on_submit():
        try:
            missing.record_episode(db.session, current_actor(), person.id, form.episode_data())
        except ValidationFailed as failure:
            reject_submission(form, failure, EPISODE_FIELDS, fallback="reported_on")
        else:
            flash("Missing episode recorded", "success")
            return redirect(url_for("people.person", person_id=person.id, _anchor="missing"))
    return render_template("people/missing_new.html", form=form, person=person), 422 if form.errors else 200


@bp.route("/people/<person_id>/missing-episodes/<episode_id>", methods=["GET", "POST"])
@practitioners
def update_missing_episode(person_id: str, episode_id: str):
    person = person_for_work(person_id)
    status = missing.episode_of(db.session, current_actor(), person.id, episode_id)
    form = EpisodeUpdateForm(version=status.episode.version)
    # Once the child has returned, the page asks only for the interview offer: errors go to its first field.
    first = form.interview_on if status.episode.returned_at else form.returned_on
    refused = None
    if form.validate_on_submit():
        changes = form.update_data()
        if len(changes) == 1:
            first.errors.append("Enter the date and time of the return or of the interview offer")
        else:
            try:
                missing.update_episode(db.session, current_actor(), episode_id, changes)
            except ValidationFailed as failure:
                reject_submission(form, failure, EPISODE_FIELDS, fallback=first.name)
            except Conflict as conflict:
                db.session.rollback()
                first.errors.append(str(conflict))
                refused = 409  # a stale version, as the API and the case page answer it (SPEC 2)
            else:
                flash("Missing episode updated", "success")
                return redirect(url_for("people.person", person_id=person.id, _anchor="missing"))
    code = refused or (422 if form.errors else 200)
    move_form = MoveEpisodeForm(prefix="move", version=status.episode.version)
    page = render_template("people/missing_update.html", form=form, move_form=move_form, person=person, status=status)
    return page, code


@bp.post("/people/<person_id>/missing-episodes/<episode_id>/move")
@practitioners
def move_missing_episode(person_id: str, episode_id: str):
    """Move an episode recorded on the wrong child; errors show on the episode's page, under the move form."""
    person = person_for_work(person_id)
    status = missing.episode_of(db.session, current_actor(), person.id, episode_id)
    move_form, code = MoveEpisodeForm(prefix="move"), 422
    if move_form.validate_on_submit():
        data = {"person_id": move_form.to_person.data, "version": move_form.version.data}
        try:
            episode = missing.move_episode(db.session, current_actor(), episode_id, data)
        except ValidationFailed as failure:
            reject_submission(move_form, failure, {"person_id": "to_person"}, fallback="to_person")
        except (Conflict, PermissionDenied, NotFound) as refusal:
            db.session.rollback()
            move_form.to_person.errors.append(refusal.message)
            code = 409 if isinstance(refusal, Conflict) else 422
        else:
            flash("Missing episode moved to the right child's record", "success")
            return redirect(url_for("people.person", person_id=episode.person_id, _anchor="missing"))
    form = EpisodeUpdateForm(version=status.episode.version)
    page = render_template("people/missing_update.html", form=form, move_form=move_form, person=person, status=status)
    return page, code
