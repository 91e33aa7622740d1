"""Work on contexts over the API: assessments, weightings, meetings, safety ratings, the heat-map, context cases."""

import pytest

from models.context_work import ContextAssessment, ContextWeighting, Meeting, SafetyRating
from tests.web.helpers import audit_events
from tests.web.pages.helpers import count

UNKNOWN = "7f3e2d1c-0b9a-4876-9543-210fedcba987"


@pytest.fixture
def team(make_user, as_user, make_person):
    """A youth worker who recorded a young person, a place and a group, and a police colleague."""
    worker, police = make_user("youth_worker"), make_user("police_officer")
    caller = as_user(worker)
    child = make_person(worker, given_name="Amara", family_name="Bell")
    place = caller.post("/places", json={"name": "Rowan Court", "kind": "estate"}).get_json()
    group = caller.post("/groups", json={"name": "Rowan Court peer group"}).get_json()
    return {"worker": worker, "police": police, "caller": caller, "child": child, "place": place, "group": group}


def assessment_body(team, **changes) -> dict:
    return {
        "subject": {"type": "place", "id": team["place"]["id"]},
        "findings": "Younger children are drawn to the stairwell after school; no adults around after 4pm",
        "assessed_on": "2026-02-01",
        "interventions": [
            {
                "intervention": "guardianship",
                "detail": "Caretaker on shift 3-7pm",
                "owner_agency_id": team["worker"].agency_id,
                "due_on": "2026-04-01",
            },
            {"intervention": "detached_youth_work"},
        ],
        **changes,
    }


def test_a_location_assessment_is_recorded_with_its_interventions_and_read_back(team):
    created = team["caller"].post("/assessments", json=assessment_body(team))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["kind"] == "location" and body["subject"] == {"type": "place", "id": team["place"]["id"]}
    assert body["interventions"][0]["intervention"] == "guardianship" and body["interventions"][1]["due_on"] is None
    listed = team["caller"].get(f"/places/{team['place']['id']}/assessments").get_json()["results"]
    assert [a["id"] for a in listed] == [body["id"]] and listed[0]["findings"].startswith("Younger children")
    assert listed[0]["agency"] == {"id": team["worker"].agency_id, "name": team["worker"].agency.name}


def test_a_peer_group_assessment(team):
    body = assessment_body(team, subject={"type": "group", "id": team["group"]["id"]}, interventions=[])
    created = team["caller"].post("/assessments", json=body)
    assert created.status_code == 201 and created.get_json()["kind"] == "peer_group"
    listed = team["caller"].get(f"/groups/{team['group']['id']}/assessments").get_json()["results"]
    assert len(listed) == 1 and listed[0]["interventions"] == []


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"findings": ""}, "$.findings"),
        ({"findings": None}, "$.findings"),
        ({"subject": {"type": "person", "id": UNKNOWN}}, "$.subject"),
        ({"subject": "Rowan Court"}, "$.subject"),
        ({"assessed_on": "2999-01-01"}, "$.assessed_on"),
        ({"interventions": [{"intervention": "curfew"}]}, "$.interventions[0].intervention"),
        ({"interventions": "guardianship"}, "$.interventions"),
        ({"interventions": [{"intervention": "licensing", "owner_agency_id": UNKNOWN}]}, "$.interventions[0]"),
        ({"interventions": [{"intervention": "licensing", "due_on": "soon"}]}, "$.interventions[0].due_on"),
        ({"interventions": [{"intervention": "licensing", "owner": "Licensing team"}]}, "$.interventions[0].owner"),
        ({"subject": {"type": "place", "id": UNKNOWN, "name": "Rowan Court"}}, "$.subject.name"),
        ({"finding": "Stairwell unlit"}, "$.finding"),
    ],
)
def test_bad_assessments_are_refused_and_nothing_is_written(team, changes, field):
    response = team["caller"].post("/assessments", json=assessment_body(team, **changes))
    assert response.status_code == 422
    assert any(path.startswith(field) for path in response.get_json()["fields"]), response.get_json()
    assert count(ContextAssessment) == 0


def test_assessments_of_unknown_contexts_are_404_and_administrators_are_refused(team, make_user, as_user):
    body = assessment_body(team, subject={"type": "place", "id": UNKNOWN})
    assert team["caller"].post("/assessments", json=body).status_code == 404
    assert team["caller"].get(f"/places/{UNKNOWN}/assessments").status_code == 404
    assert team["caller"].get("/groups/abc/assessments").status_code == 404
    admin = as_user(make_user("admin"))
    assert admin.get(f"/places/{team['place']['id']}/assessments").status_code == 403
    lead = as_user(make_user("safeguarding_lead"))
    assert lead.get(f"/places/{team['place']['id']}/assessments").status_code == 200
    assert lead.post("/assessments", json=assessment_body(team)).status_code == 403


WEIGHTS = {
    "family": {"harm": 0, "safety": 3},
    "peers": {"harm": 3, "safety": 1},
    "school": {"harm": 1, "safety": 2},
    "neighbourhood": {"harm": 3, "safety": 0},
    "online": {"harm": 2, "safety": 0},
}


def test_a_context_weighting_is_recorded_and_listed_newest_first(team):
    path = f"/people/{team['child']['id']}/context-weightings"
    first = team["caller"].post(path, json={"weights": WEIGHTS, "assessed_on": "2026-01-05"})
    assert first.status_code == 201 and first.get_json()["weights"] == WEIGHTS
    later = {**WEIGHTS, "peers": {"harm": 2, "safety": 2}}
    assert team["caller"].post(path, json={"weights": later, "assessed_on": "2026-03-05"}).status_code == 201
    listed = team["caller"].get(path).get_json()["results"]
    assert [w["assessed_on"] for w in listed] == ["2026-03-05", "2026-01-05"]
    assert listed[0]["weights"]["peers"] == {"harm": 2, "safety": 2}
    event = [e for e in audit_events("create") if e.object_type == "context_weighting"][-1]
    assert event.person_id_list == [team["child"]["id"]]


@pytest.mark.parametrize(
    ("weights", "field"),
    [
        ({"family": {"harm": 4, "safety": 0}}, "$.weights.family"),
        ({"family": {"harm": True, "safety": 0}}, "$.weights.family"),
        ({"family": {"harm": 2.0, "safety": 0}}, "$.weights.family"),
        ({}, "$.weights"),
        ({"family": {"harm": 1}}, "$.weights.family"),
        ({"work": {"harm": 1, "safety": 1}}, "$.weights.work"),
        ({"family": {"harm": 1, "safety": 1, "risk": 2}}, "$.weights.family.risk"),
        ("high", "$.weights"),
        (None, "$.weights"),
    ],
)
def test_bad_weightings_are_refused_and_nothing_is_written(team, weights, field):
    response = team["caller"].post(f"/people/{team['child']['id']}/context-weightings", json={"weights": weights})
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert count(ContextWeighting) == 0


def test_weightings_need_a_legitimate_relationship(team, make_user, as_user):
    outsider = as_user(make_user("youth_worker"))
    path = f"/people/{team['child']['id']}/context-weightings"
    assert outsider.post(path, json={"weights": WEIGHTS}).status_code == 403
    assert outsider.get(path).status_code == 403
    assert count(ContextWeighting) == 0


def conference(team, **changes) -> dict:
    return {
        "kind": "context_conference",
        "subject": {"type": "place", "id": team["place"]["id"]},
        "held_on": "2026-03-02",
        "decisions": "Ask housing to fix the stairwell lighting; detached youth work on Fridays",
        "attendee_ids": [team["worker"].id, team["police"].id],
        "not_invited_agency_ids": [team["police"].agency_id],
        "actions": [{"action": "Request lighting repair", "owner_id": team["worker"].id, "due_on": "2026-03-20"}],
        **changes,
    }


def test_a_context_conference_about_a_place_is_recorded_and_listed(team):
    created = team["caller"].post("/meetings", json=conference(team))
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert body["subject"] == {"type": "place", "id": team["place"]["id"]} and body["chair_id"] == team["worker"].id
    assert body["not_invited_agency_ids"] == [team["police"].agency_id]
    listed = team["caller"].get(f"/places/{team['place']['id']}/meetings").get_json()["results"]
    assert [m["id"] for m in listed] == [body["id"]] and listed[0]["actions"][0]["action"] == "Request lighting repair"
    group = conference(team, subject={"type": "group", "id": team["group"]["id"]})
    assert team["caller"].post("/meetings", json=group).status_code == 201
    assert len(team["caller"].get(f"/groups/{team['group']['id']}/meetings").get_json()["results"]) == 1


def test_a_strategy_meeting_about_a_person(team):
    body = conference(team, kind="strategy", subject={"type": "person", "id": team["child"]["id"]})
    created = team["caller"].post("/meetings", json=body)
    assert created.status_code == 201
    listed = team["caller"].get(f"/people/{team['child']['id']}/meetings").get_json()["results"]
    assert [m["kind"] for m in listed] == ["strategy"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"kind": "tea_party"}, "$.kind"),
        ({"held_on": None}, "$.held_on"),
        ({"held_on": "2999-01-01"}, "$.held_on"),
        ({"decisions": ""}, "$.decisions"),
        ({"attendee_ids": [UNKNOWN]}, "$.attendee_ids"),
        ({"attendee_ids": "everyone"}, "$.attendee_ids"),
        ({"not_invited_agency_ids": [UNKNOWN]}, "$.not_invited_agency_ids"),
        ({"actions": [{"due_on": "2026-04-01"}]}, "$.actions[0].action"),
        ({"subject": {"type": "person", "id": UNKNOWN}}, "$.subject"),
        ({"kind": "mace", "subject": {"type": "place", "id": UNKNOWN}}, "$.subject"),
        ({"kind": "mace", "subject": None}, "$.subject"),
        ({"actions": [{"action": "Request lighting repair", "owner": "Housing"}]}, "$.actions[0].owner"),
        ({"chair_id": UNKNOWN}, "$.chair_id"),  # the chair is whoever records the meeting
    ],
)
def test_bad_meetings_are_refused_and_nothing_is_written(team, changes, field):
    response = team["caller"].post("/meetings", json=conference(team, **changes))
    assert response.status_code == 422 and field in response.get_json()["fields"], response.get_json()
    assert count(Meeting) == 0


def test_safety_ratings_combine_into_a_heat_map_of_each_young_persons_latest_rating(team, make_person):
    other = make_person(team["worker"], given_name="Mila", family_name="Bell")
    place = team["place"]["id"]
    ratings = [(team["child"], "green", "2026-01-01"), (team["child"], "red", "2026-02-01"), (other, "amber", None)]
    for person, rating, on in ratings:
        response = team["caller"].post(
            f"/people/{person['id']}/safety-ratings", json={"place_id": place, "rating": rating, "rated_on": on}
        )
        assert response.status_code == 201, response.get_json()
    assert response.get_json()["rating"] == "amber"
    [row] = team["caller"].get("/safety-heat-map").get_json()["results"]
    assert row == {"place_id": place, "name": "Rowan Court", "kind": "estate", "red": 1, "amber": 1, "green": 0}
    assert "Amara" not in str(row)


def test_a_young_persons_own_safety_map_is_read_newest_first_without_homes_hidden_from_the_reader(
    team, as_user, make_user
):
    from datetime import date

    from app.extensions import db
    from models.context_work import SafetyRating

    caller, child, estate = team["caller"], team["child"], team["place"]["id"]
    for rating, on in (("green", "2026-01-01"), ("red", "2026-03-01")):
        body = {"place_id": estate, "rating": rating, "rated_on": on}
        assert caller.post(f"/people/{child['id']}/safety-ratings", json=body).status_code == 201
    # A rating of a home the youth worker may not see (its recorder may): left out of what they read.
    other = make_user("social_worker")
    home = as_user(other).post("/places", json={"name": "12 Oak Road", "kind": "address"}).get_json()["id"]
    db.session.add(
        SafetyRating(
            person_id=child["id"], place_id=home, rating="red", rated_on=date(2026, 2, 1), recorded_by_id=other.id
        )
    )
    db.session.commit()
    listed = caller.get(f"/people/{child['id']}/safety-ratings")
    assert listed.status_code == 200
    assert [(r["place_id"], r["rating"], r["rated_on"]) for r in listed.get_json()["results"]] == [
        (estate, "red", "2026-03-01"),
        (estate, "green", "2026-01-01"),
    ]
    [event] = [e for e in audit_events("list") if e.object_type == "safety_rating"]
    assert event.person_id_list == [child["id"]]
    assert as_user(team["police"]).get(f"/people/{child['id']}/safety-ratings").status_code == 403
    assert as_user(make_user("admin")).get(f"/people/{child['id']}/safety-ratings").status_code == 403


@pytest.mark.parametrize(
    ("body", "field", "status"),
    [
        ({"rating": "blue"}, "$.rating", 422),
        ({"rating": "red", "place_id": None}, "$.place_id", 422),
        ({"rating": "red", "rated_on": "2999-01-01"}, "$.rated_on", 422),
        ({"rating": "red", "place_id": UNKNOWN}, None, 404),
        ({"rating": "red", "rated": "2026-01-05"}, "$.rated", 422),
    ],
)
def test_bad_safety_ratings_are_refused_and_nothing_is_written(team, body, field, status):
    sent = {"place_id": team["place"]["id"], **body}
    response = team["caller"].post(f"/people/{team['child']['id']}/safety-ratings", json=sent)
    assert response.status_code == status
    if field:
        assert field in response.get_json()["fields"]
    assert count(SafetyRating) == 0


def test_the_heat_map_is_refused_to_administrators(team, make_user, as_user):
    assert as_user(make_user("admin")).get("/safety-heat-map").status_code == 403
    assert as_user(make_user("safeguarding_lead")).get("/safety-heat-map").status_code == 200


@pytest.mark.parametrize("kind", ["place", "group"])
def test_a_case_can_be_opened_about_a_place_or_a_group(team, kind, link):
    link(
        team["worker"], team["child"]["id"], kind, team[kind]["id"], {"place": "frequents", "group": "member_of"}[kind]
    )
    body = {
        "subject": {"type": kind, "id": team[kind]["id"]},
        "concerns": ["cce", "serious_youth_violence"],
        "risk_level": "medium",
        "summary": "Younger children drawn into the stairwell in the evenings",
    }
    created = team["caller"].post("/cases", json=body)
    assert created.status_code == 201, created.get_json()
    case = team["caller"].get(f"/cases/{created.get_json()['id']}").get_json()
    assert case["subject"] == {"type": kind, "id": team[kind]["id"]}
    assert case["lead_worker"]["id"] == team["worker"].id


def test_two_ratings_of_a_place_on_one_day_count_once_in_the_heat_map(team):
    """Both are the young person's latest by date: the one recorded last is their rating."""
    place = team["place"]["id"]
    for rating in ("green", "red"):
        sent = {"place_id": place, "rating": rating, "rated_on": "2026-02-01"}
        assert team["caller"].post(f"/people/{team['child']['id']}/safety-ratings", json=sent).status_code == 201
    [row] = team["caller"].get("/safety-heat-map").get_json()["results"]
    assert (row["red"], row["amber"], row["green"]) == (1, 0, 0)
