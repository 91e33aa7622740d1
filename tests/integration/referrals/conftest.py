"""A child known to children's social care, and agencies to refer between."""

import pytest

from app.extensions import db
from safeguarding import people, referrals
from tests.fixtures.ages import child_birth_date


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def police(make_user):
    return make_user("police_officer")


@pytest.fixture
def child(social_worker):
    return people.record_person(
        db.session,
        social_worker,
        {"given_name": "Jayden", "family_name": "Clarke", "date_of_birth": child_birth_date()},
    )


@pytest.fixture
def refer(social_worker, child, police):
    """refer(**fields) -> a referral from the social worker to the police about the child."""

    def send(sender=None, **fields):
        data = {
            "person_id": child.id,
            "to_agency_id": police.agency_id,
            "urgency": "amber",
            "reason": "Seen with older males near the station",
            **fields,
        }
        return referrals.submit_referral(db.session, sender or social_worker, data, sent_at=fields.pop("sent_at", None))

    return send
