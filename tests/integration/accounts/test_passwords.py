"""Changing one's own password, as a service and as guesses sent at once, on SQLite and PostgreSQL."""

import pytest

from app.extensions import db
from safeguarding import accounts, passwords
from safeguarding.errors import AccountLocked, ValidationFailed
from tests.fixtures.accounts import PASSWORD
from tests.integration.records.test_concurrent_requests import TIMES, at_once
from tests.web.helpers import audit_events

NEW_PASSWORD = "another long passphrase"


def test_a_change_stores_a_new_argon2id_hash_moves_the_epoch_on_and_is_audited_without_the_password(make_user):
    user = make_user("social_worker")
    epoch, old_hash = user.auth_epoch, user.password_hash
    passwords.change_password(db.session, user, current=PASSWORD, new=NEW_PASSWORD)
    db.session.expire_all()
    assert user.auth_epoch == epoch + 1 and user.password_hash != old_hash
    assert accounts.check_password(db.session, user.username, NEW_PASSWORD).id == user.id
    [event] = audit_events("update")
    assert (event.actor_user_id, event.object_type, event.object_id) == (user.id, "user", user.id)
    assert event.detail_dict == {"change": "password_changed"}
    assert all(PASSWORD not in (e.detail or "") and NEW_PASSWORD not in (e.detail or "") for e in audit_events())


def test_a_wrong_current_password_is_counted_in_a_commit_of_its_own(make_user):
    user = make_user("police_officer")
    with pytest.raises(ValidationFailed) as refused:
        passwords.change_password(db.session, user, current="wrong wrong wrong", new=NEW_PASSWORD)
    assert refused.value.fields == {"current_password": "The current password is not right"}
    db.session.rollback()  # what the page does with a refusal: the count and its audit event stay
    db.session.expire_all()
    assert user.failed_sign_ins == 1
    assert [e.detail_dict for e in audit_events("sign_in_failed")] == [{"why": "bad_current_password"}]


def test_a_locked_account_is_refused_before_any_password_work(app, make_user, monkeypatch):
    from argon2 import PasswordHasher

    user = make_user("youth_worker")
    for _ in range(app.config["LOCKOUT_THRESHOLD"] - 1):
        with pytest.raises(ValidationFailed):
            passwords.change_password(db.session, user, current="wrong wrong wrong", new=NEW_PASSWORD)
    with pytest.raises(AccountLocked):  # the failure that locks says so at once
        passwords.change_password(db.session, user, current="wrong wrong wrong", new=NEW_PASSWORD)
    checked = []
    monkeypatch.setattr(PasswordHasher, "verify", lambda _hasher, stored, given: checked.append(stored) or True)
    with pytest.raises(AccountLocked):
        passwords.change_password(db.session, user, current=PASSWORD, new=NEW_PASSWORD)
    assert checked == []


def test_wrong_current_passwords_sent_at_once_from_one_session_all_count_towards_the_lock_out(app, login, make_user):
    user = make_user("team_manager")
    app.config["WTF_CSRF_ENABLED"] = False  # the count is under test here, not CSRF
    cookie = login(user).get_cookie("session").value
    guess = {"current_password": "guess guess guess", "new_password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}

    def send(client):
        client.set_cookie("session", cookie)
        return client.post("/account/password", data=guess).status_code

    assert at_once(app, send) == [422] * TIMES
    db.session.expire_all()
    assert user.locked_until is not None  # TIMES guesses passed the threshold, however they interleaved
    assert len(audit_events("sign_in_failed")) == TIMES


def test_only_an_administrator_or_the_command_line_sets_a_temporary_password(make_user):
    from safeguarding.errors import PermissionDenied

    user = make_user("social_worker")
    with pytest.raises(PermissionDenied):
        passwords.set_temporary_password(db.session, make_user("safeguarding_lead"), user)
    temporary = passwords.set_temporary_password(db.session, None, user)
    db.session.expire_all()
    assert user.must_change_password
    assert accounts.check_password(db.session, user.username, temporary).id == user.id
    passwords.change_password(db.session, user, current=temporary, new=NEW_PASSWORD)
    db.session.expire_all()
    assert not user.must_change_password
