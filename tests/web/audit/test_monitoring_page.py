"""The privacy-monitoring report runs the monitoring rules over a day of the real log, with facts from the
database: agencies' working hours by kind, family names as blind-index tokens, the restricted flag."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from app.extensions import db
from safeguarding import people
from tests.web.helpers import page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary

LONDON = ZoneInfo("Europe/London")


def next_saturday_night() -> datetime:
    """02:30 UK time next Saturday: outside weekday hours, inside the recorder's 30 days."""
    today = datetime.now(LONDON).date()
    return datetime.combine(today + timedelta(days=(5 - today.weekday()) % 7 or 7), time(2, 30), tzinfo=LONDON)


def findings(response) -> list[tuple[str, str]]:
    """(rule, row text) for each finding on the report."""
    return [(row["data-rule"], row.get_text(" ", strip=True)) for row in page(response).select("tr[data-rule]")]


@pytest.fixture
def saturday_night(make_user, lead, login):
    """At 02:30 on a Saturday: a youth worker, a police officer and a social worker called Okafor at work."""
    youth = make_user("youth_worker")
    officer = make_user("police_officer")
    okafor = make_user("social_worker", family_name="Okafor")
    night = next_saturday_night()
    born = {"date_of_birth": "2010-05-01"}
    with time_machine.travel(night, tick=True):
        child = people.record_person(db.session, youth, {"given_name": "Leah", "family_name": "Bell", **born})
        people.view_person(db.session, youth, child.id)
        suspect = people.record_person(db.session, officer, {"given_name": "Dan", "family_name": "Bell", **born})
        people.view_person(db.session, officer, suspect.id)
        # Her own family name, spelt as the record has it (accents and case do not hide a match).
        namesake = people.record_person(db.session, okafor, {"given_name": "Tyrese", "family_name": "ÖKAFOR", **born})
        people.view_person(db.session, okafor, namesake.id)
        hidden = people.record_person(
            db.session, officer, {"given_name": "Rae", "family_name": "Stone", "flags": ["restricted"], **born}
        )
        people.view_person(db.session, officer, hidden.id)
        client = login(lead)  # signed in at that time, so the session has not expired there
        response = client.get("/audit/monitoring", query_string={"day": [night.day, night.month, night.year]})
    return {"response": response, "youth": youth, "officer": officer, "okafor": okafor, "namesake": namesake,
            "hidden": hidden, "night": night}  # fmt: skip


def test_the_report_is_a_good_page(saturday_night):
    assert saturday_night["response"].status_code == 200
    assert_strict_page(saturday_night["response"])


def test_access_out_of_an_agencys_working_hours_is_found_but_police_work_nights(saturday_night):
    out_of_hours = [text for rule, text in findings(saturday_night["response"]) if rule == "out_of_hours"]
    names = {saturday_night["youth"].display_name, saturday_night["okafor"].display_name}
    assert {n for n in names if any(n in text for text in out_of_hours)} == names
    assert not any(saturday_night["officer"].display_name in text for text in out_of_hours)
    assert any("02:3" in text for text in out_of_hours)


def test_access_to_a_person_sharing_the_users_family_name_is_found(saturday_night):
    same_name = [text for rule, text in findings(saturday_night["response"]) if rule == "same_family_name"]
    assert same_name and all(saturday_night["okafor"].display_name in text for text in same_name)
    assert all(saturday_night["namesake"].id in text for text in same_name)
    # No plaintext name comparison leaks onto the page: the person appears by reference only.
    assert "Tyrese" not in saturday_night["response"].get_data(as_text=True)


def test_access_to_a_restricted_person_is_found(saturday_night):
    restricted = [text for rule, text in findings(saturday_night["response"]) if rule == "restricted_access"]
    assert restricted and all(saturday_night["hidden"].id in text for text in restricted)
    assert all(saturday_night["officer"].display_name in text for text in restricted)


def test_another_day_has_nothing_to_report(lead_client, saturday_night):
    night = saturday_night["night"] - timedelta(days=7)
    response = lead_client.get("/audit/monitoring", query_string={"day": [night.day, night.month, night.year]})
    assert findings(response) == []
    assert "Nothing to review" in page(response).get_text()


def test_a_day_that_is_not_a_date_is_explained(lead_client):
    response = lead_client.get("/audit/monitoring", query_string={"day": ["31", "2", "2026"]})
    assert response.status_code == 422
    assert "real date" in error_summary(response)
    assert_error_links_resolve(response)
    assert_strict_page(response)


def test_the_report_downloads_as_csv(saturday_night, login, lead):
    night = saturday_night["night"]
    with time_machine.travel(night + timedelta(hours=1), tick=True):
        response = login(lead).get(f"/audit/export/monitoring.csv?day={night.date().isoformat()}")
    text = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "out_of_hours" in text and "same_family_name" in text and "restricted_access" in text
