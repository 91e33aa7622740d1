"""Every casework page: one h1 that starts the title, unique ids, CSRF, labels, back links, no inline style."""

import pytest

from tests.web.helpers import page
from tests.web.pages.helpers import assert_strict_page, dob, post_form


@pytest.fixture
def world(make_user, make_person, make_case, add_entry, relate, login):
    lead = make_user("social_worker")
    youth_worker = make_user("youth_worker")
    child = make_person(lead, given_name="Amara", family_name="Bell", notes="Two lines\nof notes")
    sister = make_person(lead, given_name="Mila", family_name="Bell")
    relate(lead, child, sister, "sibling")
    case = make_case(lead, child, members=[youth_worker])
    sister_case = make_case(lead, sister)
    entry = add_entry(lead, case, sensitivity="intelligence", summary="Seen at the station")
    client = login(lead)
    place = post_form(client, "/places/new", {"name": "Rowan Court", "kind": "estate"}).headers["Location"]
    group = post_form(client, "/groups/new", {"name": "Rowan Court peer group"}).headers["Location"]
    return {
        "lead": client,
        "youth": login(youth_worker),
        "child": child,
        "sister": sister,
        "case": case,
        "sister_case": sister_case,
        "move": f"/cases/{case.id}/chronology/{entry.id}/move",
        "place": place,
        "group": group,
    }


def test_every_casework_page_is_a_good_page_for_someone_who_may_see_it(world):
    child, case, lead = world["child"], world["case"], world["lead"]
    pages = [
        "/",
        "/people/search",
        "/people/new",
        f"/people/{child.id}",
        f"/people/{child.id}/break-glass",
        f"/people/{child.id}/cases/new",
        f"/people/{child.id}/relationships/new",
        f"/people/{child.id}/missing-episodes/new",
        f"/people/{child.id}/merge",
        f"/cases/{case.id}",
        f"/cases/{case.id}?category=intelligence",
        world["move"],
        "/places/new",
        "/groups/new",
        world["place"],
        world["group"],
    ]
    for path in pages:
        response = lead.get(path)
        assert response.status_code == 200, path
        soup = assert_strict_page(response)
        if path != "/":
            assert soup.select_one(".govuk-back-link"), f"no back link on {path}"
    # The youth worker's view of the sister is the limited one; the search and duplicate pages are POST results.
    assert_strict_page(world["youth"].get(f"/people/{world['sister'].id}"))
    found = post_form(
        lead, "/people/search", {"given_name": "Amara", "family_name": "Bell", "date_of_birth": dob("", "", "")}
    )
    assert_strict_page(found)
    born = world["child"].date_of_birth
    near_name = {"given_name": "Amara", "family_name": "Bel", "date_of_birth": dob(born.day, born.month, born.year)}
    duplicate = post_form(lead, "/people/new", near_name)
    assert page(duplicate).h1.get_text(strip=True) == "These records may be the same person"
    assert_strict_page(duplicate)
    merge_check = post_form(lead, f"/people/{child.id}/merge", {"duplicate": world["sister"].id})
    assert page(merge_check).h1.get_text(strip=True) == "Check these records are the same person"
    assert_strict_page(merge_check)
    move_check = post_form(lead, world["move"], {"case": world["sister_case"].id})
    assert page(move_check).h1.get_text(strip=True) == "Check before you move the entry"
    assert_strict_page(move_check)


def test_form_errors_keep_the_page_good(world):
    child, case, lead = world["child"], world["case"], world["lead"]
    for form_page, action in (
        ("/people/new", None),
        (f"/people/{child.id}/cases/new", None),
        (f"/people/{child.id}/relationships/new", None),
        (f"/people/{child.id}/missing-episodes/new", None),
        (f"/people/{child.id}/break-glass", None),
        (f"/people/{child.id}/merge", None),
        (world["move"], None),
        ("/places/new", None),
        ("/groups/new", None),
        (f"/cases/{case.id}", f"/cases/{case.id}/chronology"),
        (f"/cases/{case.id}", f"/cases/{case.id}/actions"),
        (f"/cases/{case.id}", f"/cases/{case.id}/members"),
    ):
        response = post_form(lead, form_page, {}, action)
        assert response.status_code == 422, (form_page, action)
        soup = assert_strict_page(response)
        assert soup.title.get_text().startswith("Error: "), form_page
        for link in soup.select(".govuk-error-summary a"):
            assert soup.find(id=link["href"].removeprefix("#")), (form_page, action, link["href"])


@pytest.mark.parametrize(
    ("role", "links"),
    [
        ("youth_worker", ["Search", "Record a person"]),
        ("safeguarding_lead", ["Search"]),
        ("admin", []),
    ],
)
def test_navigation_and_home_page_offer_casework_to_those_who_may_do_it(login, make_user, role, links):
    soup = page(login(make_user(role)).get("/"))
    nav = [a.get_text(strip=True) for a in soup.select(".govuk-service-navigation__link")]
    assert [label for label in ("Search", "Record a person") if label in nav] == links
    assert bool(soup.select_one('main a[href="/people/search"]')) == bool(links)
    assert bool(soup.select_one('main a[href="/places/new"]')) == ("Record a person" in links)
