"""record(): write one audit event in the caller's transaction, so that the change and its record stand or fall
together (fail-closed: if the event cannot be written, the caller's commit fails).

`detail` is for non-sensitive facts only: blind-index tokens, counts, field names, state names. It must never
hold plaintext sensitive values (names, dates of birth, addresses, notes): the audit log is kept for years,
is read by safeguarding leads of every agency, and survives crypto-shredding of the person it mentions.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy.orm import Session

from audit.actions import as_actor, check_action
from audit.canonical import canonical_bytes, json_text, normalise_detail, normalise_person_ids
from audit.context import current_request_context
from audit.derived_columns import insertable
from audit.models import AuditEvent
from models.base import new_id, storable_text, utcnow

# Header-derived values are clipped to their columns: an oversized User-Agent must not make a request fail.
_CONTEXT_LIMITS = {"request_id": 64, "client_addr": 64, "user_agent": 512}


def _clip(value: str | None, limit: int) -> str | None:
    return None if value is None else str(value).replace("\x00", "")[:limit]


def event_values(
    *,
    action: str,
    actor: Any,
    object_type: str | None = None,
    object_id: str | None = None,
    person_ids: Iterable[str] = (),
    outcome: str = "success",
    reason: str | None = None,
    purpose: str | None = None,
    detail: Mapping[str, Any] | None = None,
    flagged: bool = False,
) -> dict[str, Any]:
    """The audit_events row of one event, its canonical bytes included (the sealer indexes its people)."""
    check_action(action, outcome)
    who = as_actor(actor)
    people = normalise_person_ids(person_ids)
    detail_value = normalise_detail(detail)
    ctx = current_request_context()
    fields: dict[str, Any] = {
        "id": new_id(),
        "at": utcnow(),
        "actor_user_id": who.user_id if who else None,
        "actor_agency_id": who.agency_id if who else None,
        "actor_role": who.role if who else None,
        "action": action,
        "object_type": object_type,
        "object_id": None if object_id is None else str(object_id),
        "person_ids": people,
        "outcome": outcome,
        "reason": reason,
        "purpose": purpose,
        "detail": detail_value,
        "flagged": bool(flagged),
    }
    for name, limit in _CONTEXT_LIMITS.items():
        fields[name] = _clip(getattr(ctx, name), limit) if ctx else None
    # Neither engine can keep such text, and SQLite would read a NUL back cut short from the canonical bytes.
    if not all(storable_text(value) for value in fields.values() if isinstance(value, str)):
        raise ValueError("audit event text holds a NUL or a lone surrogate")
    return {
        **fields,
        "person_ids": json_text(people),
        "detail": None if detail is None else json_text(detail_value),
        "canonical": canonical_bytes(fields),
    }


def record(session: Session, **event: Any) -> AuditEvent:
    """Add an audit event to `session` and flush it; the caller commits (actor None means anonymous).

    Takes the keyword arguments of event_values()."""
    added = AuditEvent(**insertable(event_values(**event), session.get_bind().dialect.name))
    session.add(added)
    session.flush()
    return added
