"""Asking a team manager to close a case from its page, and the manager's approval or return of the request."""

import pytest

from app.extensions import db
from models.case import Case
from tests.web.helpers import assert_good_page, page
from tests.web.pages.helpers import assert_error_links_resolve, error_summary, main_text, post_form

REASON = "Plan complete: back in school full time, no missing episodes since March"
WHY_NOT = "The return-home interview after last week's episode has not happened yet"


@pytest.fixture
def lead(make_user):
    return make_user("social_worker")


@pytest.fixture
def manager(make_user, lead):
    return make_user("team_manager", agency=lead.agency, family_name="Okoro")


@pytest.fixture
def case(lead, manager, make_person, make_case):
    return make_case(lead, make_person(lead, given_name="Priya", family_name="Kaur"), members=[manager])


def stored(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def ask(client, case):
    return post_form(client, f"/cases/{case.id}", {"closed_reason": REASON}, f"/cases/{case.id}/close")


def test_the_lead_is_told_a_manager_approves_and_asks(login, lead, case):
    client = login(lead)
    soup = assert_good_page(client.get(f"/cases/{case.id}"))
    assert "Ask to close the case" in soup.select_one("#close summary").get_text()
    response = ask(client, case)
    assert response.status_code == 302
    after = page(client.get(response.headers["Location"]))
    assert "with a team manager" in after.select_one(".govuk-notification-banner").get_text()
    assert REASON in after.select_one("#closure-request").get_text() and stored(case).is_open
    assert not after.select_one("#close") and after.select_one("#withdraw-closure")
    assert not after.select_one("#approve-closure")


def test_the_manager_approves_from_the_case_page(login, lead, manager, case):
    ask(login(lead), case)
    client = login(manager)
    soup = assert_good_page(client.get(f"/cases/{case.id}"))
    assert soup.select_one("#approve-closure") and soup.select_one("#return-closure textarea#reason")
    response = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/closure-request/approve")
    assert response.status_code == 302
    closed = stored(case)
    assert closed.status == "closed" and closed.closed_reason == REASON and closed.closure_requested_at is None


def test_the_manager_returns_the_request_with_a_reason_the_lead_reads(login, lead, manager, case):
    ask(login(lead), case)
    client = login(manager)
    empty = post_form(client, f"/cases/{case.id}", {"reason": ""}, f"/cases/{case.id}/closure-request/return")
    assert empty.status_code == 422 and "Enter why the case is not to close yet" in error_summary(empty)
    assert_error_links_resolve(empty)
    assert stored(case).closure_requested_at is not None
    sent = {"reason": WHY_NOT}
    assert post_form(client, f"/cases/{case.id}", sent, f"/cases/{case.id}/closure-request/return").status_code == 302
    seen = page(login(lead).get(f"/cases/{case.id}"))
    returned = seen.select_one("#closure-returned").get_text(" ", strip=True)
    assert WHY_NOT in returned and manager.display_name in returned
    assert seen.select_one("#close") and stored(case).is_open


def test_the_lead_withdraws_the_request(login, lead, case):
    client = login(lead)
    ask(client, case)
    response = post_form(client, f"/cases/{case.id}", {}, f"/cases/{case.id}/closure-request/withdraw")
    assert response.status_code == 302 and stored(case).closure_requested_at is None
    assert "withdrawn" in main_text(client.get(response.headers["Location"]))


def test_a_decision_on_a_page_shown_before_another_is_refused(login, lead, manager, case):
    ask(login(lead), case)
    client = login(manager)
    shown = page(client.get(f"/cases/{case.id}"))
    post_form(login(lead), f"/cases/{case.id}", {}, f"/cases/{case.id}/closure-request/withdraw")
    token = shown.select_one("#approve-closure input[name=csrf_token]")["value"]
    version = shown.select_one("#approve-closure input[name=version]")["value"]
    late = client.post(f"/cases/{case.id}/closure-request/approve", data={"csrf_token": token, "version": version})
    assert late.status_code == 409 and stored(case).is_open


def test_a_lead_cannot_approve_their_own_request(login, lead, case):
    client = login(lead)
    ask(client, case)
    token = page(client.get(f"/cases/{case.id}")).select_one("input[name=csrf_token]")["value"]
    sent = {"csrf_token": token, "version": str(stored(case).version)}
    assert client.post(f"/cases/{case.id}/closure-request/approve", data=sent).status_code == 403
    assert stored(case).is_open


def test_a_managers_home_page_lists_the_requests_of_their_agency_naming_no_child(
    login, make_user, make_agency, lead, manager, case
):
    ask(login(lead), case)
    links = page(login(manager).get("/")).select(f'#closure-requests ~ ul a[href="/cases/{case.id}"]')
    assert len(links) == 1 and lead.display_name in links[0].get_text()
    assert "Priya" not in main_text(login(manager).get("/"))
    assert not page(login(lead).get("/")).select("#closure-requests")
    other = make_user("team_manager", agency=make_agency(kind="youth_justice"))
    assert not page(login(other).get("/")).select("#closure-requests")
