"""Only safeguarding leads reach the audit workspace and its API; everyone else is refused (and audited), and
every look at the log by a lead is itself audited."""

import uuid

import pytest

from models.user import ROLES
from tests.web.helpers import audit_events

UNKNOWN = str(uuid.uuid4())
PAGES = [
    "/audit/",
    "/audit/?check=full",
    "/audit/people",
    "/audit/users",
    "/audit/refused",
    "/audit/break-glass",
    f"/audit/break-glass/{UNKNOWN}",
    "/audit/monitoring",
    "/audit/export/refused.csv",
    "/audit/export/break-glass.csv",
    "/audit/export/monitoring.csv",
    "/audit/checkpoint.json",
]
API = ["/api/v1/audit/events", "/api/v1/audit/verify"]
OTHER_ROLES = [role for role in ROLES if role != "safeguarding_lead"]


def denials_of(user) -> list:
    return [e for e in audit_events("denied") if e.actor_user_id == user.id]


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_is_refused_every_audit_page_and_the_refusal_is_audited(app, make_user, login, role):
    user = make_user(role)
    client = login(user)
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 403, path
        assert "Log status" not in response.get_data(as_text=True) and "text/csv" not in response.content_type
    response = client.post(f"/audit/break-glass/{UNKNOWN}", data={"outcome": "justified"})
    assert response.status_code in (400, 403)  # CSRF or the role check: either way, nothing is saved
    denials = denials_of(user)
    assert len(denials) >= len(PAGES)
    assert {e.object_id for e in denials} >= {"audit_pages.overview", "audit_pages.export", "audit_pages.checkpoint"}
    assert all(e.outcome == "denied" and e.object_type == "route" for e in denials)
    assert audit_events("audit_view") == []


@pytest.mark.parametrize("role", OTHER_ROLES)
def test_every_other_role_gets_403_from_the_audit_api_and_it_is_audited(app, client, make_user, api, role):
    user = make_user(role)
    headers = api(user)
    for path in API:
        response = client.get(path, headers=headers, query_string={"person_id": UNKNOWN})
        assert response.status_code == 403, path
        assert response.is_json and response.get_json()["error"]
        assert "results" not in response.get_json()
    assert sorted(e.object_id for e in denials_of(user)) == ["api.audit_events", "api.audit_verify"]


def test_anonymous_callers_are_sent_to_sign_in_or_get_401(client):
    for path in PAGES:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/sign-in")
    for path in API:
        response = client.get(path)
        assert response.status_code == 401 and response.is_json, path
    assert audit_events("audit_view") == []


def test_a_bad_token_gets_401_not_the_log(client):
    response = client.get("/api/v1/audit/events", headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 401


def test_every_look_at_the_log_by_a_lead_is_audited(lead, lead_client, client, api, accesses):
    pages = [p for p in PAGES if UNKNOWN not in p] + [f"/audit/break-glass/{accesses.grant.id}"]
    for path in pages:
        before = len(audit_events("audit_view")) + len(audit_events("export"))
        response = lead_client.get(path)
        assert response.status_code == 200, path
        looks = [*audit_events("audit_view"), *audit_events("export")]
        assert len(looks) == before + 1, path
        assert all(e.actor_user_id == lead.id and e.object_type == "audit_log" for e in looks)
    headers = api(lead)
    for path in API:
        before = len(audit_events("audit_view"))
        assert client.get(path, headers=headers).status_code == 200
        assert len(audit_events("audit_view")) == before + 1, path


def test_downloads_are_audited_as_exports(lead, lead_client, accesses):
    lead_client.get("/audit/checkpoint.json")
    lead_client.get("/audit/export/refused.csv")
    exports = audit_events("export")
    assert [e.detail_dict["view"] for e in exports] == ["checkpoint", "refused"]
    assert all(e.actor_user_id == lead.id for e in exports)


def test_an_unknown_grant_is_404_for_a_lead(lead_client):
    assert lead_client.get(f"/audit/break-glass/{UNKNOWN}").status_code == 404


def test_audit_pages_are_never_cached(lead_client):
    assert lead_client.get("/audit/").headers["Cache-Control"] == "no-store"
