"""Correcting a place or a group from its page or the API: on the version seen, every problem at once, audited
with the fields changed; a home only by those who may see it."""

import pytest

from app.extensions import db
from models.context import Group, Place
from safeguarding import context_corrections, contexts
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, error_summary, post_form


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def park(worker):
    data = {"name": "Riverside Prak", "kind": "park", "area": "Marsh", "description": "Dealing by the bandstand"}
    return contexts.create_place(db.session, worker, data)


@pytest.fixture
def crew(worker):
    return contexts.create_group(db.session, worker, {"name": "Eastside crw"})


def stored(model, record):
    db.session.expire_all()
    return db.session.get(model, record.id)


def test_the_page_is_filled_in_and_a_corrected_name_is_saved_and_audited(login, worker, park):
    client = login(worker)
    assert page(client.get(f"/places/{park.id}")).select_one(f'a[href="/places/{park.id}/edit"]')
    soup = assert_good_page(client.get(f"/places/{park.id}/edit"))
    assert soup.select_one("#name")["value"] == "Riverside Prak" and "bandstand" in soup.select_one("#description").text
    response = post_form(client, f"/places/{park.id}/edit", {"name": "Riverside Park", "kind": "park"}, prefilled=True)
    assert response.status_code == 302 and response.headers["Location"] == f"/places/{park.id}"
    place = stored(Place, park)
    assert (place.name, place.area, place.description, place.version) == (
        "Riverside Park",
        "Marsh",
        "Dealing by the bandstand",
        2,
    )
    (event,) = [e for e in audit_events("update") if e.object_type == "place"]
    assert event.detail_dict == {"fields": ["name"]} and "Riverside" not in event.detail


def test_a_group_is_corrected(login, worker, crew):
    client = login(worker)
    response = post_form(client, f"/groups/{crew.id}/edit", {"name": "Eastside crew"}, prefilled=True)
    assert response.status_code == 302 and stored(Group, crew).name == "Eastside crew"


def test_a_blank_name_is_explained_and_nothing_is_saved(login, worker, park):
    response = post_form(login(worker), f"/places/{park.id}/edit", {"name": "", "kind": "park"}, prefilled=True)
    assert response.status_code == 422 and "Enter the name of the place" in error_summary(response)
    assert_error_links_resolve(response)
    assert stored(Place, park).version == 1


def test_a_correction_on_a_page_shown_before_anothers_is_refused(login, worker, park):
    client = login(worker)
    shown = page(client.get(f"/places/{park.id}/edit"))
    context_corrections.correct_place(db.session, worker, park.id, {"version": 1, "area": "Central"})
    sent = {field["name"]: field.get("value", "") for field in shown.select("form input[name]")}
    response = client.post(f"/places/{park.id}/edit", data={**sent, "name": "Riverside Park", "kind": "park"})
    assert response.status_code == 409 and "changed by someone else" in error_summary(response)
    assert stored(Place, park).name == "Riverside Prak"


def test_the_api_corrects_on_the_version_seen(client, api, worker, park):
    headers = api(worker)
    response = client.patch(f"/api/v1/places/{park.id}", json={"version": 1, "kind": "estate"}, headers=headers)
    assert response.status_code == 200 and response.get_json()["kind"] == "estate"
    stale = client.patch(f"/api/v1/places/{park.id}", json={"version": 1, "area": "X"}, headers=headers)
    assert stale.status_code == 409


@pytest.mark.parametrize(
    ("sent", "fields"),
    [
        ({"name": "Park"}, {"$.version"}),
        ({"version": 1, "kind": "castle", "name": ""}, {"$.kind", "$.name"}),
        ({"version": 1, "colour": "red"}, {"$.colour"}),
        ({"version": 1, "name": ""}, {"$.name"}),
    ],
)
def test_the_api_reports_every_problem_at_once(client, api, worker, park, sent, fields):
    response = client.patch(f"/api/v1/places/{park.id}", json=sent, headers=api(worker))
    assert response.status_code == 422 and set(response.get_json()["fields"]) == fields
    assert stored(Place, park).version == 1


def test_a_home_is_corrected_only_by_those_who_may_see_it(client, api, make_user, worker):
    home = contexts.create_place(db.session, worker, {"name": "14 Rowan Ct", "kind": "address"})
    outsider = make_user("police_officer")
    refused = client.patch(f"/api/v1/places/{home.id}", json={"version": 1, "name": "X"}, headers=api(outsider))
    assert refused.status_code == 403 and stored(Place, home).name == "14 Rowan Ct"
    ok = client.patch(f"/api/v1/places/{home.id}", json={"version": 1, "name": "14 Rowan Court"}, headers=api(worker))
    assert ok.status_code == 200


@pytest.mark.parametrize("role", ["safeguarding_lead", "admin"])
def test_roles_that_record_nothing_correct_nothing(client, api, make_user, park, crew, role):
    headers = api(make_user(role))
    assert (
        client.patch(f"/api/v1/places/{park.id}", json={"version": 1, "name": "X"}, headers=headers).status_code == 403
    )
    assert (
        client.patch(f"/api/v1/groups/{crew.id}", json={"version": 1, "name": "X"}, headers=headers).status_code == 403
    )
    assert stored(Place, park).name == "Riverside Prak" and stored(Group, crew).name == "Eastside crw"
