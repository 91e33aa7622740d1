"""The canonical bytes an event's leaf hash commits to."""

import json
from datetime import UTC, datetime, timedelta, timezone

import pytest

from audit.canonical import EVENT_FIELDS, canonical_bytes, format_time, normalise_detail, normalise_person_ids


def event(**changes) -> dict:
    fields = {
        "id": "5b0d3e4c-1111-4a6b-9c3d-0123456789ab",
        "at": datetime(2025, 3, 1, 9, 30, 0, 120, tzinfo=UTC),
        "actor_user_id": "u-1",
        "actor_agency_id": "a-1",
        "actor_role": "social_worker",
        "action": "view",
        "object_type": "person",
        "object_id": "p-1",
        "person_ids": ["p-1"],
        "outcome": "success",
        "reason": None,
        "purpose": "strategy meeting",
        "detail": {"fields": ["address"], "count": 1},
        "flagged": False,
        "request_id": "r-1",
        "client_addr": "10.0.0.1",
        "user_agent": "Firefox",
    }
    return {**fields, **changes}


def test_canonical_bytes_are_sorted_compact_json_of_every_field():
    encoded = canonical_bytes(event())
    assert encoded == (
        b'{"action":"view","actor_agency_id":"a-1","actor_role":"social_worker","actor_user_id":"u-1",'
        b'"at":"2025-03-01T09:30:00.000120+00:00","client_addr":"10.0.0.1","detail":{"count":1,"fields":'
        b'["address"]},"flagged":false,"id":"5b0d3e4c-1111-4a6b-9c3d-0123456789ab","object_id":"p-1",'
        b'"object_type":"person","outcome":"success","person_ids":["p-1"],"purpose":"strategy meeting",'
        b'"reason":null,"request_id":"r-1","user_agent":"Firefox","v":1}'
    )
    assert set(json.loads(encoded)) == {*EVENT_FIELDS, "v"}


def test_canonical_bytes_do_not_depend_on_dict_order_or_time_zone():
    fields = event()
    reordered = dict(reversed(list(fields.items())))
    reordered["detail"] = {"count": 1, "fields": ["address"]}
    reordered["at"] = fields["at"].astimezone(timezone(timedelta(hours=1)))
    assert canonical_bytes(reordered) == canonical_bytes(fields)


def test_any_field_change_changes_the_bytes():
    base = canonical_bytes(event())
    for name, value in [("action", "list"), ("flagged", True), ("person_ids", []), ("reason", ""), ("detail", None)]:
        assert canonical_bytes(event(**{name: value})) != base, name


def test_non_ascii_text_is_escaped_so_the_bytes_are_plain_ascii():
    encoded = canonical_bytes(event(user_agent="Navigateur \u00e9 \U0001f600"))
    assert encoded.isascii()
    assert json.loads(encoded)["user_agent"] == "Navigateur \u00e9 \U0001f600"


def test_times_must_be_timezone_aware_and_keep_microseconds():
    assert format_time(datetime(2025, 1, 1, tzinfo=UTC)) == "2025-01-01T00:00:00.000000+00:00"
    with pytest.raises(ValueError):
        canonical_bytes(event(at=datetime(2025, 1, 1)))


def test_person_ids_are_sorted_and_deduplicated():
    assert normalise_person_ids(["b", "a", "b"]) == ["a", "b"]
    with pytest.raises(TypeError):
        normalise_person_ids("p-1")


def test_detail_must_be_a_json_mapping():
    assert normalise_detail({"tokens": ["ab12"], "n": 2}) == {"n": 2, "tokens": ["ab12"]}
    assert normalise_detail(None) is None
    for bad in ({"when": datetime.now(UTC)}, {"x": {1, 2}}, ["not", "a", "mapping"]):
        with pytest.raises(TypeError):
            normalise_detail(bad)
    with pytest.raises(ValueError):
        normalise_detail({"ratio": float("nan")})
