"""Cases about a place or a group from their pages: opened by someone already working with a person linked there,
listed on the page (who leads each for everyone, concerns and risk for its team), and the page's buttons offered
only to those the services would let through."""

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.case import Case
from safeguarding import contexts
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary, post_form

# Their queries are new SQL over relationships and cases: run on PostgreSQL as well as SQLite.
pytestmark = pytest.mark.db

UNKNOWN = "7f3e2d1c-0b9a-4876-9543-210fedcba987"
CASE = {"concerns": ["county_lines"], "risk_level": "high", "summary": "Younger children dealing by the bandstand"}


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def contexts_worked(worker, make_person):
    """A park and a group the worker's child is linked to."""
    child = make_person(worker, given_name="Jayden", family_name="Okafor")
    park = contexts.create_place(db.session, worker, {"name": "Riverside Park", "kind": "park"})
    crew = contexts.create_group(db.session, worker, {"name": "Eastside crew"})
    for target_type, target, kind in (("place", park, "frequents"), ("group", crew, "member_of")):
        body = {"source": {"type": "person", "id": child.id}, "target": {"type": target_type, "id": target.id}}
        contexts.add_relationship(db.session, worker, {**body, "kind": kind})
    return {"place": park, "group": crew, "child": child}


def cases_about(kind: str, record) -> list[Case]:
    db.session.expire_all()
    column = Case.subject_place_id if kind == "place" else Case.subject_group_id
    return list(db.session.scalars(sa.select(Case).where(column == record.id)))


@pytest.mark.parametrize("kind", ["place", "group"])
def test_a_case_about_the_context_is_opened_from_its_page(login, worker, contexts_worked, kind):
    record, client = contexts_worked[kind], login(worker)
    soup = assert_strict_page(client.get(f"/{kind}s/{record.id}"))
    button = soup.select_one(f'#cases ~ a.govuk-button[href="/{kind}s/{record.id}/cases/new"]')
    assert button and button.get_text(strip=True) == f"Open a case about this {kind}"
    form_page = assert_strict_page(client.get(f"/{kind}s/{record.id}/cases/new"))
    assert record.name in form_page.select_one(".govuk-caption-l").text
    assert form_page.select_one(".govuk-back-link")["href"] == f"/{kind}s/{record.id}"
    data = {"concerns": CASE["concerns"], "risk_level": CASE["risk_level"], "summary": CASE["summary"]}
    response = post_form(client, f"/{kind}s/{record.id}/cases/new", data)
    (case,) = cases_about(kind, record)
    assert response.status_code == 302 and response.headers["Location"] == f"/cases/{case.id}"
    assert (case.lead_worker_id, case.concerns, case.subject_person_id) == (worker.id, ["county_lines"], None)


def test_missing_concerns_are_explained_and_nothing_is_opened(login, worker, contexts_worked):
    park = contexts_worked["place"]
    response = post_form(login(worker), f"/places/{park.id}/cases/new", {"risk_level": "high", "summary": "x"})
    assert response.status_code == 422 and "Select at least one concern" in error_summary(response)
    assert_error_links_resolve(response)
    assert cases_about("place", park) == []


@pytest.mark.parametrize("kind", ["place", "group"])
def test_a_practitioner_not_working_there_is_refused_and_offered_neither_button(
    login, make_user, contexts_worked, kind
):
    record, client = contexts_worked[kind], login(make_user("youth_worker"))
    soup = page(client.get(f"/{kind}s/{record.id}"))
    assert not soup.select(f'a[href="/{kind}s/{record.id}/cases/new"]')
    assert not soup.select(f'a[href="/{kind}s/{record.id}/referrals/new"]')
    assert "you need to be working with someone linked to it" in soup.select_one("#not-working-there").text
    response = client.get(f"/{kind}s/{record.id}/cases/new")
    assert response.status_code == 403 and "working with someone linked to it" in response.get_data(as_text=True)
    token = page(client.get(f"/{kind}s/{record.id}")).select_one('input[name="csrf_token"]')
    sent = {**CASE, "csrf_token": token["value"] if token else ""}
    assert client.post(f"/{kind}s/{record.id}/cases/new", data=sent).status_code == 403
    assert cases_about(kind, record) == []
    assert [e for e in audit_events("denied") if e.object_type == kind and e.object_id == record.id]


def test_the_worker_is_offered_the_referral_button(login, worker, contexts_worked):
    park = contexts_worked["place"]
    assert page(login(worker).get(f"/places/{park.id}")).select(f'a[href="/places/{park.id}/referrals/new"]')


@pytest.mark.parametrize(
    "path", [f"/places/{UNKNOWN}/cases/new", f"/groups/{UNKNOWN}/cases/new", "/places/x/cases/new"]
)
def test_an_unknown_place_or_group_gets_404(login, worker, path):
    assert login(worker).get(path).status_code == 404


def test_the_cases_are_listed_with_what_they_are_about_for_their_team_only(login, make_user, worker, contexts_worked):
    park = contexts_worked["place"]
    post_form(login(worker), f"/places/{park.id}/cases/new", CASE)
    (case,) = cases_about("place", park)
    soup = page(login(worker).get(f"/places/{park.id}"))
    (row,) = soup.select("#context-cases tbody tr")
    assert row.select_one(f'a[href="/cases/{case.id}"]') and "County lines" in row.text and "high risk" in row.text
    assert worker.display_name in row.text and "Open" in row.text
    other = page(login(make_user("police_officer")).get(f"/places/{park.id}"))
    (row,) = other.select("#context-cases tbody tr")
    assert not row.select("a") and "County lines" not in row.text and worker.display_name in row.text
    assert "ask its lead worker" in row.text
    listed = [e for e in audit_events("list") if e.object_type == "case" and e.detail_dict.get("about") == "place"]
    assert listed and listed[-1].detail_dict == {"about": "place", "subject": park.id, "shown": 1}


def test_a_page_with_no_cases_says_so(login, worker, contexts_worked):
    crew = contexts_worked["group"]
    assert "No cases about this group" in page(login(worker).get(f"/groups/{crew.id}")).text


def test_the_api_lists_the_cases_with_what_they_are_about_for_their_team_only(
    client, api, login, make_user, worker, contexts_worked
):
    crew = contexts_worked["group"]
    post_form(login(worker), f"/groups/{crew.id}/cases/new", CASE)
    (case,) = cases_about("group", crew)
    mine = client.get(f"/api/v1/groups/{crew.id}/cases", headers=api(worker)).get_json()["results"]
    assert mine == [
        {
            "id": case.id,
            "opened_on": case.opened_on.isoformat(),
            "status": "open",
            "closed_on": None,
            "lead_agency": {"id": worker.agency_id, "name": worker.agency.name},
            "lead_worker": {"id": worker.id, "name": worker.display_name},
            "on_team": True,
            "subject": {"type": "group", "id": crew.id, "name": "Eastside crew"},
            "concerns": ["county_lines"],
            "risk_level": "high",
        }
    ]
    theirs = client.get(f"/api/v1/groups/{crew.id}/cases", headers=api(make_user("youth_worker"))).get_json()
    (row,) = theirs["results"]
    assert not row["on_team"] and "concerns" not in row and "risk_level" not in row
    assert client.get(f"/api/v1/groups/{UNKNOWN}/cases", headers=api(worker)).status_code == 404


def test_the_cases_about_a_home_are_refused_to_those_who_may_not_see_it(client, api, make_user, worker, make_person):
    home = contexts.create_place(db.session, worker, {"name": "12 Acacia Road", "kind": "address"})
    child = make_person(worker)
    body = {"source": {"type": "person", "id": child.id}, "target": {"type": "place", "id": home.id}}
    contexts.add_relationship(db.session, worker, {**body, "kind": "lives_at"})
    assert client.get(f"/api/v1/places/{home.id}/cases", headers=api(worker)).status_code == 200
    response = client.get(f"/api/v1/places/{home.id}/cases", headers=api(make_user("police_officer")))
    assert response.status_code == 403 and "Acacia" not in response.get_data(as_text=True)


def test_a_childs_record_shows_the_open_cases_about_their_places_and_groups(
    login, make_user, make_case, worker, contexts_worked
):
    park, child = contexts_worked["place"], contexts_worked["child"]
    assert page(login(worker).get(f"/people/{child.id}")).select_one("#context-work") is None
    officer = make_user("police_officer")
    make_case(worker, child, members=[officer])
    post_form(login(worker), f"/places/{park.id}/cases/new", CASE)
    (case,) = cases_about("place", park)
    mine = page(login(worker).get(f"/people/{child.id}"))
    (row,) = mine.select("#context-work-cases tbody tr")
    assert row.select_one(f'a[href="/places/{park.id}"]').text == "Riverside Park"
    assert row.select_one(f'a[href="/cases/{case.id}"]') and "County lines" in row.text
    (row,) = page(login(officer).get(f"/people/{child.id}")).select("#context-work-cases tbody tr")
    assert "Riverside Park" in row.text and "County lines" not in row.text and not row.select('a[href^="/cases/"]')
    listed = [e for e in audit_events("list") if e.detail_dict and e.detail_dict.get("about") == "contexts_of_person"]
    assert listed[-1].person_id_list == [child.id] and listed[-1].actor_user_id == officer.id
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(status="closed"))
    db.session.commit()
    assert page(login(worker).get(f"/people/{child.id}")).select_one("#context-work") is None


def test_the_api_lists_the_open_cases_in_a_persons_contexts_to_those_who_read_them_in_full(
    client, api, login, make_user, worker, contexts_worked
):
    park, child = contexts_worked["place"], contexts_worked["child"]
    post_form(login(worker), f"/places/{park.id}/cases/new", CASE)
    (case,) = cases_about("place", park)
    response = client.get(f"/api/v1/people/{child.id}/context-cases", headers=api(worker))
    assert response.status_code == 200
    (row,) = response.get_json()["results"]
    assert row["id"] == case.id and row["subject"] == {"type": "place", "id": park.id, "name": "Riverside Park"}
    assert row["on_team"] and row["concerns"] == ["county_lines"]
    stranger = client.get(f"/api/v1/people/{child.id}/context-cases", headers=api(make_user("youth_worker")))
    assert stranger.status_code == 403 and "Riverside" not in stranger.get_data(as_text=True)
    assert client.get(f"/api/v1/people/{UNKNOWN}/context-cases", headers=api(worker)).status_code == 404
