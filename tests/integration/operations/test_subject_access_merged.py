"""A subject access bundle for a person whose duplicate records were merged: one bundle, over every record."""

import pytest

from app.extensions import db
from models.base import utcnow
from safeguarding import break_glass, cases, context_work, contexts, merging, people, subject_access
from tests.fixtures.caseloads import record
from tests.web.helpers import audit_events


def bundle_of(make_user, person_id) -> dict:
    lead = make_user("safeguarding_lead")
    return subject_access.build_bundle(db.session, lead, person_id, reauthenticated_at=utcnow())


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def park(worker):
    return contexts.create_place(db.session, worker, {"name": "Ridley Park", "kind": "park"})


def records_on(worker, person, park) -> None:
    """What stays on a record when it is merged: a rating, a weighting, a meeting, a grant and a view."""
    context_work.rate_place(db.session, worker, person.id, {"place_id": park.id, "rating": "red"})
    context_work.record_weighting(db.session, worker, person.id, {"weights": {"peers": {"harm": 3, "safety": 0}}})
    meeting = {"kind": "strategy", "subject": {"type": "person", "id": person.id}, "held_on": "2026-01-05"}
    context_work.record_meeting(db.session, worker, {**meeting, "decisions": "Strategy decided"})
    break_glass.break_glass(db.session, worker, person.id, "Out of hours: missing tonight, need the address")
    people.view_person(db.session, worker, person.id)


def test_the_survivors_bundle_holds_what_stayed_on_the_merged_duplicate(make_user, worker, park):
    survivor = record(worker, "Jayden", "Clarke")
    duplicate = record(worker, "Jaden", "Clark", address="4 Station Road")
    records_on(worker, duplicate, park)
    merging.merge_people(db.session, worker, survivor.id, duplicate.id)
    bundle = bundle_of(make_user, survivor.id)
    assert [r["place"] for r in bundle["safety_ratings"]] == ["Ridley Park"]
    assert len(bundle["context_weightings"]) == 1 and bundle["meetings"][0]["decisions"] == "Strategy decided"
    assert len(bundle["emergency_access"]) == 1
    assert any(a["action"] == "view" for a in bundle["accessed_by"])
    assert [(m["id"], m["given_name"], m["address"]) for m in bundle["merged_records"]] == [
        (duplicate.id, "Jaden", "4 Station Road")
    ]
    assert audit_events("export")[-1].person_id_list == sorted([survivor.id, duplicate.id])


def test_a_bundle_asked_for_by_a_merged_duplicates_id_is_the_survivors(make_user, worker):
    survivor = record(worker, "Jayden", "Clarke")
    duplicate = record(worker, "Jaden", "Clark")
    subject = {"type": "person", "id": duplicate.id}
    cases.open_case(db.session, worker, {"subject": subject, "concerns": ["cce"], "risk_level": "low", "summary": "S"})
    merging.merge_people(db.session, worker, survivor.id, duplicate.id)
    bundle = bundle_of(make_user, duplicate.id)
    assert bundle["person"]["id"] == survivor.id and bundle["person"]["given_name"] == "Jayden"
    assert len(bundle["cases"]) == 1 and [m["id"] for m in bundle["merged_records"]] == [duplicate.id]
    assert audit_events("export")[-1].object_id == survivor.id


def test_records_merged_in_turn_are_followed_both_ways(make_user, worker, park):
    survivor, middle, first = (record(worker, n, "Clarke") for n in ("Jayden", "Jaden", "Jaydon"))
    records_on(worker, first, park)
    merging.merge_people(db.session, worker, middle.id, first.id)
    merging.merge_people(db.session, worker, survivor.id, middle.id)
    bundle = bundle_of(make_user, first.id)
    assert bundle["person"]["id"] == survivor.id and len(bundle["safety_ratings"]) == 1
    assert sorted(m["id"] for m in bundle["merged_records"]) == sorted([middle.id, first.id])
    assert "[another person]" not in str(bundle["merged_records"]) + str(bundle["relationships"])
