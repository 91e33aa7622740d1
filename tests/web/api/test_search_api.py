"""'Is this child already known?' through GET /people: exact and near matches, counted strangers, blind audit."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from tests.web.api.client import ApiClient
from tests.web.helpers import audit_events


def test_search_finds_a_person_by_exact_name_and_date_of_birth(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker, given_name="Jayden", family_name="Okafor", date_of_birth="2010-04-12")
    make_person(worker, given_name="Grace", family_name="Adeyemi", date_of_birth="2009-11-02")
    response = as_user(worker).get("/people", given_name="Jayden", family_name="Okafor", date_of_birth="2010-04-12")
    assert response.status_code == 200
    body = response.get_json()
    assert body["results"][0]["id"] == person["id"]
    assert body["results"][0]["view"] == "full" and body["results"][0]["given_name"] == "Jayden"
    assert body["results"][0]["score"] > 0.9 and body["results"][0]["reasons"]
    assert body["other_matches"] == 0
    assert "Grace" not in response.get_data(as_text=True)


def test_search_finds_a_person_by_a_misspelt_name(as_user, make_user, make_person):
    worker = make_user("youth_worker")
    person = make_person(worker, given_name="Jayden", family_name="Okafor")
    results = as_user(worker).get("/people", given_name="Jaden", family_name="Okafor").get_json()["results"]
    assert [r["id"] for r in results] == [person["id"]]
    assert results[0]["score"] < 1


def test_search_finds_a_person_by_date_of_birth_alone(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker, date_of_birth="2011-07-30")
    results = as_user(worker).get("/people", date_of_birth="2011-07-30").get_json()["results"]
    assert person["id"] in [r["id"] for r in results]


def test_people_the_caller_may_not_see_are_only_counted(as_user, make_user, make_person):
    recorder = make_user("social_worker")
    hidden = make_person(recorder, given_name="Jayden", family_name="Okafor", address="5 Secret Row")
    searcher = make_user("police_officer")
    response = as_user(searcher).get("/people", given_name="Jayden", family_name="Okafor")
    assert response.get_json() == {"results": [], "other_matches": 1}
    text = response.get_data(as_text=True)
    assert hidden["id"] not in text and "Secret" not in text


def test_a_context_neighbour_appears_in_search_with_the_limited_view(
    client, api, as_user, make_user, make_person, make_case, link
):
    worker = make_user("social_worker")
    other = make_user("police_officer")
    subject = make_person(worker, given_name="Amara", family_name="Cole")
    make_case(worker, subject["id"])
    peer = make_person(other, given_name="Jayden", family_name="Okafor", notes="never shown")
    group = as_user(worker).post("/groups", json={"name": "Eastside boys"}).get_json()
    link(worker, subject["id"], "group", group["id"], "member_of")
    link(other, peer["id"], "group", group["id"], "member_of")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        body = ApiClient(client, api(worker)).get("/people", given_name="Jayden", family_name="Okafor").get_json()
    [match] = body["results"]
    assert match["view"] == "limited" and match["id"] == peer["id"] and "notes" not in match
    assert "score" in match


@pytest.fixture
def limited_neighbour(client, api, as_user, make_user, make_person, make_case, link):
    """A social worker's search client, and a person of the worker's context whom the worker sees in the limited view
    only (recorded by another agency's officer more than 30 days before the search)."""
    worker = make_user("social_worker")
    other = make_user("police_officer")
    subject = make_person(worker, given_name="Amara", family_name="Cole", date_of_birth="2012-09-09")
    make_case(worker, subject["id"])
    peer = make_person(
        other, given_name="Jayden", family_name="Okafor", date_of_birth="2010-04-12", aliases=["Little J"]
    )
    group = as_user(worker).post("/groups", json={"name": "Eastside boys"}).get_json()
    link(worker, subject["id"], "group", group["id"], "member_of")
    link(other, peer["id"], "group", group["id"], "member_of")
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        yield ApiClient(client, api(worker)), peer


def test_a_limited_match_is_scored_on_its_name_alone_so_the_date_searched_is_not_confirmed(limited_neighbour):
    search, peer = limited_neighbour
    with_date = search.get("/people", given_name="Jayden", family_name="Okafor", date_of_birth="2010-04-12")
    near_date = search.get("/people", given_name="Jayden", family_name="Okafor", date_of_birth="2010-04-13")
    without = search.get("/people", given_name="Jayden", family_name="Okafor")
    matches = [response.get_json()["results"] for response in (with_date, near_date, without)]
    assert all(len(found) == 1 and found[0]["id"] == peer["id"] for found in matches)
    assert [found[0]["score"] for found in matches] == [1.0, 1.0, 1.0]
    assert [found[0]["reasons"] for found in matches] == [["exact name"]] * 3


def test_a_limited_match_by_alias_alone_is_only_counted(limited_neighbour):
    search, _ = limited_neighbour
    by_alias = search.get("/people", given_name="Little J", family_name="Okafor").get_json()
    assert by_alias == {"results": [], "other_matches": 1}


def test_a_limited_match_is_listed_and_counted_alike_whatever_date_of_birth_is_searched_for(limited_neighbour):
    search, peer = limited_neighbour
    exact, near = {"given_name": "Jayden", "family_name": "Okafor"}, {"given_name": "Joel", "family_name": "Okafor"}
    # "Joel Okafor" clears the threshold only with the right date; then a date of birth with no name at all.
    for names, listed in ((exact, [peer["id"]]), (near, []), ({}, [])):
        answers = [
            search.get("/people", **names, date_of_birth=born).get_json()
            for born in ("2010-04-12", "1990-01-01", "2010-04-13")
        ]
        seen = [([(r["id"], r["score"], r["reasons"]) for r in a["results"]], a["other_matches"]) for a in answers]
        assert seen[0] == seen[1] == seen[2]
        assert ([found[0] for found in seen[0][0]], seen[0][1]) == (listed, 0)


def test_people_the_caller_may_not_see_are_counted_as_matches_of_everything_asked(as_user, make_user, make_person):
    """The count answers "already known?": a misspelt name with the right date of birth still finds a child known
    to another agency, and the wrong date does not; the count names nobody."""
    make_person(make_user("social_worker"), given_name="Jayden", family_name="Okafor", date_of_birth="2010-04-12")
    search = as_user(make_user("police_officer"))

    def counted(born, **names):
        return search.get("/people", **names, date_of_birth=born).get_json()

    assert counted("2010-04-12", given_name="Jayden", family_name="Okafor") == {"results": [], "other_matches": 1}
    # Joel Okafor's name alone scores below a possible match; the right date carries it over.
    assert counted("2010-04-12", given_name="Joel", family_name="Okafor") == {"results": [], "other_matches": 1}
    assert counted("1990-01-01", given_name="Joel", family_name="Okafor") == {"results": [], "other_matches": 0}


def test_the_search_audit_event_holds_tokens_never_the_name_searched(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker, given_name="Oluwaseun", family_name="Blackwood-Ferreira", date_of_birth="2010-04-12")
    as_user(worker).get("/people", given_name="Oluwaseun", family_name="Blackwood-Ferreira", date_of_birth="2010-04-12")
    [event] = audit_events("search")
    assert event.person_id_list == [person["id"]]
    assert event.detail_dict["tokens"]
    for secret in ("Oluwaseun", "oluwaseun", "Blackwood", "blackwood", "2010-04-12"):
        assert secret.encode() not in event.canonical
        assert secret not in (event.detail or "")


def test_a_search_needs_a_name_or_a_date_of_birth(as_user, make_user):
    caller = as_user(make_user("social_worker"))
    assert caller.get("/people").status_code == 422
    assert caller.get("/people", date_of_birth="2010-02-31").status_code == 422
    assert caller.get("/people", given_name="x" * 101).status_code == 422
    assert caller.get("/people", given_name="Jay\x00").status_code == 422
