"""Exposure and location-assessment alerts from the borough's graph, fired once and dated when they first held."""

from datetime import timedelta

from app.extensions import db
from safeguarding import alerts, contexts, people
from safeguarding.validation import uk_today
from tests.integration.relationships import link


def record(actor, name, born, **fields):
    return people.record_person(
        db.session, actor, {"given_name": name, "family_name": "Test", "date_of_birth": born.isoformat(), **fields}
    )


def test_a_child_two_hops_from_an_adult_of_concern_raises_an_exposure_alert(make_user):
    sw, lead = make_user("social_worker"), make_user("safeguarding_lead")
    today = uk_today()
    child = record(sw, "Jayden", today - timedelta(days=14 * 365))
    adult = record(sw, "Dean", today - timedelta(days=30 * 365), flags=["adult_of_concern"])
    station = contexts.create_place(db.session, sw, {"name": "Station", "kind": "transport"})
    link(sw, child, "place", station, "seen_at", first_seen=(today - timedelta(days=40)).isoformat())
    assert alerts.list_alerts(db.session, lead, "exposure") == []
    link(sw, adult, "place", station, "frequents", first_seen=(today - timedelta(days=10)).isoformat())
    [alert] = alerts.list_alerts(db.session, lead, "exposure")
    assert alert.person_id == child.id and alert.fired_on == today - timedelta(days=10)
    assert len(alerts.list_alerts(db.session, lead, "exposure")) == 1


def test_a_child_exposed_to_two_adults_is_alerted_once_dated_by_the_earlier_exposure(make_user):
    sw, lead = make_user("social_worker"), make_user("safeguarding_lead")
    today = uk_today()
    child = record(sw, "Jayden", today - timedelta(days=14 * 365))
    first = record(sw, "Dean", today - timedelta(days=30 * 365), flags=["adult_of_concern"])
    second = record(sw, "Aaron", today - timedelta(days=31 * 365), flags=["adult_of_concern"])
    link(sw, child, "person", first, "associate", first_seen=(today - timedelta(days=20)).isoformat())
    link(sw, child, "person", second, "associate", first_seen=(today - timedelta(days=60)).isoformat())
    [alert] = alerts.list_alerts(db.session, lead, "exposure")
    assert alert.person_id == child.id and alert.fired_on == today - timedelta(days=60)


def test_three_children_from_two_agencies_at_a_place_prompt_a_location_assessment(make_user):
    sw, youth, lead = make_user("social_worker"), make_user("youth_worker"), make_user("safeguarding_lead")
    today = uk_today()
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    children = [record(sw, f"Child{i}", today - timedelta(days=(13 + i) * 365)) for i in range(3)]
    link(sw, children[0], "place", park, "frequents", first_seen=(today - timedelta(days=30)).isoformat())
    link(sw, children[1], "place", park, "frequents", first_seen=(today - timedelta(days=20)).isoformat())
    link(sw, children[2], "place", park, "frequents", first_seen=(today - timedelta(days=15)).isoformat())
    assert alerts.list_alerts(db.session, lead, "location_assessment") == []  # one agency only
    youth_child = record(youth, "Child3", today - timedelta(days=15 * 365))
    link(youth, youth_child, "place", park, "seen_at", first_seen=(today - timedelta(days=5)).isoformat())
    [alert] = alerts.list_alerts(db.session, lead, "location_assessment")
    assert alert.place_id == park.id and alert.fired_on == today - timedelta(days=5)


def test_the_location_assessment_thresholds_are_configurable(make_user, reconfigured):
    """SPEC 7: three children from two agencies by default; an app made with two children sets it for the alerts."""
    reconfigured(LOCATION_ASSESSMENT_CHILDREN=2)
    sw, youth, lead = make_user("social_worker"), make_user("youth_worker"), make_user("safeguarding_lead")
    today = uk_today()
    shop = contexts.create_place(db.session, sw, {"name": "Chicken shop", "kind": "shop"})
    link(sw, record(sw, "Amir", today - timedelta(days=14 * 365)), "place", shop, "frequents")
    link(youth, record(youth, "Bea", today - timedelta(days=15 * 365)), "place", shop, "seen_at")
    [alert] = alerts.list_alerts(db.session, lead, "location_assessment")
    assert alert.place_id == shop.id and alert.detail == "2 children in the records of 2 agencies"
