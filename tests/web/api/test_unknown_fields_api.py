"""Every JSON body the API reads takes only the keys its OpenAPI schema names, nested objects included: any other key
gets 422 naming its JSON path, and nothing is written. A misspelt optional field (frist_seen) would otherwise be
dropped without a word while the rest of the request went through."""

import copy
import re
from dataclasses import dataclass
from functools import cached_property

import pytest
from sqlalchemy import func, select

import app.api  # noqa: F401  (the API modules register their operations in the document on import)
from app.api.openapi import PATHS
from app.extensions import db
from models.base import Base
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.web.api.client import case_body, person_body

TYPO = "frist_seen"
PAST_DAY = "2025-06-02"


def row_counts() -> dict[str, int]:
    """How many rows every table holds: a write of any kind adds one, if only its audit event."""
    db.session.expire_all()
    return {name: db.session.scalar(select(func.count()).select_from(t)) for name, t in Base.metadata.tables.items()}


@dataclass
class World:
    """The records the endpoints act on, each made (through the API) only when a test asks for it."""

    as_user: object
    make_user: object
    make_person: object
    make_case: object

    @cached_property
    def worker(self):
        return self.make_user("social_worker")

    @cached_property
    def police(self):
        return self.make_user("police_officer")

    @cached_property
    def manager(self):
        """A team manager of the social worker's agency, who hands its cases to another lead."""
        return self.make_user("team_manager", agency=self.worker.agency)

    @cached_property
    def caller(self):
        return self.as_user(self.worker)

    def client_of(self, user: str):
        """The API client of the World's user of that name; the social worker's when none is named."""
        return self.as_user(getattr(self, user)) if user else self.caller

    def made(self, path: str, body: dict, by=None) -> dict:
        response = (self.as_user(by) if by else self.caller).post(path, json=body)
        assert response.status_code == 201, (path, response.get_json())
        return response.get_json()

    @cached_property
    def person(self) -> dict:
        return self.make_person(self.worker)

    @cached_property
    def other_person(self) -> dict:
        return self.make_person(self.worker, given_name="Kai")

    @cached_property
    def police_person(self) -> dict:
        """Someone only the police have recorded: the social worker does not see them."""
        return self.make_person(self.police, given_name="Leah")

    @cached_property
    def case(self) -> dict:
        return self.make_case(self.worker, self.person["id"])

    @cached_property
    def asked_case(self) -> dict:
        """A case whose lead asked their agency's team manager to close it."""
        assert self.manager  # closing needs a manager's approval only where the agency has one
        case = self.make_case(self.worker, self.other_person["id"])
        closing = {"version": case["version"], "status": "closed", "closed_reason": "Plan complete"}
        response = self.caller.patch(f"/cases/{case['id']}", json=closing)
        assert response.status_code == 202, response.get_json()
        return response.get_json()

    @cached_property
    def group(self) -> dict:
        return self.made("/groups", {"name": "Westside crew"})

    @cached_property
    def entry(self) -> dict:
        return self.made(f"/cases/{self.case['id']}/chronology", note(self))

    @cached_property
    def other_case(self) -> dict:
        return self.make_case(self.worker, self.other_person["id"])

    @cached_property
    def place(self) -> dict:
        return self.made("/places", {"name": "Bus station", "kind": "transport"})

    @cached_property
    def membership(self) -> dict:
        group = self.made("/groups", {"name": "Eastside crew"})
        ends = {"source": self.subject, "target": {"type": "group", "id": group["id"]}}
        return self.made("/relationships", {**ends, "kind": "member_of"})

    @cached_property
    def subject(self) -> dict:
        return {"type": "person", "id": self.person["id"]}

    @cached_property
    def episode(self) -> dict:
        return self.made(f"/people/{self.person['id']}/missing-episodes", {"reported_at": f"{PAST_DAY}T20:00:00Z"})

    @cached_property
    def sent(self) -> dict:
        """A referral the social worker sent to the police."""
        return self.made("/referrals", self.referral_to(self.person, self.police))

    @cached_property
    def received(self) -> dict:
        """A referral the police sent to the social worker's agency."""
        return self.made("/referrals", self.referral_to(self.police_person, self.worker), by=self.police)

    def referral_to(self, person: dict, receiver) -> dict:
        reason = "Seen with older males near the station"
        return {"person_id": person["id"], "to_agency_id": receiver.agency_id, "urgency": "amber", "reason": reason}


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # as the OpenAPI document names it
    body: object  # World -> a body the endpoint takes as it is
    ids: tuple[tuple[str, str], ...] = ()  # each slot of the path, and the record of the World whose id fills it
    nested: tuple[str, ...] = ()  # paths of nested objects that take only their own keys
    shape: str = ""  # which of the body's shapes, where it has more than one
    by: str = ""  # the World's user who calls it, where the social worker may not

    def url(self, world: World) -> str:
        return self.path.format(**{slot: getattr(world, record)["id"] for slot, record in self.ids})


def on(**slots: str) -> tuple[tuple[str, str], ...]:
    return tuple(slots.items())


def note(_w: World) -> dict:
    return {"occurred_on": PAST_DAY, "category": "contact", "summary": "Phone call", "sensitivity": "general"}


def relationship(w: World) -> dict:
    target, grading = {"type": "place", "id": w.place["id"]}, {"source": "2", "information": "B", "handling": "P"}
    return {"source": w.subject, "target": target, "kind": "frequents", "first_seen": PAST_DAY, "grading": grading}


def assessment(w: World) -> dict:
    findings, plan = "Younger children gather there after school", [{"intervention": "guardianship", "detail": "Staff"}]
    return {"subject": {"type": "place", "id": w.place["id"]}, "findings": findings, "interventions": plan}


def meeting(w: World) -> dict:
    decisions, actions = "Refer to the exploitation panel", [{"action": "Home visit"}]
    return {"kind": "strategy", "subject": w.subject, "held_on": PAST_DAY, "decisions": decisions, "actions": actions}


def sign_in(w: World) -> dict:
    return {"username": w.worker.username, "password": PASSWORD, "totp": totp_now(w.worker)}


def nothing(_w: World) -> dict:
    return {}


REASON = "Child reported missing tonight, found with adults"
ENDPOINTS = [
    Endpoint("post", "/tokens", sign_in),
    Endpoint("post", "/people", lambda w: person_body()),
    Endpoint(
        "patch", "/people/{person_id}", lambda w: {"version": 1, "notes": "At the station"}, on(person_id="person")
    ),
    Endpoint("post", "/people/{person_id}/break-glass", lambda w: {"reason": REASON}, on(person_id="police_person")),
    Endpoint(
        "post", "/people/{person_id}/merge", lambda w: {"duplicate_id": w.other_person["id"]}, on(person_id="person")
    ),
    Endpoint("post", "/places", lambda w: {"name": "Bus station", "kind": "transport"}),
    Endpoint("post", "/groups", lambda w: {"name": "Eastside crew"}),
    Endpoint("post", "/relationships", relationship, nested=("$.source", "$.target", "$.grading")),
    Endpoint("post", "/relationships/{relationship_id}/end", nothing, on(relationship_id="membership")),
    Endpoint("post", "/relationships/{relationship_id}/review", nothing, on(relationship_id="membership")),
    Endpoint("post", "/cases", lambda w: case_body(w.person["id"]), nested=("$.subject",)),
    Endpoint(
        "patch",
        "/cases/{case_id}",
        lambda w: {"version": w.case["version"], "risk_level": "low"},
        on(case_id="case"),
        shape="reassessing",
    ),
    Endpoint(
        "patch",
        "/cases/{case_id}",
        lambda w: {"version": w.case["version"], "status": "closed", "closed_reason": "Plan complete"},
        on(case_id="case"),
        shape="closing",
    ),
    Endpoint("post", "/cases/{case_id}/members", lambda w: {"user_id": w.police.id}, on(case_id="case")),
    Endpoint("post", "/cases/{case_id}/chronology", note, on(case_id="case")),
    Endpoint(
        "post",
        "/cases/{case_id}/lead",
        lambda w: {"user_id": w.manager.id, "version": w.case["version"]},
        on(case_id="case"),
        by="manager",
    ),
    Endpoint(
        "post",
        "/cases/{case_id}/closure-request/approve",
        lambda w: {"version": w.asked_case["version"]},
        on(case_id="asked_case"),
        by="manager",
    ),
    Endpoint(
        "post",
        "/cases/{case_id}/closure-request/return",
        lambda w: {"version": w.asked_case["version"], "reason": "Not yet"},
        on(case_id="asked_case"),
        by="manager",
    ),
    Endpoint(
        "post",
        "/cases/{case_id}/closure-request/withdraw",
        lambda w: {"version": w.asked_case["version"]},
        on(case_id="asked_case"),
    ),
    Endpoint("patch", "/places/{place_id}", lambda w: {"version": 1, "area": "Central"}, on(place_id="place")),
    Endpoint("patch", "/groups/{group_id}", lambda w: {"version": 1, "name": "West crew"}, on(group_id="group")),
    Endpoint(
        "post",
        "/missing-episodes/{episode_id}/move",
        lambda w: {"person_id": w.other_person["id"], "version": w.episode["version"]},
        on(episode_id="episode"),
    ),
    Endpoint("post", "/chronology/{entry_id}/move", lambda w: {"case_id": w.other_case["id"]}, on(entry_id="entry")),
    Endpoint("post", "/referrals", lambda w: w.referral_to(w.person, w.police)),
    Endpoint("post", "/referrals/{referral_id}/acknowledge", nothing, on(referral_id="received")),
    Endpoint("post", "/referrals/{referral_id}/accept", lambda w: {"case_id": None}, on(referral_id="received")),
    Endpoint("post", "/referrals/{referral_id}/decline", lambda w: {"reason": "Not ours"}, on(referral_id="received")),
    Endpoint("post", "/referrals/{referral_id}/withdraw", lambda w: {"reason": "In error"}, on(referral_id="sent")),
    Endpoint(
        "post",
        "/people/{person_id}/missing-episodes",
        lambda w: {"reported_at": f"{PAST_DAY}T20:00:00Z"},
        on(person_id="person"),
    ),
    Endpoint(
        "patch",
        "/missing-episodes/{episode_id}",
        lambda w: {"version": w.episode["version"], "returned_at": f"{PAST_DAY}T23:00:00Z"},
        on(episode_id="episode"),
    ),
    Endpoint("post", "/assessments", assessment, nested=("$.subject", "$.interventions[0]")),
    Endpoint(
        "post",
        "/people/{person_id}/context-weightings",
        lambda w: {"weights": {"family": {"harm": 1, "safety": 2}}},
        on(person_id="person"),
        ("$.weights", "$.weights.family"),
    ),
    Endpoint("post", "/meetings", meeting, nested=("$.subject", "$.actions[0]")),
    Endpoint(
        "post",
        "/people/{person_id}/safety-ratings",
        lambda w: {"place_id": w.place["id"], "rating": "red"},
        on(person_id="person"),
    ),
]
CASES = [
    pytest.param(
        endpoint, where, id=" ".join(filter(None, (endpoint.method.upper(), endpoint.path, endpoint.shape, where)))
    )
    for endpoint in ENDPOINTS
    for where in ("$", *endpoint.nested)
]


@pytest.fixture
def world(as_user, make_user, make_person, make_case):
    return World(as_user, make_user, make_person, make_case)


def with_key(body: dict, where: str, key: str) -> dict:
    """A copy of the body with one more key in the object at a JSON path such as $, $.source or $.actions[0]."""
    body = copy.deepcopy(body)
    target = body
    for name, index in re.findall(r"\.([^.\[]+)|\[(\d+)\]", where):
        target = target[name] if name else target[int(index)]
    target[key] = "2025-06-01"
    return body


def test_every_json_body_endpoint_of_the_document_is_checked_here():
    documented = {(method, path) for path, item in PATHS.items() for method, op in item.items() if "requestBody" in op}
    assert documented == {(e.method, e.path) for e in ENDPOINTS}


@pytest.mark.parametrize(("endpoint", "where"), CASES)
def test_an_unknown_key_gets_422_naming_its_path_and_writes_nothing(world, endpoint, where):
    url, call = endpoint.url(world), getattr(world.client_of(endpoint.by), endpoint.method)
    body = with_key(endpoint.body(world), where, TYPO)  # the records it names are made before the count
    before = row_counts()
    response = call(url, json=body)
    assert response.status_code == 422, response.get_json()
    fields = response.get_json()["fields"]
    assert list(fields) == [f"{where}.{TYPO}"] and re.search("check its name|Leave this out", fields[f"{where}.{TYPO}"])
    assert row_counts() == before
    # The same body without the key is taken: the key alone was refused.
    assert call(url, json=endpoint.body(world)).status_code in (200, 201)
