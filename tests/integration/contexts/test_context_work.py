"""Assessments of places and groups, context weighting, meetings and the safety heat-map."""

import pytest

from app.extensions import db
from safeguarding import context_work, contexts, people
from safeguarding.errors import PermissionDenied, ValidationFailed
from tests.web.helpers import audit_events


@pytest.fixture
def setting(make_user):
    sw = make_user("social_worker")
    child = people.record_person(
        db.session, sw, {"given_name": "Jayden", "family_name": "Clarke", "date_of_birth": "2011-03-27"}
    )
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    crew = contexts.create_group(db.session, sw, {"name": "Eastside crew"})
    return sw, child, park, crew


def test_a_location_assessment_plans_interventions_at_the_place(setting):
    sw, _child, park, _crew = setting
    assessment = context_work.record_assessment(
        db.session,
        sw,
        {
            "subject": {"type": "place", "id": park.id},
            "findings": "Dealing after dark by the skate area",
            "interventions": [
                {
                    "intervention": "guardianship",
                    "detail": "Park warden evenings",
                    "owner_agency_id": sw.agency_id,
                    "due_on": "2026-12-31",
                }
            ],
        },
    )
    [stored] = context_work.assessments_of(db.session, sw, "place", park.id)
    assert stored.id == assessment.id and stored.kind == "location"
    assert stored.interventions[0]["intervention"] == "guardianship"


def test_a_peer_group_assessment_is_about_the_group(setting):
    sw, _child, _park, crew = setting
    assessment = context_work.record_assessment(
        db.session, sw, {"subject": {"type": "group", "id": crew.id}, "findings": "Older members recruiting"}
    )
    assert assessment.kind == "peer_group" and assessment.group_id == crew.id


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"subject": {"type": "person", "id": "x"}, "findings": "x"}, "$.subject"),
        ({"findings": ""}, "$.findings"),
        ({"findings": "x", "interventions": [{"intervention": "magic"}]}, "$.interventions[0].intervention"),
        ({"findings": "x", "assessed_on": "2999-01-01"}, "$.assessed_on"),
    ],
)
def test_bad_assessments_are_refused(setting, data, field):
    sw, _child, park, _crew = setting
    with pytest.raises(ValidationFailed) as failure:
        context_work.record_assessment(db.session, sw, {"subject": {"type": "place", "id": park.id}, **data})
    assert field in failure.value.fields


def test_context_weighting_is_kept_per_young_person(setting):
    sw, child, _park, _crew = setting
    weights = {"family": {"harm": 1, "safety": 3}, "peers": {"harm": 3, "safety": 0}}
    context_work.record_weighting(db.session, sw, child.id, {"weights": weights})
    [stored] = context_work.weightings_of(db.session, sw, child.id)
    assert stored.weights == weights
    with pytest.raises(ValidationFailed):
        context_work.record_weighting(db.session, sw, child.id, {"weights": {"peers": {"harm": 9, "safety": 0}}})


def test_meetings_record_who_was_missing_from_the_room(setting, make_agency):
    sw, child, park, _crew = setting
    health = make_agency(kind="health")
    context_work.record_meeting(
        db.session,
        sw,
        {
            "kind": "strategy",
            "subject": {"type": "person", "id": child.id},
            "held_on": "2026-11-01",
            "decisions": "Section 47 enquiry",
            "attendee_ids": [sw.id],
            "not_invited_agency_ids": [health.id],
            "actions": [{"action": "Joint visit", "owner_id": sw.id, "due_on": "2026-11-08"}],
        },
    )
    context_work.record_meeting(
        db.session,
        sw,
        {
            "kind": "context_conference",
            "subject": {"type": "place", "id": park.id},
            "held_on": "2026-11-02",
            "decisions": "Lighting and detached youth work",
        },
    )
    [meeting] = context_work.meetings_about(db.session, sw, "person", child.id)
    assert meeting.not_invited_agency_ids == [health.id] and meeting.actions[0]["action"] == "Joint visit"
    assert len(context_work.meetings_about(db.session, sw, "place", park.id)) == 1


def test_safety_ratings_combine_into_a_heat_map_of_latest_ratings(setting):
    sw, child, park, _crew = setting
    other = people.record_person(
        db.session, sw, {"given_name": "Kai", "family_name": "Reid", "date_of_birth": "2012-01-01"}
    )
    context_work.rate_place(
        db.session, sw, child.id, {"place_id": park.id, "rating": "green", "rated_on": "2026-01-01"}
    )
    context_work.rate_place(db.session, sw, child.id, {"place_id": park.id, "rating": "red", "rated_on": "2026-06-01"})
    context_work.rate_place(db.session, sw, other.id, {"place_id": park.id, "rating": "amber"})
    [row] = context_work.heat_map(db.session, sw)
    assert (row["red"], row["amber"], row["green"]) == (1, 1, 0)
    assert audit_events("list")[-1].object_type == "safety_heat_map"


def test_the_whole_heat_map_is_audited_as_no_one_place(setting):
    sw, child, park, _crew = setting
    context_work.rate_place(db.session, sw, child.id, {"place_id": park.id, "rating": "red"})
    context_work.heat_map(db.session, sw)
    event = audit_events("list")[-1]
    assert (event.object_type, event.object_id) == ("safety_heat_map", None)


def test_admins_do_no_context_work(setting, make_user):
    _sw, child, park, _crew = setting
    admin = make_user("admin")
    with pytest.raises(PermissionDenied):
        context_work.record_assessment(
            db.session, admin, {"subject": {"type": "place", "id": park.id}, "findings": "x"}
        )
    with pytest.raises(PermissionDenied):
        context_work.heat_map(db.session, admin)


def test_work_on_an_unknown_place_or_group_is_404_not_an_empty_list(setting):
    from safeguarding.errors import NotFound

    sw, _child, _park, _crew = setting
    unknown = "00000000-0000-4000-8000-000000000000"
    for call in (
        lambda: context_work.assessments_of(db.session, sw, "place", unknown),
        lambda: context_work.meetings_about(db.session, sw, "group", unknown),
        lambda: contexts.view_place(db.session, sw, unknown),
    ):
        with pytest.raises(NotFound):
            call()
