"""PATCH /cases/ID: closing a case with a reason and reopening it; without a status, changing an open case's risk
level or concerns as the work goes on; and everyone who may not."""

import json

import pytest

from models.user import ROLES
from safeguarding.validation import uk_today
from tests.web.helpers import audit_events

REASON = "Plan complete: back in school full time and no missing episodes since March"


def closing(case, **changes) -> dict:
    return {"version": case["version"], "status": "closed", "closed_reason": REASON, **changes}


def status_changes(case_id) -> list[str]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case_id]
    return [d["change"] for d in details if d.get("change") in ("closed", "reopened")]


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def person(lead, make_person):
    return make_person(lead, given_name="Tayo")


@pytest.fixture
def case(lead, person, make_case):
    return make_case(lead, person["id"])


def test_the_lead_worker_closes_the_case_and_gets_it_back_as_get_shows_it(as_user, lead, case):
    response = as_user(lead).patch(f"/cases/{case['id']}", json=closing(case))
    assert response.status_code == 200
    closed = response.get_json()
    today = uk_today().isoformat()
    assert (closed["status"], closed["closed_on"], closed["closed_reason"]) == ("closed", today, REASON)
    assert closed["version"] == case["version"] + 1
    # The lead recorded the person this month, so they still read the case, now as a reader.
    read = as_user(lead).get(f"/cases/{case['id']}").get_json()
    assert {k: read[k] for k in ("status", "closed_on", "closed_reason", "version", "your_role")} == {
        **{k: closed[k] for k in ("status", "closed_on", "closed_reason", "version")},
        "your_role": "reader",
    }
    assert status_changes(case["id"]) == ["closed"]


def test_reopening_takes_the_version_and_clears_the_closure(as_user, lead, case):
    caller = as_user(lead)
    closed = caller.patch(f"/cases/{case['id']}", json=closing(case)).get_json()
    response = caller.patch(f"/cases/{case['id']}", json={"version": closed["version"], "status": "open"})
    assert response.status_code == 200
    reopened = response.get_json()
    assert (reopened["status"], reopened["closed_on"], reopened["closed_reason"]) == ("open", None, None)
    assert reopened["your_role"] == "team" and status_changes(case["id"]) == ["closed", "reopened"]


def test_closing_ends_a_team_members_access_to_the_subject(as_user, make_user, lead, person, case, add_member):
    officer = make_user("police_officer")
    add_member(lead, case["id"], officer)
    assert as_user(officer).get(f"/people/{person['id']}").status_code == 200
    assert as_user(lead).patch(f"/cases/{case['id']}", json=closing(case)).status_code == 200
    for path in (f"/people/{person['id']}", f"/cases/{case['id']}", f"/cases/{case['id']}/chronology"):
        refused = as_user(officer).get(path)
        assert refused.status_code == 403 and "Tayo" not in refused.get_data(as_text=True), path


def test_a_stale_version_or_no_change_is_409_and_changes_nothing(as_user, lead, case):
    caller = as_user(lead)
    stale = caller.patch(f"/cases/{case['id']}", json=closing(case, version=case["version"] + 5))
    assert stale.status_code == 409 and "changed by someone else" in stale.get_json()["error"]
    already = caller.patch(f"/cases/{case['id']}", json={"version": case["version"], "status": "open"})
    assert already.status_code == 409 and "already open" in already.get_json()["error"]
    assert caller.patch(f"/cases/{case['id']}", json=closing(case)).status_code == 200
    again = caller.patch(f"/cases/{case['id']}", json=closing(case, version=case["version"] + 1))
    assert again.status_code == 409 and "already closed" in again.get_json()["error"]
    assert status_changes(case["id"]) == ["closed"]


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"closed_reason": None}, {"$.closed_reason"}),
        ({"closed_reason": ""}, {"$.closed_reason"}),
        ({"closed_reason": 42}, {"$.closed_reason"}),
        ({"closed_reason": "x" * 501}, {"$.closed_reason"}),
        ({"status": "archived"}, {"$.status"}),
        ({"status": None}, {"$.status"}),
        ({"version": "1"}, {"$.version"}),
        ({"version": None, "status": "done", "closed_reason": None}, {"$.version", "$.status"}),
        ({"risk_level": "low"}, {"$.risk_level"}),
        ({"status": "open"}, {"$.closed_reason"}),  # a reason is for closing only
    ],
)
def test_bad_input_is_422_by_field_and_writes_nothing(as_user, lead, case, changes, fields):
    response = as_user(lead).patch(f"/cases/{case['id']}", json=closing(case, **changes))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] and set(body["fields"]) == fields
    read = as_user(lead).get(f"/cases/{case['id']}").get_json()
    assert (read["status"], read["version"], read["closed_reason"]) == ("open", case["version"], None)
    assert status_changes(case["id"]) == [] and [e for e in audit_events("denied") if e.object_id == case["id"]] == []


def test_a_body_that_is_not_an_object_is_refused(as_user, lead, case):
    response = as_user(lead).patch(f"/cases/{case['id']}", json=["closed"])
    assert response.status_code in (400, 422)
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["status"] == "open"


@pytest.mark.parametrize("role", sorted(ROLES))
def test_everyone_but_the_lead_agencys_team_is_refused_and_audited(as_user, make_user, lead, case, role):
    caller = make_user(role)  # not on the team (and admins and leads could never join it)
    response = as_user(caller).patch(f"/cases/{case['id']}", json=closing(case))
    assert response.status_code == 403
    if role in ("admin", "safeguarding_lead"):  # refused by the route for their role
        return
    denied = [e for e in audit_events("denied") if e.object_id == case["id"]]
    assert [e.actor_user_id for e in denied] == [caller.id]
    assert as_user(lead).get(f"/cases/{case['id']}").get_json()["status"] == "open"


def test_of_the_team_only_the_lead_worker_and_a_lead_agency_team_manager_may_close(
    as_user, make_user, lead, case, add_member
):
    """SPEC 1: team managers approve case closure; a colleague of the lead agency on the team may not close it."""
    officer = make_user("police_officer")
    colleague = make_user("social_worker", agency=lead.agency)
    manager = make_user("team_manager", agency=lead.agency)
    for member in (officer, colleague, manager):
        add_member(lead, case["id"], member)
    assert as_user(officer).patch(f"/cases/{case['id']}", json=closing(case)).status_code == 403
    assert as_user(colleague).patch(f"/cases/{case['id']}", json=closing(case)).status_code == 403
    response = as_user(manager).patch(f"/cases/{case['id']}", json=closing(case))
    # The case alone let the manager read it: closing leaves them only what their change did, not the record.
    assert response.status_code == 200
    assert response.get_json() == {"id": case["id"], "version": case["version"] + 1, "status": "closed"} | {
        "closed_on": response.get_json()["closed_on"]
    }


def test_unauthenticated_callers_get_401(client, case):
    response = client.patch(f"/api/v1/cases/{case['id']}", json=closing(case))
    assert response.status_code == 401 and response.is_json


@pytest.mark.parametrize("case_id", ["3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", "1", "case-b"])
def test_an_unknown_case_is_404(as_user, lead, case_id):
    response = as_user(lead).patch(f"/cases/{case_id}", json={"version": 1, "status": "closed", "closed_reason": "x"})
    assert response.status_code == 404


# --- Without a status: the risk level and concerns ---


def reassessments(case_id) -> list[list[str]]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case_id]
    return [d["fields"] for d in details if d.get("change") == "reassessed"]


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
def test_reassessment_bad_input_is_422_by_field_and_writes_nothing(as_user, lead, case, change, fields):
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


def test_reassessment_unauthenticated_callers_get_401(client, case):
    response = client.patch(f"/api/v1/cases/{case['id']}", json={"version": case["version"], "risk_level": "low"})
    assert response.status_code == 401 and response.is_json


def test_a_closing_that_also_sends_a_new_risk_level_gets_422_naming_it_and_changes_nothing(as_user, lead, case):
    """A status closes or reopens, and nothing else: of the two shapes of a change, the closing is the nearer, so the
    answer names the risk level and lists what a closing takes."""
    response = as_user(lead).patch(f"/cases/{case['id']}", json=closing(case, risk_level="low"))
    assert response.status_code == 422 and list(response.get_json()["fields"]) == ["$.risk_level"]
    assert "closed_reason" in response.get_json()["fields"]["$.risk_level"]  # the fields a closing takes
    read = as_user(lead).get(f"/cases/{case['id']}").get_json()
    assert (read["status"], read["risk_level"], read["version"]) == ("open", "high", case["version"])
    assert status_changes(case["id"]) == []
