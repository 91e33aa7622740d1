"""Context map pages, place and group pages with their assessments and conferences, weighting, safety mapping."""

import json

import pytest

from app.extensions import db
from models.context_work import ContextAssessment, ContextWeighting, Meeting, SafetyRating
from safeguarding import contexts
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, count, dob, error_summary, main_text, post_form


@pytest.fixture
def borough(make_user, make_person, make_case, relate, login):
    """A child on a police officer's case, a peer two hops away at the park, a stranger three hops away."""
    sw, police = make_user("social_worker"), make_user("police_officer")
    child = make_person(sw, given_name="Jayden", family_name="Okafor")
    peer = make_person(sw, given_name="Kai", family_name="Mensah")
    stranger = make_person(sw, given_name="Zephyrine", family_name="Quillfeather")
    aunt = make_person(sw, given_name="Grace", family_name="Okafor", date_of_birth="1980-02-02")
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    crew = contexts.create_group(db.session, sw, {"name": "Eastside crew"})

    def link(source, target, kind, target_type, **extra):
        body = {"source": {"type": "person", "id": source.id}, "target": {"type": target_type, "id": target.id}}
        return contexts.add_relationship(db.session, sw, {**body, "kind": kind, **extra})

    link(child, park, "frequents", "place", first_seen="2026-01-01")
    link(peer, park, "frequents", "place", first_seen="2026-02-01")
    link(child, crew, "member_of", "group")
    link(aunt, child, "trusted_adult", "person")
    station = contexts.create_place(db.session, sw, {"name": "Bus station", "kind": "transport"})
    link(child, station, "seen_at", "place", grading={"source": "3", "information": "D", "handling": "P"})
    link(stranger, peer, "friend", "person", grading={"source": "2", "information": "C", "handling": "C"})
    make_case(sw, child, members=[police])
    return {
        "sw": sw,
        "police": police,
        "officer": login(police),
        "child": child,
        "peer": peer,
        "stranger": stranger,
        "park": park,
        "crew": crew,
        "station": station,
    }


def assert_strict_map_page(response):
    """A good GOV.UK page under the strict CSP: no inline styles, and no inline script that runs (the map's data
    is a JSON data block, which browsers never execute), and a label for every visible form control."""
    soup = assert_good_page(response)
    assert not soup.select("[style]") and not soup.select("style")
    executable = [s for s in soup.select("script") if not s.get("src") and s.get("type") != "application/json"]
    assert len(executable) <= 1
    for control in soup.select("input, select, textarea"):
        if control.get("type") not in ("hidden", "submit"):
            assert control.get("id") and soup.select_one(f'label[for="{control["id"]}"]'), control
    return soup


def map_data(soup) -> dict:
    return json.loads(soup.select_one("script#context-map-data").string)


def table_node_ids(soup) -> list[str]:
    return [row["data-node-id"] for row in soup.select("table.sc-map-nodes tr[data-node-id]")]


def test_the_person_map_page_draws_the_same_nodes_in_its_table(borough):
    response = borough["officer"].get(f"/people/{borough['child'].id}/map?depth=2")
    assert response.status_code == 200
    soup = assert_strict_map_page(response)
    assert soup.h1.get_text(strip=True) == "Context map: Jayden Okafor"
    data = map_data(soup)
    assert table_node_ids(soup) == [n["data"]["id"] for n in data["nodes"]]
    assert all("position" in n for n in data["nodes"])
    assert len(soup.select("table.sc-map-edges tbody tr")) == len(data["edges"])
    for caption in soup.select("table caption"):
        assert caption.get_text(strip=True)
    assert soup.select_one("#context-map[data-node-count]")
    assert soup.select_one('script[src="/vendor/cytoscape.min.js"]')
    assert audit_events("map_view")[-1].object_id == borough["child"].id


def test_protective_and_uncorroborated_ties_are_marked_in_map_and_table(borough):
    soup = page(borough["officer"].get(f"/people/{borough['child'].id}/map"))
    classes = {e["data"]["label"]: e["classes"].split() for e in map_data(soup)["edges"]}
    assert "protective" in classes["Trusted adult"] and "family-protective" in classes["Trusted adult"]
    assert "uncorroborated" in classes["Seen at"]
    assert "corroborated" in classes["Frequents"]
    rows = {r.select("td")[1].get_text(" ", strip=True): r for r in soup.select("table.sc-map-edges tbody tr")}
    assert "Protective" in rows["Trusted adult Protective"].get_text()
    assert any("Uncorroborated" in text for text in rows)


def test_people_the_viewer_may_not_see_are_never_named_on_the_page(borough):
    response = borough["officer"].get(f"/people/{borough['child'].id}/map?depth=3")
    text = response.get_data(as_text=True)
    assert "Kai Mensah" in text
    assert "Zephyrine" not in text and "Quillfeather" not in text and borough["stranger"].id not in text
    soup = page(response)
    hidden = [n for n in map_data(soup)["nodes"] if "redacted" in n["classes"]]
    assert len(hidden) == 1 and hidden[0]["data"]["href"] is None
    assert "Person not shown to you" in main_text(response)


def test_the_nodes_link_to_the_records_the_viewer_may_open(borough):
    soup = page(borough["officer"].get(f"/people/{borough['child'].id}/map?depth=2"))
    links = {n["data"]["id"]: n["data"]["href"] for n in map_data(soup)["nodes"]}
    assert links[f"person:{borough['peer'].id}"] == f"/people/{borough['peer'].id}"
    assert links[f"place:{borough['park'].id}"] == f"/places/{borough['park'].id}"
    assert soup.select_one(f'table.sc-map-nodes a[href="/groups/{borough["crew"].id}"]')


def test_filters_narrow_the_map_without_javascript(borough):
    officer, child = borough["officer"], borough["child"]
    everything = table_node_ids(page(officer.get(f"/people/{child.id}/map?depth=2")))
    places_only = page(officer.get(f"/people/{child.id}/map?depth=2&kinds=place"))
    expected = {f"person:{child.id}", f"person:{borough['peer'].id}", f"place:{borough['park'].id}"}
    assert set(table_node_ids(places_only)) == expected | {f"place:{borough['station'].id}"}
    assert len(table_node_ids(places_only)) < len(everything)
    assert places_only.select_one('input[name="kinds"][value="place"]').has_attr("checked")
    early = page(officer.get(f"/people/{child.id}/map?depth=2&kinds=place&until=15&until=1&until=2026"))
    assert f"person:{borough['peer'].id}" not in table_node_ids(early)
    form = early.select_one("form.sc-map-filters")
    assert form["method"] == "get" and not form.select_one('input[name="csrf_token"]')


def test_a_bad_filter_is_explained_and_the_page_stays_good(borough):
    response = borough["officer"].get(
        f"/people/{borough['child'].id}/map?since=1&since=3&since=2026&until=1&until=1&until=2026&depth=2"
    )
    assert response.status_code == 422
    assert_strict_map_page(response)
    assert "The end of the window must be on or after its start" in error_summary(response)
    assert_error_links_resolve(response)


def test_a_youth_worker_with_no_relationship_and_an_administrator_are_refused(borough, make_user, login):
    refused = login(make_user("youth_worker")).get(f"/people/{borough['child'].id}/map")
    assert refused.status_code == 403 and "Jayden" not in refused.get_data(as_text=True)
    admin = login(make_user("admin"))
    assert admin.get(f"/places/{borough['park'].id}/map").status_code == 403
    assert borough["officer"].get("/people/7f3e2d1c-0b9a-4876-9543-210fedcba987/map").status_code == 404


def test_the_map_page_of_a_home_the_viewer_may_not_see_is_refused_not_an_error(borough):
    home = contexts.create_place(db.session, borough["sw"], {"name": "12 Hidden Street", "kind": "address"})
    link = {"source": {"type": "person", "id": borough["stranger"].id}, "target": {"type": "place", "id": home.id}}
    contexts.add_relationship(db.session, borough["sw"], {**link, "kind": "lives_at"})
    refused = borough["officer"].get(f"/places/{home.id}/map")
    assert refused.status_code == 403 and "12 Hidden Street" not in refused.get_data(as_text=True)


def test_the_map_page_of_a_home_the_viewer_may_see_keeps_its_centre_under_any_filter(borough):
    home = contexts.create_place(db.session, borough["sw"], {"name": "3 Known Road", "kind": "address"})
    link = {"source": {"type": "person", "id": borough["child"].id}, "target": {"type": "place", "id": home.id}}
    contexts.add_relationship(db.session, borough["sw"], {**link, "kind": "lives_at"})
    response = borough["officer"].get(f"/places/{home.id}/map?kinds=peer")
    assert table_node_ids(assert_strict_map_page(response)) == [f"place:{home.id}"]
    assert "3 Known Road" in main_text(response)


def test_the_map_downloads_hold_what_the_viewer_sees_and_are_audited(borough):
    soup = page(borough["officer"].get(f"/people/{borough['child'].id}/map?depth=3"))
    links = [a["href"] for a in soup.select("a[download]")]
    assert len(links) == 3 and all("depth=3" in href for href in links)
    for href in links:
        response = borough["officer"].get(href)
        assert response.status_code == 200 and "attachment" in response.headers["Content-Disposition"]
        text = response.get_data(as_text=True)
        assert "Kai Mensah" in text and "Zephyrine" not in text and borough["stranger"].id not in text
    assert len(audit_events("export")) == 3


def test_place_and_group_maps(borough):
    park = borough["officer"].get(f"/places/{borough['park'].id}/map?depth=1")
    soup = assert_strict_map_page(park)
    assert set(table_node_ids(soup)) == {
        f"place:{borough['park'].id}",
        f"person:{borough['child'].id}",
        f"person:{borough['peer'].id}",
    }
    crew = assert_strict_map_page(borough["officer"].get(f"/groups/{borough['crew'].id}/map?depth=2"))
    assert f"place:{borough['park'].id}" in table_node_ids(crew)


# --- place and group pages, and the work recorded from them ------------------------------------------------


def test_the_place_page_links_to_its_map_and_shows_assessments_conferences_and_ratings(borough, login):
    sw = login(borough["sw"])
    place = f"/places/{borough['park'].id}"
    soup = assert_good_page(sw.get(place))
    assert soup.select_one(f'a[href="{place}/map"]')
    assert "No assessments recorded" in soup.get_text() and "No young person has rated this place" in soup.get_text()
    assert soup.select_one(f'a[href="{place}/assessments/new"]') and soup.select_one(f'a[href="{place}/meetings/new"]')
    group = assert_good_page(sw.get(f"/groups/{borough['crew'].id}"))
    assert group.select_one(f'a[href="/groups/{borough["crew"].id}/map"]')


def test_a_place_or_group_opened_from_a_map_links_back_to_that_map_with_its_filters(borough, login):
    officer, park, crew = borough["officer"], borough["park"], borough["crew"]
    map_address = f"/people/{borough['child'].id}/map?depth=2&kinds=place"

    def back_link(path, referrer):
        headers = {"Referer": referrer} if referrer else {}
        link = page(officer.get(path, headers=headers)).select_one(".govuk-back-link")
        return link["href"], link.get_text(strip=True)

    assert back_link(f"/places/{park.id}", f"http://localhost{map_address}") == (
        map_address,
        "Back to the context map",
    )
    assert back_link(f"/groups/{crew.id}", f"http://localhost/places/{park.id}/map") == (
        f"/places/{park.id}/map",
        "Back to the context map",
    )
    home = ("/", "Back to home")
    assert back_link(f"/places/{park.id}", None) == home
    assert back_link(f"/places/{park.id}", f"http://localhost/people/{borough['child'].id}") == home
    assert back_link(f"/places/{park.id}", f"https://elsewhere.example{map_address}") == home


def test_the_map_names_the_filter_in_force_and_links_to_its_tables(borough):
    path = f"/people/{borough['child'].id}/map"
    unfiltered = assert_strict_map_page(borough["officer"].get(path))
    assert unfiltered.select_one("#map-filter-summary") is None
    assert unfiltered.select_one('main a[href="#map-table"]') and unfiltered.select_one("h2#map-table[tabindex='-1']")
    filtered = page(borough["officer"].get(f"{path}?kinds=peer&kinds=place"))
    summary = filtered.select_one("#map-filter-summary").get_text(" ", strip=True)
    assert summary == "Showing only these kinds of relationship: Peers, Places."
    refused = borough["officer"].get(f"{path}?kinds=nonsense")
    assert refused.status_code == 422 and page(refused).select_one("#map-filter-summary") is None


def test_a_location_assessment_is_recorded_with_interventions(borough, login):
    sw, place = login(borough["sw"]), f"/places/{borough['park'].id}"
    form = f"{place}/assessments/new"
    assert_good_page(sw.get(form))
    response = post_form(
        sw,
        form,
        {
            "findings": "Older males wait by the gate after school",
            "interventions-0-intervention": "guardianship",
            "interventions-0-detail": "Park warden at the gate 3-6pm",
            "interventions-0-owner_agency_id": borough["sw"].agency_id,
            "interventions-0-due_on": dob(30, 6, 2026),
        },
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{place}#assessments")
    text = main_text(sw.get(place))
    assert "Location assessment recorded for Riverside Park" in text
    assert "Older males wait by the gate" in text and "Park warden at the gate" in text and "30 June 2026" in text
    # The plan names the intervention in the words the form offered.
    assert "Guardianship Park warden at the gate" in text
    assert count(ContextAssessment) == 1


def test_assessment_errors_are_shown_and_nothing_is_written(borough, login):
    sw, form = login(borough["sw"]), f"/places/{borough['park'].id}/assessments/new"
    response = post_form(sw, form, {"findings": "", "interventions-1-detail": "Warden"})
    assert response.status_code == 422
    summary = error_summary(response)
    assert "Enter the findings of the assessment" in summary and "Select the kind of intervention" in summary
    assert_error_links_resolve(response)
    assert_good_page(response)
    assert count(ContextAssessment) == 0


def test_a_context_conference_about_a_group(borough, login):
    sw, group = login(borough["sw"]), f"/groups/{borough['crew'].id}"
    form = f"{group}/meetings/new"
    assert not assert_good_page(sw.get(form)).select('input[name="kind"]')  # a group's meetings are conferences
    response = post_form(
        sw,
        form,
        {
            "kind": "mace",  # a person's kind, sent anyway: not taken
            "held_on": dob(2, 3, 2026),
            "attendee_ids": [borough["sw"].id, borough["police"].id],
            "not_invited_agency_ids": [borough["police"].agency_id],
            "decisions": "Offer detached youth work on Friday evenings",
            "actions-0-action": "Book the youth bus",
        },
    )
    assert response.status_code == 302, error_summary(response)
    text = main_text(sw.get(group))
    assert "Context conference recorded" in text
    assert "Offer detached youth work" in text and "Book the youth bus" in text and "Not invited" in text
    missing = post_form(sw, form, {"decisions": ""})
    assert missing.status_code == 422 and "Enter the date it was held" in error_summary(missing)
    assert [m.kind for m in db.session.query(Meeting)] == ["context_conference"]


def test_a_context_weighting_is_recorded_from_the_person_page(borough, login):
    sw, child = login(borough["sw"]), borough["child"]
    person = assert_good_page(sw.get(f"/people/{child.id}"))
    for href in (f"/people/{child.id}/map", f"/people/{child.id}/context-weighting"):
        assert person.select_one(f'a[href="{href}"]'), href
    form = f"/people/{child.id}/context-weighting"
    assert_good_page(sw.get(form))
    answers = {
        f"{c}_{p}": "2" for c in ("family", "peers", "school", "neighbourhood", "online") for p in ("harm", "safety")
    }
    response = post_form(sw, form, {**answers, "peers_harm": "3"})
    assert response.status_code == 302
    table = page(sw.get(form)).select_one("table").get_text(" ", strip=True)
    assert "Peers High Medium" in table
    incomplete = post_form(sw, form, {"family_harm": "1"})
    assert incomplete.status_code == 422 and "Select how much family contributes to safety" in error_summary(incomplete)
    assert_error_links_resolve(incomplete)
    assert count(ContextWeighting) == 1


def test_safety_ratings_feed_the_heat_map(borough, login):
    sw, child, park = login(borough["sw"]), borough["child"], borough["park"]
    form = f"/people/{child.id}/safety-ratings/new"
    assert page(sw.get(f"/people/{child.id}")).select_one(f'a[href="{form}"]')
    assert_good_page(sw.get(form))
    response = post_form(sw, form, {"place": f"http://localhost/places/{park.id}", "rating": "red"})
    assert response.status_code == 302 and response.headers["Location"] == form
    [rated] = assert_good_page(sw.get(form)).select("#safety-map ~ table tbody tr")
    assert [c.get_text(strip=True) for c in rated.select("td")][:2] == ["Riverside Park", "Red"]
    heat = assert_good_page(sw.get("/safety-heat-map"))
    [row] = heat.select("table.sc-heat-map tbody tr")
    assert [c.get_text(strip=True) for c in row.select("td")] == ["Riverside Park", "Park", "1", "0", "0"]
    # The child is on an open case: the park is a hotspot too, by count only.
    assert "Riverside Park" in heat.select_one("table.sc-hotspots").get_text()
    assert "Jayden" not in main_text(sw.get("/safety-heat-map"))
    place_page = main_text(sw.get(f"/places/{park.id}"))
    assert "feels unsafe: 1" in place_page
    bad = post_form(sw, form, {"place": "somewhere", "rating": ""})
    assert bad.status_code == 422 and "Select red, amber or green" in error_summary(bad)
    unknown = post_form(sw, form, {"place": "7f3e2d1c-0b9a-4876-9543-210fedcba987", "rating": "green"})
    assert unknown.status_code == 422 and "No place has that link or reference" in error_summary(unknown)
    nul = post_form(sw, form, {"place": "\x00", "rating": "green"})  # PostgreSQL refuses a NUL in a query
    assert nul.status_code == 422 and "No place has that link or reference" in error_summary(nul)
    assert count(SafetyRating) == 1


def test_the_context_pages_are_refused_to_administrators(borough, make_user, login):
    admin = login(make_user("admin"))
    for path in ("/safety-heat-map", f"/places/{borough['park'].id}/assessments/new"):
        assert admin.get(path).status_code == 403, path


def test_the_assessment_and_conference_forms_of_a_home_the_viewer_may_not_see_are_refused(borough):
    """The officer sees the peer in the limited view only, which leaves out their home (SPEC section 4)."""
    home = contexts.create_place(db.session, borough["sw"], {"name": "12 Elm Road", "kind": "address"})
    tie = {"source": {"type": "person", "id": borough["peer"].id}, "target": {"type": "place", "id": home.id}}
    contexts.add_relationship(db.session, borough["sw"], {**tie, "kind": "lives_at"})
    assert borough["officer"].get(f"/places/{home.id}").status_code == 403
    for form in (f"/places/{home.id}/assessments/new", f"/places/{home.id}/meetings/new"):
        refused = borough["officer"].get(form)
        assert refused.status_code == 403 and "Elm" not in refused.get_data(as_text=True)
        assert audit_events("denied")[-1].object_id == home.id
