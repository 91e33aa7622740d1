"""Security headers, session lifetimes, request ids for the audit trail, and the signed-in user loader."""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from flask import Flask, Response, abort, current_app, flash, g, redirect, request, session, url_for
from flask_login import current_user, logout_user
from werkzeug.middleware.proxy_fix import ProxyFix

import audit
from app.extensions import db, login_manager, talisman
from models.user import User

# The one inline script of the GOV.UK page template (it marks the body as JS-enabled); allowed by hash,
# so the policy has no 'unsafe-inline'. tests/web/test_security_headers.py checks it matches the template.
GOVUK_INLINE_SCRIPT_HASH = "'sha256-GUQ5ad8JK5KmEWmROf3LZd9ge94daqNvd8xy9YS1iDw='"

CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": ["'self'", GOVUK_INLINE_SCRIPT_HASH],
    "style-src": "'self'",
    "img-src": ["'self'", "data:"],
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

UNTIMED_ENDPOINTS = {"assets.govuk", "assets.static_file", "assets.govuk_assets", "main.healthz"}
# All that a user with a temporary password may reach until they choose their own: the page to do it, recovery codes
# shown once after enrolment, keeping the session alive, signing out, and the assets.
PASSWORD_CHANGE_ENDPOINTS = {
    "account.change_password",
    "auth.recovery_codes",
    "auth.extend_session",
    "auth.sign_out",
    *UNTIMED_ENDPOINTS,
}


def init_security(app: Flask) -> None:
    if hops := app.config["TRUSTED_PROXIES"]:
        # Behind a proxy every request comes from it: the sign-in throttle would count the whole partnership as one
        # client (one guesser throttling everyone), and every audit event would carry the proxy's address.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    talisman.init_app(
        app,
        force_https=app.config["FORCE_HTTPS"],
        strict_transport_security=True,  # sent only on TLS requests, as HSTS must be
        session_cookie_secure=app.config["FORCE_HTTPS"],
        frame_options="DENY",
        content_security_policy=CONTENT_SECURITY_POLICY,
        referrer_policy="same-origin",
    )
    login_manager.login_view = "auth.sign_in"
    login_manager.login_message = "Sign in to continue"
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    login_manager.user_loader(_load_user)
    app.before_request(_bind_request_context)
    app.before_request(_refuse_files)
    app.before_request(_enforce_session_lifetime)
    app.before_request(_require_password_change)
    app.after_request(_never_cached)
    app.teardown_request(_release_request_context)


def _load_user(session_id: str) -> User | None:
    user_id, _, epoch = session_id.partition(":")
    user = db.session.get(User, user_id)
    if user is None or not user.active or str(user.auth_epoch) != epoch:
        return None
    return user


def _never_cached(response: Response) -> Response:
    # Pages, answers and downloads name children and what happened to them: no browser or proxy keeps a copy.
    # Only the static assets (styles, scripts, fonts, images) may be cached.
    if request.blueprint != "assets":
        response.headers["Cache-Control"] = "no-store"
    return response


def takes_files(view: Callable) -> Callable:
    """Mark the one kind of view that reads an uploaded file (its form validates it); every other refuses files."""
    view.takes_files = True
    return view


def _refuse_files() -> None:
    # A file sent where text is expected would reach validators that cannot read it.
    view = current_app.view_functions.get(request.endpoint or "")
    if request.files and not getattr(view, "takes_files", False):
        abort(400, description="This service does not take files. Go back and enter the details as text")


def _bind_request_context() -> None:
    g.request_id = request.headers.get("X-Request-Id", "")[:64] or str(uuid.uuid4())
    g.audit_context_token = audit.set_request_context(
        g.request_id, request.remote_addr, (request.user_agent.string or "")[:300]
    )


def _release_request_context(_exc=None) -> None:
    token = g.pop("audit_context_token", None)
    if token is not None:
        audit.reset_request_context(token)


def _require_password_change():
    """A user signed in with a temporary password chooses their own before any other page (API tokens are not issued
    for a temporary password)."""
    if request.blueprint == "api" or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("account.change_password"))
    return None


def _enforce_session_lifetime():
    """Idle and absolute timeouts for signed-in page sessions (the API has token expiry instead)."""
    if request.blueprint == "api" or request.endpoint in UNTIMED_ENDPOINTS or not current_user.is_authenticated:
        return None
    now = datetime.now(UTC).timestamp()
    idle = current_app.config["IDLE_TIMEOUT"].total_seconds()
    absolute = current_app.config["ABSOLUTE_TIMEOUT"].total_seconds()
    signed_in_at = session.get("signed_in_at", 0)
    last_seen = session.get("last_seen", 0)
    if now - last_seen > idle or now - signed_in_at > absolute:
        if now - signed_in_at > absolute:
            reason = f"You were signed out because a session lasts at most {absolute / 3600:g} hours"
        else:
            reason = f"You were signed out after {idle / 60:g} minutes without activity"
        logout_user()
        session.clear()
        flash(reason, "info")
        return redirect(url_for("auth.sign_in", next=request.full_path if request.method == "GET" else None))
    session["last_seen"] = now
    return None
