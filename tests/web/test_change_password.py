"""A signed-in user changes their own password on /account/password."""

import pytest

from app.extensions import db
from models.user import ROLES
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page

PATH = "/account/password"
NEW_PASSWORD = "a brand new passphrase 2027"


def change(client, current=PASSWORD, new=NEW_PASSWORD, confirm=None):
    token = csrf_token(client, PATH)
    data = {"current_password": current, "new_password": new, "confirm_password": new if confirm is None else confirm}
    return client.post(PATH, data={**data, "csrf_token": token})


def sign_in(client, user, password):
    token = csrf_token(client, "/sign-in")
    response = client.post("/sign-in", data={"username": user.username, "password": password, "csrf_token": token})
    if response.status_code != 302:
        return response
    token = csrf_token(client, "/sign-in/code")
    return client.post("/sign-in/code", data={"code": totp_now(user), "csrf_token": token})


def errors(response) -> str:
    return page(response).select_one(".govuk-error-summary").text


@pytest.mark.parametrize("role", ROLES)
def test_every_signed_in_user_finds_the_page_from_the_header(login, make_user, role):
    browser = login(make_user(role))
    # The account links sit in a landmark of their own, so that screen-reader users find them among the regions.
    link = page(browser.get("/")).select_one(f'nav[aria-label="Your account"].sc-account-bar a[href="{PATH}"]')
    assert link is not None and link.text == "Change your password"
    soup = assert_good_page(browser.get(PATH))
    assert soup.select_one('input[name="csrf_token"]')
    assert [i["autocomplete"] for i in soup.select('input[type="password"]')] == [
        "current-password",
        "new-password",
        "new-password",
    ]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get(PATH)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in?next=/account/password")
    assert client.post(PATH, data={}).status_code in (302, 400)


def test_a_user_changes_their_password_and_stays_signed_in_here(login, make_user):
    user = make_user("youth_worker")
    browser = login(user)
    old_hash = user.password_hash
    response = change(browser)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = browser.get("/")
    assert home.status_code == 200
    assert "Your password has been changed" in page(home).select_one(".govuk-notification-banner").text
    db.session.expire_all()
    assert user.password_hash != old_hash and user.password_hash.startswith("$argon2id$")
    [event] = [e for e in audit_events("update") if e.object_id == user.id]
    assert event.actor_user_id == user.id and event.object_type == "user"
    assert event.detail_dict == {"change": "password_changed"}


def test_the_change_ends_every_other_session_and_api_token_of_the_user(login, api, make_user, app):
    user = make_user("police_officer")
    other_user = make_user("police_officer")
    here, elsewhere, bystander = login(user), login(user), login(other_user)
    headers, bystander_headers = api(user), api(other_user)
    assert elsewhere.get("/").status_code == 200
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 200
    assert change(here).status_code == 302
    assert elsewhere.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    assert here.get("/").status_code == 200
    assert bystander.get("/").status_code == 200
    assert app.test_client().get("/api/v1/me", headers=bystander_headers).status_code == 200


def test_after_the_change_the_old_password_fails_at_sign_in_and_the_new_one_works(app, login, make_user):
    user = make_user("health_practitioner")
    change(login(user))
    refused = app.test_client()
    response = refused.post(
        "/sign-in",
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_token(refused, "/sign-in")},
    )
    assert response.status_code == 422
    assert "not right" in errors(response)
    signed_in = app.test_client()
    assert sign_in(signed_in, user, NEW_PASSWORD).status_code == 302
    assert signed_in.get("/").status_code == 200


def test_a_wrong_current_password_is_refused_counted_and_audited(login, make_user):
    user = make_user("social_worker")
    old_hash = user.password_hash
    response = change(login(user), current="not my password at all")
    assert response.status_code == 422
    assert "The current password is not right" in errors(response)
    assert page(response).select_one("#current_password-error")
    db.session.expire_all()
    assert user.password_hash == old_hash and user.failed_sign_ins == 1
    assert [e.detail_dict for e in audit_events("sign_in_failed")] == [{"why": "bad_current_password"}]
    assert [e for e in audit_events("update") if e.object_id == user.id] == []


def test_guessing_the_current_password_locks_the_account_as_at_sign_in(app, login, make_user):
    user = make_user("team_manager")
    browser = login(user)
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        response = change(browser, current="guess guess guess")
    assert response.status_code == 422 and "locked" in errors(response)
    # Locked, even the right password changes nothing, here or at sign-in.
    response = change(browser)
    assert response.status_code == 422 and "locked" in errors(response)
    other = app.test_client()
    response = other.post(
        "/sign-in",
        data={"username": user.username, "password": PASSWORD, "csrf_token": csrf_token(other, "/sign-in")},
    )
    assert "locked" in errors(response)
    assert sign_in(app.test_client(), user, NEW_PASSWORD).status_code == 422
    assert len(audit_events("sign_in_failed")) == app.config["LOCKOUT_THRESHOLD"] + 3


@pytest.mark.parametrize(
    ("new", "confirm", "message"),
    [
        ("short pass", None, "Enter a new password that is at least 12 characters long"),
        ("Social_Worker.1", None, "Enter a new password that is not your username"),
        (PASSWORD, None, "Enter a new password that is different from your current one"),
        ("x" * 257, None, "Enter a new password that is 256 characters or fewer"),
        (NEW_PASSWORD, NEW_PASSWORD + "!", "Enter the same new password twice"),
    ],
)
def test_a_new_password_breaking_a_rule_is_refused_and_counts_no_failure(login, make_user, new, confirm, message):
    user = make_user("social_worker", username="Social_Worker.1")
    old_hash, epoch = user.password_hash, user.auth_epoch
    response = change(login(user), new=new, confirm=confirm)
    assert response.status_code == 422
    assert message in errors(response)
    assert page(response).select_one('.govuk-error-summary a[href^="#"]')
    db.session.expire_all()
    assert (user.password_hash, user.auth_epoch, user.failed_sign_ins) == (old_hash, epoch, 0)
    assert audit_events("sign_in_failed") == [] and audit_events("update") == []


def test_an_empty_form_asks_for_each_field(login, make_user):
    browser = login(make_user("youth_worker"))
    response = change(browser, current="", new="", confirm="")
    assert response.status_code == 422
    summary = errors(response)
    for message in ("Enter your current password", "Enter a new password", "Confirm your new password"):
        assert message in summary
    assert "Error: Change your password" in page(response).title.text


def test_a_change_without_the_csrf_token_is_refused(login, make_user):
    user = make_user("education_practitioner")
    old_hash = user.password_hash
    browser = login(user)
    response = browser.post(
        PATH, data={"current_password": PASSWORD, "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
    )
    assert response.status_code == 400
    db.session.expire_all()
    assert user.password_hash == old_hash
    assert browser.get("/").status_code == 200
