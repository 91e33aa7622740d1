"""Signing in on the pages: password, then TOTP or a recovery code; refusals, lock-out, timeouts."""

import hashlib
from datetime import UTC, datetime, timedelta

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from models.user import ROLES, UnknownNameFailures
from safeguarding import accounts
from safeguarding.runtime import current as runtime
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page


def submit_password(client, username, password=PASSWORD):
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"username": username, "password": password, "csrf_token": token})


def submit_code(client, code, path="/sign-in/code"):
    token = csrf_token(client, path)
    return client.post(path, data={"code": code, "csrf_token": token})


@pytest.mark.parametrize("role", ROLES)
def test_every_role_signs_in_with_password_and_totp(client, make_user, role):
    user = make_user(role)
    response = submit_password(client, user.username)
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in/code")
    response = submit_code(client, totp_now(user))
    assert response.status_code == 302
    home = client.get("/")
    soup = assert_good_page(home)
    assert user.display_name in soup.get_text() and user.agency.name in soup.get_text()
    assert [e.actor_user_id for e in audit_events("sign_in")] == [user.id]


def test_sign_in_page_is_a_good_page(client):
    assert_good_page(client.get("/sign-in"))


def test_wrong_password_is_refused_with_a_message_and_audited(client, make_user):
    user = make_user("social_worker")
    response = submit_password(client, user.username, "not the password at all")
    assert response.status_code == 422
    soup = assert_good_page(response)
    # Listed once in the summary, linked to the field it is shown against (GOV.UK error summary pattern).
    [link] = soup.select(".govuk-error-summary__list a")
    assert link["href"] == "#password" and link.text == "The username, password or security code is not right"
    [event] = audit_events("sign_in_failed")
    assert event.actor_user_id == user.id and event.outcome == "failure"


def test_unknown_username_gets_the_same_message(client, make_user):
    response = submit_password(client, "nobody.here")
    assert response.status_code == 422
    assert "The username, password or security code is not right" in page(response).text
    [event] = audit_events("sign_in_failed")
    assert event.actor_user_id is None


def test_a_username_no_column_can_hold_is_refused_as_an_unknown_one(client, make_user):
    response = submit_password(client, make_user("social_worker").username + "\x00")
    assert response.status_code == 422
    assert "The username, password or security code is not right" in page(response).text
    assert [e.detail_dict for e in audit_events("sign_in_failed")] == [{"why": "unknown_user"}]


def test_failures_under_an_unknown_name_keep_a_keyed_hash_of_it_and_are_forgotten_after_a_month(client, app):
    typed = "Hunter2-Password-Typed-As-Name"
    submit_password(client, typed)
    [row] = db.session.scalars(sa.select(UnknownNameFailures)).all()
    assert row.name_hash == runtime().indexer.sign_in_name(typed)  # keyed: no dictionary of names reverses it
    assert row.name_hash != hashlib.sha256(typed.lower().encode()).hexdigest()
    assert row.failures == 1 and row.locked_until is None
    row.last_failed_at -= accounts.FAILURE_MEMORY + timedelta(minutes=1)
    db.session.commit()
    submit_password(client, "someone.else")
    db.session.expire_all()
    assert [r.name_hash for r in db.session.scalars(sa.select(UnknownNameFailures))] == [
        runtime().indexer.sign_in_name("someone.else")
    ]


def test_an_unknown_name_is_locked_for_the_lock_out_period_then_counts_afresh(client, app):
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        submit_password(client, "Nobody.Here", "wrong wrong wrong")
    assert "locked" in page(submit_password(client, "nobody.here")).select_one(".govuk-error-summary").text
    later = datetime.now(UTC) + app.config["LOCKOUT_PERIOD"] + timedelta(seconds=1)
    with time_machine.travel(later, tick=False):
        response = submit_password(client, "nobody.here")
    assert "locked" not in page(response).select_one(".govuk-error-summary").text
    assert db.session.scalar(sa.select(UnknownNameFailures.failures)) == 1


def test_empty_form_shows_errors_for_each_field(client):
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"username": "", "password": "", "csrf_token": token})
    assert response.status_code == 422
    summary = page(response).select_one(".govuk-error-summary")
    assert "Enter your username" in summary.text and "Enter your password" in summary.text
    assert summary.select_one('a[href="#username"]')


def test_form_without_csrf_token_is_refused(client, make_user):
    user = make_user("social_worker")
    response = client.post("/sign-in", data={"username": user.username, "password": PASSWORD})
    assert response.status_code in (400, 422)
    assert audit_events("sign_in") == []


def test_wrong_totp_is_refused_and_audited(client, make_user):
    user = make_user("police_officer")
    submit_password(client, user.username)
    response = submit_code(client, "000000" if totp_now(user) != "000000" else "111111")
    assert response.status_code == 422
    assert "not right" in page(response).select_one(".govuk-error-message").text
    assert client.get("/").status_code == 302
    assert [e.detail_dict for e in audit_events("sign_in_failed")] == [{"why": "bad_totp"}]


def test_a_totp_code_is_accepted_only_once(app, make_user):
    user = make_user("youth_worker")
    code = totp_now(user)
    first, second = app.test_client(), app.test_client()
    submit_password(first, user.username)
    assert submit_code(first, code).status_code == 302
    submit_password(second, user.username)
    assert submit_code(second, code).status_code == 422


def test_recovery_code_signs_in_once(app, client, make_user):
    user = make_user("team_manager")
    codes = accounts._new_recovery_codes(db.session, user)
    db.session.commit()
    submit_password(client, user.username)
    assert submit_code(client, codes[0]).status_code == 302
    again = app.test_client()
    submit_password(again, user.username)
    assert submit_code(again, codes[0]).status_code == 422


def test_account_locks_after_repeated_failures(app, client, make_user):
    user = make_user("social_worker")
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        submit_password(client, user.username, "wrong wrong wrong")
    response = submit_password(client, user.username)  # even the right password is refused while locked
    assert response.status_code == 422
    assert "locked" in page(response).select_one(".govuk-error-summary").text
    assert any(e.detail_dict == {"why": "locked"} for e in audit_events("sign_in_failed"))


def test_deactivated_account_is_refused_with_a_clear_message_to_whoever_knows_its_password(client, make_user):
    user = make_user("health_practitioner")
    accounts.deactivate_user(db.session, None, user)
    response = submit_password(client, user.username)
    assert response.status_code == 422
    assert "deactivated" in page(response).select_one(".govuk-error-summary").text
    guessed = submit_password(client, user.username, "wrong wrong wrong")
    assert guessed.status_code == 422 and "deactivated" not in guessed.get_data(as_text=True)


def test_an_unknown_username_costs_the_same_password_check_as_a_real_one(app, client, make_user, monkeypatch):
    from argon2 import PasswordHasher

    checked = []
    monkeypatch.setattr(PasswordHasher, "verify", lambda _hasher, stored, given: checked.append(stored) or False)
    names = (make_user("police_officer").username, "nobody.at.all")
    for username in names:
        submit_password(client, username, "wrong wrong wrong")
    assert len(checked) == 2 and all(stored.startswith("$argon2id$") for stored in checked)
    for username in names:  # locked now, each is refused before any password work
        for _ in range(app.config["LOCKOUT_THRESHOLD"]):
            submit_password(client, username, "wrong wrong wrong")
    checked.clear()
    for username in names:
        assert "locked" in page(submit_password(client, username)).select_one(".govuk-error-summary").text
    assert checked == []


@pytest.mark.parametrize("username", ["real", "nobody.at.all"])
def test_failures_a_month_apart_never_add_up_to_a_lock_out(app, client, make_user, username):
    username = make_user("youth_worker").username if username == "real" else username
    for _ in range(app.config["LOCKOUT_THRESHOLD"] - 1):
        submit_password(client, username, "wrong wrong wrong")
    with time_machine.travel(datetime.now(UTC) + accounts.FAILURE_MEMORY + timedelta(hours=1), tick=False):
        for _ in range(2):
            response = submit_password(client, username, "wrong wrong wrong")
    assert "locked" not in page(response).select_one(".govuk-error-summary").text


def test_deactivation_ends_an_existing_session_at_once(login, make_user):
    user = make_user("social_worker")
    browser = login(user)
    assert browser.get("/").status_code == 200
    accounts.deactivate_user(db.session, None, user)
    assert browser.get("/").status_code == 302


def test_unconfirmed_user_enrols_an_authenticator_and_gets_recovery_codes(client, make_user):
    user = make_user("education_practitioner", confirmed=False)
    response = submit_password(client, user.username)
    assert response.headers["Location"].endswith("/sign-in/set-up-authenticator")
    enrol = client.get("/sign-in/set-up-authenticator")
    soup = assert_good_page(enrol)
    assert (
        soup.select_one("img[src^='data:image/svg+xml']") and soup.select_one("#totp-secret").text == user.totp_secret
    )
    response = submit_code(client, totp_now(user), "/sign-in/set-up-authenticator")
    assert response.headers["Location"].endswith("/sign-in/recovery-codes")
    codes = page(client.get("/sign-in/recovery-codes")).select("#recovery-codes li")
    assert len(codes) == accounts.RECOVERY_CODE_COUNT
    db.session.refresh(user)
    assert user.totp_confirmed


def test_a_locked_account_cannot_sign_in_by_setting_up_its_authenticator(app, client, make_user):
    user = make_user("education_practitioner", confirmed=False)
    submit_password(client, user.username)
    wrong = "000000" if totp_now(user) != "000000" else "111111"
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        submit_code(client, wrong, "/sign-in/set-up-authenticator")
    response = submit_code(client, totp_now(user), "/sign-in/set-up-authenticator")
    assert response.status_code == 422 and "locked" in page(response).select_one(".govuk-error-message").text
    assert audit_events("sign_in") == []
    db.session.refresh(user)
    assert not user.totp_confirmed


def test_a_sign_in_left_after_the_password_idles_out_as_a_session_does(app, client, make_user):
    user = make_user("education_practitioner", confirmed=False)
    submit_password(client, user.username)
    later = datetime.now(UTC) + app.config["IDLE_TIMEOUT"] + timedelta(seconds=5)
    with time_machine.travel(later, tick=False):
        enrol = client.get("/sign-in/set-up-authenticator")
        assert enrol.status_code == 302 and enrol.headers["Location"].endswith("/sign-in")
        assert user.totp_secret not in enrol.get_data(as_text=True)
        code = pyotp.TOTP(user.totp_secret).now()
        token = csrf_token(client, "/sign-in")
        response = client.post("/sign-in/set-up-authenticator", data={"code": code, "csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"].endswith("/sign-in")
    assert audit_events("sign_in") == []


def test_idle_session_expires_and_says_why(login, make_user, app):
    user = make_user("social_worker")
    browser = login(user)
    stale = (datetime.now(UTC) - app.config["IDLE_TIMEOUT"] - timedelta(seconds=5)).timestamp()
    with browser.session_transaction() as session:
        session["last_seen"] = stale
    response = browser.get("/")
    assert response.status_code == 302 and "/sign-in" in response.headers["Location"]
    assert "without activity" in page(browser.get("/sign-in")).text


def test_absolute_session_limit_applies_even_when_active(login, make_user, app):
    browser = login(make_user("social_worker"))
    with browser.session_transaction() as session:
        session["signed_in_at"] = (datetime.now(UTC) - app.config["ABSOLUTE_TIMEOUT"] - timedelta(1)).timestamp()
    assert browser.get("/").status_code == 302


def test_session_page_offers_to_extend_before_timeout(login, make_user):
    soup = page(login(make_user("social_worker")).get("/"))
    banner = soup.select_one('[data-module="sc-session-timeout"]')
    assert banner and int(banner["data-idle-seconds"]) == 1200
    assert banner.select_one("form")["action"] == "/session/extend"


def test_extending_the_session_resets_the_idle_clock(login, make_user, app):
    browser = login(make_user("social_worker"))
    almost = (datetime.now(UTC) - app.config["IDLE_TIMEOUT"] + timedelta(seconds=30)).timestamp()
    with browser.session_transaction() as session:
        session["last_seen"] = almost
    token = csrf_token(browser, "/")
    assert browser.post("/session/extend", data={"csrf_token": token}).status_code == 204
    with browser.session_transaction() as session:
        assert session["last_seen"] > almost + 25


def test_staying_signed_in_leaves_the_browser_on_its_page_with_what_was_typed(login, make_user):
    # A page shown after a post (a form with errors) has a post-only address: sending the browser back there was a
    # 405, and leaving any page lost what had been typed into its forms, which the server never sees as activity.
    browser = login(make_user("social_worker"))
    form = page(browser.get("/")).select_one('form[action="/session/extend"]')
    response = browser.post("/session/extend", data={i["name"]: i.get("value", "") for i in form.select("input")})
    assert response.status_code == 204 and "Location" not in response.headers


def test_sign_out_ends_the_session_on_the_server_and_is_audited(app, login, make_user):
    user = make_user("police_officer")
    browser = login(user)
    copied = browser.get_cookie("session").value
    token = csrf_token(browser, "/")
    assert browser.post("/sign-out", data={"csrf_token": token}).status_code == 302
    assert browser.get("/").status_code == 302
    replayed = app.test_client()
    replayed.set_cookie("session", copied)
    assert replayed.get("/").status_code == 302  # the copy of the cookie no longer signs anyone in
    assert [e.actor_user_id for e in audit_events("sign_out")] == [user.id]


def test_unauthenticated_pages_redirect_to_sign_in(client):
    response = client.get("/admin/users")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=")


@pytest.mark.parametrize(
    "target",
    ["//evil.example/x", "/%09/evil.example", "/%0a/evil.example", "/%5c/evil.example", "https://evil.example"],
)
def test_next_parameter_never_redirects_off_site(client, make_user, target):
    user = make_user("social_worker")
    token = csrf_token(client, "/sign-in")
    client.post(
        f"/sign-in?next={target}",
        data={"username": user.username, "password": PASSWORD, "csrf_token": token},
    )
    response = submit_code(client, pyotp.TOTP(user.totp_secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/"
