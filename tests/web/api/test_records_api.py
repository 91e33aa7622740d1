"""Merging duplicate people and moving a misplaced chronology entry through the API."""

import pytest

from tests.web.api.client import case_body
from tests.web.helpers import audit_events


def test_merging_a_duplicate_leaves_a_pointer(as_user, make_user, make_person):
    worker = make_user("social_worker")
    survivor = make_person(worker, given_name="Jayden", family_name="Clarke")
    duplicate = make_person(worker, given_name="Jaden", family_name="Clark")
    response = as_user(worker).post(f"/people/{survivor['id']}/merge", json={"duplicate_id": duplicate["id"]})
    assert response.status_code == 200 and "Jaden Clark" in response.get_json()["aliases"]
    assert as_user(worker).get(f"/people/{duplicate['id']}").get_json()["merged_into"] == survivor["id"]
    assert any((e.detail_dict or {}).get("merged") == duplicate["id"] for e in audit_events("update"))


@pytest.mark.parametrize(
    ("body", "status"),
    [({}, 422), ({"duplicate_id": 5}, 422), ({"duplicate_id": "not-an-id"}, 404)],
)
def test_merge_needs_a_duplicate_id(as_user, make_user, make_person, body, status):
    worker = make_user("social_worker")
    person = make_person(worker)
    assert as_user(worker).post(f"/people/{person['id']}/merge", json=body).status_code == status


def test_a_merge_with_a_field_it_does_not_take_gets_422_and_merges_nothing(as_user, make_user, make_person):
    worker = make_user("social_worker")
    survivor, duplicate = make_person(worker), make_person(worker, given_name="Jaden")
    sent = {"duplicate_id": duplicate["id"], "keep_aliases": False}
    response = as_user(worker).post(f"/people/{survivor['id']}/merge", json=sent)
    assert response.status_code == 422 and list(response.get_json()["fields"]) == ["$.keep_aliases"]
    assert as_user(worker).get(f"/people/{duplicate['id']}").get_json()["merged_into"] is None


def test_merging_a_record_you_cannot_see_is_refused(as_user, make_user, make_person):
    worker, other = make_user("social_worker"), make_user("police_officer")
    mine, theirs = make_person(worker), make_person(other)
    response = as_user(worker).post(f"/people/{mine['id']}/merge", json={"duplicate_id": theirs["id"]})
    assert response.status_code == 403


def test_emergency_access_cannot_fold_a_real_record_into_one_of_your_own(as_user, make_user, make_person):
    worker, other = make_user("social_worker"), make_user("police_officer")
    fake, real = make_person(worker), make_person(other)
    caller = as_user(worker)
    reason = {"reason": "Child reported missing tonight, found with adults"}
    assert caller.post(f"/people/{real['id']}/break-glass", json=reason).status_code == 201
    response = caller.post(f"/people/{fake['id']}/merge", json={"duplicate_id": real["id"]})
    assert response.status_code == 403
    assert as_user(other).get(f"/people/{real['id']}").get_json().get("merged_into") is None


def test_an_entry_moves_to_the_right_case(as_user, make_user, make_person, make_case):
    worker = make_user("social_worker")
    right = make_case(worker, make_person(worker)["id"])
    wrong = make_case(worker, make_person(worker, given_name="Kai")["id"])
    entry = as_user(worker).post(
        f"/cases/{wrong['id']}/chronology",
        json={"occurred_on": "2026-01-02", "category": "contact", "summary": "Phone call", "sensitivity": "general"},
    )
    moved = as_user(worker).post(f"/chronology/{entry.get_json()['id']}/move", json={"case_id": right["id"]})
    assert moved.status_code == 200
    entries = as_user(worker).get(f"/cases/{right['id']}/chronology").get_json()["results"]
    assert [e["summary"] for e in entries] == ["Phone call"]
    assert as_user(worker).post(f"/chronology/{entry.get_json()['id']}/move", json={}).status_code == 422


def _case_with_entries(as_user, make_user, make_person, make_case, add_member):
    """A social worker's case with a police intelligence entry and a health entry, a youth worker on the team, and
    a second case the youth worker leads."""
    worker, police, health, youth = (make_user(role) for role in ("social_worker", "police_officer",
                                                                  "health_practitioner", "youth_worker"))  # fmt: skip
    case = make_case(worker, make_person(worker)["id"])
    for member in (police, health, youth):
        add_member(worker, case["id"], member)
    entries = {}
    for author, sensitivity, category in (
        (police, "intelligence", "intelligence"),
        (health, "health", "health_attendance"),
    ):
        made = as_user(author).post(
            f"/cases/{case['id']}/chronology",
            json={"occurred_on": "2026-01-02", "category": category, "summary": f"SECRET-{sensitivity}",
                  "sensitivity": sensitivity},
        )  # fmt: skip
        assert made.status_code == 201, made.get_json()
        entries[sensitivity] = made.get_json()["id"]
    other = make_case(youth, make_person(youth, given_name="Other")["id"])
    return youth, entries, other


def test_an_entry_whose_content_is_withheld_from_you_is_not_yours_to_move(
    as_user, make_user, make_person, make_case, add_member
):
    youth, entries, other = _case_with_entries(as_user, make_user, make_person, make_case, add_member)
    denied = len(audit_events("denied"))
    moved = as_user(youth).post(f"/chronology/{entries['intelligence']}/move", json={"case_id": other["id"]})
    assert moved.status_code == 403 and "SECRET" not in moved.get_data(as_text=True)
    assert len(audit_events("denied")) == denied + 1
    # A health entry is not shown to them at all: it is not there for them to move.
    hidden = as_user(youth).post(f"/chronology/{entries['health']}/move", json={"case_id": other["id"]})
    assert hidden.status_code == 404 and "SECRET" not in hidden.get_data(as_text=True)


def test_moving_an_entry_off_a_case_you_are_not_on_is_refused_and_audited(as_user, make_user, make_person, make_case):
    worker, youth = make_user("social_worker"), make_user("youth_worker")
    case = make_case(worker, make_person(worker)["id"])
    entry = (
        as_user(worker)
        .post(
            f"/cases/{case['id']}/chronology",
            json={
                "occurred_on": "2026-01-02",
                "category": "contact",
                "summary": "Phone call",
                "sensitivity": "general",
            },
        )
        .get_json()
    )
    theirs = make_case(youth, make_person(youth, given_name="Other")["id"])
    denied = len(audit_events("denied"))
    assert as_user(youth).post(f"/chronology/{entry['id']}/move", json={"case_id": theirs["id"]}).status_code == 403
    assert len(audit_events("denied")) == denied + 1


def test_a_merged_duplicate_takes_no_new_records_they_belong_on_the_survivor(as_user, make_user, make_person):
    worker = make_user("social_worker")
    caller = as_user(worker)
    survivor, duplicate = make_person(worker), make_person(worker, given_name="Jaden")
    assert caller.post(f"/people/{survivor['id']}/merge", json={"duplicate_id": duplicate["id"]}).status_code == 200
    place = caller.post("/places", json={"name": "Rowan Court", "kind": "estate"}).get_json()
    version = caller.get(f"/people/{duplicate['id']}").get_json()["version"]

    def tie(source, target_type, target, kind):
        ends = {"source": {"type": "person", "id": source}, "target": {"type": target_type, "id": target}}
        return caller.post("/relationships", json={**ends, "kind": kind})

    attempts = [
        caller.patch(f"/people/{duplicate['id']}", json={"version": version, "notes": "Seen at the station"}),
        caller.post(f"/people/{duplicate['id']}/missing-episodes", json={"reported_at": "2024-01-01T22:00:00+00:00"}),
        tie(duplicate["id"], "place", place["id"], "frequents"),
        tie(survivor["id"], "person", duplicate["id"], "friend"),
        caller.post("/cases", json=case_body(duplicate["id"])),
    ]
    for response in attempts:
        assert response.status_code == 409, response.get_json()
        assert "merged into" in response.get_json()["error"]
    assert caller.get(f"/people/{duplicate['id']}/missing-episodes").get_json()["results"] == []


def test_a_merged_duplicates_meetings_weightings_and_safety_ratings_follow_it_into_the_survivor(
    as_user, make_user, make_person
):
    worker = make_user("social_worker")
    caller = as_user(worker)
    survivor = make_person(worker, given_name="Jayden", family_name="Clarke")
    duplicate = make_person(worker, given_name="Jaden", family_name="Clark")
    park = caller.post("/places", json={"name": "Riverside Park", "kind": "park"}).get_json()["id"]
    weights = {"peers": {"harm": 3, "safety": 0}}
    assert caller.post(f"/people/{duplicate['id']}/context-weightings", json={"weights": weights}).status_code == 201
    meeting = {"kind": "strategy", "subject": {"type": "person", "id": duplicate["id"]}, "held_on": "2026-03-02",
               "decisions": "Section 47 enquiry"}  # fmt: skip
    assert caller.post("/meetings", json=meeting).status_code == 201
    for person, rating in ((survivor, "green"), (duplicate, "red")):
        rated = {"place_id": park, "rating": rating, "rated_on": "2026-02-01" if rating == "green" else "2026-03-01"}
        assert caller.post(f"/people/{person['id']}/safety-ratings", json=rated).status_code == 201
    assert caller.post(f"/people/{survivor['id']}/merge", json={"duplicate_id": duplicate["id"]}).status_code == 200
    weighed = caller.get(f"/people/{survivor['id']}/context-weightings").get_json()["results"]
    assert [w["weights"] for w in weighed] == [weights]
    met = caller.get(f"/people/{survivor['id']}/meetings").get_json()["results"]
    assert [m["decisions"] for m in met] == ["Section 47 enquiry"]
    # One young person, one latest rating of the park: the duplicate's, made later.
    [row] = caller.get("/safety-heat-map").get_json()["results"]
    assert (row["red"], row["green"]) == (1, 0)
