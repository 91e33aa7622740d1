"""The merged chronology: date order, filters, and each sensitivity shown only to whom SPEC section 4 allows."""

import pytest

TEAM_ROLES = (
    "social_worker",
    "team_manager",
    "police_officer",
    "youth_worker",
    "health_practitioner",
    "education_practitioner",
)


@pytest.fixture
def team(make_user, make_person, make_case, add_member):
    """A case led by a social worker with one practitioner of every role on it (each role its usual agency)."""
    users = {role: make_user(role) for role in TEAM_ROLES}
    lead = users["social_worker"]
    case = make_case(lead, make_person(lead)["id"])
    for role, user in users.items():
        if role != "social_worker":
            add_member(lead, case["id"], user)
    return case, users


def write(as_user, user, case, **fields) -> dict:
    body = {"occurred_on": "2024-03-01", "category": "contact", "summary": "A general note", "sensitivity": "general"}
    response = as_user(user).post(f"/cases/{case['id']}/chronology", json={**body, **fields})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def read(as_user, user, case, **filters) -> list[dict]:
    response = as_user(user).get(f"/cases/{case['id']}/chronology", **filters)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["results"]


def test_entries_from_every_agency_merge_in_date_order(as_user, team):
    case, users = team
    write(as_user, users["police_officer"], case, occurred_on="2024-03-05", summary="Stop and search")
    write(as_user, users["youth_worker"], case, occurred_on="2024-01-10", summary="Detached work contact")
    write(as_user, users["social_worker"], case, occurred_on="2024-02-20", summary="Home visit")
    entries = read(as_user, users["social_worker"], case)
    assert [e["summary"] for e in entries] == ["Detached work contact", "Home visit", "Stop and search"]
    assert [e["agency"]["id"] for e in entries] == [
        users["youth_worker"].agency_id,
        users["social_worker"].agency_id,
        users["police_officer"].agency_id,
    ]
    assert all(e["withheld"] is False for e in entries)


def test_the_chronology_filters_by_agency_category_and_sensitivity(as_user, team):
    case, users = team
    write(as_user, users["police_officer"], case, category="arrest", summary="Arrested")
    write(as_user, users["youth_worker"], case, category="contact", summary="Youth club")
    write(as_user, users["police_officer"], case, category="intelligence", sensitivity="intelligence", summary="Intel")
    reader = users["social_worker"]
    by_agency = read(as_user, reader, case, agency=users["police_officer"].agency_id)
    assert [e["summary"] for e in by_agency] == ["Arrested", "Intel"]
    assert [e["summary"] for e in read(as_user, reader, case, category="contact")] == ["Youth club"]
    assert [e["summary"] for e in read(as_user, reader, case, sensitivity="intelligence")] == ["Intel"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "gossip"}, "category"),
        ({"sensitivity": "secret"}, "sensitivity"),
        ({"agency": "police"}, "agency"),
    ],
)
def test_unknown_chronology_filters_get_422(as_user, team, params, field):
    case, users = team
    response = as_user(users["social_worker"]).get(f"/cases/{case['id']}/chronology", **params)
    assert response.status_code == 422 and field in response.get_json()["fields"]


@pytest.mark.parametrize("role", TEAM_ROLES)
def test_health_entries_are_shown_only_to_health_practitioners_social_workers_and_team_managers(as_user, team, role):
    case, users = team
    write(as_user, users["health_practitioner"], case, sensitivity="health", summary="CAMHS appointment missed")
    entries = read(as_user, users[role], case)
    if role in ("health_practitioner", "social_worker", "team_manager"):
        assert [e["summary"] for e in entries] == ["CAMHS appointment missed"]
    else:
        assert entries == []


@pytest.mark.parametrize("role", TEAM_ROLES)
def test_intelligence_content_is_shown_only_to_police_and_social_workers_others_see_it_exists(as_user, team, role):
    case, users = team
    write(as_user, users["police_officer"], case, sensitivity="intelligence", summary="Seen at trap house")
    response = as_user(users[role]).get(f"/cases/{case['id']}/chronology")
    [entry] = response.get_json()["results"]
    if role in ("police_officer", "social_worker", "team_manager"):
        assert entry["summary"] == "Seen at trap house" and entry["withheld"] is False
    else:
        assert entry["summary"] is None and entry["withheld"] is True
        assert entry["sensitivity"] == "intelligence"
        assert "trap house" not in response.get_data(as_text=True)


def test_health_and_intelligence_go_by_role_not_by_the_authoring_agency(as_user, team, make_user, add_member):
    """A youth worker in the police's agency reads no intelligence, an education practitioner in the health
    agency no health entry: SPEC section 4 names roles for these two; only restricted goes by agency."""
    case, users = team
    seconded = {
        "intelligence": make_user("youth_worker", agency=users["police_officer"].agency),
        "health": make_user("education_practitioner", agency=users["health_practitioner"].agency),
    }
    for user in seconded.values():
        add_member(users["social_worker"], case["id"], user)
    write(as_user, users["police_officer"], case, sensitivity="intelligence", summary="Seen at trap house")
    write(as_user, users["health_practitioner"], case, sensitivity="health", summary="CAMHS appointment missed")
    [intelligence] = read(as_user, seconded["intelligence"], case, sensitivity="intelligence")
    assert intelligence["withheld"] and intelligence["summary"] is None
    assert read(as_user, seconded["health"], case, sensitivity="health") == []


def test_police_officer_cannot_read_intelligence_hidden_from_youth_worker(as_user, team):
    case, users = team
    write(as_user, users["police_officer"], case, sensitivity="intelligence", summary="Line phone number known")
    [seen_by_youth] = read(as_user, users["youth_worker"], case)
    [seen_by_police] = read(as_user, users["police_officer"], case)
    assert seen_by_youth["withheld"] and not seen_by_police["withheld"]


@pytest.mark.parametrize("role", TEAM_ROLES)
def test_restricted_entries_are_shown_only_to_the_authoring_agency(as_user, team, make_user, role):
    case, users = team
    write(as_user, users["youth_worker"], case, sensitivity="restricted", summary="Disclosed to youth worker only")
    entries = read(as_user, users[role], case)
    if role == "youth_worker":
        assert [e["summary"] for e in entries] == ["Disclosed to youth worker only"]
    else:
        assert entries == []


def test_a_colleague_of_the_authoring_agency_on_the_team_sees_a_restricted_entry(as_user, team, make_user, add_member):
    case, users = team
    colleague = make_user("youth_worker", agency=users["youth_worker"].agency)
    add_member(users["social_worker"], case["id"], colleague)
    write(as_user, users["youth_worker"], case, sensitivity="restricted", summary="Agency-only note")
    assert [e["summary"] for e in read(as_user, colleague, case)] == ["Agency-only note"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"occurred_on": "2024-02-30"}, "$.occurred_on"),
        ({"occurred_on": "2999-01-01"}, "$.occurred_on"),
        ({"category": "rumour"}, "$.category"),
        ({"sensitivity": "top_secret"}, "$.sensitivity"),
        ({"sensitivity": ""}, "$.sensitivity"),
        ({"sensitivity": False}, "$.sensitivity"),
        ({"sensitivity": []}, "$.sensitivity"),
        ({"summary": None}, "$.summary"),
        ({"summary": "x" * 10_001}, "$.summary"),
        # Misspelt, the sensitivity was dropped and the entry recorded as general: seen by every agency on the team.
        ({"sensitivty": "health"}, "$.sensitivty"),
    ],
)
def test_bad_chronology_entries_get_422_and_are_not_added(as_user, make_user, make_person, make_case, changes, field):
    worker = make_user("social_worker")
    case = make_case(worker, make_person(worker)["id"])
    response = as_user(worker).post(
        f"/cases/{case['id']}/chronology",
        json={"occurred_on": "2024-03-01", "category": "contact", "summary": "ok", **changes},
    )
    assert response.status_code == 422 and field in response.get_json()["fields"]
    assert read(as_user, worker, case) == []


@pytest.mark.parametrize(
    ("role", "sensitivity"),
    [
        ("youth_worker", "health"),
        ("education_practitioner", "health"),
        ("police_officer", "health"),
        ("youth_worker", "intelligence"),
        ("education_practitioner", "intelligence"),
        ("health_practitioner", "intelligence"),
    ],
)
def test_a_role_that_may_not_read_a_sensitivity_may_not_write_it(as_user, team, role, sensitivity):
    case, users = team
    body = {"occurred_on": "2024-03-01", "category": "contact", "summary": "Told in confidence"}
    response = as_user(users[role]).post(f"/cases/{case['id']}/chronology", json={**body, "sensitivity": sensitivity})
    assert response.status_code == 422 and "$.sensitivity" in response.get_json()["fields"]
    assert read(as_user, users["social_worker"], case) == []


def test_the_team_of_a_closed_case_no_longer_reads_or_adds_to_it(as_user, team):
    from app.extensions import db
    from models.case import Case

    case, users = team
    write(as_user, users["youth_worker"], case, summary="Before the case closed")
    db.session.get(Case, case["id"]).status = "closed"
    db.session.commit()
    caller = as_user(users["youth_worker"])
    assert caller.get(f"/cases/{case['id']}/chronology").status_code == 403
    body = {"occurred_on": "2024-03-02", "category": "contact", "summary": "After", "sensitivity": "general"}
    assert caller.post(f"/cases/{case['id']}/chronology", json=body).status_code == 403
