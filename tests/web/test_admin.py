"""Administration pages: agencies and users, for administrators only."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models.agency import Agency
from models.user import ROLES, User
from safeguarding import accounts
from tests.fixtures.accounts import PASSWORD
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page

NON_ADMIN_ROLES = [r for r in ROLES if r != "admin"]


@pytest.fixture
def admin(login, make_user):
    return login(make_user("admin"))


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.mark.parametrize("path", ["/admin/agencies", "/admin/agencies/new", "/admin/users", "/admin/users/new"])
def test_admin_pages_are_good_pages(admin, path):
    assert_good_page(admin.get(path))


def test_admin_creates_an_external_agency(admin):
    token = csrf_token(admin, "/admin/agencies/new")
    response = admin.post(
        "/admin/agencies/new",
        data={"name": "Eastmoor Constabulary", "kind": "police", "external": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    agency = db.session.scalar(select(Agency).where(Agency.name == "Eastmoor Constabulary"))
    assert agency.kind == "police" and agency.external
    assert "External" in page(admin.get("/admin/agencies")).text
    assert any(e.object_id == agency.id for e in audit_events("create"))


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "", "kind": "police"}, "Enter the agency's name"),
        ({"name": "Valid", "kind": ""}, "Select the kind of agency"),
        ({"name": "Valid", "kind": "bakery"}, "Select kind of agency from the list"),
        ({"name": "x" * 121, "kind": "police"}, "Agency name must be 120 characters or fewer"),
        ({"name": "Bad\x00Name", "kind": "police"}, "control characters"),
    ],
)
def test_bad_agency_input_shows_form_errors_and_writes_nothing(admin, data, message):
    before = count(Agency)
    response = admin.post("/admin/agencies/new", data={**data, "csrf_token": csrf_token(admin, "/admin/agencies/new")})
    assert response.status_code == 422
    assert message in page(response).select_one(".govuk-error-summary").text
    assert count(Agency) == before


def test_duplicate_agency_name_is_refused(admin, make_agency):
    make_agency(name="Northbridge Police")
    token = csrf_token(admin, "/admin/agencies/new")
    response = admin.post(
        "/admin/agencies/new", data={"name": "northbridge police", "kind": "police", "csrf_token": token}
    )
    assert response.status_code == 422 and "already exists" in page(response).text


def test_admin_creates_a_user_who_must_enrol(admin, make_agency):
    agency = make_agency(kind="youth_service")
    token = csrf_token(admin, "/admin/users/new")
    response = admin.post(
        "/admin/users/new",
        data={
            "given_name": "Zoë",
            "family_name": "Ní Bhriain",
            "username": "zoe.nibhriain",
            "agency_id": agency.id,
            "role": "youth_worker",
            "password": PASSWORD,
            "csrf_token": token,
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.username == "zoe.nibhriain"))
    assert user.display_name == "Zoë Ní Bhriain" and not user.totp_confirmed
    assert "Authenticator not set up" in page(admin.get(f"/admin/users/{user.id}")).text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "short"}, "at least 12 characters"),
        ({"username": "has space"}, "only letters, numbers"),
        ({"role": "superuser"}, "Select role from the list"),
        ({"agency_id": "not-an-agency"}, "Select agency from the list"),
        ({"given_name": ""}, "Enter the user's given name"),
    ],
)
def test_bad_user_input_shows_form_errors_and_writes_nothing(admin, make_agency, changes, message):
    agency = make_agency()
    before = count(User)
    data = {
        "given_name": "Ada",
        "family_name": "Lovelace",
        "username": "ada.lovelace",
        "agency_id": agency.id,
        "role": "social_worker",
        "password": PASSWORD,
        "csrf_token": csrf_token(admin, "/admin/users/new"),
        **changes,
    }
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 422
    assert message in page(response).select_one(".govuk-error-summary").text
    assert count(User) == before


def test_duplicate_username_is_refused(admin, make_user, make_agency):
    existing = make_user("social_worker")
    data = {
        "given_name": "A",
        "family_name": "B",
        "username": existing.username.upper(),
        "role": "social_worker",
        "agency_id": existing.agency_id,
        "password": PASSWORD,
        "csrf_token": csrf_token(admin, "/admin/users/new"),
    }
    response = admin.post("/admin/users/new", data=data)
    assert response.status_code == 422 and "already taken" in page(response).text


@pytest.mark.parametrize(
    ("action", "check"),
    [
        ("deactivate", lambda u: not u.active and u.deactivated_at is not None),
        ("reset-mfa", lambda u: not u.totp_confirmed),
        ("unlock", lambda u: u.locked_until is None),
    ],
)
def test_admin_account_actions(admin, make_user, action, check):
    user = make_user("social_worker")
    epoch = user.auth_epoch
    token = csrf_token(admin, f"/admin/users/{user.id}")
    assert admin.post(f"/admin/users/{user.id}/{action}", data={"csrf_token": token}).status_code == 302
    db.session.expire_all()
    assert check(user)
    if action in ("deactivate", "reset-mfa"):
        assert user.auth_epoch == epoch + 1
    assert any(e.object_id == user.id and e.action == "update" for e in audit_events())


def test_reset_mfa_changes_the_secret(admin, make_user):
    user = make_user("social_worker")
    old = user.totp_secret
    admin.post(f"/admin/users/{user.id}/reset-mfa", data={"csrf_token": csrf_token(admin, f"/admin/users/{user.id}")})
    db.session.expire_all()
    assert user.totp_secret != old


def test_admin_action_on_unknown_user_is_404(admin):
    token = csrf_token(admin, "/admin/users")
    assert (
        admin.post(
            "/admin/users/00000000-0000-0000-0000-000000000000/deactivate", data={"csrf_token": token}
        ).status_code
        == 404
    )


def test_admin_cannot_deactivate_themselves(login, make_user):
    me = make_user("admin")
    browser = login(me)
    token = csrf_token(browser, f"/admin/users/{me.id}")
    response = browser.post(f"/admin/users/{me.id}/deactivate", data={"csrf_token": token})
    assert response.status_code == 422
    db.session.expire_all()
    assert me.active


@pytest.mark.parametrize("role", NON_ADMIN_ROLES)
def test_every_other_role_is_refused_on_admin_pages_and_audited(login, make_user, make_agency, role):
    browser = login(make_user(role))
    target = make_user("social_worker")
    agencies_before = count(Agency)
    token = csrf_token(browser, "/")
    for path in (
        "/admin/agencies",
        "/admin/agencies/new",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{target.id}",
    ):
        assert browser.get(path).status_code == 403, path
    for path in ("/admin/agencies/new", "/admin/users/new", f"/admin/users/{target.id}/deactivate"):
        assert browser.post(path, data={"csrf_token": token, "name": "X", "kind": "police"}).status_code == 403
    db.session.expire_all()
    assert target.active and count(Agency) == agencies_before
    assert len(audit_events("denied")) == 8


def test_admin_service_refuses_non_admin_actor(make_user):
    with pytest.raises(accounts.PermissionDenied):
        accounts.create_agency(db.session, make_user("social_worker"), name="X", kind="police")
