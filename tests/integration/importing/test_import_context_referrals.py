"""Referrals about a place or a group in the import: `subject` names the context's ref instead of `person`,
exactly one of the two; sealed under the context's key, re-imported without duplicating, and never moved to
another subject."""

from app.extensions import db
from models.context import Group, Place
from models.referral import Referral
from tests.integration.importing.documents import count, document

ABOUT_THE_PARK = {
    "ref": "ref-park",
    "subject": "pl1",
    "from_agency": "ag-pol",
    "to_agency": "ag-csc",
    "urgency": "amber",
    "reason": "Younger children drawn into dealing by the bandstand",
    "sent_at": "2024-06-01T10:00:00+01:00",
    "acknowledged_at": "2024-06-01T15:00:00+01:00",
}
ABOUT_THE_CREW = {
    "ref": "ref-crew",
    "subject": "g1",
    "from_agency": "ag-csc",
    "to_agency": "ag-pol",
    "urgency": "green",
    "reason": "Peer group for the exploitation panel",
    "sent_at": "2024-07-01",
}


def with_context_referrals(*items) -> dict:
    doc = document()
    doc["referrals"] = [*doc["referrals"], *items]
    return doc


def test_referrals_about_a_place_and_a_group_are_imported_about_them(run):
    code, body = run(with_context_referrals(ABOUT_THE_PARK, ABOUT_THE_CREW))
    assert code == 0, body
    assert body["created"]["referrals"] == 4
    db.session.expire_all()
    park = db.session.get(Referral, body["ids"]["ref-park"])
    assert (park.subject_type, park.subject_id, park.person_id) == ("place", body["ids"]["pl1"], None)
    assert park.status == "acknowledged" and park.reason == ABOUT_THE_PARK["reason"]
    assert park.data_key_id == db.session.get(Place, body["ids"]["pl1"]).data_key_id
    crew = db.session.get(Referral, body["ids"]["ref-crew"])
    assert (crew.subject_type, crew.subject_id, crew.status) == ("group", body["ids"]["g1"], "submitted")
    assert crew.data_key_id == db.session.get(Group, body["ids"]["g1"]).data_key_id


def test_a_second_import_updates_a_context_referral_and_never_duplicates_it(run):
    run(with_context_referrals(ABOUT_THE_PARK))
    decided = ABOUT_THE_PARK | {"decided_at": "2024-06-03T10:00:00+01:00", "outcome": "accepted"}
    code, body = run(with_context_referrals(decided))
    assert code == 0, body
    assert body["updated"]["referrals"] == 3 and body["created"]["referrals"] == 0
    assert count(Referral) == 3
    db.session.expire_all()
    assert db.session.get(Referral, body["ids"]["ref-park"]).status == "accepted"


def test_a_referral_cannot_move_to_another_subject_on_a_second_import(run):
    run(with_context_referrals(ABOUT_THE_PARK))
    code, body = run(with_context_referrals(ABOUT_THE_PARK | {"subject": "g1"}))
    assert code == 1
    assert list(body["fields"]) == ["$.referrals[2].subject"]
    code, body = run(
        with_context_referrals({k: v for k, v in ABOUT_THE_PARK.items() if k != "subject"} | {"person": "p1"})
    )
    assert code == 1 and list(body["fields"]) == ["$.referrals[2].person"]


def test_bad_subjects_are_each_reported_and_nothing_is_written(run):
    both = ABOUT_THE_PARK | {"ref": "both", "person": "p1"}
    neither = {k: v for k, v in ABOUT_THE_CREW.items() if k != "subject"} | {"ref": "neither"}
    a_person = ABOUT_THE_CREW | {"ref": "a-person", "subject": "p2"}
    unknown = ABOUT_THE_CREW | {"ref": "unknown", "subject": "nowhere"}
    code, body = run(with_context_referrals(both, neither, a_person, unknown))
    assert code == 1
    assert body["fields"] == {
        "$.referrals[2].subject": "Give person for a person or subject for a place or group, not both",
        "$.referrals[3].person": "Name a ref from this document or an earlier import",
        "$.referrals[4].subject": "This ref is a person, but a place or group is needed here",
        "$.referrals[5].subject": "Name a ref from this document or an earlier import",
    }
    assert count(Referral) == 0 and count(Place) == 0
