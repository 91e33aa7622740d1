"""'Is this child already known?' and recording a person, with the duplicate check."""

import json

import pytest

from models.person import Person
from safeguarding.validation import uk_today
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, count, dob, error_summary, main_text, post_form


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def client(login, social_worker):
    return login(social_worker)


def search(client, given="", family="", born=("", "", "")):
    return post_form(
        client, "/people/search", {"given_name": given, "family_name": family, "date_of_birth": list(born)}
    )


def person_data(**changes) -> dict:
    data = {
        "given_name": "Jayden",
        "family_name": "Okafor",
        "date_of_birth": dob(27, 3, 2011),
        "aliases": "JJ\nLil J",
        "sex": "male",
        "ethnicity": "Black British – African",
        "first_language": "English",
        "address": "14 Rowan Court\nNorthbridge NB4 2QT",
        "phone": "07700 900123",
        "notes": "Goes missing at weekends",
        "flags": ["missing_from_home", "child_in_need"],
    }
    return {**data, **changes}


def record(client, **changes):
    return post_form(client, "/people/new", person_data(**changes))


def test_search_page_is_a_good_page_with_a_gov_uk_date_input(client):
    soup = assert_good_page(client.get("/people/search"))
    assert [i["id"] for i in soup.select(".govuk-date-input input")] == [
        "date_of_birth-day",
        "date_of_birth-month",
        "date_of_birth-year",
    ]


def test_search_finds_a_misspelt_name_shows_full_and_limited_tags_and_counts_the_rest(
    client, social_worker, make_user, make_person, make_case, relate
):
    zoe = make_person(social_worker, given_name="Zoë", family_name="Ní Bhriain", date_of_birth="2010-06-01")
    other_worker = make_user("social_worker", agency=None)
    hidden = make_person(other_worker, given_name="Zoe", family_name="Ni Bhriain", date_of_birth="2010-06-01")
    assert hidden.id
    response = search(client, "Zoe", "Ni Brian", ("1", "6", "2010"))
    assert response.status_code == 200
    soup = assert_good_page(response)
    results = soup.select(".sc-result")
    assert len(results) == 1
    assert "Zoë Ní Bhriain" in results[0].text and "Full record" in results[0].text
    assert "Born 1 June 2010" in results[0].text and "Close date of birth" not in results[0].text
    assert soup.select_one("#results").get_text(strip=True) == "2 possible matches"
    assert "1 other possible match is a record you cannot see" in main_text(response)
    assert soup.select_one(f'a[href="/people/{zoe.id}"]')


def test_a_search_that_finds_nobody_says_so_and_offers_to_record_a_new_person(client):
    soup = page(search(client, "Zephyrine", "Quillfeather"))
    assert soup.select_one("#results").get_text(strip=True) == "No matches"
    assert not soup.select(".sc-result, .sc-hidden-matches")
    button = soup.select_one('form[action="/people/new"] button')
    assert button.get_text(strip=True) == "Record a new person" and "govuk-button--secondary" not in button["class"]


def test_a_context_neighbour_is_listed_with_a_limited_view_and_no_date_of_birth(
    login, make_user, make_person, make_case, relate
):
    lead = make_user("social_worker")
    child = make_person(lead, given_name="Amara", family_name="Bell")
    brother = make_person(lead, given_name="Tyrese", family_name="Bell", date_of_birth="2008-02-02")
    relate(lead, child, brother, "sibling")
    youth_worker = make_user("youth_worker")
    make_case(lead, child, members=[youth_worker])
    response = search(login(youth_worker), "Tyrese", "Bell")
    result = page(response).select_one(".sc-result")
    assert "Tyrese Bell" in result.text and "Limited view" in result.text
    assert "Aged" in result.text and "2008" not in result.text


def test_searching_is_audited_with_blind_index_tokens_not_the_name(client):
    search(client, "Jayden", "Okafor", ("27", "3", "2011"))
    event = audit_events("search")[-1]
    assert "Jayden" not in (event.detail or "") and "Okafor" not in (event.detail or "")
    assert json.loads(event.detail)["tokens"]


def test_searching_with_nothing_asks_for_a_name_or_date(client):
    response = search(client)
    assert response.status_code == 422
    assert "Enter a name or a date of birth to search for" in error_summary(response)
    assert_error_links_resolve(response)


def test_search_results_offer_to_record_a_new_person_with_the_details_so_far(client):
    response = search(client, "Jayden", "Okafor", ("27", "3", "2011"))
    form = page(response).select_one('form[action="/people/new"]')
    data = {i["name"]: i["value"] for i in form.select("input")}
    assert data["step"] == "prefill" and data["given_name"] == "Jayden"
    prefilled = post_form(client, "/people/search", {**data, "date_of_birth": dob(27, 3, 2011)}, "/people/new")
    assert prefilled.status_code == 200
    soup = assert_good_page(prefilled)
    assert soup.select_one("#given_name")["value"] == "Jayden"
    assert soup.select_one("#date_of_birth-year")["value"] == "2011"
    assert not soup.select(".govuk-error-summary")


def test_record_person_page_is_a_good_page(client):
    soup = assert_good_page(client.get("/people/new"))
    labels = [label.get_text(strip=True) for label in soup.select('label[for^="flags"]')]
    assert "Victim of exploitation" in labels and "adult_of_concern" not in labels


def test_a_social_worker_records_a_person_end_to_end(client):
    response = record(client)
    assert response.status_code == 302
    person_page = client.get(response.headers["Location"])
    soup = assert_good_page(person_page)
    assert soup.h1.get_text(strip=True) == "Jayden Okafor"
    text = main_text(person_page)
    for shown in ("JJ, Lil J", "27 March 2011", "Male", "14 Rowan Court", "Missing from home", "Child in need"):
        assert shown in text
    assert "is recorded" in soup.select_one(".govuk-notification-banner").text
    assert audit_events("create")[-1].object_type == "person"


@pytest.mark.parametrize(("given", "family"), [("Zoë", "Ní Bhriain"), ("محمد", "الأحمد"), ("Nguyễn", "Thị Thu")])
def test_names_in_any_script_round_trip_exactly(client, given, family):
    response = record(client, given_name=given, family_name=family, aliases="")
    assert response.status_code == 302, error_summary(response)
    soup = page(client.get(response.headers["Location"]))
    assert soup.h1.get_text(strip=True) == f"{given} {family}"


def test_a_similar_existing_person_is_shown_before_anything_is_recorded(client, social_worker, make_person):
    existing = make_person(social_worker, given_name="Jaiden", family_name="Okafor", date_of_birth="2011-03-27")
    before = count(Person)
    response = record(client)
    assert response.status_code == 200
    soup = assert_good_page(response)
    assert soup.h1.get_text(strip=True) == "These records may be the same person"
    assert soup.select_one(f'a[href="/people/{existing.id}"]')
    assert count(Person) == before

    form = soup.select_one('form[action="/people/new"]')
    carried = {}
    for field in form.select('input[type="hidden"]'):
        carried.setdefault(field["name"], []).append(field["value"])
    assert carried["flags"] == ["missing_from_home", "child_in_need"] and carried["date_of_birth"] == dob(27, 3, 2011)
    anyway = client.post("/people/new", data={**carried, "step": "confirmed"})
    assert anyway.status_code == 302
    assert count(Person) == before + 1


def test_change_the_details_goes_back_to_the_form_filled_in(client, social_worker, make_person):
    make_person(social_worker, given_name="Jayden", family_name="Okafor", date_of_birth="2011-03-27")
    soup = page(record(client))
    carried = {}
    for field in soup.select('form[action="/people/new"] input[type="hidden"]'):
        carried.setdefault(field["name"], []).append(field["value"])
    back = client.post("/people/new", data={**carried, "step": "change"})
    form = assert_good_page(back)
    assert form.select_one("#family_name")["value"] == "Okafor"
    assert form.select_one("#aliases").get_text().strip() == "JJ\nLil J"


def test_someone_the_recorder_cannot_see_still_stops_a_silent_duplicate(client, make_user, make_person):
    make_person(make_user("police_officer"), given_name="Jayden", family_name="Okafor", date_of_birth="2011-03-27")
    response = record(client)
    assert response.status_code == 200
    assert page(response).h1.get_text(strip=True) == "This person may already have a record"
    assert "1 possible match is a record you cannot see" in main_text(response)
    assert "Jayden" not in page(response).select_one(".sc-hidden-matches").text


# Years ahead, not next year: the parameters are worked out when tests are collected, which may be before a
# New Year's midnight that the test itself runs after.
LATER_YEAR = uk_today().year + 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"given_name": "", "family_name": "", "date_of_birth": dob("", "", "")}, "Enter the person's given name"),
        ({"date_of_birth": dob("", "", "")}, "Enter the person's date of birth"),
        ({"date_of_birth": dob(30, 2, 2011)}, "Date of birth must be a real date"),
        ({"date_of_birth": dob(27, "", 2011)}, "Date of birth must include a month"),
        ({"date_of_birth": dob(1, 1, LATER_YEAR)}, "Date of birth must be today or in the past"),
        ({"date_of_birth": dob(1, 1, 11)}, "Year must include 4 numbers"),
        ({"given_name": "Jay\x00den"}, "must not contain control characters"),
        ({"family_name": "x" * 101}, "Family name must be 100 characters or fewer"),
        ({"aliases": "\n".join(f"Alias {i}" for i in range(21))}, "at most 20 aliases"),
        ({"sex": "robot"}, "Select sex from the list"),
        ({"flags": ["superhero"]}, "Select flags from the list"),
    ],
)
def test_bad_input_shows_form_errors_with_422_and_writes_nothing(client, changes, message):
    before = count(Person)
    response = record(client, **changes)
    assert response.status_code == 422
    assert message in error_summary(response)
    assert page(response).title.get_text().startswith("Error: Record a person")
    assert_error_links_resolve(response)
    assert count(Person) == before


def test_only_practitioners_may_record_people(login, make_user):
    lead = login(make_user("safeguarding_lead"))
    assert lead.get("/people/new").status_code == 403
    assert lead.get("/people/search").status_code == 200
