"""Records made through the services, as a practitioner would make them."""

import pytest

from app.extensions import db
from safeguarding import cases, people


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def record_child(social_worker):
    """record_child(**fields) -> a Person recorded by the social worker."""

    def record(**fields):
        data = {"given_name": "Jayden", "family_name": "Clarke", "date_of_birth": "2011-03-27", **fields}
        return people.record_person(db.session, social_worker, data)

    return record


@pytest.fixture
def open_case_for(social_worker):
    def open_case(person, actor=None, **fields):
        data = {
            "subject": {"type": "person", "id": person.id},
            "concerns": ["cce"],
            "risk_level": "high",
            "summary": "Concerns about exploitation",
            **fields,
        }
        return cases.open_case(db.session, actor or social_worker, data)

    return open_case
