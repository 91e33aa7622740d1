"""GET /alerts: return-home interviews not offered and transitions at 17 years 6 months, each fired once."""

from datetime import UTC, datetime, timedelta

import time_machine

from safeguarding.validation import london_day, uk_today
from tests.fixtures.ages import born_months_ago


def test_a_missed_return_home_interview_raises_one_alert(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker)
    caller = as_user(worker)
    returned = datetime.now(UTC) - timedelta(days=4)
    episode = {"reported_at": (returned - timedelta(hours=6)).isoformat(), "returned_at": returned.isoformat()}
    assert caller.post(f"/people/{person['id']}/missing-episodes", json=episode).status_code == 201
    for _ in range(2):
        response = caller.get("/alerts", kind="return_interview")
        assert response.status_code == 200
        [alert] = response.get_json()["results"]
    assert alert["kind"] == "return_interview" and alert["person_id"] == person["id"]
    assert alert["fired_on"] == london_day(returned + timedelta(hours=72)).isoformat()
    assert alert["detail"]


def test_a_late_return_interview_is_dated_by_the_uk_day_it_fell_due(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker)
    caller = as_user(worker)
    # Returned half an hour into 1 June, British Summer Time (23:30 on 31 May UTC): due at 00:30 on 4 June.
    episode = {"reported_at": "2025-05-31T18:00:00+01:00", "returned_at": "2025-06-01T00:30:00+01:00"}
    assert caller.post(f"/people/{person['id']}/missing-episodes", json=episode).status_code == 201
    [alert] = caller.get("/alerts", kind="return_interview").get_json()["results"]
    assert alert["fired_on"] == "2025-06-04" and "2025-06-01" in alert["detail"]


def test_a_young_person_aged_17_years_7_months_with_an_open_case_gets_one_transition_alert(
    as_user, make_user, make_person, make_case
):
    worker = make_user("social_worker")
    nearly_adult = make_person(worker, given_name="Older", date_of_birth=born_months_ago(17 * 12 + 7))
    younger = make_person(worker, given_name="Younger", date_of_birth=born_months_ago(17 * 12))
    make_case(worker, nearly_adult["id"])
    make_case(worker, younger["id"])
    caller = as_user(worker)
    first = caller.get("/alerts", kind="transition").get_json()["results"]
    second = caller.get("/alerts", kind="transition").get_json()["results"]
    assert first == second
    [alert] = first
    assert alert["person_id"] == nearly_adult["id"] and alert["fired_on"] == uk_today().isoformat()
    assert "18" in alert["detail"]


def test_no_transition_alert_without_an_open_case(as_user, make_user, make_person):
    worker = make_user("social_worker")
    make_person(worker, date_of_birth=born_months_ago(17 * 12 + 7))
    assert as_user(worker).get("/alerts", kind="transition").get_json()["results"] == []


def test_alerts_are_scoped_to_people_the_caller_may_see_and_leads_see_all(as_user, make_user, make_person, make_case):
    worker = make_user("social_worker")
    person = make_person(worker, date_of_birth=born_months_ago(17 * 12 + 8))
    make_case(worker, person["id"])
    assert len(as_user(worker).get("/alerts").get_json()["results"]) == 1
    assert as_user(make_user("police_officer")).get("/alerts").get_json()["results"] == []
    assert len(as_user(make_user("safeguarding_lead")).get("/alerts", kind="transition").get_json()["results"]) == 1


def test_an_unknown_alert_kind_gets_422(as_user, make_user):
    response = as_user(make_user("social_worker")).get("/alerts", kind="horoscope")
    assert response.status_code == 422 and "kind" in response.get_json()["fields"]


def test_every_kind_in_the_contract_is_accepted(as_user, make_user):
    caller = as_user(make_user("police_officer"))
    for kind in ("escalation", "location_assessment", "exposure", "transition", "return_interview"):
        assert caller.get("/alerts", kind=kind).status_code == 200, kind


def test_a_repeated_kind_gets_422_and_an_empty_one_lists_every_kind(as_user, make_user):
    caller = as_user(make_user("social_worker"))
    for kinds in (["transition", "horoscope"], ["horoscope", "transition"], ["exposure", "exposure"]):
        response = caller.get("/alerts", kind=kinds)
        assert response.status_code == 422 and "kind" in response.get_json()["fields"], kinds
    assert caller.get("/alerts", kind="").status_code == 200


def test_a_29_february_birthday_turns_18_on_1_march(as_user, make_user, make_person, make_case):
    """A case opened on 28 February 2026, when she is still 17, gets its transition prompt."""
    with time_machine.travel(datetime(2026, 2, 28, 12, tzinfo=UTC)):
        worker = make_user("social_worker")
        person = make_person(worker, date_of_birth="2008-02-29")
        make_case(worker, person["id"])
        [alert] = as_user(worker).get("/alerts", kind="transition").get_json()["results"]
    # Still 17 on the 28th: the prompt holds from the day the case opened, and names no birthday.
    assert (alert["person_id"], alert["fired_on"]) == (person["id"], "2026-02-28")
    assert "2026-03-01" not in alert["detail"] and "transition" in alert["detail"]


def test_an_alert_is_shown_only_to_those_who_see_the_person_in_full(as_user, make_user, make_person, make_case):
    """A context neighbour's limited view gives an age in years; a transition alert would give the birthday."""
    worker, neighbour = make_user("social_worker"), make_user("youth_worker")
    nearly_adult = make_person(worker, given_name="Older", date_of_birth=born_months_ago(17 * 12 + 7))
    friend = make_person(worker, given_name="Friend")
    make_case(worker, nearly_adult["id"])
    friends_case = make_case(worker, friend["id"])
    as_user(worker).post(f"/cases/{friends_case['id']}/members", json={"user_id": neighbour.id})
    tie = {"source": {"type": "person", "id": friend["id"]}, "target": {"type": "person", "id": nearly_adult["id"]}}
    assert as_user(worker).post("/relationships", json={**tie, "kind": "friend"}).status_code == 201
    assert as_user(neighbour).get(f"/people/{nearly_adult['id']}").get_json()["view"] == "limited"
    assert as_user(neighbour).get("/alerts", kind="transition").get_json()["results"] == []
    assert len(as_user(worker).get("/alerts", kind="transition").get_json()["results"]) == 1
