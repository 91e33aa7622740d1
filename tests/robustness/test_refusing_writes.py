"""A database that answers reads but refuses every write: each read of a protected record fails closed with 503
and no personal data in the body, as the read cannot have its audit event; writes fail with 503 too.

How the database refuses writes, and why that models a real failure:
- PostgreSQL: the server's sessions are read-only (default_transaction_read_only), as when the app is left
  pointing at a hot standby after a failover; writes fail with the standby's own error (SQLSTATE 25006). Revoking
  INSERT would not do: the tests connect as a superuser, who bypasses privileges. The option is set on the
  server's connections only, so the test's own connections (and the cleanup) stay writable.
- SQLite: the file is opened read-only (mode=ro), as when its volume is remounted read-only after an I/O error
  (what ext4 does on errors): reads work, writes fail with "attempt to write a readonly database". Making the file
  read-only would not do: the tests may run as root, who writes any file regardless of its mode.
"""

from urllib.parse import quote

import pytest
from sqlalchemy import func, select

from app.extensions import db
from audit.models import AuditEvent
from tests.robustness.http import call

pytestmark = pytest.mark.db

PERSON = {
    "given_name": "Tiana",
    "family_name": "Marchetti-Obi",
    "date_of_birth": "2011-06-23",
    "notes": "Disclosed fear of going home after dark",
    "address": "14 Kestrel Court",
}
CASE_SUMMARY = "Exploitation concerns raised by the school nurse"
CHRONOLOGY_SUMMARY = "Went missing after meeting an older male at the bus station"
REFERRAL_REASON = "Seen getting into cars outside the school gates"
PLACE_NAME = "Kestrel Court garages"
SECRETS = [*PERSON.values(), CASE_SUMMARY, CHRONOLOGY_SUMMARY, REFERRAL_REASON, PLACE_NAME]


def read_only(url: str) -> str:
    """The same database, opened so that it answers reads and refuses every write (see the module's doc)."""
    if url.startswith("sqlite:///"):
        return f"sqlite:///file:{url.removeprefix('sqlite:///')}?mode=ro&uri=true"
    return url + "?options=" + quote("-c default_transaction_read_only=on")


@pytest.fixture
def records(client, api, make_user):
    """A social worker's person, case, chronology, place, referral and missing episode; the reads of them."""
    worker, officer = make_user("social_worker"), make_user("police_officer")
    headers = api(worker)

    def post(path: str, body: dict) -> dict:
        response = client.post(f"/api/v1{path}", headers=headers, json=body)
        assert response.status_code == 201, (path, response.get_json())
        return response.get_json()

    person = post("/people", PERSON)["id"]
    subject = {"type": "person", "id": person}
    case = post("/cases", {"subject": subject, "concerns": ["cce"], "risk_level": "high", "summary": CASE_SUMMARY})
    note = {
        "occurred_on": "2024-03-01",
        "category": "missing_episode",
        "summary": CHRONOLOGY_SUMMARY,
        "sensitivity": "general",
    }
    post(f"/cases/{case['id']}/chronology", note)
    place = post("/places", {"name": PLACE_NAME, "kind": "estate"})["id"]
    post("/relationships", {"source": subject, "target": {"type": "place", "id": place}, "kind": "frequents"})
    post(
        "/referrals",
        {"person_id": person, "to_agency_id": officer.agency_id, "urgency": "red", "reason": REFERRAL_REASON},
    )
    post(f"/people/{person}/missing-episodes", {"reported_at": "2024-03-01T21:00:00+00:00"})
    reads = [
        f"/people/{person}",
        f"/people?family_name={quote(PERSON['family_name'])}",
        f"/people/{person}/context?depth=2",
        f"/places/{place}/context",
        f"/cases/{case['id']}",
        f"/cases/{case['id']}/chronology",
        f"/cases/{case['id']}/chronology.csv",
        "/referrals?box=outbox",
        f"/people/{person}/missing-episodes",
    ]
    return headers, reads, api(make_user("youth_worker")), person  # the youth worker has no access to the person


def test_reads_fail_closed_without_personal_data_when_the_database_refuses_writes(client, serve, records):
    headers, reads, outsider, person = records
    # On a working database the same reads answer 200 and carry every protected value: the probe can see a leak.
    answers = [client.get(f"/api/v1{path}", headers=headers) for path in reads]
    assert [a.status_code for a in answers] == [200] * len(reads)
    shown = "".join(a.get_data(as_text=True) for a in answers)
    assert [secret for secret in SECRETS if secret not in shown] == []
    assert client.get(f"/api/v1/people/{person}", headers=outsider).status_code == 403  # refused, and audited
    db.session.remove()
    events_before = db.session.scalar(select(func.count()).select_from(AuditEvent))

    server = serve(read_only(client.application.config["SQLALCHEMY_DATABASE_URI"]), workers=1, threads=2)
    for path in reads:
        reply = call(server.url, "GET", path, headers=headers)
        body = reply.raw.decode()
        assert reply.status == 503, (path, reply.status, body)
        assert set(reply.json()) == {"error"}, body
        assert [secret for secret in SECRETS if secret in body] == [], (path, body)
    # A refusal is audited too; when it cannot be, the caller learns no more than that the service is unavailable.
    assert call(server.url, "GET", f"/people/{person}", headers=outsider).status == 503
    write = call(server.url, "POST", "/people", headers=headers, body={**PERSON, "given_name": "Amara"})
    assert write.status == 503 and "Amara" not in write.raw.decode()

    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events_before


def test_the_refusal_is_a_documented_answer_of_every_operation(client):
    document = client.get("/api/v1/openapi.json").get_json()
    undocumented = [
        (method, path)
        for path, operations in document["paths"].items()
        for method, operation in operations.items()
        if "503" not in operation["responses"]
    ]
    assert undocumented == []
