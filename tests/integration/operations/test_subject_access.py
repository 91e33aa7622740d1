"""A subject access bundle holds every record about the person and no other person's name."""

import json
from datetime import timedelta

import pytest

from app.extensions import db
from models.base import utcnow
from safeguarding import case_chronology, cases, context_work, contexts, missing, people, referrals, subject_access
from safeguarding.errors import PermissionDenied
from tests.web.helpers import audit_events


@pytest.fixture
def subject(make_user):
    sw, police = make_user("social_worker"), make_user("police_officer")
    child = people.record_person(
        db.session,
        sw,
        {
            "given_name": "Quillonetta",
            "family_name": "Zarb",
            "date_of_birth": "2011-03-27",
            "address": "1 Marker Street",
        },
    )
    child.notes = "Her brother Barnabus visits on Fridays"
    brother = people.record_person(
        db.session, sw, {"given_name": "Barnabus", "family_name": "Vexley", "date_of_birth": "2009-01-01"}
    )
    contexts.add_relationship(
        db.session,
        sw,
        {
            "source": {"type": "person", "id": child.id},
            "target": {"type": "person", "id": brother.id},
            "kind": "sibling",
            "notes": "Barnabus Vexley looks after her",
        },
    )
    case = cases.open_case(
        db.session,
        sw,
        {
            "subject": {"type": "person", "id": child.id},
            "concerns": ["cce"],
            "risk_level": "high",
            "summary": "Worries since Barnabus moved out",
        },
    )
    case_chronology.add_chronology_entry(
        db.session,
        sw,
        case.id,
        {
            "occurred_on": "2026-05-01",
            "category": "home_visit",
            "summary": "Saw Quillonetta with barnabus VEXLEY at home",
        },
    )
    missing.record_episode(db.session, sw, child.id, {"reported_at": "2026-04-01T20:00:00+00:00"})
    referrals.submit_referral(
        db.session,
        sw,
        {
            "person_id": child.id,
            "to_agency_id": police.agency_id,
            "urgency": "amber",
            "reason": "Seen with older males",
        },
    )
    context_work.record_weighting(db.session, sw, child.id, {"weights": {"peers": {"harm": 3, "safety": 0}}})
    people.view_person(db.session, sw, child.id)
    return child


def test_the_bundle_has_every_record_and_no_other_persons_name(subject, make_user):
    lead = make_user("safeguarding_lead")
    bundle = subject_access.build_bundle(db.session, lead, subject.id, reauthenticated_at=utcnow())
    text = json.dumps(bundle, ensure_ascii=False)
    assert bundle["person"]["given_name"] == "Quillonetta" and bundle["person"]["address"] == "1 Marker Street"
    assert len(bundle["cases"]) == 1 and len(bundle["cases"][0]["chronology"]) == 1
    assert len(bundle["missing_episodes"]) == 1 and len(bundle["referrals"]) == 1
    assert len(bundle["context_weightings"]) == 1 and bundle["relationships"][0]["with"] == "[another person]"
    assert bundle["person"]["notes"] == "Her brother [another person] visits on Fridays"
    assert bundle["relationships"][0]["notes"] == "[another person] [another person] looks after her"
    assert any(a["action"] == "view" for a in bundle["accessed_by"])
    for name in ("Barnabus", "barnabus", "Vexley", "VEXLEY"):
        assert name not in text
    assert audit_events("export")[-1].person_id_list == [subject.id]


def test_a_bundle_needs_a_fresh_re_authentication_and_a_lead(subject, make_user):
    lead = make_user("safeguarding_lead")
    for stale in (None, utcnow() - timedelta(minutes=6)):
        with pytest.raises(PermissionDenied):
            subject_access.build_bundle(db.session, lead, subject.id, reauthenticated_at=stale)
    with pytest.raises(PermissionDenied):
        subject_access.build_bundle(db.session, make_user("social_worker"), subject.id, reauthenticated_at=utcnow())
