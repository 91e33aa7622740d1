"""Sign-in with password then TOTP (or a recovery code), authenticator enrolment, sign-out, session extension."""

import base64
from datetime import UTC, datetime

import segno
from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import login_user, logout_user
from pyotp import TOTP

from app.auth.forms import CodeForm, EnrolForm, PlainForm, SignInForm
from app.extensions import db, limiter
from app.permissions import current_actor, public, signed_in
from safeguarding import accounts
from safeguarding.errors import AccountLocked, SignInRefused

bp = Blueprint("auth", __name__)


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


def _safe_next(target: str | None) -> str:
    # Only plain local paths: never an open redirect to another site. Browsers drop tabs and newlines from a
    # Location ("/\t/evil.example" becomes "//evil.example"), and a newline cannot go in a header at all.
    plain = target and target.isprintable() and " " not in target
    if plain and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return url_for("main.home")


@bp.route("/sign-in", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def sign_in():
    form = SignInForm()
    if form.validate_on_submit():
        try:
            user = accounts.check_password(db.session, form.username.data, form.password.data)
        except (SignInRefused, AccountLocked) as refusal:
            form.password.errors = [refusal.message]
        else:
            db.session.commit()
            session.clear()
            session["pending_user_id"] = user.id
            session["pending_epoch"] = user.auth_epoch
            session["pending_since"] = datetime.now(UTC).timestamp()
            session["next"] = _safe_next(request.args.get("next"))
            return redirect(url_for("auth.verify" if user.totp_confirmed else "auth.enrol"))
    return render_template("auth/sign_in.html", form=form), 422 if form.errors else 200


def _pending_user():
    user_id = session.get("pending_user_id")
    # A sign-in left half done idles out as a session does: at an unattended browser, the next person could
    # otherwise finish it, or set up their own authenticator for an account that has none yet.
    waited = datetime.now(UTC).timestamp() - session.get("pending_since", 0)
    if not user_id or waited > current_app.config["IDLE_TIMEOUT"].total_seconds():
        return None
    try:
        user = accounts.get_user(db.session, user_id)
    except Exception:  # noqa: BLE001 - any lookup failure means the pending sign-in is void
        return None
    return user if user.auth_epoch == session.get("pending_epoch") else None


@bp.route("/sign-in/code", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def verify():
    user = _pending_user()
    if user is None or not user.totp_confirmed:
        return redirect(url_for("auth.sign_in"))
    form = CodeForm()
    if form.validate_on_submit():
        try:
            method = accounts.verify_second_factor(db.session, user, form.code.data)
        except (SignInRefused, AccountLocked) as refusal:
            form.code.errors = [refusal.message]
        else:
            return redirect(_finish_sign_in(user, method))
    return render_template("auth/verify.html", form=form), 422 if form.errors else 200


@bp.route("/sign-in/set-up-authenticator", methods=["GET", "POST"])
@public
@limiter.limit(_sign_in_limit, methods=["POST"])
def enrol():
    user = _pending_user()
    if user is None or user.totp_confirmed:
        return redirect(url_for("auth.sign_in"))
    form = EnrolForm()
    if form.validate_on_submit():
        try:
            codes = accounts.confirm_enrolment(db.session, user, form.code.data)
        except (SignInRefused, AccountLocked) as refusal:
            form.code.errors = [refusal.message]
        else:
            _finish_sign_in(user, "totp_enrolment")
            session["recovery_codes"] = codes
            return redirect(url_for("auth.recovery_codes"))
    uri = TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name="SafeContext")
    qr_svg = segno.make(uri, error="m").svg_inline(scale=5, dark="#0b0c0c", light="#ffffff")
    qr_data = "data:image/svg+xml;base64," + base64.b64encode(qr_svg.encode()).decode()
    return render_template(
        "auth/enrol.html", form=form, qr_data=qr_data, secret=user.totp_secret
    ), 422 if form.errors else 200


def _finish_sign_in(user, method: str) -> str:
    """Start a fresh page session for the user; returns where they were going."""
    accounts.complete_sign_in(db.session, user, method, channel="web")
    target = session.get("next") or url_for("main.home")
    session.clear()
    login_user(user)
    now = datetime.now(UTC).timestamp()
    session["signed_in_at"] = now
    session["last_seen"] = now
    if method == "recovery_code":
        flash("You signed in with a recovery code. Ask your administrator to reset your authenticator", "info")
    return target


@bp.get("/sign-in/recovery-codes")
@signed_in
def recovery_codes():
    codes = session.pop("recovery_codes", None)
    if not codes:
        return redirect(url_for("main.home"))
    return render_template("auth/recovery_codes.html", codes=codes)


@bp.post("/sign-out")
@signed_in
def sign_out():
    form = PlainForm()
    if form.validate_on_submit():
        accounts.sign_out(db.session, current_actor())
        logout_user()
        session.clear()
        flash("You have signed out", "info")
    return redirect(url_for("auth.sign_in"))


@bp.post("/session/extend")
@signed_in
def extend_session():
    form = PlainForm()
    if not form.validate_on_submit():
        return redirect(url_for("main.home"))
    # The idle clock was already reset by this request. No Content keeps the browser on the page, with whatever was
    # typed into its forms: typing is no activity the server sees, so the warning often comes mid-entry.
    return "", 204
