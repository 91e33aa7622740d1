"""/audit/events and /audit/verify: the audit log for safeguarding leads; each call is itself audited."""

from dataclasses import replace

from flask import jsonify

import audit
from app.api import bp
from app.api.inputs import iso, query_args, query_once
from app.api.openapi import component, operation, query_param, register, response, results_of
from app.api.schemas import BOOLEAN, DATE, ID, INTEGER, STRING, enum, nullable, obj
from app.extensions import db
from app.permissions import current_actor, leads
from safeguarding import audit_status
from safeguarding.audit_workspace import LIMIT_DEFAULT, LIMIT_MAX, event_query, find_events, record_audit_view, seal_now
from safeguarding.errors import ValidationFailed


def event_view(event) -> dict:
    return {
        "seq": event.seq,
        "at": iso(event.at),
        "actor_user_id": event.actor_user_id,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "person_ids": event.person_id_list,
        "outcome": event.outcome,
        "reason": event.reason,
    }


@bp.get("/audit/events")
@leads
def audit_events():
    query = event_query(**query_args("person_id", "user_id", "action", "outcome", "since", "limit", "before_seq"))
    record_audit_view(db.session, current_actor(), "api_events", detail={"filters": query.as_detail()})
    seal_now(db.session)  # so that every event listed has its sequence number
    # One event past the limit says whether the answer was cut short, and where the next page starts.
    found = find_events(db.session, replace(query, limit=query.limit + 1))
    shown, more = found[: query.limit], len(found) > query.limit
    page = {"more": more, "next_before_seq": shown[-1].seq if more else None}
    return jsonify({"results": [event_view(e) for e in shown], **page})


@bp.get("/audit/verify")
@leads
def audit_verify():
    # Full by default, as `audit verify` is: an edited column must not pass unless the caller chose the quick check.
    mode = query_once("mode") or "full"
    if mode not in ("quick", "full"):
        raise ValidationFailed({"mode": "Choose the check: quick or full"})
    record_audit_view(db.session, current_actor(), "api_verify", detail={"mode": mode})
    return jsonify(audit_status.log_status(db.session, full=mode == "full").as_dict())


AUDIT_EVENT = component(
    "AuditEvent",
    obj(
        {
            "seq": nullable(INTEGER),
            "at": {"type": "string", "format": "date-time"},
            "actor_user_id": nullable(ID),
            "action": enum(sorted(audit.ACTIONS)),
            "object_type": nullable(STRING),
            "object_id": nullable(STRING),
            "person_ids": {"type": "array", "items": ID},
            "outcome": enum(sorted(audit.OUTCOMES)),
            "reason": nullable(STRING),
        },
        ["seq", "at", "actor_user_id", "action", "object_type", "object_id", "person_ids", "outcome", "reason"],
    ),
)
register(
    "/audit/events",
    "get",
    operation(
        "Audit events, newest first (safeguarding leads only; the call is itself audited)",
        response(
            200,
            "Audit events; more: whether the limit cut the answer short; next_before_seq: where the next page starts",
            results_of(AUDIT_EVENT, more=BOOLEAN, next_before_seq=nullable(INTEGER)),
        ),
        params=[
            query_param("person_id", ID, "Only events that touched this person's data"),
            query_param("user_id", ID, "Only events by this user"),
            query_param("action", enum(sorted(audit.ACTIONS)), "Only events of this action"),
            query_param("outcome", enum(sorted(audit.OUTCOMES)), "Only events with this outcome"),
            query_param(
                "since",
                {"oneOf": [DATE, {"type": "string", "format": "date-time"}]},
                "Only events at or after this time; a bare date means 00:00 Europe/London",
            ),
            query_param(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": LIMIT_MAX, "default": LIMIT_DEFAULT},
                "At most this many events",
            ),
            query_param(
                "before_seq",
                {"type": "integer", "minimum": 1},
                "Only sealed events before this sequence number: the next page, from next_before_seq",
            ),
        ],
    ),
)
AUDIT_VERIFICATION = component(
    "AuditVerification",
    obj(
        {
            "ok": BOOLEAN,
            "events": INTEGER,
            "first_bad": INTEGER,
            "reason": STRING,
            "mode": enum(("quick", "full")),
        },
        ["ok", "events", "mode"],
    ),
)
register(
    "/audit/verify",
    "get",
    operation(
        "Seal, then verify the audit log against its signed checkpoints (safeguarding leads only)",
        response(200, "The verification; first_bad is the first event not vouched for", AUDIT_VERIFICATION),
        params=[
            query_param(
                "mode",
                enum(("quick", "full")),
                "full (default): every column, the person index, each event's hash and the signed tree; "
                "quick: only each event's hash and the signed tree",
            )
        ],
    ),
)
