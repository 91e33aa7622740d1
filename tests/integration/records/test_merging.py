"""Merging duplicate people and moving a chronology entry recorded on the wrong case."""

import pytest

from app.extensions import db
from models.case import ChronologyEntry
from models.person import Person
from safeguarding import case_chronology, cases, contexts, merging, people, search
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from tests.web.helpers import audit_events


def test_merging_moves_everything_to_the_survivor_and_keeps_a_pointer(record_child, open_case_for, social_worker):
    survivor = record_child(given_name="Jayden", family_name="Clarke")
    duplicate = record_child(given_name="Jaden", family_name="Clark", flags=["missing_from_home"])
    case = open_case_for(duplicate)
    place = contexts.create_place(db.session, social_worker, {"name": "Station", "kind": "transport"})
    contexts.add_relationship(
        db.session,
        social_worker,
        {
            "source": {"type": "person", "id": duplicate.id},
            "target": {"type": "place", "id": place.id},
            "kind": "seen_at",
        },
    )
    merging.merge_people(db.session, social_worker, survivor.id, duplicate.id)
    db.session.expire_all()
    assert db.session.get(Person, duplicate.id).merged_into_id == survivor.id
    assert cases.load_case(db.session, case.id).subject_person_id == survivor.id
    survivor = db.session.get(Person, survivor.id)
    assert survivor.has_flag("missing_from_home") and "Jaden Clark" in survivor.aliases
    found = search.search_people(db.session, social_worker, "Jaden", "Clark", "2011-03-27")
    assert [m.person.id for m in found.matches] == [survivor.id]
    [event] = [e for e in audit_events("update") if (e.detail_dict or {}).get("change") == "merged"]
    assert set(event.person_id_list) == {survivor.id, duplicate.id}


def test_merging_needs_two_records_you_may_see(record_child, make_user, social_worker):
    first, second = record_child(), record_child(given_name="Kai")
    with pytest.raises(ValidationFailed):
        merging.merge_people(db.session, social_worker, first.id, first.id)
    with pytest.raises(PermissionDenied):
        merging.merge_people(db.session, make_user("police_officer"), first.id, second.id)
    merging.merge_people(db.session, social_worker, first.id, second.id)
    with pytest.raises(Conflict):
        merging.merge_people(db.session, social_worker, second.id, first.id)


def test_an_entry_on_the_wrong_case_moves_and_stays_readable(record_child, open_case_for, social_worker):
    right, wrong = open_case_for(record_child()), open_case_for(record_child(given_name="Kai"))
    entry = case_chronology.add_chronology_entry(
        db.session,
        social_worker,
        wrong.id,
        {"occurred_on": "2026-03-01", "category": "home_visit", "summary": "Visited the family home"},
    )
    merging.move_chronology_entry(db.session, social_worker, entry.id, right.id)
    db.session.expire_all()
    moved = db.session.get(ChronologyEntry, entry.id)
    assert (moved.case_id, moved.moved_from_case_id) == (right.id, wrong.id)
    assert moved.summary == "Visited the family home" and moved.data_key_id == right.data_key_id
    assert any((e.detail_dict or {}).get("change") == "moved" for e in audit_events("update"))


def test_moving_an_entry_needs_both_teams(record_child, open_case_for, social_worker, make_user):
    other = make_user("social_worker", agency=social_worker.agency)
    mine, theirs = open_case_for(record_child()), open_case_for(record_child(given_name="Kai"), actor=None)
    entry = case_chronology.add_chronology_entry(
        db.session,
        social_worker,
        mine.id,
        {"occurred_on": "2026-03-01", "category": "contact", "summary": "Phone call"},
    )
    with pytest.raises(PermissionDenied):
        merging.move_chronology_entry(db.session, other, entry.id, theirs.id)


def test_a_merge_checked_against_versions_that_have_moved_on_is_refused(record_child, social_worker):
    survivor, duplicate = record_child(), record_child(given_name="Jaden")
    checked = (survivor.version, duplicate.version)
    people.update_person(db.session, social_worker, duplicate.id, {"version": duplicate.version, "notes": "Moved"})
    with pytest.raises(Conflict, match="changed after you checked"):
        merging.merge_people(db.session, social_worker, survivor.id, duplicate.id, versions=checked)
    db.session.expire_all()
    assert db.session.get(Person, duplicate.id).merged_into_id is None
    merging.merge_people(db.session, social_worker, survivor.id, duplicate.id, versions=(1, 2))


def test_an_entry_moved_off_the_case_it_was_seen_on_is_not_moved_again_from_there(
    record_child, open_case_for, social_worker
):
    first, second, third = (open_case_for(record_child(given_name=name)) for name in ("Kai", "Lou", "Max"))
    data = {"occurred_on": "2026-03-01", "category": "contact", "summary": "Phone call"}
    entry = case_chronology.add_chronology_entry(db.session, social_worker, first.id, data)
    assert merging.may_move("team", "full") and not merging.may_move("reader", "full")
    merging.move_chronology_entry(db.session, social_worker, entry.id, second.id, from_case_id=first.id)
    with pytest.raises(Conflict, match="moved to another case"):
        merging.move_chronology_entry(db.session, social_worker, entry.id, third.id, from_case_id=first.id)
    db.session.expire_all()
    assert db.session.get(ChronologyEntry, entry.id).case_id == second.id
