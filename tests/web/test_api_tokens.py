"""The API's bearer tokens: issue, refuse, expire, and revoke with the account."""

import io
import json
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from models.user import ROLES
from safeguarding import accounts
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.web.helpers import audit_events


def token_request(client, user, **changes):
    body = {"username": user.username, "password": PASSWORD, "totp": totp_now(user), **changes}
    return client.post("/api/v1/tokens", json=body)


@pytest.mark.parametrize("role", ROLES)
def test_every_role_gets_a_token_and_uses_it(client, make_user, role):
    user = make_user(role)
    response = token_request(client, user)
    assert response.status_code == 201
    body = response.get_json()
    assert datetime.fromisoformat(body["expires_at"]) > datetime.now(UTC)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.status_code == 200 and me.get_json()["id"] == user.id
    assert [e.detail_dict["channel"] for e in audit_events("sign_in")] == ["api"]


def test_tokens_are_stored_only_as_hashes(client, make_user):
    from models.user import ApiToken

    token = token_request(client, make_user("social_worker")).get_json()["token"]
    stored = db.session.query(ApiToken).one()
    assert token not in stored.token_hash and len(stored.token_hash) == 64


@pytest.mark.parametrize(
    "changes",
    [{"password": "wrong password here"}, {"totp": "000000"}, {"username": "nobody"}],
    ids=["password", "totp", "username"],
)
def test_bad_credentials_get_401_json_and_are_audited(client, make_user, changes):
    user = make_user("police_officer")
    if changes.get("totp") == totp_now(user):
        changes = {"totp": "111111"}
    response = token_request(client, user, **changes)
    assert response.status_code == 401
    assert response.get_json()["error"] == "The username, password or security code is not right"
    assert len(audit_events("sign_in_failed")) == 1


def test_a_field_the_token_request_does_not_take_gets_422_and_issues_nothing(client, make_user):
    """A longer-lived token cannot be asked for: a key such as remember_me is refused, not silently ignored."""
    from models.user import ApiToken

    response = token_request(client, make_user("social_worker"), remember_me=True)
    assert response.status_code == 422 and list(response.get_json()["fields"]) == ["$.remember_me"]
    assert db.session.query(ApiToken).count() == 0 and audit_events("sign_in") == []


def test_locked_account_gets_423(app, client, make_user):
    user = make_user("social_worker")
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        assert token_request(client, user, password="wrong wrong wrong").status_code == 401
    response = token_request(client, user)
    assert response.status_code == 423 and "locked" in response.get_json()["error"]


def test_a_username_that_matches_no_account_locks_as_an_account_does(app, client, make_user):
    """Otherwise 423 after repeated guesses would tell which usernames exist."""
    user = make_user("police_officer")
    tries = range(app.config["LOCKOUT_THRESHOLD"] + 1)

    def answers(username):
        guess = {"username": username, "password": "wrong wrong wrong", "totp": totp_now(user)}
        return [(r.status_code, r.get_json()) for r in (client.post("/api/v1/tokens", json=guess) for _ in tries)]

    real, unknown = answers(user.username), answers("no.such.officer")
    assert real == unknown and real[-1][0] == 423 and {status for status, _ in real[:-1]} == {401}
    assert [e.detail_dict for e in audit_events("sign_in_failed") if e.actor_user_id is None][-1] == {"why": "locked"}


def test_a_token_can_be_ended_alone_and_the_others_go_on(client, make_user):
    user = make_user("youth_worker")
    leaked = token_request(client, user).get_json()["token"]
    kept, _ = accounts.issue_token(db.session, user)  # another script's token (a TOTP code signs in once)
    db.session.commit()

    def me(token):
        return client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code

    assert client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {leaked}"}).status_code == 204
    assert me(leaked) == 401 and me(kept) == 200
    assert client.delete("/api/v1/tokens/current", headers={"Authorization": f"Bearer {leaked}"}).status_code == 401
    [event] = audit_events("sign_out")
    assert event.actor_user_id == user.id and event.detail_dict == {"channel": "api", "token": "revoked"}


def test_throttling_answers_429(database_url, tmp_path, make_user):
    from app import create_app

    throttled = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SIGN_IN_RATE_LIMIT": "3 per minute",
        },
    )
    client = throttled.test_client()
    statuses = [
        client.post("/api/v1/tokens", json={"username": "x", "password": "y", "totp": "1"}).status_code
        for _ in range(4)
    ]
    with throttled.app_context():
        db.engine.dispose()  # its own engine: left to the garbage collector, a connection warns in a later test
    assert statuses == [401, 401, 401, 429]


def test_behind_a_trusted_proxy_each_client_is_throttled_and_audited_by_its_own_address(database_url, tmp_path):
    from app import create_app

    proxied = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SIGN_IN_RATE_LIMIT": "3 per minute",
            "TRUSTED_PROXIES": 1,
        },
    )
    client = proxied.test_client()

    def guess(address: str) -> int:
        body = {"username": "x", "password": "y", "totp": "1"}
        headers = {"X-Forwarded-For": address}
        return client.post(
            "/api/v1/tokens", json=body, headers=headers, environ_base={"REMOTE_ADDR": "10.0.0.2"}
        ).status_code

    statuses = [guess("203.0.113.7") for _ in range(4)] + [guess("198.51.100.9")]
    with proxied.app_context():
        addresses = {event.client_addr for event in audit_events("sign_in_failed")}
        db.session.remove()
        db.engine.dispose()
    assert statuses == [401, 401, 401, 429, 401]
    assert addresses == {"203.0.113.7", "198.51.100.9"}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"[1, 2]", 400),
        (b'{"username": 5, "password": [], "totp": null}', 422),
        (b"{}", 422),
    ],
)
def test_bad_bodies_get_4xx_with_a_message(client, body, status):
    response = client.post("/api/v1/tokens", data=body, content_type="application/json")
    assert response.status_code == status
    assert response.get_json()["error"]
    if status == 422:
        assert set(response.get_json()["fields"]) == {"$.username", "$.password", "$.totp"}


@pytest.mark.parametrize("field", ["username", "password", "totp"])
def test_text_no_column_can_hold_gets_422_before_any_look_up(client, make_user, field):
    response = token_request(client, make_user("social_worker"), **{field: "x\udc80y"})
    assert response.status_code == 422 and f"$.{field}" in response.get_json()["fields"]
    assert not audit_events("sign_in")


def test_oversized_body_gets_413(client):
    response = client.post("/api/v1/tokens", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert response.status_code == 413 and response.get_json()["error"]


def test_an_oversized_body_sent_in_chunks_gets_413_not_400(client):
    # A chunked body has no Content-Length to refuse up front: the server (gunicorn, werkzeug) ends the stream, and
    # reading stops at the limit, so the body read looks like cut-short JSON unless the limit is checked.
    body = b'{"username": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = client.post(
        "/api/v1/tokens",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked"},
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 413 and response.get_json()["error"]


def test_a_small_body_sent_in_chunks_is_read(client, make_user):
    user = make_user("social_worker")
    body = json.dumps({"username": user.username, "password": PASSWORD, "totp": totp_now(user)}).encode()
    response = client.post(
        "/api/v1/tokens",
        input_stream=io.BytesIO(body),
        headers={"Transfer-Encoding": "chunked"},
        content_type="application/json",
        environ_overrides={"wsgi.input_terminated": True},
    )
    assert response.status_code == 201


def test_a_first_valid_code_sets_up_the_authenticator_and_gets_a_token(client, make_user):
    user = make_user("social_worker", confirmed=False)
    response = token_request(client, user)
    assert response.status_code == 201
    body = response.get_json()
    assert len(body["recovery_codes"]) == accounts.RECOVERY_CODE_COUNT and body["token"]
    db.session.refresh(user)
    assert user.totp_confirmed
    assert [e.detail_dict["method"] for e in audit_events("sign_in")] == ["totp_enrolment"]
    # The codes are shown once: the next token comes without them, and one of them works as a second factor.
    later = token_request(client, user, totp=body["recovery_codes"][0]).get_json()
    assert later["token"] and "recovery_codes" not in later


def test_a_wrong_first_code_leaves_the_authenticator_unset(client, make_user):
    user = make_user("social_worker", confirmed=False)
    response = token_request(client, user, totp="000000" if totp_now(user) != "000000" else "111111")
    assert response.status_code == 401
    db.session.refresh(user)
    assert not user.totp_confirmed and user.failed_sign_ins == 1


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer nonsense", "Basic abc", "bearer  "])
def test_api_without_a_valid_token_gets_401_json(client, header):
    response = client.get("/api/v1/me", headers={"Authorization": header} if header else {})
    assert response.status_code == 401
    assert response.get_json() == {"error": "Sign in with a valid token"}


def test_expired_token_gets_401(app, client, make_user, api):
    headers = api(make_user("social_worker"))
    later = datetime.now(UTC) + app.config["API_TOKEN_LIFETIME"] + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_deactivation_revokes_tokens_at_once(client, make_user, api):
    user = make_user("youth_worker")
    headers = api(user)
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    accounts.deactivate_user(db.session, None, user)
    assert client.get("/api/v1/me", headers=headers).status_code == 401


def test_unknown_api_route_is_json_404(client, make_user, api):
    response = client.get("/api/v1/nothing-here", headers=api(make_user("social_worker")))
    assert response.status_code == 404 and response.get_json()["error"]


def test_openapi_document_lists_the_token_endpoint(client):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.") and "post" in document["paths"]["/tokens"]


def test_healthz_answers_ok(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}


def test_one_code_sent_many_times_at_once_gets_one_token(app, make_user):
    user = make_user("social_worker")
    body = {"username": user.username, "password": PASSWORD, "totp": totp_now(user)}
    start = threading.Barrier(6)

    def exchange(_):
        client = app.test_client()
        start.wait()
        return client.post("/api/v1/tokens", json=body).status_code

    with ThreadPoolExecutor(6) as pool:
        statuses = sorted(pool.map(exchange, range(6)))
    assert statuses.count(201) == 1 and 500 not in statuses, statuses


def test_the_throttle_store_comes_from_the_environment_and_one_that_cannot_be_used_stops_the_start(monkeypatch):
    from app.config import ConfigurationError, load_config

    monkeypatch.setenv("SAFECONTEXT_RATELIMIT_STORAGE_URI", "memory://")
    assert load_config("test")["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("SAFECONTEXT_RATELIMIT_STORAGE_URI", "carrier-pigeon://loft")
    with pytest.raises(ConfigurationError, match="SAFECONTEXT_RATELIMIT_STORAGE_URI.*carrier-pigeon://loft"):
        load_config("test")
