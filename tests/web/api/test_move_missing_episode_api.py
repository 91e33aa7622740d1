"""Moving a missing episode recorded on the wrong child (SPEC 2): full access to both children, the episode's
version, no overlap with the right child's own episodes; audited against both."""

import pytest

from tests.web.helpers import audit_events

REPORTED = "2026-01-10T22:00:00+00:00"
RETURNED = "2026-01-11T09:30:00+00:00"


@pytest.fixture
def officer(make_user):
    return make_user("police_officer")


@pytest.fixture
def twins(officer, make_person):
    """Two children the officer recorded, and an episode reported about the wrong one."""
    return make_person(officer, given_name="Ade"), make_person(officer, given_name="Bola")


@pytest.fixture
def episode(as_user, officer, twins):
    sent = {"reported_at": REPORTED, "returned_at": RETURNED}
    return as_user(officer).post(f"/people/{twins[0]['id']}/missing-episodes", json=sent).get_json()


def move(caller, episode, person_id, version=None):
    body = {"person_id": person_id, "version": episode["version"] if version is None else version}
    return caller.post(f"/missing-episodes/{episode['id']}/move", json=body)


def listed(caller, person) -> list[str]:
    return [e["id"] for e in caller.get(f"/people/{person['id']}/missing-episodes").get_json()["results"]]


def test_an_episode_moves_to_the_right_child_and_the_move_is_audited_against_both(as_user, officer, twins, episode):
    caller = as_user(officer)
    response = move(caller, episode, twins[1]["id"])
    assert response.status_code == 200
    moved = response.get_json()
    assert moved["person_id"] == twins[1]["id"] and moved["version"] == episode["version"] + 1
    assert (moved["reported_at"], moved["returned_at"]) == (REPORTED, RETURNED)
    assert listed(caller, twins[0]) == [] and listed(caller, twins[1]) == [episode["id"]]
    (event,) = [e for e in audit_events("update") if e.object_type == "missing_episode"]
    assert sorted(event.person_id_list) == sorted(p["id"] for p in twins)
    assert event.detail_dict == {"change": "moved", "from_person": twins[0]["id"], "to_person": twins[1]["id"]}


def test_an_episode_overlapping_the_right_childs_own_is_refused(as_user, officer, twins, episode):
    caller = as_user(officer)
    own = {"reported_at": "2026-01-11T08:00:00+00:00"}
    assert caller.post(f"/people/{twins[1]['id']}/missing-episodes", json=own).status_code == 201
    response = move(caller, episode, twins[1]["id"])
    assert response.status_code == 422 and "already missing" in response.get_json()["fields"]["$.person_id"]
    assert listed(caller, twins[0]) == [episode["id"]]


def test_a_stale_version_is_refused(as_user, officer, twins, episode):
    response = move(as_user(officer), episode, twins[1]["id"], version=episode["version"] + 5)
    assert response.status_code == 409 and listed(as_user(officer), twins[0]) == [episode["id"]]


@pytest.mark.parametrize(
    ("target", "status"),
    [("same", 422), ("not-an-id", 422), ("3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", 404), (None, 422)],
)
def test_a_bad_target_is_refused_with_a_message(as_user, officer, twins, episode, target, status):
    person_id = twins[0]["id"] if target == "same" else target
    response = move(as_user(officer), episode, person_id)
    assert response.status_code == status and response.get_json()["error"]
    assert listed(as_user(officer), twins[0]) == [episode["id"]]


def test_the_right_child_must_be_one_the_caller_may_see_in_full(as_user, make_user, make_person, officer, episode):
    stranger = make_person(make_user("social_worker"), given_name="Cleo")
    response = move(as_user(officer), episode, stranger["id"])
    assert response.status_code == 403
    assert [e.object_id for e in audit_events("denied")] == [stranger["id"]]


@pytest.mark.parametrize("role", ["safeguarding_lead", "admin"])
def test_roles_that_record_nothing_cannot_move_an_episode(as_user, make_user, twins, episode, role):
    assert move(as_user(make_user(role)), episode, twins[1]["id"]).status_code == 403


def test_an_unknown_episode_is_not_found(as_user, officer, twins):
    unknown = {"id": "3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", "version": 1}
    assert move(as_user(officer), unknown, twins[1]["id"]).status_code == 404


def test_a_signed_out_caller_is_refused(client, twins, episode):
    response = client.post(f"/api/v1/missing-episodes/{episode['id']}/move", json={"person_id": twins[1]["id"]})
    assert response.status_code == 401
