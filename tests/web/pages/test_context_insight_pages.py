"""The context graph's answers as pages: shared contexts, how two people are connected, and the borough-wide
analyses, each redacted as the API's are and audited."""

from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.context import Group, Relationship
from safeguarding import break_glass, contexts
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import (
    assert_error_links_resolve,
    assert_strict_page,
    error_summary,
    main_text,
    post_form,
)


@pytest.fixture
def borough(make_user, make_person, make_case, login):
    """A child on a police officer's case; a peer at the same park (two steps away: seen in the limited view); and a
    stranger the officer may not see, the peer's friend on uncorroborated intelligence, seen with them at the bus
    station."""
    sw, police = make_user("social_worker"), make_user("police_officer")
    child = make_person(sw, given_name="Jayden", family_name="Okafor")
    peer = make_person(sw, given_name="Kai", family_name="Mensah")
    stranger = make_person(sw, given_name="Zephyrine", family_name="Quillfeather")
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    station = contexts.create_place(db.session, sw, {"name": "Bus station", "kind": "transport"})

    def link(source, target, kind, target_type="person", **extra):
        body = {"source": {"type": "person", "id": source.id}, "target": {"type": target_type, "id": target.id}}
        return contexts.add_relationship(db.session, sw, {**body, "kind": kind, **extra})

    link(child, park, "frequents", "place", first_seen="2026-01-01")
    link(peer, park, "frequents", "place", first_seen="2026-02-01")
    link(peer, station, "seen_at", "place")
    link(stranger, station, "seen_at", "place")
    link(stranger, peer, "friend", grading={"source": "2", "information": "C", "handling": "C"})
    make_case(sw, child, members=[police])
    return {
        "sw": sw,
        "police": police,
        "officer": login(police),
        "child": child,
        "peer": peer,
        "stranger": stranger,
        "link": link,
    }


def assert_stranger_never_named(response) -> None:
    text = response.get_data(as_text=True)
    assert "Zephyrine" not in text and "Quillfeather" not in text


def test_shared_contexts_name_who_the_viewer_may_see_and_count_the_rest(borough):
    response = borough["officer"].get(f"/people/{borough['peer'].id}/shared-contexts")
    soup = assert_strict_page(response)
    assert soup.select_one("h1").get_text(strip=True) == "Places and groups Kai Mensah shares with others"
    rows = {
        r.select_one("td").get_text(strip=True): r.get_text(" ", strip=True) for r in soup.select("#shared tbody tr")
    }
    assert "Jayden Okafor" in rows["Riverside Park"]
    assert "1 person not shown to you" in rows["Bus station"]
    assert soup.select_one(f'#shared a[href="/people/{borough["child"].id}"]')
    assert_stranger_never_named(response)
    assert audit_events("map_view")[-1].object_type == "shared_contexts"


def test_the_person_page_leads_to_both_answers(borough):
    soup = page(borough["officer"].get(f"/people/{borough['child'].id}"))
    for path in ("shared-contexts", "connections"):
        assert soup.select_one(f'#context ~ ul a[href="/people/{borough["child"].id}/{path}"]'), path


def test_a_connection_is_traced_with_each_steps_provenance(borough):
    query = {"to": borough["peer"].id}
    response = borough["officer"].get(f"/people/{borough['child'].id}/connections", query_string=query)
    soup = assert_strict_page(response)
    assert "Jayden Okafor and Kai Mensah" in soup.select_one("#answer").get_text(" ", strip=True)
    chains = [c.get_text(" ", strip=True) for c in soup.select(".sc-path")]
    assert chains and "Corroborated" in chains[0]
    assert "Riverside Park" in chains[0] and "frequents" in chains[0]
    assert borough["sw"].display_name in chains[0] and "first seen 2026-01-01" in chains[0]
    assert_stranger_never_named(response)
    (event,) = [e for e in audit_events("map_view") if e.object_type == "connection_paths"]
    assert event.detail_dict["other"] == borough["peer"].id


def test_a_chain_through_someone_not_shown_keeps_only_its_kind(borough, make_person):
    sw, link = borough["sw"], borough["link"]
    ends = [make_person(sw, given_name=name, family_name="Adeyemi") for name in ("Tobi", "Femi")]
    link(ends[0], borough["stranger"], "associate")
    link(borough["stranger"], ends[1], "associate")
    for person in ends:  # emergency access shows the two ends, not the people around them
        reason = "Found together at a cuckooed flat during a welfare check tonight"
        break_glass.break_glass(db.session, borough["police"], person.id, reason)
    response = borough["officer"].get(f"/people/{ends[0].id}/connections", query_string={"to": ends[1].id})
    (chain,) = [c.get_text(" ", strip=True) for c in page(response).select(".sc-path")]
    assert "Tobi Adeyemi" in chain and "Femi Adeyemi" in chain and "Person not shown to you" in chain
    assert chain.count("Details not shown to you") == 2
    assert_stranger_never_named(response)


def test_a_reference_pasted_as_a_link_works(borough):
    query = {"to": f"https://sc.example/people/{borough['peer'].id}"}
    response = borough["officer"].get(f"/people/{borough['child'].id}/connections", query_string=query)
    assert response.status_code == 200 and page(response).select(".sc-path")


@pytest.mark.parametrize(
    ("to", "message"),
    [
        ("", "Enter the other person's reference"),
        ("3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", "No person has that reference"),
        ("stranger", "You may not see one of these two people"),
        ("child", "Choose two different people"),
    ],
)
def test_a_connection_that_cannot_be_traced_is_explained_on_the_form(borough, to, message):
    other = borough[to].id if to in borough else to
    response = borough["officer"].get(f"/people/{borough['child'].id}/connections", query_string={"to": other})
    assert response.status_code == 422 and message in error_summary(response)
    assert_error_links_resolve(response)
    assert not page(response).select(".sc-path")
    assert_stranger_never_named(response)


def test_the_analysis_page_shows_dated_results_without_naming_the_unseen(app, borough):
    assert app.test_cli_runner().invoke(args=["analysis", "run", "--json"]).exit_code == 0
    response = borough["officer"].get("/analysis")
    soup = assert_strict_page(response)
    assert [h.get("id") for h in soup.select("main h2")] == ["peer-groups", "connectors", "hotspots"]
    assert "Worked out from the whole borough's context graph" in main_text(response)
    hotspots = soup.select_one("#hotspots ~ table").get_text(" ", strip=True)
    assert "Riverside Park" in hotspots
    assert_stranger_never_named(response)
    assert {e.object_type for e in audit_events("map_view")} >= {"peer_groups", "connectors"}


def test_a_possible_peer_group_leads_to_the_recorded_group_of_its_members(app, borough):
    crew = contexts.create_group(db.session, borough["sw"], {"name": "Northside runners"})
    for member in (borough["child"], borough["peer"]):
        borough["link"](member, crew, "member_of", "group")
    assert app.test_cli_runner().invoke(args=["analysis", "run", "--json"]).exit_code == 0
    soup = assert_strict_page(borough["officer"].get("/analysis"))
    links = soup.select(f'#peer-groups ~ table a[href="/groups/{crew.id}#assessments"]')
    assert links and links[0].get_text(strip=True) == "Northside runners"
    assert "(2)" in links[0].parent.get_text(" ", strip=True)


def test_a_possible_peer_group_is_recorded_with_the_members_the_recorder_sees_in_full(app, borough):
    assert app.test_cli_runner().invoke(args=["analysis", "run", "--json"]).exit_code == 0
    officer, child, peer = borough["officer"], borough["child"], borough["peer"]
    soup = assert_strict_page(officer.get("/analysis"))
    [record] = [
        a for a in soup.select("#peer-groups ~ table a") if a.get_text(strip=True).startswith("record the group")
    ]
    form_path = record["href"]
    assert parse_qs(urlsplit(form_path).query)["member"] == sorted([child.id, peer.id])  # those shown, by id
    form_page = assert_strict_page(officer.get(form_path))
    offered = {box["value"]: box.has_attr("checked") for box in form_page.select('input[name="members"]')}
    assert offered == {child.id: True}  # the peer is seen in the limited view only: not theirs to record
    assert_stranger_never_named(officer.get(form_path))
    assert [sorted(e.person_id_list) for e in audit_events("list") if e.object_type == "proposed_group_members"] == [
        [child.id],
        [child.id],
    ]
    created = post_form(officer, form_path, {"name": "Riverside peer group", "members": child.id})
    assert created.status_code == 302
    group_id = created.headers["Location"].rsplit("/", 1)[1]
    members = db.session.scalars(
        sa.select(Relationship.source_person_id).where(
            Relationship.target_group_id == group_id, Relationship.kind == "member_of"
        )
    ).all()
    assert members == [child.id]


def test_a_member_not_offered_is_refused_on_the_page_and_nothing_is_written(borough):
    officer, child, peer = borough["officer"], borough["child"], borough["peer"]
    form_path = f"/groups/new?member={child.id}"
    refused = post_form(officer, form_path, {"name": "Riverside peer group", "members": [child.id, peer.id]})
    assert refused.status_code == 422
    assert_error_links_resolve(refused)
    assert "Select members from the list" in error_summary(refused)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Group)) == 0


def test_ids_that_name_nobody_offer_no_members_and_read_nothing(borough):
    for query in ("member=not-an-id", "member=7f3e2d1c-0b9a-4876-9543-210fedcba987"):
        soup = assert_strict_page(borough["officer"].get(f"/groups/new?{query}"))
        assert soup.select('input[name="members"]') == []
    assert [e.person_id_list for e in audit_events("list") if e.object_type == "proposed_group_members"] == [[]]


def test_the_analysis_is_in_the_navigation_for_practitioners(borough):
    assert page(borough["officer"].get("/")).select_one('nav a[href="/analysis"]')


@pytest.mark.parametrize("path", ["/analysis", "/people/{child}/shared-contexts", "/people/{child}/connections"])
def test_admins_see_no_context_analysis(borough, login, make_user, path):
    response = login(make_user("admin")).get(path.format(child=borough["child"].id))
    assert response.status_code == 403


def test_a_person_the_viewer_may_not_see_has_no_shared_contexts_page(borough, login, make_user):
    response = login(make_user("youth_worker")).get(f"/people/{borough['child'].id}/shared-contexts")
    assert response.status_code == 403 and "Jayden" not in response.get_data(as_text=True)
