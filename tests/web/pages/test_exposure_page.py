"""Why a young person is exposed, from the API and as a page: each adult of concern within two steps, with the
records along the way, and each pair of rival groups they belong to; an adult the viewer may not see stays
redacted, and every answer is audited."""

import pytest

from app.extensions import db
from safeguarding import break_glass, contexts
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_strict_page

# Their queries are new SQL over relationships and cases: run on PostgreSQL as well as SQLite.
pytestmark = pytest.mark.db

UNKNOWN = "7f3e2d1c-0b9a-4876-9543-210fedcba987"


@pytest.fixture
def borough(make_user, make_person, make_case, api):
    """A child on a police officer's case who goes to a park where an adult of concern was seen, on uncorroborated
    intelligence; the child is also in two groups whose members are rivals. A youth worker reads the child's record
    in an emergency: they may not see the adult, whom the case team sees as the child's context neighbour."""
    sw, police = make_user("social_worker"), make_user("police_officer")
    child = make_person(sw, given_name="Jayden", family_name="Okafor")
    adult = make_person(sw, given_name="Zephyrine", family_name="Quillfeather", flags=["adult_of_concern"])
    north_elder, south_elder = make_person(sw), make_person(sw)
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    north = contexts.create_group(db.session, sw, {"name": "North crew"})
    south = contexts.create_group(db.session, sw, {"name": "South crew"})

    def link(source, target, kind, target_type="person", **extra):
        body = {"source": {"type": "person", "id": source.id}, "target": {"type": target_type, "id": target.id}}
        return contexts.add_relationship(db.session, sw, {**body, "kind": kind, **extra})

    link(child, park, "frequents", "place", first_seen="2026-01-01")
    link(
        adult,
        park,
        "seen_at",
        "place",
        first_seen="2026-03-01",
        grading={"source": "3", "information": "D", "handling": "P"},
    )
    link(child, north, "member_of", "group", first_seen="2026-02-01")
    link(child, south, "member_of", "group", first_seen="2026-02-01")
    link(north_elder, north, "member_of", "group", first_seen="2026-01-01")
    link(south_elder, south, "member_of", "group", first_seen="2026-01-01")
    link(north_elder, south_elder, "rival", first_seen="2026-04-01")
    make_case(sw, child, members=[police])
    emergency = make_user("youth_worker")
    break_glass.break_glass(db.session, emergency, child.id, "Found at the station at 2am, not known to us")
    return {
        "sw": sw,
        "police": police,
        "emergency": emergency,
        "child": child,
        "adult": adult,
        "park": park,
        "north": north,
        "south": south,
    }


def test_the_api_explains_each_exposure_redacting_an_adult_the_viewer_may_not_see(client, api, borough):
    response = client.get(f"/api/v1/people/{borough['child'].id}/exposures", headers=api(borough["emergency"]))
    assert response.status_code == 200
    body = response.get_json()
    near, rivals = sorted(body["results"], key=lambda r: r["reason"])
    assert near["reason"] == "adult_of_concern_within_two_hops" and near["since"] == "2026-03-01"
    assert near["adult"]["redacted"] and near["adult"]["label"] is None and not near["corroborated"]
    to_park, from_park = near["steps"]
    assert to_park["target"] == f"place:{borough['park'].id}" and to_park["kind"] == "frequents"
    assert from_park == {
        "source": f"place:{borough['park'].id}",
        "target": near["adult"]["id"],
        "kind": "seen_at",
        "corroborated": False,
        "redacted": True,
    }
    assert rivals["reason"] == "linked_to_rival_groups" and rivals["since"] == "2026-04-01"
    assert sorted(g["label"] for g in rivals["groups"]) == ["North crew", "South crew"]
    assert "Quillfeather" not in response.get_data(as_text=True)
    (event,) = [e for e in audit_events("map_view") if e.object_type == "exposures"]
    assert event.object_id == borough["child"].id and event.person_id_list == [borough["child"].id]


def test_the_case_team_is_told_who_the_adult_is(client, api, borough):
    body = client.get(f"/api/v1/people/{borough['child'].id}/exposures", headers=api(borough["police"])).get_json()
    (near,) = [r for r in body["results"] if r["reason"] == "adult_of_concern_within_two_hops"]
    assert near["adult"] == {
        "id": f"person:{borough['adult'].id}",
        "type": "person",
        "label": "Zephyrine Quillfeather",
        "redacted": False,
    }
    assert near["steps"][1]["grading"] == {"source": "3", "information": "D", "handling": "P"}


def test_the_page_shows_each_exposure_with_its_steps(login, borough):
    reader = login(borough["emergency"])
    response = reader.get(f"/people/{borough['child'].id}/exposures")
    soup = assert_strict_page(response)
    assert soup.select_one("h1").get_text(strip=True) == "Why Jayden Okafor is exposed"
    cards = {
        c.select_one("h2").get_text(" ", strip=True): c.get_text(" ", strip=True) for c in soup.select(".sc-exposure")
    }
    (adult_card,) = [text for title, text in cards.items() if title.startswith("Adult of concern")]
    assert "Person not shown to you" in adult_card and "Uncorroborated suspicion" in adult_card
    assert "Riverside Park" in adult_card and "Held since 1 March 2026" in adult_card
    assert any("North crew" in title and "South crew" in title for title in cards)
    assert "Quillfeather" not in response.get_data(as_text=True)
    links = page(reader.get(f"/people/{borough['child'].id}")).select(
        f'a[href="/people/{borough["child"].id}/exposures"]'
    )
    assert links, "the person page leads to the answer"


def test_the_alerts_page_leads_from_an_exposure_alert_to_why(login, borough):
    soup = page(login(borough["police"]).get("/alerts?kind=exposure"))
    assert soup.select_one(f'#alerts a[href="/people/{borough["child"].id}/exposures"]')


def test_a_person_with_no_exposure_is_told_so(login, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker)
    soup = assert_strict_page(login(worker).get(f"/people/{person.id}/exposures"))
    assert soup.select_one("#none") and not soup.select(".sc-exposure")


def test_a_practitioner_with_no_access_is_refused_and_the_refusal_audited(client, api, login, make_user, borough):
    stranger = make_user("youth_worker")
    assert login(stranger).get(f"/people/{borough['child'].id}/exposures").status_code == 403
    response = client.get(f"/api/v1/people/{borough['child'].id}/exposures", headers=api(stranger))
    assert response.status_code == 403 and "Okafor" not in response.get_data(as_text=True)
    assert [e for e in audit_events("denied") if e.object_type == "exposures"]


def test_an_unknown_person_gets_404(client, api, login, borough):
    assert login(borough["police"]).get(f"/people/{UNKNOWN}/exposures").status_code == 404
    assert client.get(f"/api/v1/people/{UNKNOWN}/exposures", headers=api(borough["police"])).status_code == 404
