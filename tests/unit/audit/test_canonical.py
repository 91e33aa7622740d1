"""The canonical bytes an event's leaf hash commits to."""

import inspect
import json
from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.canonical import (
    EVENT_FIELDS,
    canonical_bytes,
    encode_stored,
    format_time,
    json_text,
    normalise_detail,
    normalise_person_ids,
    person_ids_text,
    stored_time_text,
)


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


text_or_none = st.none() | st.text(max_size=40)


@settings(max_examples=200, deadline=None)
@given(
    st.fixed_dictionaries(
        {name: text_or_none for name in EVENT_FIELDS if name not in ("id", "at", "action", "outcome")}
        | {
            "id": st.uuids().map(str),
            "at": st.datetimes(timezones=st.just(UTC)),
            "action": st.text(min_size=1, max_size=20),
            "outcome": st.sampled_from(["success", "denied", "failure"]),
            "person_ids": st.lists(st.text(max_size=20), max_size=4),
            "detail": st.none() | st.dictionaries(st.text(max_size=8), st.integers() | st.text(max_size=8)),
            "flagged": st.booleans(),
        }
    )
)
def test_the_hand_written_encoder_is_exactly_sorted_key_compact_json(fields):
    fields["person_ids"] = normalise_person_ids(fields["person_ids"])
    document = {**fields, "at": format_time(fields["at"]), "v": 1}
    expected = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")
    assert canonical_bytes(fields) == expected


def test_sqlite_time_text_reads_back_as_the_canonical_time():
    at = datetime(2025, 3, 1, 9, 30, 0, 120, tzinfo=UTC)
    assert stored_time_text("2025-03-01 09:30:00.000120") == format_time(at)
    assert stored_time_text("2025-03-01T10:30:00.000120+01:00") == format_time(at)
    assert stored_time_text(at.astimezone(timezone(timedelta(hours=-5)))) == format_time(at)


def test_person_ids_text_is_the_json_of_the_sorted_ids():
    assert person_ids_text(["b", "a\u00e9"]) == json_text(["a\u00e9", "b"])
    assert person_ids_text([]) == "[]"


def test_the_stored_form_encoder_takes_the_fields_in_canonical_order():
    # verify() streams columns in EVENT_FIELDS order and hands them to encode_stored positionally.
    assert tuple(inspect.signature(encode_stored).parameters) == EVENT_FIELDS
