"""'Is this child already known?', recording a person, the person page and emergency access."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for

from app.extensions import db
from app.people import bp
from app.people.fields import reject_submission
from app.people.forms import BreakGlassForm, EditPersonForm, PersonForm, PurposeForm, SearchForm
from app.people.identifiers import IDENTIFIER_LABELS
from app.people.labels import clock
from app.permissions import current_actor, personal_data, practitioners
from models.base import utcnow
from safeguarding import break_glass as emergency
from safeguarding import (
    case_lists,
    context_work,
    disclosure,
    family,
    missing,
    people,
    person_relationships,
    policy,
    referral_boxes,
    referral_escalation,
)
from safeguarding.access import load_person, load_person_to_record_on, require_person_access
from safeguarding.accounts import get_user, list_agencies
from safeguarding.alerts import transition_dates
from safeguarding.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from safeguarding.search import search_people
from safeguarding.validation import uk_today


@bp.route("/people/search", methods=["GET", "POST"])
@personal_data
def search():
    # A POST, so that names and dates of birth never sit in URLs, server logs or browser history.
    form = SearchForm()
    result = None
    if form.validate_on_submit():
        try:
            result = search_people(
                db.session, current_actor(), form.given_name.data, form.family_name.data, form.date_of_birth.data
            )
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="given_name")
    return render_template(
        "people/search.html", form=form, result=result, today=uk_today()
    ), 422 if form.errors else 200


@bp.route("/people/new", methods=["GET", "POST"])
@practitioners
def new():
    form = PersonForm()
    step = request.form.get("step")
    if step in ("prefill", "change"):
        # Back from the search or the duplicate check with the details so far: show them, check nothing yet.
        return render_template("people/new.html", form=form)
    if form.validate_on_submit():
        actor, data = current_actor(), form.person_data()
        try:
            people.validate_person(data)
            if step != "confirmed":
                found = search_people(db.session, actor, data["given_name"], data["family_name"], data["date_of_birth"])
                if found.matches or found.other_matches:
                    return render_template("people/duplicates.html", form=form, result=found, today=uk_today())
            person = people.record_person(db.session, actor, data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="given_name")
        else:
            flash(
                f"{person.display_name} is recorded. You can see the record for 30 days, and for as long as you "
                "are on one of their cases: open a case or make a referral to start work",
                "success",
            )
            return redirect(url_for("people.person", person_id=person.id))
    return render_template("people/new.html", form=form), 422 if form.errors else 200


@bp.route("/people/<person_id>", methods=["GET", "POST"])
@personal_data
def person(person_id: str):
    # Posted, a purpose is recorded with the view it explains (SPEC 5); a post keeps it out of URLs and logs.
    actor = current_actor()
    purpose_form = PurposeForm()
    purpose = purpose_form.purpose.data if purpose_form.validate_on_submit() else None
    try:
        record, access = people.view_person(db.session, actor, person_id, purpose=purpose)
    except PermissionDenied as refusal:
        return render_template("people/no_access.html", person_id=person_id, refusal=refusal), 403
    today = uk_today()
    view = disclosure.person_view(db.session, record, access, today)
    if not access.full:
        return render_template("people/limited.html", person=view)
    episodes = missing.episodes_of(db.session, actor, record.id)
    links = person_relationships.relationships_of(db.session, actor, record.id)
    return render_template(
        "people/person.html",
        person=view,
        access=access,
        flag_setters=_names_of({f["set_by"] for f in view["flags"]}),
        episodes=episodes,
        episode_counts=missing.counts(episodes, utcnow()),
        cases=case_lists.cases_of_person(db.session, record.id),
        family_cases=family.linked_family_cases(db.session, actor, record.id),
        context_cases=case_lists.cases_in_contexts_of(db.session, actor, record.id, access),
        relationships=links,
        names={row["other"]["id"]: row["label"] for row in links if row["other"]["id"]},
        turns_18=transition_due(record.date_of_birth, today),
        referrals=referral_boxes.referrals_about(db.session, actor, record.id),
        repeat_referral=record.id in referral_escalation.repeat_referral_people(db.session, [record.id]),
        may_work=policy.may_record_people(actor),
        today=today,
        purpose_form=purpose_form,
        stated_purpose=purpose,
        **_meetings_about(actor, record.id),
    ), 422 if purpose_form.errors else 200


def _meetings_about(actor, person_id: str) -> dict:
    """Strategy meetings and MACE panels about the person (the service audits the list), with the names they show.

    Whoever sees the person in full may see them, as the API's list allows: the page has already refused the rest."""
    meetings = context_work.meetings_about(db.session, actor, "person", person_id)
    users = {m.chair_id for m in meetings} | {user_id for m in meetings for user_id in m.attendee_ids or []}
    return {
        "meetings": meetings,
        "user_names": _names_of(users),
        "agency_names": {a.id: a.name for a in list_agencies(db.session)} if meetings else {},
    }


def _names_of(user_ids: set[str]) -> dict[str, str]:
    names = {}
    for user_id in user_ids:
        try:
            names[user_id] = get_user(db.session, user_id).display_name
        except NotFound:
            names[user_id] = "A former user"
    return names


def transition_due(born, today: date) -> date | None:
    """The 18th birthday, when a transitional safeguarding prompt is due (from 17 years 6 months)."""
    if not isinstance(born, date):
        return None
    due, adult = transition_dates(born)
    if due > today:
        return None
    return adult if adult > today else None


@bp.route("/people/<person_id>/break-glass", methods=["GET", "POST"])
@personal_data
def break_glass(person_id: str):
    load_person(db.session, person_id)  # 404 for an unknown id; nothing about the person is shown here
    form = BreakGlassForm()
    if form.validate_on_submit():
        try:
            grant = emergency.break_glass(db.session, current_actor(), person_id, form.reason.data)
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="reason")
        else:
            flash(
                f"You have emergency access to this record until {clock(grant.expires_at)}. "
                "A safeguarding lead will review your reason",
                "success",
            )
            return redirect(url_for("people.person", person_id=person_id))
    return render_template("people/break_glass.html", form=form, person_id=person_id), 422 if form.errors else 200


@bp.route("/people/<person_id>/edit", methods=["GET", "POST"])
@practitioners
def edit(person_id: str):
    """Change a person's details and flags; saved only when changed, refused when someone else saved first."""
    record = load_person_to_record_on(db.session, person_id)  # a merged duplicate is edited on its survivor
    record = person_for_work(record.id)
    form, problem, stored = EditPersonForm(), None, people.current_values(record)
    if not form.is_submitted():
        form.fill(stored)
        form.version.data = record.version
    elif form.validate_on_submit():
        changed = people.changed_values(record, form.person_data(stored["identifiers"]))
        if not changed:
            flash("Nothing was changed", "success")
            return redirect(url_for("people.person", person_id=record.id))
        try:
            people.update_person(db.session, current_actor(), record.id, {**changed, "version": form.version.data})
        except ValidationFailed as failure:
            reject_submission(form, failure, fallback="given_name")
        except Conflict as conflict:
            db.session.rollback()
            problem = conflict.message
        else:
            flash(f"{record.display_name}'s record is saved", "success")
            return redirect(url_for("people.person", person_id=record.id))
    status = 409 if problem else 422 if form.errors else 200
    others = {k: v for k, v in (stored["identifiers"] or {}).items() if k not in IDENTIFIER_LABELS}
    page = render_template("people/edit.html", form=form, person=record, problem=problem, other_identifiers=others)
    return page, status


def person_for_work(person_id: str):
    """The person a practitioner is about to add to: full access needed (403, audited, otherwise)."""
    record, access = people.view_person(db.session, current_actor(), person_id)
    if not access.full:
        require_person_access(db.session, current_actor(), record)
    return record
