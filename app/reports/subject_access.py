"""Subject access for safeguarding leads: choose the person, confirm who you are again, then the bundle (page, JSON).

Re-authentication asks for the password and a new security code, checked by the sign-in services, so a wrong one
counts towards lock-out like any failed sign-in. Its time and the person it was for are kept in the session as
`reauthenticated`: it opens that person's bundle only, and the bundle service refuses anything older than five
minutes.
"""

import json
from datetime import UTC, datetime, timedelta

from flask import Response, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import logout_user

from app.extensions import db, limiter
from app.permissions import current_actor, leads
from app.reports import bp
from app.reports.forms import PersonReferenceForm, ReauthenticateForm
from models.base import parse_id, utcnow
from safeguarding import accounts, subject_access
from safeguarding.access import load_person
from safeguarding.errors import AccountLocked, NotFound, SignInRefused

REAUTHENTICATED = "reauthenticated"  # {"at": POSIX time, "person_id": the person it was for}
FORMATS = ("html", "json")
WRONG_DETAILS = "The password or security code is not right. Check them and try again"


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def reauthenticated_at(person_id: str) -> datetime | None:
    """When the lead last confirmed who they are to export this person's bundle (None: not for this person)."""
    value = session.get(REAUTHENTICATED)
    if (
        not isinstance(value, dict)
        or value.get("person_id") != person_id
        or not isinstance(value.get("at"), int | float)
    ):
        return None
    return datetime.fromtimestamp(value["at"], UTC)


def _fresh(person_id: str) -> bool:
    at = reauthenticated_at(person_id)
    return at is not None and timedelta(0) <= utcnow() - at <= subject_access.FRESH_AUTHENTICATION


def _person_id(value: str) -> str:
    """A person's id from the path; anything that is not a UUID names nobody (404)."""
    return parse_id(value) or _unknown()


def _unknown():
    raise NotFound("No person with that id")


def _format() -> str:
    fmt = request.args.get("format") or "html"
    return fmt if fmt in FORMATS else "html"


@bp.get("/subject-access")
@leads
def subject_access_start():
    asked = "person_id" in request.args
    form = PersonReferenceForm(formdata=request.args if asked else None)
    if asked and form.validate():
        return redirect(url_for("reports.subject_access_bundle", person_id=form.person_id.data))
    return render_template("reports/subject_access_start.html", form=form), 422 if form.errors else 200


@bp.route("/subject-access/<person_id>/confirm", methods=["GET", "POST"])
@leads
@limiter.limit(_sign_in_limit, methods=["POST"])
def subject_access_reauthenticate(person_id: str):
    person_id, fmt = _person_id(person_id), _format()
    load_person(db.session, person_id)  # nobody to export: say so before asking for a password and a code
    form = ReauthenticateForm()
    if form.validate_on_submit():
        actor = current_actor()
        try:
            user = accounts.check_password(db.session, actor.username, form.password.data)
            method = accounts.verify_second_factor(db.session, user, form.code.data)
        except AccountLocked as locked:
            # A locked account keeps no session: sign out here, as the next sign-in would be refused anyway.
            logout_user()
            session.clear()
            flash(locked.message, "info")
            return redirect(url_for("auth.sign_in"))
        except SignInRefused:
            form.password.errors = [WRONG_DETAILS]
        else:
            accounts.complete_sign_in(db.session, user, method, channel="reauthentication")
            session[REAUTHENTICATED] = {"at": utcnow().timestamp(), "person_id": person_id}
            return redirect(url_for("reports.subject_access_bundle", person_id=person_id, format=fmt))
    return render_template(
        "reports/reauthenticate.html", form=form, person_id=person_id, fmt=fmt
    ), 422 if form.errors else 200


@bp.get("/subject-access/<person_id>")
@leads
def subject_access_bundle(person_id: str):
    person_id, fmt = _person_id(person_id), _format()
    if not _fresh(person_id):
        return redirect(url_for("reports.subject_access_reauthenticate", person_id=person_id, format=fmt))
    bundle = subject_access.build_bundle(db.session, current_actor(), person_id, reauthenticated_at(person_id))
    if fmt == "json":
        filename = f"safecontext-subject-access-{person_id}-{bundle['produced_at'][:10]}.json"
        return Response(
            json.dumps(bundle, indent=2, ensure_ascii=False) + "\n",
            mimetype="application/json",
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return render_template("reports/bundle.html", bundle=bundle, person_id=person_id)
