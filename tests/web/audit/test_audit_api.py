"""GET /api/v1/audit/events and /audit/verify: the contract of SPEC section 10, filters and bad input."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from safeguarding import people
from tests.fixtures.tampering import tamperer
from tests.web.api.client import ApiClient

EVENT_FIELDS = {"seq", "at", "actor_user_id", "action", "object_type", "object_id", "person_ids", "outcome", "reason"}


@pytest.fixture
def lead_api(client, api, lead):
    return ApiClient(client, api(lead))


def results(response) -> list[dict]:
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) == {"results", "more", "next_before_seq"}
    return body["results"]


def test_events_have_the_contract_fields_and_come_newest_first(lead_api, accesses):
    events = results(lead_api.get("/audit/events"))
    assert events and all(set(e) == EVENT_FIELDS for e in events)
    seqs = [e["seq"] for e in events]
    assert all(isinstance(s, int) for s in seqs), "sealed before listing, so every event has its number"
    assert seqs == sorted(seqs, reverse=True) and len(set(seqs)) == len(seqs)
    assert all(datetime.fromisoformat(e["at"]).utcoffset() is not None for e in events)
    assert events[0]["action"] == "audit_view"  # this very call, recorded before the answer


def test_filter_by_person_gives_every_access_to_them_with_the_break_glass_reason(lead_api, accesses):
    events = results(lead_api.get("/audit/events", person_id=accesses.child.id))
    assert all(accesses.child.id in e["person_ids"] for e in events)
    by_actor = {(e["actor_user_id"], e["action"], e["outcome"]) for e in events}
    assert (accesses.worker.id, "create", "success") in by_actor
    assert (accesses.worker.id, "view", "success") in by_actor
    assert (accesses.youth.id, "view", "success") in by_actor
    assert (accesses.officer.id, "denied", "denied") in by_actor
    (glass,) = [e for e in events if e["action"] == "break_glass"]
    assert glass["actor_user_id"] == accesses.youth.id and glass["reason"].startswith("Found at the station")


def test_filter_by_user_and_action(lead_api, accesses):
    mine = results(lead_api.get("/audit/events", user_id=accesses.youth.id))
    assert {e["action"] for e in mine} == {"break_glass", "view"}
    views = results(lead_api.get("/audit/events", action="view"))
    assert {e["actor_user_id"] for e in views} == {accesses.worker.id, accesses.youth.id}
    both = results(lead_api.get("/audit/events", user_id=accesses.youth.id, action="break_glass"))
    assert len(both) == 1


def test_filter_since_takes_a_date_or_a_time(lead_api, accesses, lead):
    later = datetime.now(UTC) + timedelta(days=3)
    with time_machine.travel(later, tick=False):
        people.view_person(db.session, accesses.worker, accesses.child.id)
    since_time = results(lead_api.get("/audit/events", action="view", since=(later - timedelta(hours=1)).isoformat()))
    assert len(since_time) == 1
    since_day = results(
        lead_api.get("/audit/events", action="view", since=(later - timedelta(days=1)).date().isoformat())
    )
    assert len(since_day) == 1
    zulu = (later - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert len(results(lead_api.get("/audit/events", action="view", since=zulu))) == 1
    everything = results(lead_api.get("/audit/events", action="view", since="2000-01-01"))
    assert len(everything) == 3


def test_an_unencoded_plus_in_the_offset_is_still_understood(lead_api, accesses):
    # "?since=2000-01-01T00:00:00+00:00" typed into a URL arrives with a space for the "+".
    response = lead_api.client.get(
        "/api/v1/audit/events?action=view&since=2000-01-01T00:00:00+00:00", headers=lead_api.headers
    )
    assert len(results(response)) == 2


def test_limit_caps_the_results_and_says_so_with_where_the_next_page_starts(lead_api, accesses):
    everything = results(lead_api.get("/audit/events", limit="5000"))
    first = lead_api.get("/audit/events", limit="2").get_json()
    assert len(first["results"]) == 2 and first["more"] is True
    assert first["next_before_seq"] == first["results"][-1]["seq"]
    pages, cursor = [], first["next_before_seq"]
    while cursor is not None:
        page = lead_api.get("/audit/events", limit="3", before_seq=str(cursor)).get_json()
        pages += page["results"]
        cursor = page["next_before_seq"]
    # Each page is itself audited (newer events), so the pages walk back over exactly what was there before them.
    assert [e["seq"] for e in pages] == [e["seq"] for e in everything if e["seq"] < first["next_before_seq"]]
    last = lead_api.get("/audit/events", before_seq="2").get_json()
    assert [e["seq"] for e in last["results"]] == [1] and last["more"] is False and last["next_before_seq"] is None


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("person_id", "not-an-id"),
        ("person_id", "1"),
        ("user_id", "x" * 36),
        ("action", "peek"),
        ("action", "VIEW"),
        ("outcome", "maybe"),
        ("since", "yesterday"),
        ("since", "2026-13-01"),
        ("since", "2026-02-30T10:00:00+00:00"),
        ("since", "0001-01-01"),
        ("since", "9999-12-31T23:59:59-14:00"),
        ("limit", "0"),
        ("limit", "5001"),
        ("limit", "ten"),
        ("limit", "-1"),
        ("before_seq", "0"),
        ("before_seq", "x"),
    ],
)
def test_bad_filter_values_are_422_naming_the_parameter(lead_api, param, value):
    response = lead_api.get("/audit/events", **{param: value})
    assert response.status_code == 422, response.get_json()
    body = response.get_json()
    assert body["error"] and param in body["fields"]


def test_bad_filters_are_refused_before_anything_is_read_or_audited(lead_api, lead):
    from tests.web.helpers import audit_events

    assert lead_api.get("/audit/events", action="peek").status_code == 422
    assert audit_events("audit_view") == []


def test_verify_answers_ok_with_the_event_count_after_a_full_check(lead_api, accesses):
    body = lead_api.get("/audit/verify").get_json()
    assert body["ok"] is True and body["mode"] == "full"
    assert isinstance(body["events"], int) and body["events"] >= 6
    assert "first_bad" not in body


def test_verify_can_be_asked_for_a_quick_check(lead_api, accesses):
    body = lead_api.get("/audit/verify", mode="quick").get_json()
    assert (body["ok"], body["mode"]) == (True, "quick")
    assert lead_api.get("/audit/verify", mode="thorough").status_code == 422


def test_verify_reports_the_first_bad_event_of_a_tampered_log(app, lead_api, accesses):
    from sqlalchemy import text

    lead_api.get("/audit/verify")  # seal everything so far
    with db.engine.connect() as conn:
        canonical = conn.execute(text("SELECT canonical FROM audit_events WHERE seq = 3")).scalar_one()
    forged = bytes(canonical).replace(b'"success"', b'"failure"')
    tamperer(db.engine)("UPDATE audit_events SET canonical = :c WHERE seq = 3", c=forged)
    body = lead_api.get("/audit/verify").get_json()
    assert body["ok"] is False and body["first_bad"] == 3 and body["reason"]


def test_verify_by_default_finds_a_column_edited_apart_from_its_canonical_bytes(app, lead_api, accesses):
    """The quick check cannot see such an edit (the signed tree covers only the canonical bytes); the default can."""
    lead_api.get("/audit/verify")  # seal everything so far
    tamperer(db.engine)("UPDATE audit_events SET outcome = 'denied' WHERE seq = 4")
    assert lead_api.get("/audit/verify", mode="quick").get_json()["ok"] is True
    body = lead_api.get("/audit/verify").get_json()
    assert (body["ok"], body["first_bad"], body["mode"]) == (False, 4, "full")


def test_the_openapi_document_describes_both_endpoints(client):
    document = client.get("/api/v1/openapi.json").get_json()
    events = document["paths"]["/audit/events"]["get"]
    assert {p["name"] for p in events["parameters"]} >= {"person_id", "user_id", "action", "since", "limit"}
    schema = document["components"]["schemas"]["AuditEvent"]
    assert set(schema["properties"]) == EVENT_FIELDS
    verify = document["paths"]["/audit/verify"]["get"]
    assert set(document["components"]["schemas"]["AuditVerification"]["required"]) == {"ok", "events", "mode"}
    assert "200" in verify["responses"] and "403" in verify["responses"]
