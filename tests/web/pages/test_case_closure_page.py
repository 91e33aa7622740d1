"""Closing a case from its page with a reason, reopening it, and changing its risk level and concerns: offered
only to those who may."""

import json

import pytest

from app.extensions import db
from models.case import Case
from safeguarding import cases
from safeguarding.break_glass import break_glass
from safeguarding.validation import uk_today
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import error_summary, main_text, post_form

REASON = "Plan complete: back in school full time, <b>no</b> missing episodes since March"


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def officer(make_user):
    return make_user("police_officer")


@pytest.fixture
def child(lead, make_person):
    return make_person(lead, given_name="Priya", family_name="Kaur")


@pytest.fixture
def case(lead, officer, child, make_case):
    return make_case(lead, child, members=[officer])


def stored(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def status_changes(case) -> list[str]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case.id]
    return [d["change"] for d in details if d.get("change") in ("closed", "reopened")]


def test_the_lead_worker_closes_the_case_and_sees_it_closed_with_the_date_and_reason(login, lead, case):
    client = login(lead)
    soup = assert_good_page(client.get(f"/cases/{case.id}"))
    form = soup.select_one(f'form[action="/cases/{case.id}/close"]')
    assert form.select_one("textarea#closed_reason") and form.select_one('input[name="version"]')["value"] == "1"
    closed = post_form(client, f"/cases/{case.id}", {"closed_reason": REASON}, f"/cases/{case.id}/close")
    assert closed.status_code == 302
    after = client.get(closed.headers["Location"])
    soup = assert_good_page(after)
    assert "Case closed" in soup.select_one(".govuk-notification-banner").get_text()
    status = soup.select_one(".sc-closed-reason").parent.get_text(" ", strip=True)
    today = uk_today()
    assert f"Closed on {today.day} {today:%B %Y}" in status and REASON in status  # escaped, shown as written
    assert not soup.select(f'form[action="/cases/{case.id}/close"]')
    assert soup.select_one(f'form[action="/cases/{case.id}/reopen"] input[name="version"]')["value"] == "2"
    assert (stored(case).status, stored(case).closed_reason) == ("closed", REASON)


def test_the_lead_worker_reopens_a_closed_case(login, lead, case):
    client = login(lead)
    post_form(client, f"/cases/{case.id}", {"closed_reason": "Moved away"}, f"/cases/{case.id}/close")
    reopened = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/reopen")
    assert reopened.status_code == 302
    soup = assert_good_page(client.get(reopened.headers["Location"]))
    assert "Case reopened" in soup.select_one(".govuk-notification-banner").get_text()
    assert soup.select_one(f'form[action="/cases/{case.id}/close"]')
    assert (stored(case).status, stored(case).closed_on, stored(case).closed_reason) == ("open", None, None)
    assert status_changes(case) == ["closed", "reopened"]


@pytest.mark.parametrize(
    ("reason", "message"),
    [("", "Enter why the case is closing"), ("x" * 501, "The reason must be 500 characters or fewer")],
)
def test_a_bad_reason_shows_an_error_summary_and_closes_nothing(login, lead, case, reason, message):
    client = login(lead)
    refused = post_form(client, f"/cases/{case.id}", {"closed_reason": reason}, f"/cases/{case.id}/close")
    assert refused.status_code == 422
    soup = assert_good_page(refused)
    assert message in error_summary(refused) and soup.select_one("#close[open]")
    assert soup.select_one('.govuk-error-summary a[href="#closed_reason"]')
    assert (stored(case).status, stored(case).version) == ("open", 1) and status_changes(case) == []


def test_a_stale_page_is_refused_with_409_and_the_case_is_left_as_it_is(login, lead, case):
    client = login(lead)
    close = f"/cases/{case.id}/close"
    stale = post_form(client, f"/cases/{case.id}", {"closed_reason": "Done", "version": "7"}, close)
    assert stale.status_code == 409 and "changed by someone else" in error_summary(stale)
    assert stored(case).status == "open"
    no_version = post_form(
        client, f"/cases/{case.id}", {"closed_reason": "Done", "version": ""}, f"/cases/{case.id}/close"
    )
    assert no_version.status_code == 422 and "Reload the page" in error_summary(no_version)
    assert status_changes(case) == []


def test_a_team_member_of_another_agency_is_not_offered_the_form_and_is_refused(login, officer, child, case):
    client = login(officer)
    soup = page(client.get(f"/cases/{case.id}"))
    assert not soup.select('form[action$="/close"], form[action$="/reopen"]')
    for data in ({"closed_reason": "Done"}, {"closed_reason": ""}):
        response = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/close")
        assert response.status_code == 403
    assert stored(case).status == "open"
    assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case.id] == [officer.id, officer.id]


def test_after_closing_the_officer_who_relied_on_the_case_loses_the_child(login, lead, officer, child, case):
    assert login(officer).get(f"/people/{child.id}").status_code == 200
    post_form(login(lead), f"/cases/{case.id}", {"closed_reason": "Moved away"}, f"/cases/{case.id}/close")
    client = login(officer)
    for path in (f"/people/{child.id}", f"/cases/{case.id}"):
        response = client.get(path)
        assert response.status_code == 403 and "Priya" not in response.get_data(as_text=True), path


def test_a_reader_who_is_not_on_the_team_sees_the_closure_but_no_reopen(login, lead, child, case, make_user):
    post_form(login(lead), f"/cases/{case.id}", {"closed_reason": "Moved away"}, f"/cases/{case.id}/close")
    other = make_user("police_officer")
    break_glass(db.session, other, child.id, "Missing overnight, last seen with an adult of concern")
    client = login(other)
    response = client.get(f"/cases/{case.id}")
    assert "Moved away" in main_text(response) and not page(response).select('form[action$="/reopen"]')
    assert post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/reopen").status_code == 403
    assert stored(case).status == "closed"


def test_a_manager_the_closing_leaves_without_access_is_sent_home_not_refused(login, lead, case, make_user):
    """A team manager of the lead agency, on the team by the case alone, closes it: the case page would now refuse
    them (and audit a denial), so the closing sends them home with its confirmation."""
    manager = make_user("team_manager", agency=lead.agency)
    cases.add_member(db.session, lead, case.id, manager.id)
    client = login(manager)
    closed = post_form(client, f"/cases/{case.id}", {"closed_reason": REASON}, f"/cases/{case.id}/close")
    assert closed.status_code == 302 and closed.headers["Location"] == "/"
    assert stored(case).status == "closed" and "Case closed" in main_text(client.get("/"))
    assert [e for e in audit_events("denied") if e.object_id == case.id] == []


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


def test_reassessing_a_stale_page_is_refused_with_409(login, lead, case):
    client = login(lead)
    data = {"risk_level": "low", "concerns": ["cce"], "version": "5"}
    stale = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/assessment")
    assert stale.status_code == 409 and "changed by someone else" in error_summary(stale)
    assert stored(case).version == 1


def test_reassessing_a_team_member_of_another_agency_is_not_offered_the_form_and_is_refused(login, officer, case):
    client = login(officer)
    assert not page(client.get(f"/cases/{case.id}")).select('form[action$="/assessment"]')
    data = {"risk_level": "low", "concerns": ["cce"]}
    assert post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/assessment").status_code == 403
    assert stored(case).version == 1
    assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case.id] == [officer.id]
