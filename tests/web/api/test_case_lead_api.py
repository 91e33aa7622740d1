"""POST /cases/ID/lead: a team manager of the lead agency hands the case to another of its practitioners; everyone
else is refused, and bad or stale input changes nothing."""

import json

import pytest

from app.extensions import db
from models.user import ROLES
from safeguarding import accounts
from tests.web.helpers import audit_events

UNKNOWN_ID = "3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f"


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def manager(make_user, lead):
    return make_user("team_manager", agency=lead.agency)


@pytest.fixture
def colleague(make_user, lead):
    return make_user("social_worker", agency=lead.agency)


@pytest.fixture
def person(lead, make_person):
    return make_person(lead, given_name="Tayo")


@pytest.fixture
def case(lead, person, make_case):
    return make_case(lead, person["id"])


def handing(case, user, **changes) -> dict:
    return {"user_id": user.id, "version": case["version"], **changes}


def lead_changes(case_id) -> list[dict]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case_id]
    return [d for d in details if d.get("change") == "lead_changed"]


def unchanged(as_user, lead, case) -> bool:
    read = as_user(lead).get(f"/cases/{case['id']}").get_json()
    return (read["lead_worker"]["id"], read["version"]) == (lead.id, case["version"]) and not lead_changes(case["id"])


def test_a_manager_on_the_team_gets_the_case_back_as_get_shows_it(as_user, add_member, lead, manager, colleague, case):
    add_member(lead, case["id"], manager)
    response = as_user(manager).post(f"/cases/{case['id']}/lead", json=handing(case, colleague))
    assert response.status_code == 200
    changed = response.get_json()
    assert changed["lead_worker"] == {"id": colleague.id, "display_name": colleague.display_name}
    assert changed["version"] == case["version"] + 1 and changed["your_role"] == "team"
    assert {m["user_id"] for m in changed["members"]} == {lead.id, manager.id, colleague.id}
    assert changed == as_user(manager).get(f"/cases/{case['id']}").get_json()
    assert lead_changes(case["id"]) == [
        {"change": "lead_changed", "from_user_id": lead.id, "user_id": colleague.id, "joined_team": True}
    ]


def test_a_manager_off_the_team_hands_the_case_on_and_learns_only_what_changed(as_user, lead, manager, colleague, case):
    """The lead has left the case to nobody: their manager need not join it, or read it, to hand it on."""
    response = as_user(manager).post(f"/cases/{case['id']}/lead", json=handing(case, colleague))
    assert response.status_code == 200
    assert response.get_json() == {
        "id": case["id"],
        "version": case["version"] + 1,
        "status": "open",
        "lead_worker": {"id": colleague.id, "display_name": colleague.display_name},
    }
    read = as_user(colleague).get(f"/cases/{case['id']}").get_json()
    assert read["your_role"] == "team" and read["lead_worker"]["id"] == colleague.id


@pytest.mark.parametrize("role", sorted(set(ROLES) - {"team_manager"}))
def test_every_other_role_is_refused_by_the_route_and_audited(as_user, make_user, lead, colleague, case, role):
    caller = make_user(role, agency=lead.agency)
    response = as_user(caller).post(f"/cases/{case['id']}/lead", json=handing(case, colleague))
    assert response.status_code == 403 and "Tayo" not in response.get_data(as_text=True)
    denied = [e for e in audit_events("denied") if e.actor_user_id == caller.id]
    assert [e.object_id for e in denied] == ["api.reassign_case_lead"]
    assert unchanged(as_user, lead, case)


def test_the_lead_worker_cannot_hand_on_their_own_case(as_user, lead, colleague, case):
    response = as_user(lead).post(f"/cases/{case['id']}/lead", json=handing(case, colleague))
    assert response.status_code == 403
    assert unchanged(as_user, lead, case)


def test_a_team_manager_of_another_agency_is_refused_and_audited(
    as_user, make_user, make_agency, add_member, lead, case
):
    other = make_user("team_manager", agency=make_agency(kind="youth_justice"))
    add_member(lead, case["id"], other)  # on the team, but not of the lead agency
    response = as_user(other).post(f"/cases/{case['id']}/lead", json=handing(case, other))
    assert response.status_code == 403 and "team manager of the lead agency" in response.get_json()["error"]
    assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case["id"]] == [other.id]
    assert unchanged(as_user, lead, case)


def test_a_stale_version_is_409_and_changes_nothing(as_user, lead, manager, colleague, case):
    response = as_user(manager).post(f"/cases/{case['id']}/lead", json=handing(case, colleague, version=7))
    assert response.status_code == 409 and "changed by someone else" in response.get_json()["error"]
    assert unchanged(as_user, lead, case)


def deactivated(user):
    accounts.deactivate_user(db.session, None, user)
    db.session.commit()
    return user


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ("no_user", {"$.user_id"}),
        ("unknown_user", {"$.user_id"}),
        ("user_not_an_id", {"$.user_id"}),
        ("other_agency", {"$.user_id"}),
        ("inactive", {"$.user_id"}),
        ("safeguarding_lead", {"$.user_id"}),
        ("current_lead", {"$.user_id"}),
        ("no_version", {"$.version"}),
        ("version_as_text", {"$.version"}),
        ("extra_key", {"$.reason"}),
        ("misspelt_key", {"$.userid"}),
    ],
)
def test_bad_input_is_422_by_path_and_changes_nothing(
    as_user, make_user, make_agency, lead, manager, colleague, case, change, fields
):
    body = handing(case, colleague)
    if change == "no_user":
        del body["user_id"]
    elif change == "unknown_user":
        body["user_id"] = UNKNOWN_ID
    elif change == "user_not_an_id":
        body["user_id"] = 42
    elif change == "other_agency":
        body["user_id"] = make_user("social_worker", agency=make_agency(kind="social_care")).id
    elif change == "inactive":
        body["user_id"] = deactivated(make_user("social_worker", agency=lead.agency)).id
    elif change == "safeguarding_lead":
        body["user_id"] = make_user("safeguarding_lead", agency=lead.agency).id
    elif change == "current_lead":
        body["user_id"] = lead.id
    elif change == "no_version":
        del body["version"]
    elif change == "version_as_text":
        body["version"] = "1"
    elif change == "extra_key":
        body["reason"] = "Moved to another team"
    elif change == "misspelt_key":
        body["userid"] = body.pop("user_id")
        fields = {"$.userid"}
    response = as_user(manager).post(f"/cases/{case['id']}/lead", json=body)
    assert response.status_code == 422
    answer = response.get_json()
    assert answer["error"] and set(answer["fields"]) == fields
    assert unchanged(as_user, lead, case)


def test_a_body_that_is_not_an_object_is_refused(as_user, lead, manager, colleague, case):
    response = as_user(manager).post(f"/cases/{case['id']}/lead", json=[colleague.id])
    assert response.status_code in (400, 422)
    assert unchanged(as_user, lead, case)


def test_an_unreadable_body_is_400(as_user, lead, manager, case):
    response = as_user(manager).raw("POST", f"/cases/{case['id']}/lead", b'{"user_id": ')
    assert response.status_code == 400
    assert unchanged(as_user, lead, case)


def test_unauthenticated_callers_get_401(client, colleague, case):
    response = client.post(f"/api/v1/cases/{case['id']}/lead", json=handing(case, colleague))
    assert response.status_code == 401 and response.is_json


@pytest.mark.parametrize("case_id", [UNKNOWN_ID, "1", "case-b"])
def test_an_unknown_case_is_404(as_user, manager, colleague, case_id):
    response = as_user(manager).post(f"/cases/{case_id}/lead", json={"user_id": colleague.id, "version": 1})
    assert response.status_code == 404
