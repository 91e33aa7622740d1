"""Your cases: the open cases a practitioner is on, with their own overdue actions, and the closed cases they lead,
which they may reopen from there even once closing has taken the case's own page away from them."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from models.case import Case
from safeguarding import case_closure, cases
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import error_summary, post_form


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def officer(make_user):
    return make_user("police_officer")


def _close(lead, case):
    case_closure.change_case_status(
        db.session, lead, case.id, {"version": case.version, "status": "closed", "closed_reason": "Plan complete"}
    )


@pytest.fixture
def long_closed(lead, make_person, make_case):
    """A case opened 40 days ago by its lead about someone they recorded then, closed today: now hidden from them."""
    with time_machine.travel(datetime.now(UTC) - timedelta(days=40), tick=False):
        person = make_person(lead, given_name="Jonah", family_name="Mensah")
        case = make_case(lead, person, concerns=["missing"])
    _close(lead, case)
    return case


def test_the_open_cases_you_are_on_are_listed_with_their_subject_and_your_overdue_actions(
    login, lead, officer, make_person, make_case
):
    child = make_person(lead, given_name="Priya", family_name="Kaur")
    case = make_case(lead, child, members=[officer])
    overdue = {"description": "Visit school", "owner_id": officer.id, "due_on": "2020-01-06"}
    cases.add_plan_action(db.session, lead, case.id, overdue)
    soup = assert_good_page(login(officer).get("/cases"))
    row = soup.select_one(f'#open-cases ~ table a[href="/cases/{case.id}"]').find_parent("tr")
    assert "Priya Kaur" in row.text and "1 overdue" in row.text
    assert not soup.select("#closed-cases")
    [event] = [e for e in audit_events("list") if e.object_type == "caseload"]
    assert event.actor_user_id == officer.id and event.person_id_list == [child.id]


def test_the_home_page_links_to_your_cases(login, lead):
    assert page(login(lead).get("/")).select_one('a[href="/cases"]')


def test_a_case_you_were_removed_from_or_do_not_lead_when_closed_is_not_listed(
    login, lead, officer, make_person, make_case
):
    case = make_case(lead, make_person(lead), members=[officer])
    _close(lead, case)
    soup = assert_good_page(login(officer).get("/cases"))
    assert case.id not in str(soup) and "not on the team of any open case" in soup.text


def test_the_lead_reopens_from_the_caseload_a_closed_case_whose_page_they_may_no_longer_see(login, lead, long_closed):
    client = login(lead)
    assert client.get(f"/cases/{long_closed.id}").status_code == 403
    soup = assert_good_page(client.get("/cases"))
    row = soup.select_one(f'#closed-cases ~ table form[action="/cases/{long_closed.id}/reopen"]').find_parent("tr")
    assert "a person you cannot see now" in row.text and "Jonah" not in str(soup)
    assert not [e for e in audit_events("list") if e.object_type == "caseload"][-1].person_id_list
    reopened = post_form(client, "/cases", {}, f"/cases/{long_closed.id}/reopen")
    assert reopened.status_code == 302 and reopened.headers["Location"] == f"/cases/{long_closed.id}"
    assert "Jonah Mensah" in assert_good_page(client.get(reopened.headers["Location"])).text
    db.session.expire_all()
    assert db.session.get(Case, long_closed.id).status == "open"


def test_a_stale_reopen_from_the_caseload_is_shown_there_and_changes_nothing(login, lead, long_closed):
    client = login(lead)
    soup = page(client.get("/cases"))
    form = soup.select_one(f'form[action="/cases/{long_closed.id}/reopen"]')
    hidden = {field["name"]: field.get("value", "") for field in form.select('input[type="hidden"][name]')}
    case_closure.change_case_status(db.session, lead, long_closed.id, {"version": 2, "status": "open"})
    case_closure.change_case_status(
        db.session, lead, long_closed.id, {"version": 3, "status": "closed", "closed_reason": "Again"}
    )
    stale = client.post(f"/cases/{long_closed.id}/reopen", data=hidden)
    assert stale.status_code == 409 and "changed by someone else" in error_summary(stale)
    db.session.expire_all()
    assert db.session.get(Case, long_closed.id).status == "closed"
