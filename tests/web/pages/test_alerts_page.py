"""The alerts page: the alerts GET /api/v1/alerts gives the viewer, newest first, with a filter by kind."""

from datetime import timedelta

import pytest

from app.extensions import db
from app.people.labels import ALERT_LABELS
from safeguarding import contexts
from safeguarding.alerts import ALERT_KINDS
from safeguarding.validation import uk_today
from tests.fixtures.ages import born_months_ago
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_strict_page, error_summary, main_text

TEN_DAYS_AGO = (uk_today() - timedelta(days=10)).isoformat()


@pytest.fixture
def world(make_user, make_person, make_case, relate):
    """Two social workers, each with a child linked to an adult of concern; the first's child is nearly 18 and on
    their case (an exposure alert from ten days ago, a transition alert from today), the second's is not theirs."""
    worker, other_worker = make_user("social_worker"), make_user("social_worker")
    child = make_person(worker, given_name="Jayden", family_name="Cole", date_of_birth=born_months_ago(17 * 12 + 7))
    make_case(worker, child)
    adult = make_person(worker, given_name="Dean", date_of_birth=born_months_ago(30 * 12), flags=["adult_of_concern"])
    relate(worker, child, adult, "associate", first_seen=TEN_DAYS_AGO)
    unseen = make_person(other_worker, given_name="Tyrone", family_name="Hale")
    other_adult = make_person(
        other_worker, given_name="Aaron", date_of_birth=born_months_ago(31 * 12), flags=["adult_of_concern"]
    )
    relate(other_worker, unseen, other_adult, "associate", first_seen=TEN_DAYS_AGO)
    return {"worker": worker, "child": child, "unseen": unseen}


def rows(response) -> list[list[str]]:
    """Each alert's kind, whom or what it is about, and the date it fired."""
    table = page(response).select("#alerts tbody tr")
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")[:3]] for row in table]


def person_links(response) -> set[str]:
    return {a["href"] for a in page(response).select('#alerts a[href^="/people/"]')}


def test_a_social_worker_sees_alerts_about_the_child_on_their_case_and_not_about_a_child_they_cannot_see(login, world):
    child, unseen = world["child"], world["unseen"]
    response = login(world["worker"]).get("/alerts")
    assert response.status_code == 200
    assert_strict_page(response)
    today, ten_days_ago = uk_today(), uk_today() - timedelta(days=10)
    assert rows(response) == [
        [ALERT_LABELS["transition"], "Jayden Cole", f"{today.day} {today:%B %Y}"],
        [ALERT_LABELS["exposure"], "Jayden Cole", f"{ten_days_ago.day} {ten_days_ago:%B %Y}"],
    ]
    assert person_links(response) == {f"/people/{child.id}", f"/people/{child.id}/exposures"}
    assert "Tyrone" not in main_text(response) and unseen.id not in response.get_data(as_text=True)
    [event] = [e for e in audit_events("list") if e.object_type == "alert"]
    assert event.actor_user_id == world["worker"].id and event.object_id is None
    assert event.person_id_list == [child.id]


def test_a_safeguarding_lead_sees_every_alert_naming_only_those_they_may_see(login, make_user, world):
    child, unseen = world["child"], world["unseen"]
    response = login(make_user("safeguarding_lead")).get("/alerts?kind=exposure")
    assert response.status_code == 200
    assert person_links(response) == {f"/people/{child.id}", f"/people/{unseen.id}"}
    # The lead is on neither child's case: the alerts show references, not names.
    text = main_text(response)
    assert child.id in text and unseen.id in text
    assert "Jayden" not in text and "Tyrone" not in text


@pytest.mark.parametrize("kind", ["exposure", "transition"])
def test_the_kind_filter_lists_only_alerts_of_that_kind(login, world, kind):
    response = login(world["worker"]).get(f"/alerts?kind={kind}")
    assert response.status_code == 200
    assert [row[0] for row in rows(response)] == [ALERT_LABELS[kind]]
    assert page(response).select_one(f'select[name="kind"] option[value="{kind}"][selected]')
    [event] = [e for e in audit_events("list") if e.object_type == "alert"]
    assert event.object_id == kind


def test_the_filter_offers_every_kind_and_all(login, world):
    options = page(login(world["worker"]).get("/alerts")).select('select[name="kind"] option')
    assert [o["value"] for o in options] == ["", *ALERT_KINDS]
    assert [o.get_text(strip=True) for o in options] == ["All alerts", *(ALERT_LABELS[k] for k in ALERT_KINDS)]


def test_with_no_alert_of_a_kind_the_page_says_so(login, world):
    response = login(world["worker"]).get("/alerts?kind=return_interview")
    assert response.status_code == 200 and not rows(response)
    assert "No alerts of this kind." in main_text(response)


def test_a_location_assessment_prompt_links_to_its_place(login, make_user, make_person, relate):
    worker, youth_worker = make_user("social_worker"), make_user("youth_worker")
    park = contexts.create_place(db.session, worker, {"name": "Riverside Park", "kind": "park"})
    for recorder, name in ((worker, "Amir"), (worker, "Bea"), (youth_worker, "Cal")):
        relate(recorder, make_person(recorder, given_name=name), park, "frequents", target_type="place")
    response = login(worker).get("/alerts?kind=location_assessment")
    [[kind, about, _]] = rows(response)
    assert kind == ALERT_LABELS["location_assessment"] and about == "Riverside Park"
    assert page(response).select_one(f'#alerts a[href="/places/{park.id}"]')


def test_an_unknown_kind_is_shown_as_an_error_with_status_422(login, world):
    response = login(world["worker"]).get("/alerts?kind=horoscope")
    assert response.status_code == 422
    assert_strict_page(response)
    assert "Select a kind of alert from the list" in error_summary(response)
    assert page(response).title.get_text().startswith("Error: ")
    assert not rows(response)
    assert not [e for e in audit_events("list") if e.object_type == "alert"]


def test_an_admin_is_refused(login, make_user):
    assert login(make_user("admin")).get("/alerts").status_code == 403


def test_a_signed_out_visitor_is_sent_to_sign_in(client):
    response = client.get("/alerts")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


@pytest.mark.parametrize(("role", "offered"), [("youth_worker", True), ("safeguarding_lead", True), ("admin", False)])
def test_the_navigation_links_to_alerts_for_those_who_may_see_them(login, make_user, role, offered):
    soup = page(login(make_user(role)).get("/"))
    assert bool(soup.select_one('.govuk-service-navigation a[href="/alerts"]')) == offered


def test_every_kind_of_alert_has_a_label():
    assert set(ALERT_LABELS) == set(ALERT_KINDS)
