"""A team manager approves case closure (SPEC 1): a lead worker who is not a manager asks (202, the case stays
open), a team manager of the lead agency approves or returns the request with a reason, and the lead may withdraw
it; where the lead agency has no team manager, the lead closes at once."""

import json

import pytest

from models.user import ROLES
from safeguarding.validation import uk_today
from tests.web.api.test_case_status_api import REASON, closing
from tests.web.helpers import audit_events

WHY_NOT = "The return-home interview after last week's episode has not happened yet"


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def manager(make_user, lead):
    return make_user("team_manager", agency=lead.agency)


@pytest.fixture
def case(lead, manager, make_person, make_case):
    return make_case(lead, make_person(lead, given_name="Tayo")["id"])


def changes(case_id) -> list[str]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case_id]
    return [d["change"] for d in details if "change" in d]


def ask(as_user, lead, case):
    response = as_user(lead).patch(f"/cases/{case['id']}", json=closing(case))
    assert response.status_code == 202, response.get_json()
    return response.get_json()


def decide(as_user, user, case, decision, **extra):
    body = {"version": case["version"], **extra}
    return as_user(user).post(f"/cases/{case['id']}/closure-request/{decision}", json=body)


def test_a_lead_who_is_not_a_manager_asks_and_the_case_stays_open(as_user, lead, case):
    asked = ask(as_user, lead, case)
    assert asked["status"] == "open" and asked["closed_on"] is None
    request = asked["closure_request"]
    assert request["by"] == {"id": lead.id, "display_name": lead.display_name} and request["reason"] == REASON
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["closure_request"] == request
    assert changes(case["id"]) == ["closure_requested"]
    again = as_user(lead).patch(f"/cases/{case['id']}", json=closing(asked))
    assert again.status_code == 409 and "already waits" in again.get_json()["error"]


def test_a_manager_approves_and_the_case_closes_today_with_the_reason_asked(as_user, lead, manager, case):
    asked = ask(as_user, lead, case)
    response = decide(as_user, manager, asked, "approve")
    assert response.status_code == 200
    data = response.get_json()
    assert data["status"] == "closed" and data["closed_on"] == uk_today().isoformat()
    (row,) = [c for c in as_user(lead).get("/cases").get_json()["results"] if c["id"] == case["id"]]
    assert row["status"] == "closed"  # the lead's to reopen from their caseload
    assert changes(case["id"]) == ["closure_requested", "closed"]
    (approval,) = [e for e in audit_events("update") if (e.detail_dict or {}).get("change") == "closed"]
    assert approval.actor_user_id == manager.id and approval.detail_dict["approved_request_of"] == lead.id


def test_a_manager_returns_the_request_and_the_lead_sees_why(as_user, lead, manager, case):
    asked = ask(as_user, lead, case)
    response = decide(as_user, manager, asked, "return", reason=WHY_NOT)
    assert response.status_code == 200
    seen = as_user(lead).get(f"/cases/{case['id']}").get_json()
    assert seen["status"] == "open" and seen["closure_request"] is None
    assert seen["closure_returned"]["by"]["id"] == manager.id and seen["closure_returned"]["reason"] == WHY_NOT
    assert changes(case["id"]) == ["closure_requested", "closure_returned"]
    # Asking again clears the manager's last answer.
    asked_again = ask(as_user, lead, seen)
    assert asked_again["closure_returned"] is None and asked_again["closure_request"]["reason"] == REASON


def test_the_lead_withdraws_the_request(as_user, lead, case):
    asked = ask(as_user, lead, case)
    response = decide(as_user, lead, asked, "withdraw")
    assert response.status_code == 200 and response.get_json()["closure_request"] is None
    assert changes(case["id"]) == ["closure_requested", "closure_request_withdrawn"]


def test_a_manager_on_the_team_closes_at_once(as_user, lead, manager, case):
    assert as_user(lead).post(f"/cases/{case['id']}/members", json={"user_id": manager.id}).status_code == 201
    current = as_user(lead).get(f"/cases/{case['id']}").get_json()
    response = as_user(manager).patch(f"/cases/{case['id']}", json=closing(current))
    assert response.status_code == 200 and response.get_json()["status"] == "closed"


def test_in_an_agency_without_a_manager_the_lead_closes_at_once(
    as_user, make_user, make_agency, make_person, make_case
):
    lead = make_user("social_worker", agency=make_agency(kind="youth_justice"))
    case = make_case(lead, make_person(lead, given_name="Kofi")["id"])
    response = as_user(lead).patch(f"/cases/{case['id']}", json=closing(case))
    assert response.status_code == 200 and response.get_json()["status"] == "closed"


@pytest.mark.parametrize("decision", ["approve", "return"])
def test_only_a_manager_of_the_lead_agency_decides(as_user, make_user, make_agency, lead, case, decision):
    asked = ask(as_user, lead, case)
    others = [lead, make_user("team_manager", agency=make_agency(kind="youth_justice"))]
    others += [make_user(role) for role in sorted(ROLES) if role != "team_manager"]
    for user in others:
        response = decide(as_user, user, asked, decision, **({"reason": WHY_NOT} if decision == "return" else {}))
        assert response.status_code == 403, user.role
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["closure_request"] is not None


def test_nobody_but_the_lead_withdraws(as_user, make_user, lead, manager, case):
    asked = ask(as_user, lead, case)
    assert decide(as_user, manager, asked, "withdraw").status_code == 403  # not on the team
    assert decide(as_user, make_user("police_officer"), asked, "withdraw").status_code == 403


@pytest.mark.parametrize(
    ("sent", "field"),
    [
        ({}, "$.reason"),
        ({"reason": "  "}, "$.reason"),
        ({"reason": "x" * 501}, "$.reason"),
        ({"colour": 1}, "$.colour"),
    ],
)
def test_a_return_needs_a_reason_and_nothing_else(as_user, lead, manager, case, sent, field):
    asked = ask(as_user, lead, case)
    response = decide(as_user, manager, asked, "return", **sent)
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["closure_request"] is not None


def test_a_stale_or_missing_request_is_refused(as_user, lead, manager, case):
    assert decide(as_user, manager, case, "approve").status_code == 409  # nothing asked
    asked = ask(as_user, lead, case)
    assert decide(as_user, manager, {**asked, "version": asked["version"] - 1}, "approve").status_code == 409
    assert as_user(manager).post(f"/cases/{case['id']}/closure-request/approve", json={}).status_code == 422


def test_an_unknown_case_and_a_signed_out_caller_are_refused(as_user, client, manager):
    unknown = "/cases/3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f/closure-request/approve"
    assert as_user(manager).post(unknown, json={"version": 1}).status_code == 404
    assert client.post(f"/api/v1{unknown}", json={"version": 1}).status_code == 401
