"""Every read is audited with the person ids it touched, and no data leaves if the audit write fails."""

import pytest

import audit
from tests.web.helpers import audit_events


@pytest.fixture
def casework(as_user, make_user, make_person, make_case):
    worker = make_user("social_worker")
    person = make_person(worker, given_name="Precious", family_name="Mbeki", notes="Plaintext marker note")
    case = make_case(worker, person["id"], summary="Plaintext marker summary")
    caller = as_user(worker)
    entry = {"occurred_on": "2024-01-02", "category": "contact", "summary": "Plaintext marker entry"}
    assert caller.post(f"/cases/{case['id']}/chronology", json=entry).status_code == 201
    episode = {"reported_at": "2024-01-01T22:00:00+00:00", "returned_at": "2024-01-02T09:00:00+00:00"}
    assert caller.post(f"/people/{person['id']}/missing-episodes", json=episode).status_code == 201
    return caller, person, case


def reads(person, case):
    return [
        ("view", "person", f"/people/{person['id']}", {}),
        ("search", "person", "/people", {"given_name": "Precious", "family_name": "Mbeki"}),
        ("view", "case", f"/cases/{case['id']}", {}),
        ("list", "chronology", f"/cases/{case['id']}/chronology", {}),
        ("list", "missing_episode", f"/people/{person['id']}/missing-episodes", {}),
        ("view", "case", f"/cases/{case['id']}/members", {}),
    ]


def test_every_read_is_audited_with_the_person_ids_it_touched(casework):
    caller, person, case = casework
    for action, object_type, path, params in reads(person, case):
        before = len(audit_events(action))
        assert caller.get(path, **params).status_code == 200, path
        events = audit_events(action)
        assert len(events) == before + 1, path
        assert events[-1].object_type == object_type and events[-1].person_id_list == [person["id"]], path


def test_reading_a_place_or_group_is_audited_without_person_ids(as_user, make_user):
    caller = as_user(make_user("youth_worker"))
    place = caller.post("/places", json={"name": "Skate park", "kind": "park"}).get_json()
    group = caller.post("/groups", json={"name": "The Crew"}).get_json()
    assert caller.get(f"/places/{place['id']}").get_json()["name"] == "Skate park"
    assert caller.get(f"/groups/{group['id']}").get_json()["name"] == "The Crew"
    assert [(e.object_type, e.object_id, e.person_id_list) for e in audit_events("view")] == [
        ("place", place["id"], []),
        ("group", group["id"], []),
    ]


def test_if_the_audit_write_fails_no_data_is_returned(casework, monkeypatch):
    caller, person, case = casework
    real_record_durably = audit.record_durably

    def failing(engine, **kwargs):
        if kwargs["action"] in ("view", "list", "search"):
            raise audit.AuditWriteFailed("audit store unavailable")
        return real_record_durably(engine, **kwargs)

    # Reads reach the audit log through the `audit` module (safeguarding.access.audit.record_durably).
    monkeypatch.setattr("safeguarding.access.audit.record_durably", failing)
    for _action, _type, path, params in reads(person, case):
        response = caller.get(path, **params)
        assert response.status_code == 503, path
        assert "cannot record this access" in response.get_json()["error"]
        text = response.get_data(as_text=True)
        for marker in ("Precious", "Mbeki", "Plaintext marker", "2024-01-02"):
            assert marker not in text, (path, marker)
