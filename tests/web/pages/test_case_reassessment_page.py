"""Changing a case's risk level and concerns from its page: offered to the lead, refused to the rest of the team."""

import pytest

from app.extensions import db
from models.case import Case
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import error_summary, post_form


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def officer(make_user):
    return make_user("police_officer")


@pytest.fixture
def case(lead, officer, make_person, make_case):
    child = make_person(lead, given_name="Priya", family_name="Kaur")
    return make_case(lead, child, members=[officer])


def stored(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def test_the_lead_worker_sees_the_current_values_and_changes_them(login, lead, case):
    client = login(lead)
    before = (stored(case).risk_level, stored(case).concerns)
    soup = assert_good_page(client.get(f"/cases/{case.id}"))
    form = soup.select_one(f'form[action="/cases/{case.id}/assessment"]')
    assert form.select_one(f'input[name="risk_level"][value="{before[0]}"]').has_attr("checked")
    assert {box["value"] for box in form.select('input[name="concerns"][checked]')} == set(before[1])
    new_risk = "low" if before[0] != "low" else "medium"
    saved = post_form(
        client, f"/cases/{case.id}", {"risk_level": new_risk, "concerns": ["cce", "missing"]}, form["action"]
    )
    assert saved.status_code == 302
    soup = assert_good_page(client.get(saved.headers["Location"]))
    assert "Risk level and concerns saved" in soup.select_one(".govuk-notification-banner").get_text()
    assert (stored(case).risk_level, stored(case).concerns, stored(case).version) == (new_risk, ["cce", "missing"], 2)


def test_no_concern_chosen_shows_the_error_on_the_page_and_changes_nothing(login, lead, case):
    client = login(lead)
    action = f"/cases/{case.id}/assessment"
    refused = post_form(client, f"/cases/{case.id}", {"risk_level": "low", "concerns": []}, action)
    assert refused.status_code == 422
    assert "Select at least one concern" in error_summary(refused)
    assert page(refused).select_one("#reassess[open]")
    assert stored(case).version == 1


def test_a_stale_page_is_refused_with_409(login, lead, case):
    client = login(lead)
    data = {"risk_level": "low", "concerns": ["cce"], "version": "5"}
    stale = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/assessment")
    assert stale.status_code == 409 and "changed by someone else" in error_summary(stale)
    assert stored(case).version == 1


def test_a_team_member_of_another_agency_is_not_offered_the_form_and_is_refused(login, officer, case):
    client = login(officer)
    assert not page(client.get(f"/cases/{case.id}")).select('form[action$="/assessment"]')
    data = {"risk_level": "low", "concerns": ["cce"]}
    assert post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/assessment").status_code == 403
    assert stored(case).version == 1
    assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case.id] == [officer.id]
