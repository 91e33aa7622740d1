"""A home address shows only to whoever recorded it or may see in full someone tied to it (SPEC section 4): no
other route names it or hands its id out, and none lets a stranger tie themselves to it to get in."""

import pytest

from tests.web.helpers import audit_events


@pytest.fixture
def home(as_user, make_user, make_person, link):
    """A child's home, recorded by their social worker; a police officer who has never worked with them."""
    worker, stranger = make_user("social_worker"), make_user("police_officer")
    place = as_user(worker).post("/places", json={"name": "12 Elm Road", "kind": "address",
                                                  "description": "Back door code 1234"}).get_json()  # fmt: skip
    child = make_person(worker)
    link(worker, child["id"], "place", place["id"], "lives_at")
    assert as_user(stranger).get(f"/places/{place['id']}").status_code == 403
    return {"worker": worker, "stranger": stranger, "place": place, "child": child}


def test_a_stranger_cannot_tie_a_person_of_their_own_to_a_hidden_home_to_see_it(home, as_user, make_person):
    mine = make_person(home["stranger"], given_name="Zed")
    tie = {"source": {"type": "person", "id": mine["id"]}, "target": {"type": "place", "id": home["place"]["id"]}}
    denied = len(audit_events("denied"))
    response = as_user(home["stranger"]).post("/relationships", json={**tie, "kind": "seen_at"})
    assert response.status_code == 403 and "Elm" not in response.get_data(as_text=True)
    assert len(audit_events("denied")) == denied + 1
    assert as_user(home["stranger"]).get(f"/places/{home['place']['id']}").status_code == 403


def test_a_stranger_cannot_rate_a_hidden_home_or_report_a_child_found_there(home, as_user, make_person):
    mine = make_person(home["stranger"], given_name="Zed")
    caller, place = as_user(home["stranger"]), home["place"]["id"]
    rating = caller.post(f"/people/{mine['id']}/safety-ratings", json={"place_id": place, "rating": "red"})
    assert rating.status_code == 403
    episode = caller.post(
        f"/people/{mine['id']}/missing-episodes",
        json={"reported_at": "2026-01-02T20:00:00+00:00", "returned_at": "2026-01-03T08:00:00+00:00",
              "found_at_place_id": place},
    )  # fmt: skip
    assert episode.status_code == 403
    assert caller.get(f"/places/{place}").status_code == 403


def test_the_safety_heat_map_names_a_home_only_to_those_who_may_see_it(home, as_user):
    rated = as_user(home["worker"]).post(
        f"/people/{home['child']['id']}/safety-ratings", json={"place_id": home["place"]["id"], "rating": "red"}
    )
    assert rated.status_code == 201
    assert [row["name"] for row in as_user(home["worker"]).get("/safety-heat-map").get_json()["results"]] == [
        "12 Elm Road"
    ]
    assert as_user(home["stranger"]).get("/safety-heat-map").get_json()["results"] == []


def test_a_location_assessment_alert_about_a_home_goes_only_to_those_who_may_see_it(
    home, as_user, make_user, make_person, make_case, add_member, link
):
    """Three children of two agencies' records at one address (the location-assessment rule); the youth worker on
    the first child's case sees their home."""
    youth = make_user("youth_worker")
    add_member(home["worker"], make_case(home["worker"], home["child"]["id"])["id"], youth)
    link(home["worker"], make_person(home["worker"], given_name="Ben")["id"], "place", home["place"]["id"], "lives_at")
    link(youth, make_person(youth, given_name="Cy")["id"], "place", home["place"]["id"], "lives_at")

    def alerted(user):
        results = as_user(user).get("/alerts", kind="location_assessment").get_json()["results"]
        return [a for a in results if a.get("place_id") == home["place"]["id"]]

    assert alerted(home["worker"]) and alerted(make_user("safeguarding_lead"))
    assert alerted(home["stranger"]) == []
