"""SPEC section 4 through the API: each legitimate relationship, its limits in time, and refusals."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from models.user import ROLES
from tests.web.api.client import ApiClient
from tests.web.helpers import audit_events


def test_the_recorder_sees_a_person_for_30_days_then_is_refused_with_break_glass_offered(
    client, api, make_user, make_person
):
    recorder = make_user("youth_worker")
    person = make_person(recorder)
    with time_machine.travel(datetime.now(UTC) + timedelta(days=29), tick=False):
        assert ApiClient(client, api(recorder)).get(f"/people/{person['id']}").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        response = ApiClient(client, api(recorder)).get(f"/people/{person['id']}")
    assert response.status_code == 403
    assert response.get_json()["break_glass_allowed"] is True
    assert "given_name" not in response.get_json()


def test_the_recorders_30_days_end_when_30_days_have_passed(client, api, make_user, make_person):
    """As a break-glass grant's 60 minutes end at its expiry: the window holds up to, not at, its end."""
    recorder = make_user("youth_worker")
    person = make_person(recorder)
    end = datetime.fromisoformat(person["recorded_at"]) + timedelta(days=30)
    for moment, status in ((end - timedelta(seconds=1), 200), (end, 403)):
        with time_machine.travel(moment, tick=False):
            assert ApiClient(client, api(recorder)).get(f"/people/{person['id']}").status_code == status


def test_a_case_team_member_of_another_agency_sees_the_full_record(
    as_user, make_user, make_person, make_case, add_member
):
    lead = make_user("social_worker")
    officer = make_user("police_officer")
    person = make_person(lead, address="2 Canal Walk", notes="Known to the youth club")
    case = make_case(lead, person["id"])
    assert as_user(officer).get(f"/people/{person['id']}").status_code == 403
    add_member(lead, case["id"], officer)
    body = as_user(officer).get(f"/people/{person['id']}").get_json()
    assert body["view"] == "full" and body["basis"] == ["case_team"]
    assert body["address"] == "2 Canal Walk" and body["notes"] == "Known to the youth club"
    assert [c["id"] for c in body["cases"]] == [case["id"]]


def test_a_user_of_another_agency_with_no_relationship_gets_403_and_the_refusal_is_audited(
    as_user, make_user, make_person
):
    person = make_person(make_user("social_worker"))
    stranger = make_user("health_practitioner")
    response = as_user(stranger).get(f"/people/{person['id']}")
    assert response.status_code == 403
    assert set(response.get_json()) == {"error", "break_glass_allowed"}
    [denied] = [e for e in audit_events("denied") if e.object_type == "person"]
    assert denied.actor_user_id == stranger.id and denied.person_id_list == [person["id"]]
    assert denied.outcome == "denied"


@pytest.mark.parametrize(("context_type", "kind"), [("place", "frequents"), ("group", "member_of")])
def test_a_context_neighbour_two_hops_away_gets_only_the_limited_view(
    as_user, make_user, make_person, make_case, link, context_type, kind
):
    worker = make_user("youth_worker")
    other = make_user("police_officer")
    subject = make_person(worker, given_name="Kai")
    make_case(worker, subject["id"])
    neighbour = make_person(other, given_name="Tyrese", address="7 Hidden Close", notes="Private note")
    other_case = make_case(other, neighbour["id"])
    made = as_user(worker).post(
        f"/{context_type}s", json={"name": "Northgate Rec", **({"kind": "park"} if context_type == "place" else {})}
    )
    context_id = made.get_json()["id"]
    link(worker, subject["id"], context_type, context_id, kind)
    link(other, neighbour["id"], context_type, context_id, kind)
    home = as_user(other).post("/places", json={"name": "12 Hidden Street", "kind": "address"}).get_json()
    link(other, neighbour["id"], "place", home["id"], "lives_at")

    # The recorder window would give the worker full access to people they recorded: travel past it.
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        caller = as_user(worker)
        response = caller.get(f"/people/{neighbour['id']}")
        assert response.status_code == 200
        body = response.get_json()
        assert body["view"] == "limited" and body["display_name"] == "Tyrese Okafor"
        assert body["relationship_kinds"] == sorted([kind, "lives_at"])
        assert not {"address", "notes", "date_of_birth", "version"} & set(body)
        assert "7 Hidden Close" not in response.get_data(as_text=True)
        # No address, whether a field or a place of kind address: the other places stay.
        assert "12 Hidden Street" not in response.get_data(as_text=True)
        assert [p["name"] for p in body["places"]] == (["Northgate Rec"] if context_type == "place" else [])
        # No chronology, no episodes, no changes for a neighbour.
        assert caller.get(f"/cases/{other_case['id']}/chronology").status_code == 403
        assert caller.get(f"/people/{neighbour['id']}/missing-episodes").status_code == 403
        assert caller.patch(f"/people/{neighbour['id']}", json={"version": 1, "notes": "x"}).status_code == 403


def test_a_person_three_hops_away_is_not_a_context_neighbour(as_user, make_user, make_person, make_case, link):
    worker = make_user("social_worker")
    other = make_user("police_officer")
    subject = make_person(worker)
    make_case(worker, subject["id"])
    middle = make_person(other, given_name="Middle")
    far = make_person(other, given_name="Far")
    place = as_user(worker).post("/places", json={"name": "Bus station", "kind": "transport"}).get_json()
    link(worker, subject["id"], "place", place["id"], "seen_at")
    link(other, middle["id"], "place", place["id"], "seen_at")
    link(other, middle["id"], "person", far["id"], "friend")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert as_user(worker).get(f"/people/{middle['id']}").get_json()["view"] == "limited"
        assert as_user(worker).get(f"/people/{far['id']}").status_code == 403


def test_an_ended_relationship_no_longer_makes_a_neighbour(as_user, make_user, make_person, make_case, link):
    worker = make_user("social_worker")
    other = make_user("police_officer")
    subject = make_person(worker)
    make_case(worker, subject["id"])
    peer = make_person(other, given_name="Peer")
    place = as_user(worker).post("/places", json={"name": "Chicken shop", "kind": "shop"}).get_json()
    link(worker, subject["id"], "place", place["id"], "frequents")
    edge = link(other, peer["id"], "place", place["id"], "frequents")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert as_user(worker).get(f"/people/{peer['id']}").status_code == 200
    assert as_user(other).post(f"/relationships/{edge['id']}/end", json={}).status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        assert as_user(worker).get(f"/people/{peer['id']}").status_code == 403


def test_break_glass_gives_full_access_for_60_minutes_then_expires(client, api, as_user, make_user, make_person):
    person = make_person(make_user("social_worker"), notes="Sensitive history")
    officer = make_user("police_officer")
    caller = as_user(officer)
    assert caller.get(f"/people/{person['id']}").status_code == 403
    short = caller.post(f"/people/{person['id']}/break-glass", json={"reason": "urgent, sorry"})
    assert short.status_code == 422 and "$.reason" in short.get_json()["fields"]
    longer = {"reason": "Child reported missing tonight, found with adults", "minutes": 120}
    refused = caller.post(f"/people/{person['id']}/break-glass", json=longer)
    assert refused.status_code == 422 and list(refused.get_json()["fields"]) == ["$.minutes"]
    assert audit_events("break_glass") == []
    granted = caller.post(
        f"/people/{person['id']}/break-glass", json={"reason": "Child reported missing tonight, found with adults"}
    )
    assert granted.status_code == 201
    expires_at = datetime.fromisoformat(granted.get_json()["expires_at"])
    assert timedelta(minutes=59) < expires_at - datetime.now(UTC) <= timedelta(minutes=60)
    read = caller.get(f"/people/{person['id']}").get_json()
    assert read["view"] == "full" and read["notes"] == "Sensitive history" and read["basis"] == ["break_glass"]
    [event] = audit_events("break_glass")
    assert event.flagged and event.reason.startswith("Child reported missing")
    assert [e.flagged for e in audit_events("view") if e.object_type == "person"] == [True]
    with time_machine.travel(datetime.now(UTC) + timedelta(minutes=61), tick=False):
        assert ApiClient(client, api(officer)).get(f"/people/{person['id']}").status_code == 403


def test_reads_of_a_case_its_chronology_and_map_through_break_glass_are_flagged_for_review_and_the_teams_are_not(
    as_user, make_user, make_person, make_case
):
    worker = make_user("social_worker")
    person = make_person(worker)
    case = make_case(worker, person["id"])
    reads = (f"/cases/{case['id']}", f"/cases/{case['id']}/chronology", f"/people/{person['id']}/context")
    for path in reads:
        assert as_user(worker).get(path).status_code == 200, path
    officer = as_user(make_user("police_officer"))
    reason = {"reason": "Child reported missing tonight, found with adults"}
    assert officer.post(f"/people/{person['id']}/break-glass", json=reason).status_code == 201
    for path in reads:
        assert officer.get(path).status_code == 200, path
    reads_only = [e for e in audit_events() if e.action in ("view", "list", "map_view")]
    flags = [(e.actor_user_id == worker.id, e.object_type, e.flagged) for e in reads_only]
    assert flags == [
        (True, "case", False),
        (True, "chronology", False),
        (True, "person", False),
        (False, "case", True),
        (False, "chronology", True),
        (False, "person", True),
    ]


def test_a_place_map_or_a_search_showing_someone_in_full_without_a_case_assignment_is_flagged(
    as_user, make_user, make_person, make_case, link
):
    """The youth worker sees one child as their recorder only, the other through their case: a map of the place
    both frequent, and a search finding the first, show someone in full with no case assignment."""
    youth = make_user("youth_worker")
    caller = as_user(youth)
    recorded = make_person(youth, given_name="Jayden", family_name="Okafor")
    casework = make_person(youth, given_name="Amara", family_name="Bell")
    make_case(youth, casework["id"])
    park = caller.post("/places", json={"name": "Riverside Park", "kind": "park"}).get_json()
    for child in (recorded, casework):
        link(youth, child["id"], "place", park["id"], "frequents")

    def flagged(path: str, action: str, **query) -> bool:
        assert caller.get(path, **query).status_code == 200, path
        event = audit_events(action)[-1]
        assert recorded["id"] in event.person_id_list
        return event.flagged

    assert flagged(f"/places/{park['id']}/context", "map_view") is True
    assert flagged("/people", "search", given_name="Jayden", family_name="Okafor") is True
    # Through the case alone, neither is flagged: the case team's map of its own child, and a search for them.
    make_case(youth, recorded["id"])
    assert flagged(f"/places/{park['id']}/context", "map_view") is False
    assert flagged("/people", "search", given_name="Jayden", family_name="Okafor") is False


ADMIN_CALLS = [
    ("GET", "/people?given_name=Jayden"),
    ("POST", "/people"),
    ("GET", "/people/{id}"),
    ("PATCH", "/people/{id}"),
    ("POST", "/people/{id}/break-glass"),
    ("GET", "/people/{id}/missing-episodes"),
    ("POST", "/people/{id}/missing-episodes"),
    ("POST", "/cases"),
    ("GET", "/alerts"),
    ("POST", "/relationships"),
    ("GET", "/places/{id}"),
    ("POST", "/places"),
]


def test_admins_get_403_on_every_personal_data_endpoint(client, api, make_user, make_person):
    person = make_person(make_user("social_worker"))
    headers = api(make_user("admin"))
    for method, path in ADMIN_CALLS:
        response = client.open(f"/api/v1{path.format(id=person['id'])}", method=method, headers=headers, json={})
        assert response.status_code == 403, (method, path)
        assert "Jayden" not in response.get_data(as_text=True)


@pytest.mark.parametrize("role", [r for r in ROLES if r not in ("admin",)])
def test_every_other_role_is_refused_a_stranger_but_may_break_glass(as_user, make_user, make_person, role):
    person = make_person(make_user("social_worker"))
    caller = as_user(make_user(role))
    response = caller.get(f"/people/{person['id']}")
    assert response.status_code == 403 and response.get_json()["break_glass_allowed"] is True


def test_a_refusal_by_role_is_audited_against_the_person_the_url_names(as_user, make_user, make_person):
    """An admin sees no personal data: the attempt still shows among who tried to reach this person."""
    person = make_person(make_user("social_worker"))
    admin = as_user(make_user("admin"))
    assert admin.get(f"/people/{person['id']}").status_code == 403
    assert admin.get("/people/not-an-id").status_code == 403
    denied = audit_events("denied")
    assert [event.person_id_list for event in denied] == [[person["id"]], []]
