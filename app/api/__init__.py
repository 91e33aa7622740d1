"""The JSON API under /api/v1: bearer tokens, the same services and policy as the pages."""

import json

from flask import Blueprint, abort, g, request

from app.extensions import csrf, db
from safeguarding import accounts
from safeguarding.validation import DuplicateKey, json_object_without_duplicates

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)  # bearer tokens, not cookies, authenticate the API, so there is no cross-site request to forge

# Endpoints a caller reaches without a token.
OPEN_ENDPOINTS = {"api.create_token", "api.openapi"}


@bp.before_request
def authenticate():
    if request.endpoint in OPEN_ENDPOINTS:
        return
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        abort(401)
    user = accounts.user_for_token(db.session, token.strip())
    if user is None:
        abort(401)
    g.api_user, g.api_token = user, token.strip()


def json_body() -> dict:
    """The request's JSON object; 400 when the body is not readable JSON, not an object, or names a key twice."""
    try:
        data = json.loads(_body_bytes(), object_pairs_hook=json_object_without_duplicates)
    except DuplicateKey as twice:
        abort(400, f"Send a JSON object in the request body: {twice}")
    except (ValueError, RecursionError):  # RecursionError: absurdly deep nesting, unreadable, not a server fault
        data = None
    if not isinstance(data, dict):
        abort(400, "Send a JSON object in the request body")
    return data


def _body_bytes() -> bytes:
    """The request body; 413 when it is over MAX_CONTENT_LENGTH, however it was sent."""
    data = request.get_data(cache=True)
    # A chunked body has no Content-Length to refuse before reading, and the stream stops at the limit without
    # saying so: a body that fills the limit was cut short, and is refused as too large, not as unreadable JSON.
    limit = request.max_content_length
    if request.content_length is None and limit is not None and len(data) >= limit:
        abort(413)
    return data


from app.api import agencies, alerts, audit, cases, contexts, maps, meta, missing, people, records, referrals, tokens  # noqa: E402,F401  (routes on bp)

# isort: split
from app.api import exports, reports  # noqa: E402,F401  (partnership report, chronology CSV)
