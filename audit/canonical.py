"""The canonical byte encoding of an audit event: what its leaf hash commits to, fixed at insert time.

Format (version 1): one JSON object with the keys of EVENT_FIELDS plus "v": 1, keys sorted, no whitespace,
ASCII only (non-ASCII escaped as \\uXXXX), no NaN/Infinity; `at` is UTC ISO 8601 with microseconds and an
explicit +00:00 offset; `person_ids` is a sorted list without duplicates; `detail` is an object or null.
Anyone holding an export of the log can recompute these bytes from the event's fields.
"""

import json
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from json.encoder import encode_basestring_ascii  # the C encoder json.dumps uses for strings
from typing import Any

FORMAT_VERSION = 1

# Every stored field except seq and leaf_hash, which the sealer adds later.
EVENT_FIELDS = (
    "id",
    "at",
    "actor_user_id",
    "actor_agency_id",
    "actor_role",
    "action",
    "object_type",
    "object_id",
    "person_ids",
    "outcome",
    "reason",
    "purpose",
    "detail",
    "flagged",
    "request_id",
    "client_addr",
    "user_agent",
)

_dumps = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=True, allow_nan=False).encode


def json_text(value: Any) -> str:
    """Compact, sorted-key, ASCII JSON: one text for one value, whoever encodes it."""
    return _dumps(value)


def format_time(at: datetime) -> str:
    """UTC ISO 8601 with microseconds, e.g. 2025-01-31T09:15:00.000000+00:00."""
    if at.tzinfo is None:
        raise ValueError("audit times must be timezone-aware")
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def normalise_person_ids(person_ids: Iterable[Any]) -> list[str]:
    """Person ids as sorted unique strings, so the same set always encodes the same way."""
    if isinstance(person_ids, str | bytes):
        raise TypeError("person_ids must be an iterable of ids, not a single string")
    return sorted({str(p) for p in person_ids})


def normalise_detail(detail: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The detail as it will read back from storage (JSON round trip); TypeError/ValueError if not JSON."""
    if detail is None:
        return None
    if not isinstance(detail, Mapping):
        raise TypeError("detail must be a mapping (blind-index tokens, counts, field names)")
    return json.loads(json_text(dict(detail)))


def stored_time_text(value: datetime | str) -> str:
    """format_time of a stored time: PostgreSQL hands back a datetime, SQLite the UTC text SQLAlchemy wrote."""
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            # The common case, without parsing; a doctored text still fails the comparison with canonical bytes.
            return value[:10] + "T" + value[11:] + "+00:00"
        value = datetime.fromisoformat(value)
        value = value if value.tzinfo else value.replace(tzinfo=UTC)
    return format_time(value)


def person_ids_text(person_ids: Iterable[str]) -> str:
    """json_text of the sorted ids, without the general encoder (verify() runs it once per event)."""
    return "[" + ",".join(map(encode_basestring_ascii, sorted(person_ids))) + "]"


def canonical_bytes(event: Mapping[str, Any]) -> bytes:
    """The canonical encoding of an event given as a mapping of EVENT_FIELDS (`at` a datetime)."""
    stored = {**event, "at": format_time(event["at"]), "person_ids": json_text(list(event["person_ids"]))}
    stored["detail"] = None if event["detail"] is None else json_text(event["detail"])
    return encode_stored(*(stored[name] for name in EVENT_FIELDS))


def encode_stored(
    id: str,
    at: str,
    actor_user_id: str | None,
    actor_agency_id: str | None,
    actor_role: str | None,
    action: str,
    object_type: str | None,
    object_id: str | None,
    person_ids: str,
    outcome: str,
    reason: str | None,
    purpose: str | None,
    detail: str | None,
    flagged: bool,
    request_id: str | None,
    client_addr: str | None,
    user_agent: str | None,
) -> bytes:
    """Canonical bytes from an event's stored form: `at` as format_time text, person_ids/detail as json_text.

    Written out key by key, in sorted order, because verify() runs it for every event in the log; a unit test
    checks it against the json module's own sorted-key encoding.
    """
    n, e = "null", encode_basestring_ascii  # inline conditionals: this runs once per event in verify()
    return (
        f'{{"action":{e(action)},"actor_agency_id":{n if actor_agency_id is None else e(actor_agency_id)},'
        f'"actor_role":{n if actor_role is None else e(actor_role)},'
        f'"actor_user_id":{n if actor_user_id is None else e(actor_user_id)},"at":{e(at)},'
        f'"client_addr":{n if client_addr is None else e(client_addr)},"detail":{n if detail is None else detail},'
        f'"flagged":{"true" if flagged else "false"},"id":{e(id)},'
        f'"object_id":{n if object_id is None else e(object_id)},'
        f'"object_type":{n if object_type is None else e(object_type)},"outcome":{e(outcome)},'
        f'"person_ids":{person_ids},"purpose":{n if purpose is None else e(purpose)},'
        f'"reason":{n if reason is None else e(reason)},"request_id":{n if request_id is None else e(request_id)},'
        f'"user_agent":{n if user_agent is None else e(user_agent)},"v":{FORMAT_VERSION}}}'
    ).encode("ascii")
