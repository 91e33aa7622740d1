"""A small caseload with every kind of access the audit workspace reports, made through the services."""

from types import SimpleNamespace

import pytest

from app.extensions import db
from safeguarding import break_glass, cases, people
from safeguarding.errors import PermissionDenied

BREAK_GLASS_REASON = "Found at the station at 2am; police asked me to check who she is"


@pytest.fixture
def lead(make_user):
    return make_user("safeguarding_lead", family_name="Lead")


@pytest.fixture
def lead_client(login, lead):
    return login(lead)


@pytest.fixture
def record_person(app):
    """record_person(recorder, **fields) -> a Person recorded by that practitioner."""

    def record(recorder, **fields):
        data = {"given_name": "Amara", "family_name": "Bell", "date_of_birth": "2011-03-27", **fields}
        return people.record_person(db.session, recorder, data)

    return record


@pytest.fixture
def open_case(app):
    def open_for(lead_worker, person):
        data = {
            "subject": {"type": "person", "id": person.id},
            "concerns": ["cce"],
            "risk_level": "high",
            "summary": "Seen with older males near the station late at night",
        }
        return cases.open_case(db.session, lead_worker, data)

    return open_for


@pytest.fixture
def accesses(make_user, record_person, open_case):
    """A child seen through the case team, through break-glass, and refused to a police officer."""
    worker = make_user("social_worker")
    youth = make_user("youth_worker")
    officer = make_user("police_officer")
    child = record_person(worker)
    case = open_case(worker, child)
    people.view_person(db.session, worker, child.id)
    grant = break_glass.break_glass(db.session, youth, child.id, BREAK_GLASS_REASON)
    people.view_person(db.session, youth, child.id)
    with pytest.raises(PermissionDenied):
        people.view_person(db.session, officer, child.id)
    return SimpleNamespace(worker=worker, youth=youth, officer=officer, child=child, case=case, grant=grant)
