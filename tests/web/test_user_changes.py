"""An administrator corrects a user's name or changes their role: audited, and a new role signs the user out
everywhere; a role that cannot lead casework is refused while they lead open cases."""

import pytest

from app.extensions import db
from models.user import ROLES, User
from safeguarding import cases, people
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page
from tests.web.pages.helpers import assert_error_links_resolve, error_summary, post_form

NON_ADMIN_ROLES = [r for r in ROLES if r != "admin"]


@pytest.fixture
def administrator(make_user):
    return make_user("admin")


@pytest.fixture
def admin(login, administrator):
    return login(administrator)


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


def stored(user) -> User:
    db.session.expire_all()
    return db.session.get(User, user.id)


def edit(admin, user, **changes):
    """Post the form as shown (the role as selected, which the helper does not read from a select) with changes."""
    return post_form(admin, f"/admin/users/{user.id}/edit", {"role": user.role, **changes}, prefilled=True)


def test_the_form_is_filled_in_and_linked_from_the_user_page(admin, worker):
    assert page(admin.get(f"/admin/users/{worker.id}")).select_one(f'a[href="/admin/users/{worker.id}/edit"]')
    soup = assert_good_page(admin.get(f"/admin/users/{worker.id}/edit"))
    assert soup.select_one("#given_name")["value"] == worker.given_name
    assert soup.select_one('#role option[value="social_worker"][selected]')


def test_a_corrected_name_is_saved_and_audited_without_signing_the_user_out(admin, login, worker):
    theirs = login(worker)
    response = edit(admin, worker, family_name="Adeyemi-Bell")
    assert response.status_code == 302 and stored(worker).family_name == "Adeyemi-Bell"
    (event,) = [e for e in audit_events("update") if e.object_type == "user"]
    assert event.detail_dict == {"change": "details_changed", "fields": ["family_name"]}
    assert theirs.get("/").status_code == 200


def test_a_new_role_takes_effect_at_once_and_signs_the_user_out_everywhere(admin, login, worker):
    theirs = login(worker)
    response = edit(admin, worker, role="team_manager")
    assert response.status_code == 302 and stored(worker).role == "team_manager"
    (event,) = [e for e in audit_events("update") if e.object_type == "user"]
    assert event.detail_dict == {
        "change": "details_changed",
        "fields": ["role"],
        "from_role": "social_worker",
        "to_role": "team_manager",
    }
    signed_out = theirs.get("/")
    assert signed_out.status_code == 302 and signed_out.headers["Location"].startswith("/sign-in")


def test_nothing_changed_saves_nothing(admin, worker):
    assert edit(admin, worker).status_code == 302
    assert not [e for e in audit_events("update") if e.object_type == "user"]


def test_a_lead_worker_cannot_become_a_role_without_casework(admin, worker):
    child = people.record_person(
        db.session, worker, {"given_name": "Tayo", "family_name": "Bell", "date_of_birth": "2011-03-27"}
    )
    subject = {"type": "person", "id": child.id}
    cases.open_case(
        db.session,
        worker,
        {"subject": subject, "concerns": ["cce"], "risk_level": "high", "summary": "Seen at the station"},
    )
    response = edit(admin, worker, role="safeguarding_lead")
    assert response.status_code == 422 and "leads 1 open case" in error_summary(response)
    assert_error_links_resolve(response)
    assert stored(worker).role == "social_worker"
    assert edit(admin, worker, role="team_manager").status_code == 302


def test_an_administrator_cannot_change_their_own_role(admin, administrator):
    response = edit(admin, administrator, role="social_worker")
    assert response.status_code == 422 and "Another administrator" in error_summary(response)
    assert stored(administrator).role == "admin"


@pytest.mark.parametrize(("field", "value"), [("given_name", ""), ("role", "overlord"), ("family_name", "x" * 81)])
def test_bad_details_are_explained_and_nothing_is_saved(admin, worker, field, value):
    before = (worker.given_name, worker.family_name, worker.role)
    response = edit(admin, worker, **{field: value})
    assert response.status_code == 422 and error_summary(response)
    assert_error_links_resolve(response)
    user = stored(worker)
    assert (user.given_name, user.family_name, user.role) == before


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_only_administrators_change_users(login, make_user, worker, role):
    client = login(make_user(role))
    assert client.get(f"/admin/users/{worker.id}/edit").status_code == 403
    sent = {"csrf_token": csrf_token(client, "/"), "given_name": "Mallory", "family_name": "X", "role": "admin"}
    assert client.post(f"/admin/users/{worker.id}/edit", data=sent).status_code == 403
    assert stored(worker).role == "social_worker"


def test_signed_out_visitors_are_sent_to_sign_in(client, worker):
    response = client.get(f"/admin/users/{worker.id}/edit")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_an_unknown_user_is_not_found(admin):
    assert admin.get("/admin/users/3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f/edit").status_code == 404
