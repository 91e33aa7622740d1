"""Finding places and groups: by name, kind and area, in name order, a page at a time; homes never listed; the
look audited with the filters given, never the text searched."""

import pytest

from app.extensions import db
from safeguarding import context_directory, contexts
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, error_summary, main_text


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def borough(worker):
    def place(name, kind, area=None):
        return contexts.create_place(db.session, worker, {"name": name, "kind": kind, "area": area})

    return {
        "park": place("Riverside Park", "park", "Marsh"),
        "station": place("Northbridge bus station", "transport", "Central"),
        "stairwell": place("Rowan Court stairwell", "estate", "Marsh"),
        "home": place("14 Riverside Walk", "address", "Marsh"),
        "crew": contexts.create_group(db.session, worker, {"name": "Eastside crew"}),
        "drill": contexts.create_group(db.session, worker, {"name": "Riverside drill collective"}),
    }


def names(response, selector="#places tbody tr td:first-child") -> list[str]:
    return [cell.get_text(strip=True) for cell in page(response).select(selector)]


def test_every_place_but_homes_is_listed_in_name_order(login, worker, borough):
    response = login(worker).get("/places")
    assert_good_page(response)
    assert names(response) == ["Northbridge bus station", "Riverside Park", "Rowan Court stairwell"]
    assert "14 Riverside Walk" not in main_text(response)


def test_places_are_found_by_part_of_a_name_whatever_its_case_and_by_kind_and_area(login, worker, borough):
    client = login(worker)
    assert names(client.get("/places?name=RIVERSIDE")) == ["Riverside Park"]
    assert names(client.get("/places?kind=estate")) == ["Rowan Court stairwell"]
    assert names(client.get("/places?area=marsh")) == ["Riverside Park", "Rowan Court stairwell"]
    assert names(client.get("/places?name=100%25")) == []  # a LIKE wildcard is only a character


def test_the_look_is_audited_with_the_filters_given_not_the_text(login, worker, borough):
    login(worker).get("/places?name=Riverside&area=Marsh")
    (event,) = [e for e in audit_events("search") if e.object_type == "places"]
    assert event.detail_dict == {"filters": ["area", "name"], "page": 1, "shown": 1, "total": 1}
    assert "Riverside" not in (event.detail or "") and "Marsh" not in (event.detail or "")


def test_groups_are_found_by_name(login, worker, borough):
    client = login(worker)
    listed = names(client.get("/groups"), "#groups a")
    assert listed == ["Eastside crew", "Riverside drill collective"]
    assert names(client.get("/groups?name=drill"), "#groups a") == ["Riverside drill collective"]
    assert page(client.get("/groups")).select_one(f'#groups a[href="/groups/{borough["crew"].id}"]')


@pytest.mark.parametrize(
    ("query", "message"),
    [("kind=address", "Homes are not listed"), ("kind=castle", "Select the kind of place"), ("page=0", "page")],
)
def test_a_bad_filter_is_explained(login, worker, borough, query, message):
    response = login(worker).get(f"/places?{query}")
    assert response.status_code == 422 and message in error_summary(response)
    assert_error_links_resolve(response)


def test_a_long_list_comes_a_page_at_a_time(monkeypatch, login, worker, borough):
    monkeypatch.setattr(context_directory, "PAGE_SIZE", 2)
    client = login(worker)
    first = client.get("/places?area=&kind=")
    assert names(first) == ["Northbridge bus station", "Riverside Park"]
    following = page(first).select_one(".govuk-pagination__next a")["href"]
    assert "page=2" in following
    assert names(client.get(following)) == ["Rowan Court stairwell"]


def test_the_api_lists_places_and_groups_with_their_totals(client, api, worker, borough):
    headers = api(worker)
    places = client.get("/api/v1/places?kind=park", headers=headers).get_json()
    assert [p["name"] for p in places["results"]] == ["Riverside Park"]
    assert (places["total"], places["page"], places["pages"]) == (1, 1, 1)
    groups = client.get("/api/v1/groups?name=crew", headers=headers).get_json()
    assert [g["id"] for g in groups["results"]] == [borough["crew"].id]
    refused = client.get("/api/v1/places?kind=address", headers=headers)
    assert refused.status_code == 422 and "kind" in refused.get_json()["fields"]


@pytest.mark.parametrize("path", ["/places", "/groups"])
def test_administrators_see_no_places_or_groups(login, make_user, borough, path):
    assert login(make_user("admin")).get(path).status_code == 403
