"""Context maps, exports and graph analyses over the API: the contract shape, redaction per caller, and audit."""

import json

import pytest

from tests.web.helpers import audit_events

# Names nobody else in these tests carries, so that a leak anywhere in a response is easy to spot.
STRANGER = ("Zephyrine", "Quillfeather")
FAR = ("Octavian", "Marchbanks")


@pytest.fixture
def borough(make_user, as_user, make_person, make_case, add_member, link):
    """A child on a police officer's case, a peer two hops away (at the same park), a stranger three hops away
    (the peer's friend, graded as uncorroborated), someone further still, and a group."""
    sw, police = make_user("social_worker"), make_user("police_officer")
    social = as_user(sw)
    child = make_person(sw, given_name="Jayden", family_name="Okafor")
    peer = make_person(sw, given_name="Kai", family_name="Mensah")
    stranger = make_person(sw, given_name=STRANGER[0], family_name=STRANGER[1])
    far = make_person(sw, given_name=FAR[0], family_name=FAR[1], date_of_birth="1990-01-01")
    park = social.post("/places", json={"name": "Riverside Park", "kind": "park"}).get_json()
    crew = social.post("/groups", json={"name": "Eastside crew"}).get_json()
    link(sw, child["id"], "place", park["id"], "frequents")
    link(sw, peer["id"], "place", park["id"], "frequents")
    link(sw, child["id"], "group", crew["id"], "member_of")
    graded = {
        "source": {"type": "person", "id": stranger["id"]},
        "target": {"type": "person", "id": peer["id"]},
        "kind": "friend",
        "first_seen": "2026-01-10",
        "grading": {"source": "2", "information": "C", "handling": "C"},
    }
    assert social.post("/relationships", json=graded).status_code == 201
    link(sw, far["id"], "person", stranger["id"], "associate")
    case = make_case(sw, child["id"])
    add_member(sw, case["id"], police)
    return {
        "sw": sw,
        "police": police,
        "officer": as_user(police),
        "child": child,
        "peer": peer,
        "stranger": stranger,
        "far": far,
        "park": park,
        "crew": crew,
    }


def node_ids(data) -> set[str]:
    return {n["id"] for n in data["nodes"]}


def assert_never_disclosed(text: str, *people) -> None:
    for person in people:
        assert person["id"] not in text
        assert person["given_name"] not in text and person["family_name"] not in text


def test_the_person_map_has_exactly_the_contract_shape(borough):
    response = borough["officer"].get(f"/people/{borough['child']['id']}/context")
    assert response.status_code == 200
    data = response.get_json()
    assert set(data) == {"nodes", "edges", "omitted"} and data["omitted"] == 0
    for node in data["nodes"]:
        assert set(node) == {"id", "type", "label", "redacted"}
    for edge in data["edges"]:
        assert set(edge) == {"source", "target", "kind", "agency", "first_seen", "grading"}
    child = f"person:{borough['child']['id']}"
    assert node_ids(data) == {child, f"place:{borough['park']['id']}", f"group:{borough['crew']['id']}"}
    [frequents] = [e for e in data["edges"] if e["kind"] == "frequents"]
    assert frequents["source"] == child and frequents["agency"] == borough["sw"].agency_id


def test_a_home_address_shows_only_to_those_who_may_see_someone_living_there_in_full(borough, as_user, link):
    social = as_user(borough["sw"])
    homes = {}
    for who, address in (("child", "3 Known Road"), ("peer", "12 Hidden Street")):
        homes[who] = social.post("/places", json={"name": address, "kind": "address"}).get_json()
        link(borough["sw"], borough[who]["id"], "place", homes[who]["id"], "lives_at")
    # The officer sees the child in full (on the case) and the peer only in the limited view ("no address").
    response = borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=3)
    data = response.get_json()
    assert f"place:{homes['child']['id']}" in node_ids(data) and "3 Known Road" in response.text
    assert "12 Hidden Street" not in response.text and homes["peer"]["id"] not in response.text
    lives_at_peer = [
        e for e in data["edges"] if e["kind"] == "lives_at" and e["source"].endswith(borough["peer"]["id"])
    ]
    assert [e.get("redacted") for e in lives_at_peer] == [True]
    assert borough["officer"].get(f"/places/{homes['child']['id']}").status_code == 200
    refused = borough["officer"].get(f"/places/{homes['peer']['id']}")
    assert refused.status_code == 403 and "12 Hidden Street" not in refused.text
    for path in ("context", "meetings", "assessments"):
        assert borough["officer"].get(f"/places/{homes['peer']['id']}/{path}").status_code == 403, path
    assert social.get(f"/places/{homes['peer']['id']}").status_code == 200  # who recorded it
    # Each refusal audited: the place, its map, its meetings and its assessments.
    assert len([e for e in audit_events("denied") if e.object_id == homes["peer"]["id"]]) == 4


def test_a_home_the_viewer_may_see_stays_named_when_a_filter_leaves_out_the_tie_that_shows_it(borough, as_user, link):
    """The officer sees the child in full, so the child's home; a map whose kinds or window leave out the child's
    own tie still shows every node the viewer may see (SPEC section 4), its centre above all."""
    home = as_user(borough["sw"]).post("/places", json={"name": "3 Known Road", "kind": "address"}).get_json()
    link(borough["sw"], borough["child"]["id"], "place", home["id"], "lives_at")
    link(borough["sw"], borough["peer"]["id"], "place", home["id"], "lives_at")
    own_map = borough["officer"].get(f"/places/{home['id']}/context", kinds="peer").get_json()
    assert own_map["nodes"] == [
        {"id": f"place:{home['id']}", "type": "place", "label": "3 Known Road", "redacted": False}
    ]
    # From the peer's side, whose map does not reach the child: the home is still the child's.
    peer_map = borough["officer"].get(f"/people/{borough['peer']['id']}/context", kinds="place").get_json()
    assert {"id": f"place:{home['id']}", "type": "place", "label": "3 Known Road", "redacted": False} in (
        peer_map["nodes"]
    )


def test_a_home_someone_seen_in_full_has_left_stays_hidden_while_only_others_live_there(borough, as_user, link):
    """The child, whom the officer sees in full and whose map this is, moved out; the peer, seen only in the limited
    view, still lives there: only a current tie to someone seen in full shows a home."""
    social = as_user(borough["sw"])
    home = social.post("/places", json={"name": "9 Former Lane", "kind": "address"}).get_json()
    moved_out = link(borough["sw"], borough["child"]["id"], "place", home["id"], "lives_at")
    link(borough["sw"], borough["peer"]["id"], "place", home["id"], "lives_at")
    assert social.post(f"/relationships/{moved_out['id']}/end", json={}).status_code == 200
    response = borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=3)
    assert response.status_code == 200 and borough["peer"]["id"] in response.text
    assert "9 Former Lane" not in response.text and home["id"] not in response.text
    # While the child lived there, the same map named it.
    link(borough["sw"], borough["child"]["id"], "place", home["id"], "lives_at")
    assert "9 Former Lane" in borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=3).text


def test_a_police_officer_on_the_case_sees_the_peer_but_not_the_stranger(borough):
    response = borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=3)
    data = response.get_json()
    labels = {n["label"] for n in data["nodes"] if not n["redacted"]}
    assert {"Jayden Okafor", "Kai Mensah", "Riverside Park", "Eastside crew"} <= labels
    hidden = [n for n in data["nodes"] if n["redacted"]]
    assert [(n["type"], n["label"]) for n in hidden] == [("person", None)]
    assert hidden[0]["id"].startswith("redacted:")
    [friend] = [e for e in data["edges"] if e["kind"] == "friend"]
    assert friend == {
        "source": hidden[0]["id"],
        "target": f"person:{borough['peer']['id']}",
        "kind": "friend",
        "redacted": True,
    }
    assert_never_disclosed(response.get_data(as_text=True), borough["stranger"])


def test_the_map_view_is_audited_naming_the_people_shown(borough):
    borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=3)
    event = audit_events("map_view")[-1]
    assert event.object_id == borough["child"]["id"]
    assert set(event.person_id_list) == {borough["child"]["id"], borough["peer"]["id"]}


def test_a_place_map_and_a_group_map(borough):
    place = borough["officer"].get(f"/places/{borough['park']['id']}/context").get_json()
    assert node_ids(place) >= {f"person:{borough['child']['id']}", f"person:{borough['peer']['id']}"}
    group = borough["officer"].get(f"/groups/{borough['crew']['id']}/context", depth=2).get_json()
    assert f"place:{borough['park']['id']}" in node_ids(group)


@pytest.mark.parametrize("depth", ["0", "4", "x", "-1", "1.5", "", "2 ", "01", "+2"])
def test_a_depth_outside_one_to_three_is_refused(borough, depth):
    for path in (f"/people/{borough['child']['id']}/context", f"/places/{borough['park']['id']}/context"):
        response = borough["officer"].get(path, depth=depth)
        assert response.status_code == 422 and "depth" in response.get_json()["fields"], path


@pytest.mark.parametrize(
    ("params", "field"),
    [({"kinds": "enemies"}, "kinds"), ({"since": "yesterday"}, "since"), ({"format": "xml"}, "format")],
)
def test_other_bad_map_options_are_refused(borough, params, field):
    response = borough["officer"].get(f"/people/{borough['child']['id']}/context", **params)
    assert response.status_code == 422 and field in response.get_json()["fields"]


def test_kinds_narrow_the_map(borough):
    data = borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=2, kinds="place").get_json()
    assert {e["kind"] for e in data["edges"]} == {"frequents"}
    assert f"group:{borough['crew']['id']}" not in node_ids(data)


def test_the_map_says_how_many_nodes_the_cap_left_out(app, borough):
    app.config["CONTEXT_MAP_MAX_NODES"] = 2
    data = borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=2).get_json()
    assert len(data["nodes"]) == 2 and data["omitted"] == 2


def test_a_youth_worker_with_no_relationship_is_refused_the_person_map(borough, make_user, as_user):
    stranger_worker = as_user(make_user("youth_worker"))
    response = stranger_worker.get(f"/people/{borough['child']['id']}/context")
    assert response.status_code == 403
    assert "Jayden" not in response.get_data(as_text=True)
    assert audit_events("denied")[-1].object_id == borough["child"]["id"]


def test_administrators_never_see_a_map(borough, make_user, as_user):
    admin = as_user(make_user("admin"))
    for path in (
        f"/people/{borough['child']['id']}/context",
        f"/places/{borough['park']['id']}/context",
        f"/groups/{borough['crew']['id']}/context",
        f"/people/{borough['child']['id']}/context.json",
        "/analysis/connectors",
    ):
        assert admin.get(path).status_code == 403, path


def test_unknown_centres_are_404(borough):
    for path in ("/people/7f3e2d1c-0b9a-4876-9543-210fedcba987/context", "/places/nope/context", "/groups/1/context"):
        assert borough["officer"].get(path).status_code == 404, path


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_exports_hold_exactly_what_the_viewer_may_see_and_are_audited(borough, fmt):
    by_suffix = borough["officer"].get(f"/people/{borough['child']['id']}/context.{fmt}", depth=3)
    by_param = borough["officer"].get(f"/people/{borough['child']['id']}/context", depth=3, format=fmt)
    for response in (by_suffix, by_param):
        assert response.status_code == 200
        assert "attachment" in response.headers["Content-Disposition"]
        text = response.get_data(as_text=True)
        assert "Kai Mensah" in text and "redacted:1" in text
        assert_never_disclosed(text, borough["stranger"])
    exports = audit_events("export")
    assert len(exports) == 2 and set(exports[-1].person_id_list) == {borough["child"]["id"], borough["peer"]["id"]}


def test_the_json_export_is_the_map_itself(borough):
    path = f"/people/{borough['child']['id']}/context"
    exported = json.loads(borough["officer"].get(f"{path}.json", depth=2).get_data(as_text=True))
    assert exported == borough["officer"].get(path, depth=2).get_json()


def test_place_exports_redact_the_same_way(borough):
    response = borough["officer"].get(f"/places/{borough['park']['id']}/context.graphml", depth=2)
    assert response.status_code == 200 and response.mimetype == "application/graphml+xml"
    assert_never_disclosed(response.get_data(as_text=True), borough["stranger"])


# --- analyses -------------------------------------------------------------------------------------------------


def test_shared_contexts_name_the_people_the_viewer_may_see(borough):
    response = borough["officer"].get(f"/people/{borough['child']['id']}/shared-contexts")
    assert response.status_code == 200
    [shared] = response.get_json()["results"]
    assert shared["context"]["label"] == "Riverside Park"
    assert [p["label"] for p in shared["people"]] == ["Kai Mensah"]


def test_shared_contexts_redact_people_the_viewer_may_not_see(borough, as_user, link):
    station = as_user(borough["sw"]).post("/places", json={"name": "Bus station", "kind": "transport"}).get_json()
    link(borough["sw"], borough["peer"]["id"], "place", station["id"], "seen_at")
    link(borough["sw"], borough["stranger"]["id"], "place", station["id"], "seen_at")
    response = borough["officer"].get(f"/people/{borough['peer']['id']}/shared-contexts")
    results = {r["context"]["label"]: r for r in response.get_json()["results"]}
    assert results["Bus station"]["people"] == [{"id": "redacted:1", "type": "person", "label": None, "redacted": True}]
    assert_never_disclosed(response.get_data(as_text=True), borough["stranger"])
    assert audit_events("map_view")[-1].object_type == "shared_contexts"


def test_analyses_never_name_a_person_the_caller_may_not_see(borough):
    officer = borough["officer"]
    for path in ("/analysis/peer-groups", "/analysis/connectors", "/analysis/hotspots"):
        response = officer.get(path)
        assert response.status_code == 200, path
        assert_never_disclosed(response.get_data(as_text=True), borough["stranger"], borough["far"])
    connectors = officer.get("/analysis/connectors").get_json()["results"]
    # The stranger links the far adult to the peer: a connector, shown only as redacted.
    assert any(c["person"]["redacted"] for c in connectors)
    assert {c["person"]["label"] for c in connectors if not c["person"]["redacted"]} <= {"Jayden Okafor", "Kai Mensah"}


def test_peer_groups_list_only_groups_with_someone_the_caller_may_see(borough, make_user, make_person, as_user, link):
    lead = borough["sw"]  # recorded everyone in the last 30 days, so sees them all
    mo = make_person(lead, given_name="Mo", family_name="Farah")
    link(lead, borough["child"]["id"], "person", borough["peer"]["id"], "friend")
    for friend in (borough["child"], borough["peer"]):
        link(lead, mo["id"], "person", friend["id"], "friend")
    groups = as_user(lead).get("/analysis/peer-groups").get_json()
    everyone = {m["label"] for g in groups["results"] for m in g["members"]}
    assert "Jayden Okafor" in everyone and groups["other_groups"] == 0
    outsider = as_user(make_user("youth_worker")).get("/analysis/peer-groups").get_json()
    assert outsider["results"] == [] and outsider["other_groups"] == len(groups["results"])


def test_a_peer_group_names_the_recorded_groups_of_its_members_shown(borough, make_user, make_person, as_user, link):
    lead = borough["sw"]
    mo = make_person(lead, given_name="Mo", family_name="Farah")
    link(lead, borough["child"]["id"], "person", borough["peer"]["id"], "friend")
    for friend in (borough["child"], borough["peer"]):
        link(lead, mo["id"], "person", friend["id"], "friend")
    crew = as_user(lead).post("/groups", json={"name": "Northside runners"}).get_json()
    for member in (borough["child"], mo):
        link(lead, member["id"], "group", crew["id"], "member_of")
    as_user(lead).post("/groups", json={"name": "Nobody's group"})
    groups = as_user(lead).get("/analysis/peer-groups").get_json()["results"]
    (proposal,) = [g for g in groups if {"Jayden Okafor", "Mo Farah"} <= {m["label"] for m in g["members"]}]
    assert proposal["recorded_groups"][0] == {"id": crew["id"], "name": "Northside runners", "members": 2}
    outsider = as_user(make_user("youth_worker")).get("/analysis/peer-groups").get_json()
    assert "Northside runners" not in json.dumps(outsider)


def test_hotspots_count_children_at_risk_without_naming_them(borough):
    [park] = borough["officer"].get("/analysis/hotspots").get_json()["results"]
    assert park == {
        "place": {"id": borough["park"]["id"], "name": "Riverside Park", "kind": "park", "area": None},
        "young_people_at_risk": 1,
    }


def test_a_home_is_listed_among_hotspots_only_to_those_who_may_see_it(app, borough, as_user, make_user, link):
    home = as_user(borough["sw"]).post("/places", json={"name": "3 Known Road", "kind": "address"}).get_json()
    link(borough["sw"], borough["child"]["id"], "place", home["id"], "lives_at")
    assert app.test_cli_runner().invoke(args=["analysis", "run", "--json"]).exit_code == 0
    seen = borough["officer"].get("/analysis/hotspots").get_json()["results"]
    assert "3 Known Road" in {h["place"]["name"] for h in seen}
    outsider = as_user(make_user("youth_worker")).get("/analysis/hotspots")
    assert outsider.status_code == 200 and "3 Known Road" not in outsider.get_data(as_text=True)
    assert "Riverside Park" in outsider.get_data(as_text=True)


def test_analyses_show_the_stored_result_and_its_date_until_the_job_runs_again(app, borough, link, make_case):
    officer = borough["officer"]
    first = officer.get("/analysis/hotspots").get_json()
    assert first["up_to_date"] is True and first["computed_at"]
    assert [h["young_people_at_risk"] for h in first["results"]] == [1]
    # The peer at the park joins the crew and gets a case: the stored result stands, dated, marked out of date.
    link(borough["sw"], borough["peer"]["id"], "group", borough["crew"]["id"], "member_of")
    make_case(borough["sw"], borough["peer"]["id"])
    stale = officer.get("/analysis/hotspots").get_json()
    assert (stale["results"], stale["computed_at"], stale["up_to_date"]) == (
        first["results"],
        first["computed_at"],
        False,
    )
    result = app.test_cli_runner().invoke(args=["analysis", "run", "--json"], catch_exceptions=False)
    assert result.exit_code == 0
    stored = json.loads(result.output.strip().splitlines()[-1])["stored"]
    assert set(stored) == {"peer_groups", "connectors", "hotspots"} and stored["hotspots"] == 1
    fresh = officer.get("/analysis/hotspots").get_json()
    assert fresh["up_to_date"] is True and fresh["computed_at"] > first["computed_at"]
    assert [h["young_people_at_risk"] for h in fresh["results"]] == [2]


def test_paths_keep_uncorroborated_suspicion_apart_from_corroborated_fact(borough, as_user):
    social = as_user(borough["sw"])
    child, peer = borough["child"]["id"], borough["peer"]["id"]
    for kind, grading in (("associate", ("1", "B", "C")), ("friend", ("2", "D", "P"))):
        body = {
            "source": {"type": "person", "id": child},
            "target": {"type": "person", "id": peer},
            "kind": kind,
            "first_seen": "2026-02-01",
            "grading": dict(zip(("source", "information", "handling"), grading, strict=True)),
        }
        assert social.post("/relationships", json=body).status_code == 201
    response = borough["officer"].get(f"/people/{child}/paths/{peer}")
    assert response.status_code == 200
    data = response.get_json()
    assert data["corroborated"] == 1 and data["uncorroborated"] == 2
    first, *suspicions = data["results"]
    # Corroborated first: child -> park -> peer, two ungraded place links, each with its provenance.
    assert first["corroborated"] and first["basis"] == "corroborated" and first["length"] == 2
    step = first["steps"][0]
    assert step["kind"] == "frequents" and step["agency"]["id"] == borough["sw"].agency_id
    assert step["recorded_by"] == {"id": borough["sw"].id, "name": borough["sw"].display_name}
    assert step["corroborated"] and not step["redacted"]
    for path in suspicions:
        assert not path["corroborated"] and path["basis"] == "uncorroborated"
        [direct] = path["steps"]
        assert direct["corroborated"] is False and direct["grading"]["information"] in "BD"
    handling_c = [p["steps"][0] for p in suspicions if p["steps"][0]["grading"]["handling"] == "C"]
    assert handling_c and handling_c[0]["grading"]["information"] == "B"  # B but handling C: still apart
    event = audit_events("map_view")[-1]
    assert event.object_type == "connection_paths" and set(event.person_id_list) >= {child, peer}


def test_a_path_through_someone_hidden_shows_only_the_kinds_of_its_steps(borough, make_person, link):
    sw, officer = borough["sw"], borough["officer"]
    ends = [make_person(sw, given_name=name, family_name="Adeyemi") for name in ("Tobi", "Femi")]
    link(sw, ends[0]["id"], "person", borough["far"]["id"], "associate")
    link(sw, borough["far"]["id"], "person", ends[1]["id"], "associate")
    for person in ends:  # emergency access shows the two ends, not the people around them
        reason = {"reason": "Found together at a cuckooed flat during a welfare check tonight"}
        assert officer.post(f"/people/{person['id']}/break-glass", json=reason).status_code == 201
    response = officer.get(f"/people/{ends[0]['id']}/paths/{ends[1]['id']}")
    [path] = response.get_json()["results"]
    assert [set(s) for s in path["steps"]] == [{"source", "target", "kind", "corroborated", "redacted"}] * 2
    assert path["steps"][0]["target"] == path["steps"][1]["source"] == "redacted:1"
    assert_never_disclosed(response.get_data(as_text=True), borough["far"])


def test_paths_need_both_people_visible(borough):
    response = borough["officer"].get(f"/people/{borough['child']['id']}/paths/{borough['stranger']['id']}")
    assert response.status_code == 403
    same = borough["officer"].get(f"/people/{borough['child']['id']}/paths/{borough['child']['id']}")
    assert same.status_code == 422
    bad = borough["officer"].get(
        f"/people/{borough['child']['id']}/paths/{borough['peer']['id']}", include_protective="maybe"
    )
    assert bad.status_code == 422 and "include_protective" in bad.get_json()["fields"]


def test_shared_contexts_and_paths_name_the_people_they_are_about_and_pass(borough):
    child, peer = borough["child"]["id"], borough["peer"]["id"]
    shared = borough["officer"].get(f"/people/{child}/shared-contexts").get_json()
    assert shared["person"] == {"id": f"person:{child}", "type": "person", "label": "Jayden Okafor", "redacted": False}
    paths = borough["officer"].get(f"/people/{child}/paths/{peer}").get_json()
    along = {node["id"]: node for node in paths["nodes"]}
    for path in paths["results"]:
        assert all(step["source"] in along and step["target"] in along for step in path["steps"])
    assert along[f"place:{borough['park']['id']}"]["label"] == "Riverside Park"
