"""What a subject access bundle holds beyond the record itself: the work about the person and their contexts, each
with who did it and when, and other people's names redacted inside it."""

import json

import pytest
from sqlalchemy import event, update

from app.extensions import db
from models.base import utcnow
from models.crypto import UNREADABLE
from models.referral import Referral
from safeguarding import (
    alerts,
    case_chronology,
    case_closure,
    cases,
    context_work,
    contexts,
    missing,
    people,
    referrals,
    subject_access,
)
from tests.fixtures.caseloads import open_case, record


def bundle_of(make_user, person) -> dict:
    lead = make_user("safeguarding_lead")
    return subject_access.build_bundle(db.session, lead, person.id, reauthenticated_at=utcnow())


@pytest.fixture
def worker(make_user):
    return make_user("social_worker", family_name="Worker")


@pytest.fixture
def child(worker):
    child = record(worker, "Quillonetta", "Zarb")
    brother = record(worker, "Barnabus", "Vexley")
    link = {"source": {"type": "person", "id": child.id}, "target": {"type": "person", "id": brother.id}}
    contexts.add_relationship(db.session, worker, {**link, "kind": "sibling"})
    return child


@pytest.fixture
def park(worker, child):
    park = contexts.create_place(db.session, worker, {"name": "Ridley Park", "kind": "park"})
    tie = {"source": {"type": "person", "id": child.id}, "target": {"type": "place", "id": park.id}}
    contexts.add_relationship(
        db.session,
        worker,
        {
            **tie,
            "kind": "frequents",
            "last_seen": "2026-05-02",
            "grading": {"source": "2", "information": "B", "handling": "P"},
        },
    )
    return park


def test_assessments_and_conferences_about_their_places_are_in_the_bundle(make_user, worker, child, park):
    elsewhere = contexts.create_place(db.session, worker, {"name": "Other Park", "kind": "park"})
    intervention = {
        "intervention": "guardianship",
        "detail": "Barnabus to stay away",
        "owner_agency_id": worker.agency_id,
    }
    for place in (park, elsewhere):
        context_work.record_assessment(
            db.session,
            worker,
            {
                "subject": {"type": "place", "id": place.id},
                "findings": f"Barnabus deals at {place.name}",
                "interventions": [intervention],
            },
        )
        conference = {
            "kind": "context_conference",
            "subject": {"type": "place", "id": place.id},
            "held_on": "2026-01-05",
        }
        context_work.record_meeting(
            db.session, worker, {**conference, "decisions": "Quillonetta and Barnabus groomed here"}
        )
    bundle = bundle_of(make_user, child)
    [assessment] = bundle["context_assessments"]
    assert (assessment["about"], assessment["findings"]) == ("Ridley Park", "[another person] deals at Ridley Park")
    assert assessment["interventions"] == [
        {
            "intervention": "guardianship",
            "detail": "[another person] to stay away",
            "owner_agency": worker.agency.name,
            "due_on": None,
        }
    ]
    [conference] = bundle["meetings"]
    assert (
        conference["about"] == "Ridley Park"
        and conference["decisions"] == "Quillonetta and [another person] groomed here"
    )
    assert conference["chair"] == worker.display_name


def test_meetings_have_their_attendees_and_actions(make_user, worker, child):
    police = make_user("police_officer", family_name="Constable")
    meeting = {"kind": "strategy", "subject": {"type": "person", "id": child.id}, "held_on": "2026-01-05"}
    actions = [{"action": "Speak to Barnabus Vexley", "owner_id": police.id, "due_on": "2026-01-12"}]
    context_work.record_meeting(
        db.session,
        worker,
        {
            **meeting,
            "decisions": "Plan agreed",
            "attendee_ids": [police.id],
            "actions": actions,
            "not_invited_agency_ids": [police.agency_id],
        },
    )
    [held] = bundle_of(make_user, child)["meetings"]
    assert held["attendees"] == [police.display_name] and held["not_invited"] == [police.agency.name]
    assert held["actions"] == [
        {"action": "Speak to [another person] [another person]", "owner": police.display_name, "due_on": "2026-01-12"}
    ]


def test_the_flag_history_has_who_set_and_cleared_each_flag(make_user, worker, child):
    people.update_person(db.session, worker, child.id, {"flags": ["missing_from_home"], "version": child.version})
    people.update_person(db.session, worker, child.id, {"flags": ["looked_after"], "version": child.version})
    person = bundle_of(make_user, child)["person"]
    assert person["flags"] == ["looked_after"]
    history = {f["flag"]: f for f in person["flag_history"]}
    assert history["missing_from_home"]["set_by"] == worker.display_name
    assert (
        history["missing_from_home"]["cleared_by"] == worker.display_name and history["missing_from_home"]["cleared_at"]
    )
    assert history["looked_after"]["cleared_at"] is None


def test_a_case_has_its_team_plan_and_why_it_closed(make_user, worker, child):
    case = open_case(worker, child)
    cases.add_plan_action(db.session, worker, case.id, {"description": "Visit Barnabus", "due_on": "2026-06-01"})
    case_closure.change_case_status(
        db.session,
        worker,
        case.id,
        {"status": "closed", "closed_reason": "Barnabus moved away", "version": case.version},
    )
    [held] = bundle_of(make_user, child)["cases"]
    assert held["status"] == "closed" and held["closed_reason"] == "[another person] moved away" and held["closed_on"]
    assert held["risk_level"] == "high" and held["lead_worker"] == worker.display_name
    assert [(m["name"], m["role"]) for m in held["team"]] == [(worker.display_name, "social_worker")]
    assert held["plan"] == [
        {"action": "Visit [another person]", "owner": worker.display_name, "due_on": "2026-06-01", "done_at": None}
    ]


def test_a_tie_has_its_grading_and_when_last_seen(make_user, worker, child, park):
    ties = {r["kind"]: r for r in bundle_of(make_user, child)["relationships"]}
    assert ties["frequents"]["grading"] == {"source": "2", "information": "B", "handling": "P"}
    assert ties["frequents"]["last_seen"] == "2026-05-02" and ties["frequents"]["recorded_by"] == worker.display_name


def test_a_missing_episode_has_where_it_ended_and_who_reported_it(make_user, worker, child, park):
    episode = {"reported_at": "2026-04-01T20:00:00+00:00", "returned_at": "2026-04-02T08:00:00+00:00"}
    missing.record_episode(db.session, worker, child.id, {**episode, "found_at_place_id": park.id})
    [held] = bundle_of(make_user, child)["missing_episodes"]
    assert held["found_at"] == "Ridley Park" and held["reported_by"] == worker.display_name
    assert held["reported_by_agency"] == worker.agency.name


def test_the_alerts_raised_about_them_are_in_the_bundle(make_user, worker, child):
    """A missed return-home interview raises an alert about the child: held about them, so in the bundle."""
    episode = {"reported_at": "2026-04-01T20:00:00+00:00", "returned_at": "2026-04-02T08:00:00+00:00"}
    missing.record_episode(db.session, worker, child.id, episode)
    alerts.list_alerts(db.session, make_user("safeguarding_lead"), "return_interview")
    [alert] = bundle_of(make_user, child)["alerts"]
    assert (alert["kind"], alert["fired_on"]) == ("return_interview", "2026-04-05")
    assert "2026-04-02" in alert["detail"]


def test_a_referral_has_its_lawful_basis_decline_and_history(make_user, worker, child):
    police = make_user("police_officer", family_name="Constable")
    data = {
        "person_id": child.id,
        "to_agency_id": police.agency_id,
        "urgency": "amber",
        "reason": "Seen with Barnabus",
        "lawful_basis": "consent_overridden",
        "lawful_basis_reason": "Barnabus would be warned",
    }
    referral = referrals.submit_referral(db.session, worker, data)
    referrals.transition(db.session, police, referral.id, "decline", {"reason": "Barnabus is not known to us"})
    [held] = bundle_of(make_user, child)["referrals"]
    assert (held["lawful_basis"], held["lawful_basis_reason"]) == (
        "consent_overridden",
        "[another person] would be warned",
    )
    assert held["decline_reason"] == "[another person] is not known to us" and held["sent_by"] == worker.display_name
    assert [(s["to_status"], s["by"], s["note"]) for s in held["history"]][-1] == (
        "declined",
        police.display_name,
        "[another person] is not known to us",
    )


def test_an_encrypted_value_that_fails_its_check_is_null_not_text(make_user, worker, child):
    police = make_user("police_officer")
    data = {"person_id": child.id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Concern"}
    referral = referrals.submit_referral(db.session, worker, data)
    referrals.transition(db.session, police, referral.id, "decline", {"reason": "Not for us"})
    tampered = referral.decline_reason_enc[:-1] + bytes([referral.decline_reason_enc[-1] ^ 1])
    db.session.execute(
        update(Referral).where(Referral.id == referral.id).values({Referral.decline_reason_enc: tampered})
    )
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).decline_reason is UNREADABLE
    bundle = bundle_of(make_user, child)
    assert bundle["referrals"][0]["decline_reason"] is None and "UNREADABLE" not in json.dumps(bundle).upper()


def statements_for_bundle(make_user, person) -> int:
    lead = make_user("safeguarding_lead")
    connection, sent = db.session.connection(), []

    def count(*_args):
        sent.append(1)

    event.listen(connection, "before_cursor_execute", count)
    try:
        subject_access.build_bundle(db.session, lead, person.id, reauthenticated_at=utcnow())
    finally:
        event.remove(connection, "before_cursor_execute", count)
    return len(sent)


def add_work(worker, police, child, park, times: int) -> None:
    for i in range(times):
        case = open_case(worker, child)
        cases.add_plan_action(db.session, worker, case.id, {"description": f"Action {i}"})
        case_chronology.add_chronology_entry(
            db.session, worker, case.id, {"occurred_on": "2026-05-01", "category": "contact", "summary": f"Met {i}"}
        )
        data = {"person_id": child.id, "to_agency_id": police.agency_id, "urgency": "green", "reason": f"Concern {i}"}
        referral = referrals.submit_referral(db.session, worker, data)
        referrals.transition(db.session, police, referral.id, "decline", {"reason": f"Not ours {i}"})
        meeting = {"kind": "strategy", "subject": {"type": "person", "id": child.id}, "held_on": "2026-01-05"}
        context_work.record_meeting(
            db.session, worker, {**meeting, "decisions": f"Decided {i}", "attendee_ids": [police.id]}
        )
        conference = {
            "kind": "context_conference",
            "subject": {"type": "place", "id": park.id},
            "held_on": "2026-01-05",
        }
        context_work.record_meeting(db.session, worker, {**conference, "decisions": f"Conference {i}"})
        context_work.record_assessment(
            db.session, worker, {"subject": {"type": "place", "id": park.id}, "findings": f"F {i}"}
        )
        friend = record(worker, f"Friend{i}", "Other")
        tie = {"source": {"type": "person", "id": child.id}, "target": {"type": "person", "id": friend.id}}
        contexts.add_relationship(db.session, worker, {**tie, "kind": "friend", "notes": f"Friend{i} is kind"})


def test_the_bundle_reads_each_kind_of_record_in_a_fixed_number_of_queries(make_user, worker, child, park):
    police = make_user("police_officer")
    add_work(worker, police, child, park, 1)
    few = statements_for_bundle(make_user, child)
    add_work(worker, police, child, park, 6)
    assert 10 < few == statements_for_bundle(make_user, child)
