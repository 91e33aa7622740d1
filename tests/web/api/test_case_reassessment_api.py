"""PATCH /cases/ID without a status: the lead changes an open case's risk level or concerns as the work goes on."""

import json

import pytest

from models.user import ROLES
from tests.web.helpers import audit_events


def reassessments(case_id) -> list[list[str]]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case_id]
    return [d["fields"] for d in details if d.get("change") == "reassessed"]


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def person(lead, make_person):
    return make_person(lead, given_name="Tayo")


@pytest.fixture
def case(lead, person, make_case):
    return make_case(lead, person["id"])  # cce, high


def test_the_lead_worker_lowers_the_risk_and_adds_a_concern(as_user, lead, person, case):
    change = {"version": case["version"], "risk_level": "medium", "concerns": ["cce", "missing"]}
    response = as_user(lead).patch(f"/cases/{case['id']}", json=change)
    assert response.status_code == 200
    changed = response.get_json()
    assert (changed["risk_level"], changed["concerns"], changed["version"]) == (
        "medium",
        ["cce", "missing"],
        case["version"] + 1,
    )
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["risk_level"] == "medium"
    assert reassessments(case["id"]) == [["risk_level", "concerns"]]
    event = next(e for e in audit_events("update") if e.object_id == case["id"])
    assert event.person_id_list == [person["id"]]


def test_one_field_alone_changes_only_that_field(as_user, lead, case):
    response = as_user(lead).patch(f"/cases/{case['id']}", json={"version": case["version"], "risk_level": "low"})
    assert response.status_code == 200
    assert (response.get_json()["risk_level"], response.get_json()["concerns"]) == ("low", ["cce"])
    assert reassessments(case["id"]) == [["risk_level"]]


def test_the_same_values_again_change_nothing_and_write_nothing(as_user, lead, case):
    same = {"version": case["version"], "risk_level": "high", "concerns": ["cce"]}
    response = as_user(lead).patch(f"/cases/{case['id']}", json=same)
    assert response.status_code == 200 and response.get_json()["version"] == case["version"]
    assert reassessments(case["id"]) == []


def test_a_stale_version_or_a_closed_case_is_409_and_changes_nothing(as_user, lead, case):
    caller = as_user(lead)
    stale = caller.patch(f"/cases/{case['id']}", json={"version": case["version"] + 3, "risk_level": "low"})
    assert stale.status_code == 409 and "changed by someone else" in stale.get_json()["error"]
    closing = {"version": case["version"], "status": "closed", "closed_reason": "Plan complete"}
    closed = caller.patch(f"/cases/{case['id']}", json=closing).get_json()
    refused = caller.patch(f"/cases/{case['id']}", json={"version": closed["version"], "risk_level": "low"})
    assert refused.status_code == 409 and "reopen it" in refused.get_json()["error"]
    assert caller.get(f"/cases/{case['id']}").get_json()["risk_level"] == "high"
    assert reassessments(case["id"]) == []


@pytest.mark.parametrize(
    ("change", "fields"),
    [
        ({"risk_level": "severe"}, {"$.risk_level"}),
        ({"risk_level": None}, {"$.risk_level"}),
        ({"concerns": []}, {"$.concerns"}),
        ({"concerns": ["cce", "knife_crime"]}, {"$.concerns"}),
        ({"concerns": "cce"}, {"$.concerns"}),
        ({}, {"$.risk_level"}),  # nothing to change
        ({"risk_level": "low", "summary": "Rewritten"}, {"$.summary"}),
        ({"risk_level": "low", "version": "1"}, {"$.version"}),
        ({"risk_level": "low", "version": None}, {"$.version"}),
    ],
)
def test_bad_input_is_422_by_field_and_writes_nothing(as_user, lead, case, change, fields):
    response = as_user(lead).patch(f"/cases/{case['id']}", json={"version": case["version"], **change})
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] and set(body["fields"]) == fields
    read = as_user(lead).get(f"/cases/{case['id']}").get_json()
    assert (read["risk_level"], read["concerns"], read["version"]) == ("high", ["cce"], case["version"])
    assert reassessments(case["id"]) == []


def test_a_missing_version_is_422(as_user, lead, case):
    response = as_user(lead).patch(f"/cases/{case['id']}", json={"risk_level": "low"})
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"$.version"}


@pytest.mark.parametrize("role", sorted(ROLES))
def test_everyone_off_the_team_is_refused_and_audited(as_user, make_user, lead, case, role):
    caller = make_user(role)
    response = as_user(caller).patch(f"/cases/{case['id']}", json={"version": case["version"], "risk_level": "low"})
    assert response.status_code == 403
    if role not in ("admin", "safeguarding_lead"):  # those two are refused by the route for their role
        assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case["id"]] == [caller.id]
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["risk_level"] == "high"


def test_of_the_team_only_the_lead_worker_and_a_lead_agency_team_manager_may_reassess(
    as_user, make_user, lead, case, add_member
):
    officer = make_user("police_officer")
    colleague = make_user("social_worker", agency=lead.agency)
    manager = make_user("team_manager", agency=lead.agency)
    for member in (officer, colleague, manager):
        add_member(lead, case["id"], member)
    change = {"version": case["version"], "risk_level": "low"}
    assert as_user(officer).patch(f"/cases/{case['id']}", json=change).status_code == 403
    assert as_user(colleague).patch(f"/cases/{case['id']}", json=change).status_code == 403
    assert as_user(manager).patch(f"/cases/{case['id']}", json=change).status_code == 200


def test_unauthenticated_callers_get_401(client, case):
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"version": case["version"], "risk_level": "low"})
    assert response.status_code == 401 and response.is_json
