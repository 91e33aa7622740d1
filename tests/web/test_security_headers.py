"""Security headers, the strict content security policy and CSRF."""

import base64
import hashlib
import re
from pathlib import Path

import govuk_frontend_jinja

from app.extensions import db
from app.security import GOVUK_INLINE_SCRIPT_HASH
from safeguarding import people
from tests.web.helpers import page


def test_pages_carry_a_strict_csp_and_deny_framing(client):
    response = client.get("/sign-in")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self' " + GOVUK_INLINE_SCRIPT_HASH in csp
    assert "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_over_tls_only(client):
    assert "Strict-Transport-Security" not in client.get("/sign-in").headers
    secure = client.get("/sign-in", base_url="https://localhost")
    assert "max-age=" in secure.headers["Strict-Transport-Security"]


def test_a_deployment_forcing_https_redirects_pages_but_answers_health_checks_over_http(reconfigured):
    served = reconfigured(FORCE_HTTPS=True).test_client()
    redirected = served.get("/sign-in")
    assert redirected.status_code == 302 and redirected.headers["Location"].startswith("https://")
    assert served.post("/api/v1/tokens", json={}).headers["Location"].startswith("https://")
    health = served.get("/healthz")
    assert health.status_code == 200 and health.get_json() == {"status": "ok"}
    assert served.get("/sign-in", base_url="https://localhost").status_code == 200


def test_the_only_inline_script_is_the_govuk_one_allowed_by_hash(client):
    template = Path(govuk_frontend_jinja.__file__).parent / "templates" / "template.html"
    script = re.search(r"<script[^>]*>(.*?)</script>", template.read_text(), re.S).group(1)
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"'sha256-{digest}'" == GOVUK_INLINE_SCRIPT_HASH
    inline = [s for s in page(client.get("/sign-in")).find_all("script") if not s.get("src")]
    assert [s.string for s in inline] == [script]


def status_of(client, path: str) -> int:
    with client.get(path) as response:  # file responses stream: close them
        return response.status_code


def test_assets_are_served_by_the_app(client):
    assert status_of(client, "/govuk/govuk-frontend.min.css") == 200
    assert status_of(client, "/govuk/govuk-frontend.min.js") == 200
    assert status_of(client, "/assets/images/favicon.ico") == 200
    assert status_of(client, "/static/safecontext.js") == 200
    assert status_of(client, "/govuk/../../pyproject.toml") == 404
    assert status_of(client, "/govuk/_base.scss") == 404


def test_session_cookie_is_http_only(client, make_user):
    response = client.get("/sign-in")
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie


def test_nothing_but_the_static_assets_may_be_kept_in_a_cache(client, login, make_user, api):
    worker = make_user("social_worker")
    person = people.record_person(
        db.session, worker, {"given_name": "Amara", "family_name": "Bell", "date_of_birth": "2011-04-04"}
    )
    browser = login(worker)
    for response in (
        browser.get(f"/people/{person.id}"),
        browser.get("/"),
        client.get("/sign-in"),
        client.get(f"/api/v1/people/{person.id}", headers=api(worker)),
    ):
        assert response.headers["Cache-Control"] == "no-store", response.request.path
    with client.get("/vendor/cytoscape.min.js") as asset:
        assert "no-store" not in asset.headers.get("Cache-Control", "")
