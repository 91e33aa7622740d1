"""Fixtures for reports, subject access and chronology exports (the builders are in tests.fixtures.caseloads)."""

import pytest

from app.extensions import db
from safeguarding import cases
from tests.fixtures.caseloads import add_entry, make_caseload, make_subject, open_case, record


@pytest.fixture
def lead(make_user):
    return make_user("safeguarding_lead", family_name="Lead")


@pytest.fixture
def lead_client(login, lead):
    return login(lead)


@pytest.fixture
def caseload(make_user, make_agency):
    return make_caseload(make_user, make_agency)


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
