"""An administrator sets a temporary password for a user who forgot theirs; the user chooses their own at their next
sign-in, before any other page."""

from datetime import timedelta

import pytest

from app.extensions import db
from models.base import utcnow
from models.user import ROLES
from safeguarding import accounts, passwords
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page
from tests.web.test_change_password import NEW_PASSWORD, change, errors, sign_in

NON_ADMIN_ROLES = [r for r in ROLES if r != "admin"]


@pytest.fixture
def admin(login, make_user):
    return login(make_user("admin"))


def set_temporary(admin, user):
    token = csrf_token(admin, f"/admin/users/{user.id}")
    return admin.post(f"/admin/users/{user.id}/temporary-password", data={"csrf_token": token})


def shown_password(response) -> str:
    return page(response).select_one("#temporary-password").text.strip()


def test_the_admin_user_page_offers_the_action(admin, make_user):
    user = make_user("social_worker")
    soup = assert_good_page(admin.get(f"/admin/users/{user.id}"))
    form = soup.select_one(f'form[action="/admin/users/{user.id}/temporary-password"]')
    assert form.select_one('input[name="csrf_token"]')
    assert form.select_one("button").text == "Set a temporary password"


def test_an_admin_sets_a_strong_temporary_password_shown_once(admin, make_user):
    user = make_user("social_worker")
    response = set_temporary(admin, user)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = assert_good_page(response)
    temporary = shown_password(response)
    assert len(temporary) == 19 and temporary.count("-") == 3
    assert set(temporary.replace("-", "")) <= set(passwords.TEMPORARY_ALPHABET)
    assert user.display_name in soup.h1.text
    db.session.expire_all()
    assert user.must_change_password
    assert accounts.check_password(db.session, user.username, temporary).id == user.id
    [event] = [e for e in audit_events("update") if e.object_id == user.id]
    assert event.detail_dict == {"change": "password_reset"} and event.object_type == "user"
    assert all(temporary not in (e.detail or "") for e in audit_events())
    assert temporary not in admin.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert "Temporary password" in page(admin.get(f"/admin/users/{user.id}")).select_one(".govuk-tag").text


def test_each_temporary_password_is_new(admin, make_user):
    user = make_user("social_worker")
    assert shown_password(set_temporary(admin, user)) != shown_password(set_temporary(admin, user))


def test_setting_one_ends_the_users_sessions_and_tokens_and_lifts_a_lock(app, admin, login, api, make_user):
    user = make_user("police_officer")
    browser, headers = login(user), api(user)
    user.locked_until, user.failed_sign_ins = utcnow() + timedelta(minutes=10), 3
    db.session.commit()
    set_temporary(admin, user)
    assert browser.get("/").status_code == 302
    assert app.test_client().get("/api/v1/me", headers=headers).status_code == 401
    db.session.expire_all()
    assert user.locked_until is None and user.failed_sign_ins == 0


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_every_other_role_is_refused_and_audited(login, make_user, role):
    browser = login(make_user(role))
    target = make_user("social_worker")
    old_hash = target.password_hash
    response = browser.post(
        f"/admin/users/{target.id}/temporary-password", data={"csrf_token": csrf_token(browser, "/")}
    )
    assert response.status_code == 403
    db.session.expire_all()
    assert target.password_hash == old_hash and not target.must_change_password
    assert [e.object_id for e in audit_events("denied")] == ["admin.temporary_password"]


def test_an_anonymous_visitor_is_sent_to_sign_in(app, make_user):
    target = make_user("social_worker")
    app.config["WTF_CSRF_ENABLED"] = False
    response = app.test_client().post(f"/admin/users/{target.id}/temporary-password")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_without_the_csrf_token_nothing_changes(admin, make_user):
    user = make_user("social_worker")
    old_hash = user.password_hash
    assert admin.post(f"/admin/users/{user.id}/temporary-password").status_code == 400
    db.session.expire_all()
    assert user.password_hash == old_hash and not user.must_change_password


def test_an_admin_changes_their_own_password_instead(login, make_user):
    me = make_user("admin")
    browser = login(me)
    response = set_temporary(browser, me)
    assert response.status_code == 422 and "Change your password instead" in page(response).text
    db.session.expire_all()
    assert not me.must_change_password


def test_an_unknown_user_is_404(admin):
    token = csrf_token(admin, "/admin/users")
    response = admin.post(
        "/admin/users/00000000-0000-0000-0000-000000000000/temporary-password", data={"csrf_token": token}
    )
    assert response.status_code == 404


@pytest.fixture
def given_temporary(app, admin, make_user):
    """A user given a temporary password by their administrator, signed in with it: (user, client, password)."""
    user = make_user("youth_worker")
    temporary = shown_password(set_temporary(admin, user))
    browser = app.test_client()
    assert sign_in(browser, user, temporary).status_code == 302
    return user, browser, temporary


@pytest.mark.parametrize("path", ["/", "/people/search", "/referrals/inbox", "/alerts", "/no-such-page"])
def test_a_user_with_a_temporary_password_reaches_no_other_page_until_they_choose_one(given_temporary, path):
    _user, browser, _temporary = given_temporary
    response = browser.get(path)
    assert response.status_code == 302 and response.headers["Location"] == "/account/password"


def test_the_sign_in_goes_on_to_choosing_a_new_password(app, admin, make_user):
    user = make_user("health_practitioner")
    temporary = shown_password(set_temporary(admin, user))
    browser = app.test_client()
    signed_in = sign_in(browser, user, temporary)
    followed = browser.get(signed_in.headers["Location"], follow_redirects=True)
    soup = assert_good_page(followed)
    assert soup.h1.text == "Choose a new password"
    assert "temporary password" in soup.select_one(".govuk-inset-text").text
    assert soup.select_one('label[for="current_password"]').text.strip() == "Temporary password"
    assert not soup.select_one(".govuk-back-link")


def test_choosing_a_new_password_opens_every_page_again(app, given_temporary):
    user, browser, temporary = given_temporary
    response = change(browser, current=temporary)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = browser.get("/")
    assert home.status_code == 200 and "Your password has been changed" in page(home).text
    assert browser.get("/people/search").status_code == 200
    db.session.expire_all()
    assert not user.must_change_password
    assert sign_in(app.test_client(), user, temporary).status_code == 422
    # The password step only: the code of this 30-second step was used by the sign-in above.
    assert accounts.check_password(db.session, user.username, NEW_PASSWORD).id == user.id


def test_the_temporary_password_cannot_be_kept(given_temporary):
    _user, browser, temporary = given_temporary
    response = change(browser, current=temporary, new=temporary)
    assert response.status_code == 422
    assert "different from your current one" in errors(response)
    assert browser.get("/").status_code == 302


def test_a_user_with_a_temporary_password_can_still_sign_out(given_temporary):
    _user, browser, _temporary = given_temporary
    token = csrf_token(browser, "/account/password")
    response = browser.post("/sign-out", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_a_user_who_must_also_set_up_an_authenticator_sees_their_recovery_codes_first(app, admin, make_user):
    user = make_user("social_worker", confirmed=False)
    temporary = shown_password(set_temporary(admin, user))
    browser = app.test_client()
    token = csrf_token(browser, "/sign-in")
    browser.post("/sign-in", data={"username": user.username, "password": temporary, "csrf_token": token})
    token = csrf_token(browser, "/sign-in/set-up-authenticator")
    enrolled = browser.post("/sign-in/set-up-authenticator", data={"code": totp_now(user), "csrf_token": token})
    assert enrolled.headers["Location"] == "/sign-in/recovery-codes"
    assert len(page(browser.get("/sign-in/recovery-codes")).select("#recovery-codes li")) == 10
    assert browser.get("/").headers["Location"] == "/account/password"


def test_no_api_token_is_issued_for_a_temporary_password(app, admin, make_user):
    user = make_user("police_officer")
    temporary = shown_password(set_temporary(admin, user))
    body = {"username": user.username, "password": temporary, "totp": totp_now(user)}
    response = app.test_client().post("/api/v1/tokens", json=body)
    assert response.status_code == 403
    assert "temporary" in response.get_json()["error"]
    assert [e.detail_dict for e in audit_events("sign_in_failed")] == [{"why": "password_change_due"}]
    user.must_change_password = False  # as choosing a new password on the page leaves it
    db.session.commit()
    assert app.test_client().post("/api/v1/tokens", json=body).status_code == 201


def test_a_wrong_password_for_the_api_is_refused_before_the_temporary_one_is_mentioned(app, admin, make_user):
    user = make_user("police_officer")
    set_temporary(admin, user)
    body = {"username": user.username, "password": PASSWORD, "totp": totp_now(user)}
    response = app.test_client().post("/api/v1/tokens", json=body)
    assert response.status_code == 401 and "temporary" not in response.get_json()["error"]
