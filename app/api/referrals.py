"""/referrals: send a referral, the agency's inbox and outbox, one referral, and its four transitions."""

from flask import jsonify

from app.api import bp
from app.api.inputs import body, iso, optional_body, query_args, query_id, record_id
from app.api.openapi import component, operation, path_param, query_param, register, response, results_of
from app.api.schemas import BOOLEAN, DATETIME, ID, INTEGER, STRING, VERSION, enum, nullable, obj, text
from app.extensions import db
from app.permissions import current_actor, practitioners
from models.base import parse_id
from models.case import CONCERNS
from models.crypto import current_keyring
from models.referral import LAWFUL_BASES, REFERRAL_STATES, URGENCIES
from models.user import User
from safeguarding import disclosure, referral_boxes, referral_escalation, referrals
from safeguarding.errors import ValidationFailed
from safeguarding.referral_subjects import CONTEXT_TYPES

NOT_RECORDED_WARNING = "The lawful basis for sharing was not recorded: check it with the sender before sharing further"


def referral_json(
    referral, repeat: bool | None = None, transitions: list | None = None, withheld: bool | None = None
) -> dict:
    """A referral as its two agencies' practitioners see it (nobody else reads one through the API). Its free text
    is the person's data: withheld (null) from a viewer who may no longer see the person; the workflow stays.

    A list passes each referral's repeat flag, transitions and withholding, worked out for the whole list at once."""
    timing = referrals.timeliness(referral)
    if withheld is None:
        withheld = referral.id in disclosure.withheld_referrals(db.session, current_actor(), [referral])
    body = {
        "id": referral.id,
        "version": referral.version,
        "person_id": referral.person_id,
        "subject": {"type": referral.subject_type, "id": referral.subject_id},
        "from_agency": {"id": referral.from_agency.id, "name": referral.from_agency.name},
        "to_agency": {
            "id": referral.to_agency.id,
            "name": referral.to_agency.name,
            "external": referral.to_agency.external,
        },
        "sender": _user(referral.sender_id),
        "urgency": referral.urgency,
        "status": referral.status,
        "reason": _free_text(referral, "reason", withheld),
        "lawful_basis": referral.lawful_basis,
        "lawful_basis_reason": _free_text(referral, "lawful_basis_reason", withheld),
        "sent_at": iso(referral.sent_at),
        "acknowledged_at": iso(referral.acknowledged_at),
        "decided_at": iso(referral.decided_at),
        "withdrawn_at": iso(referral.withdrawn_at),
        "acknowledge_by": iso(timing.due.acknowledge_by),
        "decide_by": iso(timing.due.decide_by),
        "overdue": timing.overdue,
        "breached": dict(timing.breached),
        "repeat_referral": referral_escalation.is_repeat(db.session, referral) if repeat is None else repeat,
        "case_id": referral.case_id,
        "decline_reason": _free_text(referral, "decline_reason", withheld),
        "history": [
            {
                "from": t.from_status,
                "to": t.to_status,
                "at": iso(t.at),
                "actor": _user(t.actor_id),
                "note": _free_text(t, "note", withheld),
            }
            for t in (referral_boxes.history(db.session, referral) if transitions is None else transitions)
        ],
        "withheld": withheld,
    }
    if referral.lawful_basis == "not_recorded":
        body["lawful_basis_warning"] = NOT_RECORDED_WARNING
    return body


def _free_text(record, attr: str, withheld: bool):
    """A free-text field, or null when withheld: then it is not even decrypted."""
    return None if withheld else _readable(getattr(record, attr))


def _readable(text):
    """Encrypted text as JSON: null when shredded or when it fails its integrity check (UNREADABLE)."""
    return text if isinstance(text, str) else None


def _user(user_id: str | None) -> dict | None:
    user = db.session.get(User, user_id) if user_id else None
    if user is None:
        return None
    return {"id": user.id, "display_name": user.display_name, "agency_id": user.agency_id}


@bp.post("/referrals")
@practitioners
def send_referral():
    referral = referrals.submit_referral(db.session, current_actor(), body())
    return jsonify(referral_json(referral)), 201


@bp.get("/referrals")
@practitioners
def list_referrals():
    args = query_args("box", "status", "limit")
    page = referral_boxes.list_referrals(
        db.session,
        current_actor(),
        args.get("box"),
        status=args.get("status"),
        limit=args.get("limit"),
        after=query_id("after", "the last referral of the page before"),
    )
    found = page.referrals
    current_keyring().preload(db.session, (r.data_key_id for r in found))
    repeats, transitions = (
        referral_escalation.repeat_flags(db.session, found),
        referral_boxes.histories(db.session, found),
    )
    withheld = disclosure.withheld_referrals(db.session, current_actor(), found)
    results = [referral_json(r, repeats[r.id], transitions[r.id], r.id in withheld) for r in found]
    return jsonify({"results": results, "next_after": page.next_after, "total": page.total})


@bp.get("/referrals/<referral_id>")
@practitioners
def get_referral(referral_id):
    referral = referrals.view_referral(db.session, current_actor(), record_id(referral_id, "referral"))
    return jsonify(referral_json(referral))


def _move(referral_id: str, action: str, data: dict):
    referral = referrals.transition(db.session, current_actor(), record_id(referral_id, "referral"), action, data)
    return jsonify(referral_json(referral))


@bp.post("/referrals/<referral_id>/acknowledge")
@practitioners
def acknowledge_referral(referral_id):
    return _move(referral_id, "acknowledge", optional_body())


@bp.post("/referrals/<referral_id>/accept")
@practitioners
def accept_referral(referral_id):
    data = optional_body()
    if data.get("case_id") is not None and parse_id(data["case_id"]) is None:
        raise ValidationFailed(
            {"$.case_id": "Give the id of an open case about the same person, place or group, or leave it out"}
        )
    return _move(referral_id, "accept", data)


@bp.post("/referrals/<referral_id>/decline")
@practitioners
def decline_referral(referral_id):
    return _move(referral_id, "decline", body())


@bp.post("/referrals/<referral_id>/withdraw")
@practitioners
def withdraw_referral(referral_id):
    return _move(referral_id, "withdraw", optional_body())


# --- OpenAPI ---------------------------------------------------------------------------------------------------

_USER = nullable(obj({"id": ID, "display_name": STRING, "agency_id": ID}, ["id", "display_name"]))
REFERRAL = component(
    "Referral",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "person_id": {**nullable(ID), "description": "The person the referral is about; null for a place or group"},
            "subject": {
                **obj({"type": enum(("person", *CONTEXT_TYPES)), "id": ID}, ["type", "id"]),
                "description": "What the referral is about: a person (person_id), or a place or a group",
            },
            "from_agency": obj({"id": ID, "name": STRING}, ["id", "name"]),
            "to_agency": obj({"id": ID, "name": STRING, "external": BOOLEAN}, ["id", "name", "external"]),
            "sender": _USER,
            "urgency": enum(URGENCIES),
            "status": enum(REFERRAL_STATES),
            "reason": nullable(STRING),
            "lawful_basis": enum(LAWFUL_BASES),
            "lawful_basis_warning": STRING,
            "lawful_basis_reason": nullable(STRING),
            "sent_at": DATETIME,
            "acknowledged_at": nullable(DATETIME),
            "decided_at": nullable(DATETIME),
            "withdrawn_at": nullable(DATETIME),
            "acknowledge_by": nullable(DATETIME),
            "decide_by": nullable(DATETIME),
            "overdue": BOOLEAN,
            "breached": obj({"acknowledge": BOOLEAN, "decide": BOOLEAN}, ["acknowledge", "decide"]),
            "repeat_referral": BOOLEAN,
            "case_id": nullable(ID),
            "decline_reason": nullable(STRING),
            "withheld": {
                **BOOLEAN,
                "description": "True when you may no longer see the person (or the home) the referral is about: its "
                "free text (reason, lawful_basis_reason, decline_reason and each history note) is then null",
            },
            "history": {
                "type": "array",
                "items": obj(
                    {
                        "from": enum(REFERRAL_STATES, nullable=True),
                        "to": enum(REFERRAL_STATES),
                        "at": DATETIME,
                        "actor": _USER,
                        "note": nullable(STRING),
                    },
                    ["from", "to", "at", "actor", "note"],
                ),
            },
        },
        [
            "id",
            "person_id",
            "subject",
            "from_agency",
            "to_agency",
            "urgency",
            "status",
            "lawful_basis",
            "sent_at",
            "acknowledged_at",
            "decided_at",
            "acknowledge_by",
            "decide_by",
            "overdue",
            "breached",
            "repeat_referral",
            "case_id",
            "history",
            "withheld",
        ],
    ),
)
REFERRAL_ID = path_param("referral_id")
_MOVED = response(200, "The referral after the step", REFERRAL)


register(
    "/referrals",
    "post",
    operation(
        "Send a referral to another agency about a person you may see (person_id), or about a place or a group "
        "(subject; a home only if you may see someone living there), exactly one of the two; the lawful basis "
        "defaults to not_recorded. A referral about a place or group lets the receiving agency see it and the "
        "referral, and no person linked to it; accepting it opens a case about the place or group. "
        "With from_agency_id, an agency outside the partnership, record one your agency received from it (then "
        "to_agency_id is your own agency, and the referral has no sender in the partnership; received_at, when it "
        "arrived, not in the future, starts its timescales: default now)",
        response(201, "Sent", REFERRAL),
        obj(
            {
                "person_id": {**ID, "description": "The person the referral is about (or give subject)"},
                "subject": {
                    **obj({"type": enum(CONTEXT_TYPES), "id": ID}, ["type", "id"]),
                    "description": "The place or group the referral is about (instead of person_id)",
                },
                "to_agency_id": ID,
                "urgency": enum(URGENCIES),
                "reason": text(10_000, min_length=1),
                "lawful_basis": enum(LAWFUL_BASES[:-1], nullable=True),
                "lawful_basis_reason": text(2000, nullable=True),
                "from_agency_id": nullable(ID),
                "received_at": nullable(DATETIME),
            },
            ["to_agency_id", "urgency", "reason"],
            closed=True,
        ),
    ),
)
register(
    "/referrals",
    "get",
    operation(
        "Your agency's inbox (received) or outbox (sent), newest first: all of it, or a page at a time",
        response(
            200,
            "Referrals; next_after is the `after` of the next page, or null on the last; total counts every page",
            results_of(REFERRAL, next_after=nullable(ID), total=INTEGER),
        ),
        params=[
            {**query_param("box", enum(referral_boxes.BOXES), "inbox or outbox"), "required": True},
            query_param(
                "status",
                enum(list(referral_boxes.STATUS_FILTERS)),
                "Only referrals in this state; open: waiting for a decision; closed: decided or withdrawn",
            ),
            query_param(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": referral_boxes.PAGE_MAX},
                "A page of at most this many referrals (all of them when left out)",
            ),
            query_param("after", ID, "The id of the last referral of the page before"),
        ],
    ),
)
register(
    "/referrals/{referral_id}",
    "get",
    operation(
        "A referral (its two agencies' practitioners only)",
        response(200, "The referral", REFERRAL),
        params=[REFERRAL_ID],
    ),
)
for action, summary, schema in (
    ("acknowledge", "Acknowledge a referral (receiving agency)", obj({})),
    (
        "accept",
        "Accept a referral (receiving agency): opens a case with you as lead and the sender on the team, "
        "or links an open case about the same person, place or group; `concerns` go with a new case (the case page "
        "asks for them when none are given)",
        obj({"case_id": nullable(ID), "concerns": {"type": "array", "items": enum(CONCERNS), "minItems": 1}}),
    ),
    (
        "decline",
        "Decline a referral with a reason (receiving agency)",
        obj({"reason": text(1000, min_length=1)}, ["reason"]),
    ),
    ("withdraw", "Withdraw a referral before a decision (its sender)", obj({"reason": text(1000, nullable=True)})),
):
    # Any step may name the version the caller saw (409 when the referral has moved on since).
    schema["properties"]["version"] = VERSION
    spec = operation(summary, _MOVED, schema, [REFERRAL_ID])
    if action != "decline":
        spec["requestBody"]["required"] = False
    register(f"/referrals/{{referral_id}}/{action}", "post", spec)
