"""POST/GET/PATCH /people: exact round trips, versions, and bad input that writes nothing."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.extensions import db
from models.person import Person
from safeguarding.validation import uk_today
from tests.web.api.client import person_body
from tests.web.helpers import audit_events


def people_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Person))


@pytest.mark.parametrize(
    ("given", "family"),
    [("Zoë", "Ní Bhriain"), ("محمد", "الحسن"), ("Алексей", "Смирнов"), ("李雷", "韓"), ("Siân", "O'Brien-Ŵyn")],
)
def test_names_in_any_script_round_trip_exactly(as_user, make_user, given, family):
    caller = as_user(make_user("social_worker"))
    created = caller.post("/people", json=person_body(given_name=given, family_name=family))
    assert created.status_code == 201
    read = caller.get(f"/people/{created.get_json()['id']}").get_json()
    assert (read["given_name"], read["family_name"]) == (given, family)
    assert read["display_name"] == f"{given} {family}"


def test_a_recorded_person_reads_back_with_every_field(as_user, make_user):
    caller = as_user(make_user("social_worker"))
    sent = person_body(
        dob_estimated=True,
        sex="male",
        aliases=["JJ", "Little J"],
        address="Flat 3, 12 Mill Lane",
        notes="Lives with his nan",
        flags=["missing_from_home", "victim_of_exploitation"],
    )
    created = caller.post("/people", json=sent)
    assert created.status_code == 201
    body = created.get_json()
    assert body["version"] == 1 and body["view"] == "full"
    read = caller.get(f"/people/{body['id']}").get_json()
    for key, value in sent.items():
        if key != "flags":
            assert read[key] == value, key
    assert sorted(f["flag"] for f in read["flags"]) == ["missing_from_home", "victim_of_exploitation"]
    assert read["basis"] == ["recorder"]


def test_a_change_with_the_current_version_is_saved_and_bumps_the_version(as_user, make_user, make_person):
    user = make_user("social_worker")
    person = make_person(user)
    response = as_user(user).patch(f"/people/{person['id']}", json={"version": 1, "address": "4 New Road"})
    assert response.status_code == 200
    assert response.get_json()["version"] == 2 and response.get_json()["address"] == "4 New Road"
    assert [e.detail_dict["fields"] for e in audit_events("update")] == [["address"]]


def test_a_change_with_a_stale_version_gets_409_and_changes_nothing(as_user, make_user, make_person):
    user = make_user("social_worker")
    person = make_person(user, address="1 Old Street")
    caller = as_user(user)
    assert caller.patch(f"/people/{person['id']}", json={"version": 1, "notes": "first"}).status_code == 200
    stale = caller.patch(f"/people/{person['id']}", json={"version": 1, "address": "9 Lost Road"})
    assert stale.status_code == 409 and stale.get_json()["error"]
    read = caller.get(f"/people/{person['id']}").get_json()
    assert read["address"] == "1 Old Street" and read["version"] == 2


def test_flags_can_be_set_and_cleared_by_a_change(as_user, make_user, make_person):
    user = make_user("social_worker")
    person = make_person(user, flags=["looked_after"])
    changed = as_user(user).patch(f"/people/{person['id']}", json={"version": 1, "flags": ["child_in_need"]})
    assert [f["flag"] for f in changed.get_json()["flags"]] == ["child_in_need"]


def test_a_change_to_an_unknown_field_or_without_a_version_gets_422(as_user, make_user, make_person):
    user = make_user("social_worker")
    person = make_person(user)
    caller = as_user(user)
    refused = caller.patch(f"/people/{person['id']}", json={"version": 1, "id": "x"}).get_json()["fields"]
    assert list(refused) == ["$.id"] and refused["$.id"].startswith("Not a field taken here: check its name")
    assert "$.version" in caller.patch(f"/people/{person['id']}", json={"notes": "x"}).get_json()["fields"]


TOO_LONG = "x" * 101
# Read when the test runs, not when it is collected: a run can cross midnight.
TOMORROW = "<tomorrow>"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"given_name": 7}, "$.given_name"),
        ({"family_name": ["Okafor"]}, "$.family_name"),
        ({"given_name": "   "}, "$.given_name"),
        ({"date_of_birth": "2011-02-30"}, "$.date_of_birth"),
        ({"date_of_birth": "12/04/2010"}, "$.date_of_birth"),
        ({"date_of_birth": 20100412}, "$.date_of_birth"),
        ({"date_of_birth": TOMORROW}, "$.date_of_birth"),
        ({"given_name": TOO_LONG}, "$.given_name"),
        ({"notes": "n" * 10_001}, "$.notes"),
        ({"given_name": "Jay\x00den"}, "$.given_name"),
        ({"address": "Flat 1\x00"}, "$.address"),
        ({"given_name": "Jay\udc80den"}, "$.given_name"),
        ({"aliases": ["ok", "\ud800"]}, "$.aliases[1]"),
        ({"flags": ["gang_member"]}, "$.flags"),
        ({"flags": "looked_after"}, "$.flags"),
        ({"sex": "boy"}, "$.sex"),
        ({"dob_estimated": "yes"}, "$.dob_estimated"),
        ({"aliases": ["ok", 3]}, "$.aliases[1]"),
        ({"favourite_colour": "blue"}, "$.favourite_colour"),
    ],
)
def test_bad_input_gets_422_with_the_field_and_writes_nothing(as_user, make_user, changes, field):
    caller = as_user(make_user("social_worker"))
    before = people_count()
    tomorrow = (uk_today() + timedelta(days=1)).isoformat()
    changes = {key: tomorrow if value == TOMORROW else value for key, value in changes.items()}
    response = caller.post("/people", json=person_body(**changes))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] and field in body["fields"], body
    assert people_count() == before
    assert [e for e in audit_events("create") if e.object_type == "person"] == []


@pytest.mark.parametrize("data", [b"{not json", b"[1, 2]", b"", b"\xff\xfe", b'"a string"', b"[" * 5000 + b"]" * 5000])
def test_unreadable_bodies_get_400_and_write_nothing(as_user, make_user, data):
    caller = as_user(make_user("social_worker"))
    response = caller.raw("POST", "/people", data)
    assert response.status_code == 400 and response.get_json()["error"]
    assert people_count() == 0


def test_a_key_given_twice_gets_400_naming_it_and_writes_nothing(as_user, make_user):
    """json.loads would keep the last value silently; which one the caller meant cannot be known."""
    data = b'{"given_name": "Ada", "family_name": "Okafor", "date_of_birth": "2012-04-01", "given_name": "Eve"}'
    response = as_user(make_user("social_worker")).raw("POST", "/people", data)
    assert response.status_code == 400 and '"given_name" appears twice' in response.get_json()["error"]
    assert people_count() == 0


def test_missing_required_fields_are_all_named(as_user, make_user):
    response = as_user(make_user("social_worker")).post("/people", json={})
    assert set(response.get_json()["fields"]) == {"$.given_name", "$.family_name", "$.date_of_birth"}


@pytest.mark.parametrize("person_id", ["0b7c9a5e-3f2d-4c1b-9a8e-7d6c5b4a3f21", "42", "not-a-uuid", "%00", "x" * 300])
def test_unknown_or_malformed_person_ids_get_404(as_user, make_user, person_id):
    caller = as_user(make_user("social_worker"))
    assert caller.get(f"/people/{person_id}").status_code == 404
    assert caller.patch(f"/people/{person_id}", json={"version": 1}).status_code == 404
    assert caller.get(f"/people/{person_id}/missing-episodes").status_code == 404
    assert caller.post(f"/people/{person_id}/break-glass", json={"reason": "r" * 30}).status_code == 404


def test_a_date_of_birth_that_fails_its_integrity_check_does_not_stop_other_changes(
    as_user, make_user, make_person, app
):
    """Unreadable values are shown as unreadable, never a 500: editing a name re-indexes the person, and a tampered
    date of birth is not known, so it gives no search token instead of failing the edit (or a whole re-index)."""
    worker = make_user("social_worker")
    tampered, other = make_person(worker), make_person(worker, given_name="Other")
    table = Person.__table__
    blob = db.session.scalar(select(table.c.date_of_birth).where(table.c.id == other["id"]))
    db.session.execute(update(table).where(table.c.id == tampered["id"]).values(date_of_birth=blob))
    db.session.commit()
    response = as_user(worker).patch(f"/people/{tampered['id']}", json={"version": 1, "family_name": "Okafor-Reid"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["unreadable_fields"] == ["date_of_birth"]
    result = app.test_cli_runner().invoke(args=["keys", "reindex", "--json"])
    assert result.exit_code == 0 and result.output.strip().splitlines()[-1] == '{"reindexed": 2}'


def test_a_data_key_whose_wrapping_was_tampered_with_leaves_its_values_unreadable_not_a_500(
    as_user, make_user, make_person
):
    """Every value under that key fails its check, and shows so; a search whose candidates include the person, whose
    keys are unwrapped together, still answers, with the others readable."""
    from models.crypto import DataKey, current_keyring

    worker = make_user("social_worker")
    tampered, other = make_person(worker, given_name="Jayden"), make_person(worker, given_name="Jaden")
    key_id = db.session.get(Person, tampered["id"]).data_key_id
    wrapped = db.session.get(DataKey, key_id).wrapped_key
    db.session.execute(
        update(DataKey).where(DataKey.id == key_id).values(wrapped_key=bytes([wrapped[0] ^ 1]) + wrapped[1:])
    )
    db.session.commit()
    current_keyring().cache.clear()  # as in a process that has not read them yet
    api = as_user(worker)
    response = api.get(f"/people/{tampered['id']}")
    assert response.status_code == 200 and "given_name" in response.get_json()["unreadable_fields"]
    found = api.get("/people", given_name="Jaden", family_name="Okafor")
    assert found.status_code == 200
    assert other["id"] in {match["id"] for match in found.get_json()["results"]}
