"""Audit workspace pages; each look at the log is audited (audit_view) before anything is shown."""

from flask import current_app, flash, redirect, render_template, request, url_for

from app.audit_pages import bp
from app.audit_pages.forms import (
    FlaggedAccessReviewForm,
    KeptCheckpointForm,
    MonitoringForm,
    PersonAccessForm,
    ReviewForm,
    UserActivityForm,
)
from app.extensions import db
from app.permissions import current_actor, leads
from app.security import takes_files
from safeguarding import audit_monitoring, audit_review, audit_status, flagged_access
from safeguarding.audit_workspace import EventQuery, event_query, listing, record_audit_view, users_to_choose
from safeguarding.errors import PermissionDenied, ValidationFailed


@bp.get("/")
@leads
def overview():
    full = request.args.get("check") == "full"
    record_audit_view(db.session, current_actor(), "overview", detail={"mode": "full" if full else "quick"})
    return render_template(
        "audit/overview.html",
        status=audit_status.log_status(db.session, full=full),
        awaiting=audit_review.count_awaiting_review(db.session),
        flagged_users=flagged_access.count_users_awaiting(db.session),
    )


@bp.route("/kept-checkpoint", methods=["GET", "POST"])
@leads
@takes_files
def kept_checkpoint():
    """Check the log against a checkpoint kept elsewhere: a log rebuilt since it was exported does not match it."""
    actor, form = current_actor(), KeptCheckpointForm()
    if form.validate_on_submit():
        upload = form.checkpoint.data
        try:
            kept, size = audit_status.kept_checkpoint(
                upload.read(audit_status.KEPT_CHECKPOINT_MAX + 1) if upload else b""
            )
        except ValidationFailed as failure:
            form.apply_errors(failure.fields)
        else:
            record_audit_view(db.session, actor, "kept_checkpoint", detail={"size": size})
            status = audit_status.log_status(db.session, kept=kept)
            return render_template("audit/kept_checkpoint.html", form=form, status=status, kept_size=size)
    record_audit_view(db.session, actor, "kept_checkpoint")
    page = render_template("audit/kept_checkpoint.html", form=form, status=None)
    return page, 422 if form.errors else 200


@bp.get("/people")
@leads
def person_access():
    form = PersonAccessForm(formdata=request.args if "person_id" in request.args else None)
    query = _validated(form, "person_id", lambda: event_query(person_id=form.person_id.data, **_paged(form)))
    if query is None:
        record_audit_view(db.session, current_actor(), "person_access")
        return render_template("audit/person_access.html", form=form, rows=None), 422 if form.errors else 200
    rows = listing(db.session, current_actor(), "person_access", query)
    links = _listing_links("person_access", "person-access", {"person_id": query.person_id}, form, rows, query)
    return render_template("audit/person_access.html", form=form, rows=rows, query=query, **links)


@bp.get("/users")
@leads
def user_activity():
    form = UserActivityForm(formdata=request.args if "user_id" in request.args else None)
    form.set_users(users_to_choose(db.session))
    query = _validated(form, "user_id", lambda: event_query(user_id=form.user_id.data, **_paged(form)))
    if query is None:
        record_audit_view(db.session, current_actor(), "user_activity")
        return render_template("audit/user_activity.html", form=form, rows=None), 422 if form.errors else 200
    rows = listing(db.session, current_actor(), "user_activity", query)
    links = _listing_links("user_activity", "user-activity", {"user_id": query.user_id}, form, rows, query)
    return render_template("audit/user_activity.html", form=form, rows=rows, query=query, **links)


@bp.get("/refused")
@leads
def refused():
    query = EventQuery(outcome="denied")
    rows = listing(db.session, current_actor(), "refused", query)
    return render_template("audit/refused.html", rows=rows, query=query)


@bp.get("/break-glass")
@leads
def break_glass():
    awaiting, reviewed = audit_review.review_queue(db.session, current_actor())
    return render_template("audit/break_glass.html", awaiting=awaiting, reviewed=reviewed)


@bp.route("/break-glass/<grant_id>", methods=["GET", "POST"])
@leads
def review(grant_id: str):
    actor, form = current_actor(), ReviewForm()
    saved = _saved_review(
        form,
        lambda: audit_review.review_break_glass(db.session, actor, grant_id, form.outcome.data, form.note.data),
        retry=url_for("audit_pages.review", grant_id=grant_id),
        message="Review saved. The emergency access is no longer awaiting review",
        done=url_for("audit_pages.break_glass"),
    )
    if saved:
        return saved
    row, events = audit_review.grant_for_review(db.session, actor, grant_id)
    own = row.grant.user_id == actor.id
    page = render_template("audit/review.html", form=form, row=row, events=events, own=own)
    return page, 422 if form.errors else 200


@bp.get("/flagged")
@leads
def flagged():
    waiting, reviewed = flagged_access.review_queue(db.session, current_actor())
    return render_template("audit/flagged.html", waiting=waiting, reviewed=reviewed)


@bp.route("/flagged/<user_id>", methods=["GET", "POST"])
@leads
def review_flagged(user_id: str):
    actor, form = current_actor(), FlaggedAccessReviewForm()
    saved = _saved_review(
        form,
        lambda: flagged_access.review_flagged_access(
            db.session, actor, user_id, form.through_seq.data, form.outcome.data, form.note.data
        ),
        retry=url_for("audit_pages.review_flagged", user_id=user_id),
        message="Review saved. These accesses are no longer awaiting review",
        done=url_for("audit_pages.flagged"),
    )
    if saved:
        return saved
    user, events, last = flagged_access.flagged_for_review(db.session, actor, user_id)
    page = render_template(
        "audit/flagged_review.html",
        form=form,
        user=user,
        events=events,
        last=last,
        own=user.id == actor.id,
        shown_at_once=flagged_access.SHOWN_AT_ONCE,
    )
    return page, 422 if form.errors else 200


@bp.get("/monitoring")
@leads
def monitoring():
    form = MonitoringForm(formdata=request.args if "day" in request.args else None, day=audit_monitoring.uk_today())
    if "day" in request.args and not form.validate():
        record_audit_view(db.session, current_actor(), "monitoring")
        return render_template("audit/monitoring.html", form=form, rows=None), 422
    day = form.day.data
    rows = audit_monitoring.report(db.session, current_actor(), day, current_app.config["AGENCY_WORKING_HOURS"])
    return render_template("audit/monitoring.html", form=form, rows=rows, day=day)


def _saved_review(form, save, *, retry: str, message: str, done: str):
    """Save a lead's review from its form: a redirect once saved (or refused), None to show the form again, with
    its errors when the review was not valid."""
    if not form.validate_on_submit():
        return None
    try:
        save()
    except ValidationFailed as failure:
        db.session.rollback()
        form.apply_errors(failure.fields)
        return None
    except PermissionDenied as refusal:
        flash(refusal.message, "info")
        return redirect(retry)
    flash(message, "success")
    return redirect(done)


def _paged(form) -> dict:
    """The form's filters and, for the next page of a long listing, the event to list from."""
    return {**form.filters(), "before_seq": request.args.get("before_seq")}


def _listing_links(endpoint: str, export: str, subject: dict, form, rows, query: EventQuery) -> dict:
    """The CSV of the whole listing as filtered, and the next page when this one is full (the events before its
    last, with the same filters as the form shows them)."""
    filters = {k: v for k, v in form.filters().items() if v}
    csv_href = url_for("audit_pages.export", name=export, **subject, **filters)
    last_seq = rows[-1].event.seq if rows else None
    if len(rows) < query.limit or last_seq is None:
        return {"csv_href": csv_href, "earlier_href": None}
    shown = {"action": filters.get("action"), "since": list(form.since.parts) if filters.get("since") else None}
    earlier = url_for(
        f"audit_pages.{endpoint}", **subject, **{k: v for k, v in shown.items() if v}, before_seq=last_seq
    )
    return {"csv_href": csv_href, "earlier_href": earlier}


def _validated(form, field: str, build) -> EventQuery | None:
    """The form's query once the form and the service both accept it; None (errors on the form) otherwise."""
    if field not in request.args or not form.validate():
        return None
    try:
        return build()
    except ValidationFailed as failure:
        if not set(failure.fields) <= set(form._fields):
            raise  # a parameter the form does not show (a doctored link): the request's error, not the user's
        form.apply_errors(failure.fields)
        return None
