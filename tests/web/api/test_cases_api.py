"""/cases: opening, reading, the team, and attempts to reach another case by its id."""

import pytest

from tests.web.api.client import case_body
from tests.web.helpers import audit_events


def test_opening_a_case_makes_the_caller_lead_worker_and_member(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker)
    response = as_user(worker).post("/cases", json=case_body(person["id"], concerns=["cce", "missing"]))
    assert response.status_code == 201
    case = response.get_json()
    assert case["lead_worker"]["id"] == worker.id and case["lead_agency"]["id"] == worker.agency_id
    assert [m["user_id"] for m in case["members"]] == [worker.id]
    assert case["subject"] == {"type": "person", "id": person["id"]}
    assert (case["status"], case["risk_level"], case["concerns"]) == ("open", "high", ["cce", "missing"])
    assert as_user(worker).get(f"/cases/{case['id']}").get_json()["summary"] == case_body("x")["summary"]


def test_a_case_can_be_about_a_place_its_opener_works_in(as_user, make_user, make_person, link):
    worker = make_user("youth_worker")
    caller = as_user(worker)
    place = caller.post("/places", json={"name": "Underpass", "kind": "other"}).get_json()
    about_place = case_body(place["id"], subject={"type": "place", "id": place["id"]})
    assert caller.post("/cases", json=about_place).status_code == 403  # nobody they work with is linked to it yet
    link(worker, make_person(worker)["id"], "place", place["id"], "frequents")
    response = caller.post("/cases", json=about_place)
    assert response.status_code == 201 and response.get_json()["subject"]["type"] == "place"


def test_emergency_access_reads_but_cannot_open_a_case_to_keep_it(as_user, make_user, make_person):
    person = make_person(make_user("social_worker"))
    officer = as_user(make_user("police_officer"))
    reason = {"reason": "Child reported missing tonight, found with adults"}
    assert officer.post(f"/people/{person['id']}/break-glass", json=reason).status_code == 201
    assert officer.get(f"/people/{person['id']}").status_code == 200
    refused = officer.post("/cases", json=case_body(person["id"]))
    assert refused.status_code == 403 and "emergency access" in refused.get_json()["error"].lower()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"concerns": []}, "$.concerns"),
        ({"concerns": ["gangs"]}, "$.concerns"),
        ({"risk_level": "severe"}, "$.risk_level"),
        ({"summary": ""}, "$.summary"),
        ({"subject": "a person"}, "$.subject"),
        ({"subject": {"type": "school", "id": "x"}}, "$.subject.type"),
        ({"subject": {"type": "person", "id": None}}, "$.subject.id"),
        ({"subject": {"type": "person", "id": "x", "label": "Jayden"}}, "$.subject.label"),
        ({"risk": "low"}, "$.risk"),  # a misspelt field, which was dropped while the case opened without it
    ],
)
def test_bad_case_input_gets_422_and_opens_nothing(as_user, make_user, make_person, changes, field):
    worker = make_user("social_worker")
    person = make_person(worker)
    response = as_user(worker).post("/cases", json=case_body(person["id"], **changes))
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert [e for e in audit_events("create") if e.object_type == "case"] == []


def test_an_empty_case_body_names_every_missing_field(as_user, make_user):
    response = as_user(make_user("social_worker")).post("/cases", json={})
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"$.subject", "$.concerns", "$.risk_level", "$.summary"}


def test_a_case_about_someone_the_caller_may_not_see_is_refused(as_user, make_user, make_person):
    person = make_person(make_user("social_worker"))
    response = as_user(make_user("police_officer")).post("/cases", json=case_body(person["id"]))
    assert response.status_code == 403


def test_a_case_about_an_unknown_person_gets_404(as_user, make_user):
    response = as_user(make_user("social_worker")).post(
        "/cases", json=case_body("4a1c2b3d-0000-4000-8000-000000000000")
    )
    assert response.status_code == 404


def test_a_team_member_adds_a_practitioner_of_another_agency(as_user, make_user, make_person, make_case):
    lead = make_user("social_worker")
    nurse = make_user("health_practitioner")
    case = make_case(lead, make_person(lead)["id"])
    response = as_user(lead).post(f"/cases/{case['id']}/members", json={"user_id": nurse.id})
    assert response.status_code == 201 and response.get_json()["user_id"] == nurse.id
    members = as_user(nurse).get(f"/cases/{case['id']}/members").get_json()["results"]
    assert {m["user_id"] for m in members} == {lead.id, nurse.id}
    again = as_user(lead).post(f"/cases/{case['id']}/members", json={"user_id": nurse.id})
    assert again.status_code == 409


def test_a_member_sent_under_another_key_gets_422_and_joins_nobody(as_user, make_user, make_person, make_case):
    lead, nurse = make_user("social_worker"), make_user("health_practitioner")
    case = make_case(lead, make_person(lead)["id"])
    response = as_user(lead).post(f"/cases/{case['id']}/members", json={"user_id": nurse.id, "role": "nurse"})
    assert response.status_code == 422 and list(response.get_json()["fields"]) == ["$.role"]
    assert len(as_user(lead).get(f"/cases/{case['id']}/members").get_json()["results"]) == 1


@pytest.mark.parametrize("user_id", [None, 5, "no-such-user", "9b2e7f7e-1111-4111-8111-111111111111"])
def test_adding_an_unknown_user_gets_422(as_user, make_user, make_person, make_case, user_id):
    lead = make_user("social_worker")
    case = make_case(lead, make_person(lead)["id"])
    response = as_user(lead).post(f"/cases/{case['id']}/members", json={"user_id": user_id})
    assert response.status_code == 422 and "$.user_id" in response.get_json()["fields"]


def test_admins_and_leads_cannot_join_a_team(as_user, make_user, make_person, make_case):
    lead = make_user("social_worker")
    case = make_case(lead, make_person(lead)["id"])
    for role in ("admin", "safeguarding_lead"):
        response = as_user(lead).post(f"/cases/{case['id']}/members", json={"user_id": make_user(role).id})
        assert response.status_code == 422


def test_a_user_on_case_a_cannot_reach_case_b_by_its_id(as_user, make_user, make_person, make_case):
    worker_a = make_user("social_worker")
    worker_b = make_user("youth_worker")
    make_case(worker_a, make_person(worker_a, given_name="Amir")["id"])
    case_b = make_case(worker_b, make_person(worker_b, given_name="Bella")["id"])
    as_b = as_user(worker_b)
    assert as_b.post(f"/cases/{case_b['id']}/chronology", json=entry()).status_code == 201
    caller = as_user(worker_a)
    for response in (
        caller.get(f"/cases/{case_b['id']}"),
        caller.get(f"/cases/{case_b['id']}/chronology"),
        caller.get(f"/cases/{case_b['id']}/members"),
        caller.post(f"/cases/{case_b['id']}/members", json={"user_id": worker_a.id}),
        caller.post(f"/cases/{case_b['id']}/chronology", json=entry()),
    ):
        assert response.status_code == 403
        assert "Bella" not in response.get_data(as_text=True)
        assert "station" not in response.get_data(as_text=True)
    assert {e.object_id for e in audit_events("denied") if e.object_type == "case"} == {case_b["id"]}


def test_someone_with_full_access_to_the_subject_reads_the_case_but_cannot_add_to_it(
    as_user, make_user, make_person, make_case
):
    lead = make_user("social_worker")
    person = make_person(lead)
    case = make_case(lead, person["id"])
    officer = make_user("police_officer")
    as_user(officer).post(f"/people/{person['id']}/break-glass", json={"reason": "Found at a county lines address"})
    read = as_user(officer).get(f"/cases/{case['id']}")
    assert read.status_code == 200 and read.get_json()["your_role"] == "reader"
    assert as_user(officer).post(f"/cases/{case['id']}/chronology", json=entry()).status_code == 403


@pytest.mark.parametrize("case_id", ["3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", "1", "case-b", "%00"])
def test_unknown_case_ids_get_404(as_user, make_user, case_id):
    caller = as_user(make_user("social_worker"))
    assert caller.get(f"/cases/{case_id}").status_code == 404
    assert caller.get(f"/cases/{case_id}/chronology").status_code == 404
    assert caller.get(f"/cases/{case_id}/members").status_code == 404
    assert caller.post(f"/cases/{case_id}/chronology", json=entry()).status_code == 404
    assert caller.post(f"/cases/{case_id}/members", json={"user_id": "x"}).status_code == 404


def test_siblings_cases_show_together_on_the_case(as_user, make_user, make_person, make_case, link):
    worker = make_user("social_worker")
    older = make_person(worker, given_name="Older")
    younger = make_person(worker, given_name="Younger")
    link(worker, older["id"], "person", younger["id"], "sibling")
    older_case = make_case(worker, older["id"])
    younger_case = make_case(worker, younger["id"])
    read = as_user(worker).get(f"/cases/{older_case['id']}").get_json()
    assert [c["id"] for c in read["family_cases"]] == [younger_case["id"]]


def test_a_family_recorded_beside_one_child_links_all_its_childrens_cases(
    as_user, make_user, make_person, make_case, link
):
    """Each sibling tied to the eldest only, and a half-sibling to their shared mother: the siblings' cases show one
    another's, the half-sibling's shows the eldest's, and a cousin (through the mother's sister) is not pulled in."""
    worker = make_user("social_worker")
    eldest, middle, youngest, mother, half, aunt, cousin = (
        make_person(worker, given_name=name)
        for name in ("Eldest", "Middle", "Youngest", "Mother", "Half", "Aunt", "Cousin")
    )
    for sibling in (middle, youngest):
        link(worker, eldest["id"], "person", sibling["id"], "sibling")
    link(worker, eldest["id"], "person", mother["id"], "parent")
    link(worker, half["id"], "person", mother["id"], "parent")
    link(worker, mother["id"], "person", aunt["id"], "sibling")
    link(worker, cousin["id"], "person", aunt["id"], "parent")
    cases = {p["given_name"]: make_case(worker, p["id"])["id"] for p in (eldest, middle, youngest, half, cousin)}
    read = as_user(worker).get(f"/cases/{cases['Middle']}").get_json()
    assert {c["id"] for c in read["family_cases"]} == {cases["Eldest"], cases["Youngest"]}
    read = as_user(worker).get(f"/cases/{cases['Half']}").get_json()
    assert {c["id"] for c in read["family_cases"]} == {cases["Eldest"]}


def entry(**changes) -> dict:
    return {
        "occurred_on": "2024-05-01",
        "category": "contact",
        "summary": "Met at the station",
        "sensitivity": "general",
        **changes,
    }


def test_your_cases_lists_the_open_cases_you_are_on_then_the_closed_ones_you_lead(as_user, make_user, make_person):
    worker, officer = make_user("social_worker"), make_user("police_officer")
    person = make_person(worker)
    caller = as_user(worker)
    open_case = caller.post("/cases", json=case_body(person["id"], concerns=["cce"])).get_json()
    closed = caller.post("/cases", json=case_body(person["id"], concerns=["missing"])).get_json()
    assert caller.post(f"/cases/{open_case['id']}/members", json={"user_id": officer.id}).status_code == 201
    change = {"version": closed["version"], "status": "closed", "closed_reason": "Done"}
    assert caller.patch(f"/cases/{closed['id']}", json=change).status_code == 200
    mine = caller.get("/cases").get_json()["results"]
    assert [(c["id"], c["status"]) for c in mine] == [(open_case["id"], "open"), (closed["id"], "closed")]
    assert mine[0]["subject"] == {"type": "person", "id": person["id"]} and mine[0]["subject_label"]
    assert mine[0]["your_actions_overdue"] == 0 and mine[0]["lead_worker_id"] == worker.id
    theirs = as_user(officer).get("/cases").get_json()["results"]
    assert [c["id"] for c in theirs] == [open_case["id"]]  # on its team, but not leading the closed one
    [event] = [e for e in audit_events("list") if e.object_type == "caseload" and e.actor_user_id == officer.id]
    assert event.person_id_list == [person["id"]]
