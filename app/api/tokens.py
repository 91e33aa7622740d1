"""POST /api/v1/tokens: exchange username, password and TOTP code for a bearer token; DELETE /tokens/current ends
the token the request carries."""

from flask import current_app, g, jsonify

from app.api import bp
from app.api.inputs import body as json_body
from app.extensions import db, limiter
from app.permissions import current_actor, public, signed_in
from safeguarding import accounts, passwords
from safeguarding.errors import ValidationFailed


def _limit() -> str:
    return current_app.config["SIGN_IN_RATE_LIMIT"]


@bp.post("/tokens")
@public
@limiter.limit(_limit)
def create_token():
    body = json_body()
    missing = {
        f"$.{name}": f"Enter your {label} as text"
        for name, label in (("username", "username"), ("password", "password"), ("totp", "security code"))
        if not isinstance(body.get(name), str) or not body[name]
    }
    if missing:
        raise ValidationFailed(missing)
    user = accounts.check_password(db.session, body.get("username"), body.get("password"))
    passwords.refuse_temporary_password(db.session, user)
    method, recovery_codes = accounts.second_factor_or_enrolment(db.session, user, body.get("totp"))
    answer = {"recovery_codes": recovery_codes} if recovery_codes else {}  # shown this once, as on the page
    accounts.complete_sign_in(db.session, user, method, channel="api")
    token, expires_at = accounts.issue_token(db.session, user)
    db.session.commit()
    return jsonify({"token": token, "expires_at": expires_at.isoformat(), **answer}), 201


@bp.delete("/tokens/current")
@signed_in
def revoke_current_token():
    accounts.revoke_token(db.session, current_actor(), g.api_token)
    return "", 204
