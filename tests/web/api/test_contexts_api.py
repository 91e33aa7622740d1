"""Places, groups and relationships: recorded as sent, validated, and corrected by ending, never overwriting."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.context import Relationship
from safeguarding.validation import uk_today
from tests.web.helpers import audit_events

UNKNOWN = "7f3e2d1c-0b9a-4876-9543-210fedcba987"


@pytest.fixture
def worker(as_user, make_user, make_person):
    user = make_user("police_officer")
    return user, as_user(user), make_person(user)


def test_a_place_is_recorded_and_read_back(worker):
    _user, caller, _person = worker
    sent = {"name": "Riverside Estate", "kind": "estate", "area": "Riverside ward", "description": "Stairwell C"}
    created = caller.post("/places", json=sent)
    assert created.status_code == 201
    read = caller.get(f"/places/{created.get_json()['id']}").get_json()
    assert {k: read[k] for k in sent} == sent


def test_a_group_is_recorded_and_read_back(worker):
    _user, caller, _person = worker
    created = caller.post("/groups", json={"name": "Southside"})
    assert created.status_code == 201
    assert caller.get(f"/groups/{created.get_json()['id']}").get_json()["name"] == "Southside"


def test_a_group_is_recorded_with_its_members_in_one_step(worker, make_person):
    user, caller, person = worker
    other = make_person(user, given_name="Marcus")
    created = caller.post("/groups", json={"name": "Eastside", "members": [person["id"], other["id"]]})
    assert created.status_code == 201
    members = caller.get(f"/groups/{created.get_json()['id']}/members").get_json()
    assert sorted(m["person_id"] for m in members["results"]) == sorted([person["id"], other["id"]])
    review_on = (uk_today() + timedelta(days=180)).isoformat()
    assert {(m["first_seen"], m["review_on"], m["agency"]["id"]) for m in members["results"]} == {
        (None, review_on, user.agency_id)  # when they were first seen together is not known: not claimed as today
    }
    created_events = [(e.object_type, sorted(e.person_id_list)) for e in audit_events("create")]
    assert ("group", []) in created_events
    memberships = sorted(people for kind, people in created_events if kind == "relationship")
    assert memberships == sorted([[other["id"]], [person["id"]]])


def _groups_named(caller, name: str) -> int:
    return caller.get("/groups", name=name).get_json()["total"]


def test_a_member_the_recorder_may_not_see_in_full_leaves_nothing_written(worker, make_user, make_person):
    _user, caller, person = worker
    stranger = make_person(make_user("police_officer"), given_name="Leah")
    refused = caller.post("/groups", json={"name": "Westside", "members": [person["id"], stranger["id"]]})
    assert refused.status_code == 403
    assert _groups_named(caller, "Westside") == 0
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Relationship)) == 0
    assert [e.person_id_list for e in audit_events("denied")] == [[stranger["id"]]]
    unknown = caller.post("/groups", json={"name": "Westside", "members": [person["id"], UNKNOWN]})
    assert unknown.status_code == 404 and _groups_named(caller, "Westside") == 0


@pytest.mark.parametrize(
    ("members", "field"),
    [
        ("all of them", "$.members"),
        ([None], "$.members[0]"),
        ([UNKNOWN, UNKNOWN], "$.members[1]"),
        ([UNKNOWN] * 101, "$.members"),
    ],
)
def test_bad_members_of_a_new_group_get_422_and_nothing_written(worker, members, field):
    _user, caller, _person = worker
    response = caller.post("/groups", json={"name": "Northside", "members": members})
    assert response.status_code == 422 and list(response.get_json()["fields"]) == [field]
    assert _groups_named(caller, "Northside") == 0


@pytest.mark.parametrize(
    ("path", "sent", "field"),
    [
        ("/places", {"name": "Park", "kind": "forest"}, "$.kind"),
        ("/places", {"kind": "park"}, "$.name"),
        ("/places", {"name": "P" * 201, "kind": "park"}, "$.name"),
        ("/groups", {"name": ""}, "$.name"),
        ("/groups", {"name": ["a"]}, "$.name"),
    ],
)
def test_bad_places_and_groups_get_422(worker, path, sent, field):
    _user, caller, _person = worker
    response = caller.post(path, json=sent)
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_unknown_places_and_groups_get_404(worker):
    _user, caller, _person = worker
    for path in (f"/places/{UNKNOWN}", f"/groups/{UNKNOWN}", "/places/1", "/groups/abc"):
        assert caller.get(path).status_code == 404, path


def test_a_relationship_is_stored_exactly_as_sent(worker, make_person):
    user, caller, person = worker
    other = make_person(user, given_name="Marcus")
    sent = {
        "source": {"type": "person", "id": person["id"]},
        "target": {"type": "person", "id": other["id"]},
        "kind": "exploitation_suspected",
        "first_seen": "2024-02-01",
        "last_seen": "2024-03-15",
        "grading": {"source": "2", "information": "C", "handling": "P"},
        "notes": "Seen handing over a package",
    }
    response = caller.post("/relationships", json=sent)
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in sent} == sent
    assert body["agency"]["id"] == user.agency_id and body["ended_on"] is None
    [event] = [e for e in audit_events("create") if e.object_type == "relationship"]
    assert sorted(event.person_id_list) == sorted([person["id"], other["id"]])


def test_a_group_membership_carries_a_review_date(worker):
    _user, caller, person = worker
    group = caller.post("/groups", json={"name": "Eastside"}).get_json()
    body = {"source": {"type": "person", "id": person["id"]}, "target": {"type": "group", "id": group["id"]}}
    edge = caller.post("/relationships", json={**body, "kind": "member_of", "first_seen": "2024-01-01"}).get_json()
    assert edge["review_on"] == "2024-06-29"


def test_a_membership_confirmed_on_review_is_due_again_in_180_days_and_the_review_is_audited(
    worker, as_user, make_user
):
    user, caller, person = worker
    group = caller.post("/groups", json={"name": "Eastside"}).get_json()
    body = {"source": {"type": "person", "id": person["id"]}, "target": {"type": "group", "id": group["id"]}}
    edge = caller.post("/relationships", json={**body, "kind": "member_of", "first_seen": "2024-01-01"}).get_json()
    response = caller.post(f"/relationships/{edge['id']}/review")
    assert response.status_code == 200
    assert response.get_json()["review_on"] == (uk_today() + timedelta(days=180)).isoformat()
    reviews = [e for e in audit_events("update") if e.object_id == edge["id"]]
    assert [(e.actor_user_id, e.detail_dict, e.person_id_list) for e in reviews] == [
        (user.id, {"change": "reviewed"}, [person["id"]])
    ]
    stranger = as_user(make_user("police_officer"))
    refused = stranger.post(f"/relationships/{edge['id']}/review")
    assert refused.status_code == 403
    assert caller.post(f"/relationships/{edge['id']}/end").status_code == 200
    ended = caller.post(f"/relationships/{edge['id']}/review")
    assert ended.status_code == 409 and "already ended" in ended.get_json()["error"]


def test_only_a_membership_is_reviewed_and_an_unknown_id_is_404(worker, link):
    user, caller, person = worker
    place = caller.post("/places", json={"name": "Station", "kind": "transport"}).get_json()
    seen = link(user, person["id"], "place", place["id"], "seen_at")
    refused = caller.post(f"/relationships/{seen['id']}/review")
    assert refused.status_code == 409 and "group membership" in refused.get_json()["error"]
    assert caller.post("/relationships/3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f/review").status_code == 404
    assert caller.post("/relationships/not-an-id/review").status_code == 404


def test_a_correction_ends_the_old_edge_and_adds_another(worker, link):
    _user, caller, person = worker
    place = caller.post("/places", json={"name": "Old address", "kind": "address"}).get_json()
    new_place = caller.post("/places", json={"name": "New address", "kind": "address"}).get_json()
    old = link(_user, person["id"], "place", place["id"], "lives_at")
    body = {"source": {"type": "person", "id": person["id"]}, "target": {"type": "place", "id": new_place["id"]}}
    response = caller.post("/relationships", json={**body, "kind": "lives_at", "supersedes_id": old["id"]})
    assert response.status_code == 201 and response.get_json()["supersedes_id"] == old["id"]
    db.session.expire_all()
    assert db.session.get(Relationship, old["id"]).ended_on == uk_today()
    assert db.session.get(Relationship, response.get_json()["id"]).ended_on is None


def test_an_edge_already_corrected_is_not_corrected_again_from_a_stale_view(worker, link):
    user, caller, person = worker
    places = [caller.post("/places", json={"name": name, "kind": "address"}).get_json() for name in "ABC"]
    old = link(user, person["id"], "place", places[0]["id"], "lives_at")

    def correct(place):
        ends = {"source": {"type": "person", "id": person["id"]}, "target": {"type": "place", "id": place["id"]}}
        return caller.post("/relationships", json={**ends, "kind": "lives_at", "supersedes_id": old["id"]})

    assert correct(places[1]).status_code == 201
    again = correct(places[2])
    assert again.status_code == 409 and "already corrected" in again.get_json()["error"]
    current = db.session.scalars(
        sa.select(Relationship.target_place_id).where(
            Relationship.source_person_id == person["id"], Relationship.ended_on.is_(None)
        )
    ).all()
    assert current == [places[1]["id"]]


@pytest.mark.parametrize("supersedes_id", [UNKNOWN, "not-an-edge", 12])
def test_correcting_an_unknown_edge_gets_422_and_adds_nothing(worker, supersedes_id):
    _user, caller, person = worker
    place = caller.post("/places", json={"name": "Somewhere", "kind": "other"}).get_json()
    body = {"source": {"type": "person", "id": person["id"]}, "target": {"type": "place", "id": place["id"]}}
    response = caller.post("/relationships", json={**body, "kind": "seen_at", "supersedes_id": supersedes_id})
    assert response.status_code == 422 and "$.supersedes_id" in response.get_json()["fields"]
    assert [e for e in audit_events("create") if e.object_type == "relationship"] == []


def test_ending_a_relationship_takes_an_optional_date(worker, link):
    user, caller, person = worker
    place = caller.post("/places", json={"name": "Chicken shop", "kind": "shop"}).get_json()
    edge = link(user, person["id"], "place", place["id"], "frequents")
    response = caller.post(f"/relationships/{edge['id']}/end", json={"ended_on": "2024-04-01"})
    assert response.status_code == 200 and response.get_json()["ended_on"] == "2024-04-01"
    again = caller.post(f"/relationships/{edge['id']}/end", json={"ended_on": "2024-05-01"})
    assert again.status_code == 409 and "already ended, on 2024-04-01" in again.get_json()["error"]
    assert str(db.session.get(Relationship, edge["id"]).ended_on) == "2024-04-01"
    other = link(user, person["id"], "place", place["id"], "seen_at")
    no_body = caller.client.post(f"/api/v1/relationships/{other['id']}/end", headers=caller.headers)
    assert no_body.status_code == 200
    assert caller.post(f"/relationships/{UNKNOWN}/end", json={}).status_code == 404


def test_a_relationship_cannot_be_ended_on_a_day_still_to_come(worker, link):
    user, caller, person = worker
    place = caller.post("/places", json={"name": "Chicken shop", "kind": "shop"}).get_json()
    edge = link(user, person["id"], "place", place["id"], "frequents")
    tomorrow = (uk_today() + timedelta(days=1)).isoformat()
    response = caller.post(f"/relationships/{edge['id']}/end", json={"ended_on": tomorrow})
    assert response.status_code == 422 and "$.ended_on" in response.get_json()["fields"]
    assert db.session.get(Relationship, edge["id"]).ended_on is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "enemy"}, "$.kind"),
        ({"kind": "lives_at"}, "$.kind"),
        ({"source": {"type": "place", "id": UNKNOWN}}, "$.source.type"),
        ({"source": "me"}, "$.source"),
        ({"target": {"type": "person"}}, "$.target.id"),
        ({"source": {"type": "person", "id": 5}}, "$.source.id"),
        ({"source": {"type": "animal"}}, "$.source.type"),
        ({"first_seen": "2024-13-01"}, "$.first_seen"),
        ({"first_seen": "2024-03-02", "last_seen": "2024-03-01"}, "$.last_seen"),
        ({"grading": {"source": "4", "information": "A", "handling": "P"}}, "$.grading.source"),
        ({"grading": {"source": "1", "information": "F", "handling": "P"}}, "$.grading.information"),
        ({"grading": {"source": "1", "information": "A", "handling": "X"}}, "$.grading.handling"),
        ({"grading": "1AP"}, "$.grading"),
        ({"grading": {"source": "4", "information": "F", "handling": "X"}}, "$.grading.handling"),  # all three named
        ({"notes": "n" * 5001}, "$.notes"),
    ],
)
def test_bad_relationships_get_422_and_record_nothing(worker, make_person, changes, field):
    user, caller, person = worker
    other = make_person(user, given_name="Other")
    body = {
        "source": {"type": "person", "id": person["id"]},
        "target": {"type": "person", "id": other["id"]},
        "kind": "friend",
        **changes,
    }
    response = caller.post("/relationships", json=body)
    assert response.status_code == 422 and field in response.get_json()["fields"], response.get_json()
    assert [e for e in audit_events("create") if e.object_type == "relationship"] == []


def test_every_bad_field_of_a_relationship_is_reported_at_once(worker):
    _user, caller, person = worker
    body = {
        "source": {"type": "person", "id": person["id"]},
        "target": "nowhere",
        "kind": "enemy",
        "first_seen": "2024-13-01",
        "grading": "1AP",
        "notes": 5,
    }
    response = caller.post("/relationships", json=body)
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"$.target", "$.kind", "$.first_seen", "$.grading", "$.notes"}


def test_a_relationship_to_an_unknown_record_gets_404(worker):
    _user, caller, person = worker
    for target in ({"type": "person", "id": UNKNOWN}, {"type": "place", "id": UNKNOWN}, {"type": "group", "id": "g"}):
        kind = {"person": "friend", "place": "seen_at", "group": "member_of"}[target["type"]]
        body = {"source": {"type": "person", "id": person["id"]}, "target": target, "kind": kind}
        assert caller.post("/relationships", json=body).status_code == 404, target


def test_a_relationship_from_someone_the_caller_may_not_see_is_refused(as_user, make_user, worker):
    _user, caller, person = worker
    stranger = as_user(make_user("youth_worker"))
    place = stranger.post("/places", json={"name": "Library", "kind": "other"}).get_json()
    body = {"source": {"type": "person", "id": person["id"]}, "target": {"type": "place", "id": place["id"]}}
    assert stranger.post("/relationships", json={**body, "kind": "frequents"}).status_code == 403


def test_the_answer_to_ending_a_graded_relationship_keeps_its_notes_from_a_role_that_may_not_read_them(
    as_user, make_user, make_person, make_case, add_member
):
    officer, youth_worker = make_user("police_officer"), make_user("youth_worker")
    child, adult = make_person(officer), make_person(officer, given_name="Marcus", family_name="Vance")
    add_member(officer, make_case(officer, child["id"])["id"], youth_worker)
    body = {
        "source": {"type": "person", "id": child["id"]},
        "target": {"type": "person", "id": adult["id"]},
        "kind": "exploitation_suspected",
        "grading": {"source": "2", "information": "C", "handling": "C"},
        "notes": "Seen getting into his car",
    }
    edge = as_user(officer).post("/relationships", json=body).get_json()
    assert edge["notes"] == "Seen getting into his car"
    ended = as_user(youth_worker).post(f"/relationships/{edge['id']}/end", json={})
    assert ended.status_code == 200 and ended.get_json()["notes"] is None
    assert ended.get_json()["grading"] == {"source": "2", "information": "C", "handling": "C"}


def test_a_misspelt_relationship_field_gets_422_naming_it_and_records_nothing(worker):
    """frist_seen was dropped without a word: the relationship was recorded with no first-seen date."""
    _user, caller, person = worker
    place = caller.post("/places", json={"name": "Bus station", "kind": "transport"}).get_json()
    body = {
        "source": {"type": "person", "id": person["id"]},
        "target": {"type": "place", "id": place["id"], "name": "Bus station"},
        "kind": "frequents",
        "frist_seen": "2024-03-01",
        "grading": {"source": "2", "information": "B", "handling": "P", "reliability": "high"},
    }
    response = caller.post("/relationships", json=body)
    assert response.status_code == 422
    assert set(response.get_json()["fields"]) == {"$.frist_seen", "$.target.name", "$.grading.reliability"}
    assert "first_seen" in response.get_json()["fields"]["$.frist_seen"]  # it names the fields it takes
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Relationship)) == 0


@pytest.mark.parametrize(
    ("path", "sent"),
    [
        ("/places", {"name": "Park", "kind": "park", "postcode": "E1"}),
        ("/groups", {"name": "Southside", "kind": "gang"}),
    ],
)
def test_a_place_or_group_with_a_field_it_does_not_take_gets_422(worker, path, sent):
    _user, caller, _person = worker
    response = caller.post(path, json=sent)
    assert response.status_code == 422 and list(response.get_json()["fields"]) == [f"$.{list(sent)[-1]}"]
    assert [e for e in audit_events("create") if e.object_type in ("place", "group")] == []


def test_ending_or_reviewing_a_relationship_with_a_field_it_does_not_take_changes_nothing(worker, link):
    user, caller, person = worker
    group = caller.post("/groups", json={"name": "Southside"}).get_json()
    edge = link(user, person["id"], "group", group["id"], "member_of")
    for action, sent in (("end", {"ended": "2024-03-01"}), ("review", {"review_on": "2025-01-01"})):
        response = caller.post(f"/relationships/{edge['id']}/{action}", json=sent)
        assert response.status_code == 422 and list(response.get_json()["fields"]) == [f"$.{list(sent)[0]}"]
    assert caller.post(f"/relationships/{edge['id']}/review", json={}).status_code == 200
