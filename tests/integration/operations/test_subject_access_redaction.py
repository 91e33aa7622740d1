"""Redaction in a subject access bundle: every other person the records could name, wherever the bundle names them."""

import json

import pytest

from app.extensions import db
from models.base import utcnow
from safeguarding import case_chronology, cases, context_work, contexts, subject_access
from tests.fixtures.caseloads import record


def link(worker, person, target, kind, target_type="person", **extra):
    data = {"source": {"type": "person", "id": person.id}, "target": {"type": target_type, "id": target.id}}
    return contexts.add_relationship(db.session, worker, {**data, "kind": kind, **extra})


def bundle_of(make_user, person) -> dict:
    lead = make_user("safeguarding_lead")
    return subject_access.build_bundle(db.session, lead, person.id, reauthenticated_at=utcnow())


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def child(worker):
    return record(worker, "Quillonetta", "Zarb", address="1 Marker Street")


def test_someone_met_at_a_shared_place_is_redacted_with_their_address(make_user, worker, child):
    peer = record(worker, "Zephyrine", "Okonkwo-Blyth", address="9 Hollow Lane, Leeds LS6 2AB")
    park = contexts.create_place(db.session, worker, {"name": "Ridley Park", "kind": "park"})
    for who in (child, peer):  # both frequent the park: no tie between the two of them
        link(worker, who, park, "frequents", "place")
    summary = "Seen with Zephyrine Okonkwo-Blyth in Ridley Park"
    case = cases.open_case(
        db.session,
        worker,
        {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "high", "summary": summary},
    )
    entry = {"occurred_on": "2026-05-01", "category": "home_visit", "summary": "Stays at 9 Hollow Lane with Okonkwo"}
    case_chronology.add_chronology_entry(db.session, worker, case.id, entry)
    bundle = bundle_of(make_user, child)
    assert bundle["cases"][0]["summary"] == "Seen with [another person] [another person] in Ridley Park"
    assert bundle["cases"][0]["chronology"][0]["summary"] == "Stays at [another person] with [another person]"
    assert bundle["person"]["address"] == "1 Marker Street"


def test_someone_two_hops_away_through_a_person_is_redacted(make_user, worker, child):
    brother = record(worker, "Barnabus", "Vexley")
    friend = record(worker, "Orrin", "Castellane")
    link(worker, child, brother, "sibling")
    link(worker, brother, friend, "associate")
    child.notes = "Orrin Castellane collects her from school"
    notes = bundle_of(make_user, child)["person"]["notes"]
    assert notes == "[another person] [another person] collects her from school"


def test_a_tied_persons_address_and_phone_are_redacted_however_the_number_is_written(make_user, worker, child):
    brother = record(worker, "Barnabus", "Vexley", address="Flat 3, 9 Hollow Lane\nLeeds", phone="07700 900123")
    child.notes = "Often sleeps at 9 Hollow Lane; rang +44 7700 900 123 and 07700900123"
    link(worker, child, brother, "sibling", notes="Call him on 07700-900123 at Hollow Lane")
    bundle = bundle_of(make_user, child)
    assert bundle["person"]["notes"] == "Often sleeps at [another person]; rang [another person] and [another person]"
    assert bundle["relationships"][0]["notes"] == "Call him on [another person] at [another person]"


def test_place_and_group_names_are_redacted_but_the_subjects_own_home_is_not(make_user, worker, child):
    brother = record(worker, "Barnabus", "Vexley")
    link(worker, child, brother, "sibling")
    crew = contexts.create_group(db.session, worker, {"name": "Barnabus Vexley's crew"})
    his_flat = contexts.create_place(db.session, worker, {"name": "12 Elm Road", "kind": "address"})
    home = contexts.create_place(db.session, worker, {"name": "1 Marker Street", "kind": "address"})
    link(worker, child, crew, "member_of", "group")
    link(worker, brother, his_flat, "lives_at", "place")
    link(worker, child, his_flat, "frequents", "place")
    link(worker, child, home, "lives_at", "place")
    context_work.rate_place(db.session, worker, child.id, {"place_id": his_flat.id, "rating": "red"})
    bundle = bundle_of(make_user, child)
    text = json.dumps(bundle)
    assert "Vexley" not in text and "Elm Road" not in text
    ties = {r["kind"]: r["with"] for r in bundle["relationships"]}
    assert ties["member_of"] == "[another person] [another person]'s crew"
    assert ties["frequents"] == "[another person]" and bundle["safety_ratings"][0]["place"] == "[another person]"
    assert ties["lives_at"] == "1 Marker Street"


def test_a_shared_family_name_stays_as_it_is_the_subjects_own(make_user, worker, child):
    sister = record(worker, "Ottoline", "Zarb")
    link(worker, child, sister, "sibling")
    child.notes = "Ottoline Zarb takes her to school"
    assert bundle_of(make_user, child)["person"]["notes"] == "[another person] Zarb takes her to school"


def test_a_tied_persons_identifiers_are_redacted(make_user, worker, child):
    """An NHS or police number names someone as surely as their name does, however it is spaced."""
    brother = record(worker, "Barnabus", "Vexley", identifiers={"nhs_number": "485 777 3456", "pnc": "12/345678A"})
    link(worker, child, brother, "sibling")
    child.notes = "Her brother (NHS 4857773456, PNC 12/345678A) was with her"
    assert (
        bundle_of(make_user, child)["person"]["notes"]
        == "Her brother (NHS [another person], PNC [another person]) was with her"
    )
