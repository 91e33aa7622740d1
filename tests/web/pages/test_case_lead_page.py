"""Changing a case's lead worker from its page: offered only to a team manager of the lead agency, with the
agency's active practitioners to choose from; bad or stale input is shown on the page."""

import json

import pytest

from app.extensions import db
from models.case import Case
from safeguarding import accounts
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import error_summary, post_form


@pytest.fixture
def lead(make_user):
    return make_user("social_worker", family_name="Lead")


@pytest.fixture
def manager(make_user, lead):
    return make_user("team_manager", agency=lead.agency, family_name="Manager")


@pytest.fixture
def colleague(make_user, lead):
    return make_user("social_worker", agency=lead.agency, family_name="Colleague")


@pytest.fixture
def officer(make_user):
    return make_user("police_officer")


@pytest.fixture
def child(lead, make_person):
    return make_person(lead, given_name="Priya", family_name="Kaur")


@pytest.fixture
def case(lead, manager, officer, child, make_case):
    return make_case(lead, child, members=[manager, officer])


def stored(case) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case.id)


def lead_changes(case) -> list[str]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case.id]
    return [d["user_id"] for d in details if d.get("change") == "lead_changed"]


def lead_form(soup, case):
    return soup.select_one(f'form[action="/cases/{case.id}/lead"]')


def test_the_manager_is_offered_the_agencys_active_practitioners_but_the_lead(
    login, make_user, make_agency, lead, manager, colleague, case
):
    make_user("social_worker", agency=make_agency(kind="social_care"))  # another agency's
    gone = make_user("social_worker", agency=lead.agency, family_name="Gone")
    accounts.deactivate_user(db.session, None, gone)
    db.session.commit()
    soup = assert_good_page(login(manager).get(f"/cases/{case.id}"))
    form = lead_form(soup, case)
    assert form.select_one('input[name="version"]')["value"] == "1"
    offered = {o["value"] for o in form.select("select#user_id option") if o["value"]}
    assert offered == {manager.id, colleague.id}


@pytest.mark.parametrize("who", ["lead", "colleague", "officer"])
def test_no_one_else_on_the_team_is_offered_the_form(login, make_case, lead, colleague, officer, child, who):
    case = make_case(lead, child, members=[colleague, officer])
    viewer = {"lead": lead, "colleague": colleague, "officer": officer}[who]
    soup = page(login(viewer).get(f"/cases/{case.id}"))
    assert lead_form(soup, case) is None and not soup.select("details#lead")


def test_the_manager_hands_the_case_on_and_sees_the_new_lead(login, lead, manager, colleague, case):
    client = login(manager)
    done = post_form(client, f"/cases/{case.id}", {"user_id": colleague.id}, f"/cases/{case.id}/lead")
    assert done.status_code == 302
    soup = assert_good_page(client.get(done.headers["Location"]))
    assert f"{colleague.display_name} is now the lead worker" in soup.select_one(".govuk-notification-banner").text
    lead_row = next(r for r in soup.select(".govuk-summary-list__row") if "Lead" in r.select_one("dt").text)
    assert colleague.display_name in lead_row.text
    assert (stored(case).lead_worker_id, stored(case).version) == (colleague.id, 2)
    assert stored(case).has_member(colleague.id) and stored(case).has_member(lead.id)
    assert lead_changes(case) == [colleague.id]


def test_no_choice_is_shown_on_the_form_with_422(login, lead, manager, case):
    refused = post_form(login(manager), f"/cases/{case.id}", {"user_id": ""}, f"/cases/{case.id}/lead")
    assert refused.status_code == 422
    soup = assert_good_page(refused)
    assert "Select the new lead worker" in error_summary(refused) and soup.select_one("details#lead[open]")
    assert soup.select_one('.govuk-error-summary a[href="#user_id"]')
    assert stored(case).lead_worker_id == lead.id and lead_changes(case) == []


def test_someone_who_may_not_lead_is_shown_the_services_message_with_422(login, make_user, lead, manager, case):
    gone = make_user("social_worker", agency=lead.agency)
    accounts.deactivate_user(db.session, None, gone)
    db.session.commit()
    refused = post_form(login(manager), f"/cases/{case.id}", {"user_id": gone.id}, f"/cases/{case.id}/lead")
    assert refused.status_code == 422
    assert "Choose an active practitioner to lead the case" in error_summary(refused)
    assert stored(case).lead_worker_id == lead.id and lead_changes(case) == []


def test_a_stale_page_is_409_and_changes_nothing(login, lead, manager, colleague, case):
    client = login(manager)
    data = {"user_id": colleague.id, "version": "5"}
    stale = post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/lead")
    assert stale.status_code == 409 and "changed by someone else" in error_summary(stale)
    no_version = post_form(client, f"/cases/{case.id}", {**data, "version": ""}, f"/cases/{case.id}/lead")
    assert no_version.status_code == 422 and "Reload the page" in error_summary(no_version)
    assert stored(case).lead_worker_id == lead.id and lead_changes(case) == []


def test_a_manager_of_another_agency_on_the_team_is_not_offered_it_and_is_refused(
    login, make_user, make_agency, make_case, lead, child
):
    other = make_user("team_manager", agency=make_agency(kind="youth_justice"))
    case = make_case(lead, child, members=[other])
    client = login(other)
    assert lead_form(page(client.get(f"/cases/{case.id}")), case) is None
    for chosen in (other.id, ""):  # refused whether or not the form itself is valid
        data = {"user_id": chosen, "version": "1"}
        assert post_form(client, f"/cases/{case.id}", data, f"/cases/{case.id}/lead").status_code == 403
    assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case.id] == [other.id, other.id]
    assert stored(case).lead_worker_id == lead.id and lead_changes(case) == []


def test_a_social_worker_posting_the_form_is_refused_by_the_route(app, login, colleague, case, lead):
    app.config["WTF_CSRF_ENABLED"] = False  # they have no page to take a token from: the route is under test
    response = login(colleague).post(f"/cases/{case.id}/lead", data={"user_id": colleague.id, "version": "1"})
    assert response.status_code == 403
    assert stored(case).lead_worker_id == lead.id
