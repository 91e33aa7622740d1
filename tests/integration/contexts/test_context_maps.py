"""Context maps from real records: neighbourhood, cap, redaction per viewer, and the map-view audit event."""

from functools import partial

import pytest

from app.extensions import db
from safeguarding import cases, context_maps, contexts, people
from safeguarding.errors import PermissionDenied, ValidationFailed
from tests.integration.relationships import link as recorded_link
from tests.web.helpers import audit_events


@pytest.fixture
def borough(make_user):
    """A child on a police officer's case, a peer at the same park, a stranger two hops out, and a group."""
    sw, police = make_user("social_worker"), make_user("police_officer")

    def person(name, **fields):
        return people.record_person(
            db.session, sw, {"given_name": name, "family_name": "Test", "date_of_birth": "2010-04-04", **fields}
        )

    child, peer, stranger = person("Jayden"), person("Kai"), person("Leah")
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    crew = contexts.create_group(db.session, sw, {"name": "Eastside crew"})

    link = partial(recorded_link, sw)

    link(child, "place", park, "frequents", first_seen="2026-01-01")
    link(peer, "place", park, "frequents", first_seen="2026-02-01")
    link(
        stranger,
        "person",
        peer,
        "friend",
        first_seen="2026-03-01",
        grading={"source": "2", "information": "C", "handling": "C"},
    )
    link(child, "group", crew, "member_of")
    case = cases.open_case(
        db.session,
        sw,
        {
            "subject": {"type": "person", "id": child.id},
            "concerns": ["cce"],
            "risk_level": "high",
            "summary": "Exploitation concerns",
        },
    )
    cases.add_member(db.session, sw, case.id, police.id)
    return {"sw": sw, "police": police, "child": child, "peer": peer, "stranger": stranger, "park": park, "crew": crew}


def ids(data) -> set[str]:
    return {n["id"] for n in data["nodes"]}


def test_depth_one_shows_the_childs_places_and_groups(borough):
    data = context_maps.person_map(db.session, borough["police"], borough["child"].id, context_maps.parse_filter(1))
    assert ids(data) == {f"person:{borough['child'].id}", f"place:{borough['park'].id}", f"group:{borough['crew'].id}"}
    assert {e["kind"] for e in data["edges"]} == {"frequents", "member_of"} and data["omitted"] == 0


def test_nodes_the_viewer_may_not_see_are_redacted_with_their_edges(borough):
    data = context_maps.person_map(db.session, borough["police"], borough["child"].id, context_maps.parse_filter(3))
    by_type = [n for n in data["nodes"] if n["redacted"]]
    # The peer is two hops from the police officer's case subject (limited view); the stranger is three.
    assert {n["label"] for n in data["nodes"] if not n["redacted"]} >= {"Jayden Test", "Kai Test", "Riverside Park"}
    assert [(n["type"], n["label"]) for n in by_type] == [("person", None)]
    assert borough["stranger"].id not in str(data)
    [hidden_edge] = [e for e in data["edges"] if e.get("redacted")]
    assert set(hidden_edge) == {"source", "target", "kind", "redacted"} and hidden_edge["kind"] == "friend"


def test_the_map_view_is_audited_naming_every_visible_person(borough):
    context_maps.person_map(db.session, borough["police"], borough["child"].id, context_maps.parse_filter(3))
    [event] = audit_events("map_view")
    assert set(event.person_id_list) == {borough["child"].id, borough["peer"].id}


def test_the_cap_keeps_the_nearest_and_counts_the_rest(borough):
    options = context_maps.parse_filter(2, max_nodes=2)
    data = context_maps.person_map(db.session, borough["police"], borough["child"].id, options)
    assert len(data["nodes"]) == 2 and data["omitted"] == 2


def test_kind_and_date_filters_narrow_the_map(borough):
    only_places = context_maps.parse_filter(2, kinds="place")
    data = context_maps.person_map(db.session, borough["police"], borough["child"].id, only_places)
    assert {e["kind"] for e in data["edges"]} == {"frequents"}
    early = context_maps.parse_filter(2, until="2026-01-15")
    data = context_maps.person_map(db.session, borough["police"], borough["child"].id, early)
    assert f"person:{borough['peer'].id}" not in ids(data)


def test_a_place_map_shows_who_frequents_it(borough):
    data = context_maps.place_map(db.session, borough["police"], borough["park"].id, context_maps.parse_filter(1))
    assert ids(data) >= {f"person:{borough['child'].id}", f"person:{borough['peer'].id}"}


@pytest.mark.parametrize(
    ("options", "field"),
    [
        ({"depth": 4}, "depth"),
        ({"depth": "x"}, "depth"),
        ({"kinds": "enemies"}, "kinds"),
        ({"since": "2026-02-01", "until": "2026-01-01"}, "until"),
    ],
)
def test_bad_map_options_are_refused(options, field):
    with pytest.raises(ValidationFailed) as failure:
        context_maps.parse_filter(**options)
    assert field in failure.value.fields


def test_no_map_of_a_person_you_may_not_see(borough, make_user):
    with pytest.raises(PermissionDenied):
        context_maps.person_map(
            db.session, make_user("youth_worker"), borough["child"].id, context_maps.parse_filter(1)
        )
    with pytest.raises(PermissionDenied):
        context_maps.place_map(db.session, make_user("admin"), borough["park"].id, context_maps.parse_filter(1))
