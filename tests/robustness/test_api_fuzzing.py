"""schemathesis against the API's OpenAPI document with valid tokens: no 5xx, and every response inside the
document (documented status, content type, headers and body schema), for generated valid and invalid input."""

import json
import zlib

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

import app.api  # noqa: F401  (the API modules register their operations in the document on import)
from app.api.openapi import document

# Acceptance of schema-valid input and rejection of schema-invalid input are left out: random ids name no record
# (404) and the API tolerates unknown query parameters, both on purpose.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]
# Small enough that all operations together take about a minute.
EXAMPLES_PER_OPERATION = 8
# Routes only safeguarding leads may use; the rest are called as a social worker, who may use most of the API.
LEAD_PREFIXES = ("/audit", "/reports", "/analysis", "/alerts")

# The document is loaded once at collection, where no app exists yet (schemathesis's fixture-based loader does not
# work with this pytest); the first test checks that it is exactly what /api/v1/openapi.json serves.
DOCUMENT = json.loads(json.dumps(document()))
schema = schemathesis.openapi.from_dict(
    DOCUMENT, config=schemathesis.Config.from_dict({"generation": {"max-examples": EXAMPLES_PER_OPERATION}})
)


def test_the_fuzzed_document_is_the_one_the_api_serves(client):
    assert client.get("/api/v1/openapi.json").get_json() == DOCUMENT


@pytest.fixture
def tokens(api, make_user):
    return {"lead": api(make_user("safeguarding_lead")), "practitioner": api(make_user("social_worker"))}


@pytest.fixture
def records(client, tokens, make_user):
    """Values to aim path parameters at, by name: the id of one record of every kind the practitioner may reach,
    and each export format."""
    police = make_user("police_officer")

    def post(path: str, body: dict) -> dict:
        response = client.post(f"/api/v1{path}", headers=tokens["practitioner"], json=body)
        assert response.status_code == 201, (path, response.get_json())
        return response.get_json()

    person = post("/people", {"given_name": "Jayden", "family_name": "Okafor", "date_of_birth": "2010-04-12"})
    friend = post("/people", {"given_name": "Leah", "family_name": "Okafor", "date_of_birth": "2011-02-01"})
    subject = {"type": "person", "id": person["id"]}
    case = post("/cases", {"subject": subject, "concerns": ["cce"], "risk_level": "high", "summary": "Concerns"})
    place = post("/places", {"name": "Bus station", "kind": "transport"})
    group = post("/groups", {"name": "Eastside crew"})
    relationship = post("/relationships", {"source": subject, "target": {"type": "place", "id": place["id"]},
                                           "kind": "frequents"})  # fmt: skip
    post("/relationships", {"source": subject, "target": {"type": "person", "id": friend["id"]}, "kind": "friend"})
    note = {"occurred_on": "2024-03-01", "category": "contact", "summary": "A note", "sensitivity": "general"}
    entry = post(f"/cases/{case['id']}/chronology", note)
    episode = post(f"/people/{person['id']}/missing-episodes", {"reported_at": "2024-03-02T20:00:00+00:00"})
    referral = post("/referrals", {"person_id": person["id"], "to_agency_id": police.agency_id, "urgency": "amber",
                                   "reason": "Seen with older males near the station"})  # fmt: skip
    ids = {
        "person_id": person["id"],
        "other_id": friend["id"],
        "case_id": case["id"],
        "place_id": place["id"],
        "group_id": group["id"],
        "relationship_id": relationship["id"],
        "entry_id": entry["id"],
        "episode_id": episode["id"],
        "referral_id": referral["id"],
    }
    return {name: (value,) for name, value in ids.items()} | {"fmt": ("graphml", "gexf", "json")}


def aim_at_records(case, records: dict) -> None:
    """Point about half the generated ids at real records (and most formats at real ones), so that the checks past
    the 404 are reached too; the choice hangs on the generated value, so a failure replays the same way."""
    for name, value in (case.path_parameters or {}).items():
        choices = records.get(name, ())
        pick = zlib.crc32(str(value).encode()) % (len(choices) + 1)
        if pick:
            case.path_parameters[name] = choices[pick - 1]


@schema.parametrize()
@settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True, database=None)
def test_the_api_answers_inside_its_document_and_never_with_a_server_error(case, app, tokens, records):
    aim_at_records(case, records)
    role = "lead" if case.operation.path.startswith(LEAD_PREFIXES) else "practitioner"
    case.call_and_validate(app=app, headers=tokens[role], checks=CHECKS)
