"""/cases: open a case, read it, its team, and the merged multi-agency chronology."""

from flask import jsonify

from app.api import bp
from app.api.inputs import body, iso, query_choice, query_id, record_id
from app.api.openapi import component, operation, path_param, query_param, register, response, results_of
from app.api.schemas import AGENCY, BOOLEAN, DATE, DATETIME, ID, STRING, SUBJECT, VERSION, enum, nullable, obj, text
from app.extensions import db
from app.permissions import current_actor, managers, personal_data, practitioners
from models.case import CHRONOLOGY_CATEGORIES, CONCERNS, RISK_LEVELS, SENSITIVITIES

# Aliased: this module's view of a case's chronology is called case_chronology.
from safeguarding import case_chronology as chronology_entries
from safeguarding import case_closure, case_lists, cases, closure_approval, disclosure, family, policy


def full_case(case, role: str) -> dict:
    """The case as disclosure shows it, with its plan and the whole family's linked cases."""
    view = disclosure.case_view(case, role)
    view["plan"] = [
        {
            "id": a.id,
            "version": a.version,
            "description": a.description if isinstance(a.description, str) else None,
            "owner_id": a.owner_id,
            "due_on": iso(a.due_on),
            "done_at": iso(a.done_at),
        }
        for a in cases.plan(db.session, case)
    ]
    linked = (
        family.linked_family_cases(db.session, current_actor(), case.subject_person_id)
        if case.subject_person_id
        else []
    )
    view["family_cases"] = [
        {"id": c.id, "subject": {"type": c.subject_type, "id": c.subject_id}, "status": c.status} for c in linked
    ]
    return view


def member_view(member) -> dict:
    return {
        "user_id": member.user_id,
        "display_name": member.user.display_name,
        "agency": member.user.agency.name,
        "role": member.user.role,
        "added_at": iso(member.added_at),
    }


@bp.post("/cases")
@practitioners
def open_case():
    actor = current_actor()
    case = cases.open_case(db.session, actor, body())
    return jsonify(full_case(case, "team")), 201


@bp.get("/cases")
@personal_data
def caseload():
    """The caller's cases, as the "Your cases" page lists them."""
    load = case_lists.caseload(db.session, current_actor())
    return jsonify(
        {
            "results": [
                {
                    "id": case.id,
                    "version": case.version,
                    "status": case.status,
                    "subject": {"type": case.subject_type, "id": case.subject_id},
                    "subject_label": load.subjects.get(case.subject_id),
                    "concerns": case.concerns,
                    "risk_level": case.risk_level,
                    "opened_on": iso(case.opened_on),
                    "closed_on": iso(case.closed_on),
                    "lead_worker_id": case.lead_worker_id,
                    "your_actions_overdue": load.actions_due.get(case.id, 0),
                }
                for case in (*load.open, *load.closed)
            ]
        }
    )


@bp.get("/cases/<case_id>")
@personal_data
def get_case(case_id):
    case, role = cases.view_case(db.session, current_actor(), record_id(case_id, "case"))
    return jsonify(full_case(case, role))


@bp.patch("/cases/<case_id>")
@practitioners
def change_case_status(case_id):
    actor, data = current_actor(), body()
    # A status closes or reopens the case; without one, the change is to its risk level or concerns.
    change = case_closure.change_case_status if "status" in data else case_closure.change_case_assessment
    case = change(db.session, actor, record_id(case_id, "case"), data)
    # Asked to close, the case waits for a team manager: accepted, not done (202).
    asked = data.get("status") == "closed" and case.is_open
    return jsonify(_as_caller_may_see(case, actor)), 202 if asked else 200


@bp.post("/cases/<case_id>/closure-request/approve")
@practitioners
def approve_case_closure(case_id):
    return _closure_decided(closure_approval.approve_closure, case_id)


@bp.post("/cases/<case_id>/closure-request/return")
@practitioners
def return_case_closure(case_id):
    return _closure_decided(closure_approval.return_closure, case_id)


@bp.post("/cases/<case_id>/closure-request/withdraw")
@practitioners
def withdraw_case_closure(case_id):
    return _closure_decided(closure_approval.withdraw_closure_request, case_id)


def _closure_decided(decide, case_id: str):
    actor = current_actor()
    return jsonify(_as_caller_may_see(decide(db.session, actor, record_id(case_id, "case"), body()), actor))


def _as_caller_may_see(case, actor) -> dict:
    """The changed case as GET shows it; or, to a caller the change left no way to read it (closing, or a manager's
    decision on a case they are not on), only what their change did."""
    role = policy.case_role(db.session, actor, case)
    if role is None:
        return {"id": case.id, "version": case.version, "status": case.status, "closed_on": iso(case.closed_on)}
    return full_case(case, role)


@bp.post("/cases/<case_id>/lead")
@managers
def reassign_case_lead(case_id):
    actor = current_actor()
    case = cases.reassign_lead(db.session, actor, record_id(case_id, "case"), body())
    # A manager may hand on a case they cannot read: then they learn only what their change did.
    role = policy.case_role(db.session, actor, case)
    if role is None:
        return jsonify({"id": case.id, "version": case.version, "status": case.status, "lead_worker": lead_of(case)})
    return jsonify(full_case(case, role))


def lead_of(case) -> dict | None:
    return {"id": case.lead_worker_id, "display_name": case.lead_worker.display_name} if case.lead_worker else None


@bp.get("/cases/<case_id>/members")
@personal_data
def case_members(case_id):
    case, _role = cases.view_case(db.session, current_actor(), record_id(case_id, "case"))
    return jsonify({"results": [member_view(m) for m in case.current_members]})


@bp.post("/cases/<case_id>/members")
@practitioners
def add_case_member(case_id):
    member = cases.add_member(db.session, current_actor(), record_id(case_id, "case"), body().get("user_id"))
    return jsonify(member_view(member)), 201


@bp.post("/cases/<case_id>/chronology")
@practitioners
def add_chronology_entry(case_id):
    entry = chronology_entries.add_chronology_entry(db.session, current_actor(), record_id(case_id, "case"), body())
    return jsonify(disclosure.entry_view(entry, "full")), 201


@bp.get("/cases/<case_id>/chronology")
@personal_data
def case_chronology(case_id):
    case_id = record_id(case_id, "case")
    filters = {
        "agency_id": query_id("agency", "an agency"),
        "category": query_choice("category", "a category", CHRONOLOGY_CATEGORIES),
        "sensitivity": query_choice("sensitivity", "a sensitivity", SENSITIVITIES),
    }
    _case, entries = chronology_entries.chronology(db.session, current_actor(), case_id, **filters)
    return jsonify({"results": [disclosure.entry_view(entry, view) for entry, view in entries]})


# --- OpenAPI ---------------------------------------------------------------------------------------------------

MEMBER = component(
    "CaseMember",
    obj(
        {"user_id": ID, "display_name": STRING, "agency": STRING, "role": STRING, "added_at": DATETIME},
        ["user_id", "display_name", "agency", "role", "added_at"],
    ),
)
LEAD_WORKER = nullable(obj({"id": ID, "display_name": STRING}, ["id", "display_name"]))
# A request to close awaiting a team manager, or the last one a manager returned: who, when and why.
CLOSURE_STEP = nullable(
    obj({"by": LEAD_WORKER, "at": DATETIME, "reason": nullable(STRING)}, ["by", "at", "reason"], closed=True)
)
CASE = component(
    "Case",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "subject": SUBJECT,
            "lead_agency": AGENCY,
            "lead_worker": LEAD_WORKER,
            "members": {"type": "array", "items": MEMBER},
            "concerns": {"type": "array", "items": enum(CONCERNS)},
            "risk_level": enum(RISK_LEVELS),
            "status": enum(("open", "closed")),
            "opened_on": DATE,
            "closed_on": nullable(DATE),
            "closed_reason": nullable(text(case_closure.CLOSED_REASON_MAX)),
            "closure_request": CLOSURE_STEP,
            "closure_returned": CLOSURE_STEP,
            "summary": nullable(STRING),
            "your_role": enum(("team", "reader")),
            "plan": {"type": "array", "items": {"type": "object"}},
            "family_cases": {"type": "array", "items": {"type": "object"}},
        },
        ["id", "version", "subject", "lead_agency", "lead_worker", "members", "concerns", "risk_level", "status"],
    ),
)
ENTRY = component(
    "ChronologyEntry",
    obj(
        {
            "id": ID,
            "occurred_on": DATE,
            "category": enum(CHRONOLOGY_CATEGORIES),
            "sensitivity": enum(SENSITIVITIES),
            "agency": AGENCY,
            "author": nullable(STRING),
            "recorded_at": DATETIME,
            "summary": nullable(STRING),
            "withheld": BOOLEAN,
            "derived": BOOLEAN,
            "referral": obj(
                {"id": ID, "urgency": STRING, "status": STRING, "from_agency": AGENCY, "to_agency": AGENCY},
                ["id", "urgency", "status", "from_agency", "to_agency"],
            ),
        },
        ["id", "occurred_on", "category", "sensitivity", "agency", "summary", "withheld"],
    ),
)
CASE_ID = path_param("case_id")
# What a case is opened with and may later be reassessed to.
CONCERN_LIST = {"type": "array", "items": enum(CONCERNS), "minItems": 1, "maxItems": len(CONCERNS)}
RISK_LEVEL = enum(RISK_LEVELS)

register(
    "/cases",
    "post",
    operation(
        "Open a case about a person, place or group; the caller becomes lead worker and a member",
        response(201, "Opened", CASE),
        obj(
            {
                "subject": SUBJECT,
                "concerns": CONCERN_LIST,
                "risk_level": RISK_LEVEL,
                "summary": text(5000, min_length=1),
            },
            ["subject", "concerns", "risk_level", "summary"],
        ),
    ),
)
CASE_STATUS = component(
    "CaseStatus",
    obj(
        {"id": ID, "version": VERSION, "status": enum(("open", "closed")), "closed_on": nullable(DATE)},
        ["id", "version", "status", "closed_on"],
        closed=True,
    ),
)
CASELOAD_ROW = component(
    "CaseloadRow",
    obj(
        {
            "id": ID,
            "version": VERSION,
            "status": enum(case_closure.STATUSES),
            "subject": SUBJECT,
            "subject_label": nullable(STRING),
            "concerns": {"type": "array", "items": enum(CONCERNS)},
            "risk_level": RISK_LEVEL,
            "opened_on": DATE,
            "closed_on": nullable(DATE),
            "lead_worker_id": nullable(ID),
            "your_actions_overdue": {"type": "integer", "minimum": 0},
        },
        [
            "id",
            "version",
            "status",
            "subject",
            "subject_label",
            "concerns",
            "risk_level",
            "opened_on",
            "closed_on",
            "lead_worker_id",
            "your_actions_overdue",
        ],
    ),
)
register(
    "/cases",
    "get",
    operation(
        "Your cases: the open cases you are on, then the closed cases you lead (which you may reopen), newest first; "
        "a subject is named only where you may see it",
        response(200, "Your cases", results_of(CASELOAD_ROW)),
    ),
)
register("/cases/{case_id}", "get", operation("A case", response(200, "The case", CASE), params=[CASE_ID]))
register(
    "/cases/{case_id}",
    "patch",
    operation(
        "Close the case with a reason, or reopen it; or, without a status, change an open case's risk level or "
        "concerns (the lead worker, or a team manager of the lead agency on the team). A closed case's team no "
        "longer sees its subject by it. Stale version, already in that state, or a closed case reassessed: 409",
        {
            **response(
                200,
                "Changed: the case as GET shows it, or, to a caller the closing left no way to read it, only what "
                "changed",
                {"oneOf": [CASE, CASE_STATUS]},
            ),
            **response(
                202,
                "Asked: a lead worker who is not a team manager asks to close, where the lead agency has a team "
                "manager; the case stays open with its closure_request until a manager approves or returns it",
                CASE,
            ),
        },
        {
            "oneOf": [
                component(
                    "CaseStatusChange",
                    obj(
                        {
                            "version": VERSION,
                            "status": enum(case_closure.STATUSES),
                            "closed_reason": text(case_closure.CLOSED_REASON_MAX, min_length=1),
                        },
                        ["version", "status"],
                        closed=True,
                    ),
                ),
                component(
                    "CaseReassessment",
                    {
                        **obj(
                            {"version": VERSION, "risk_level": RISK_LEVEL, "concerns": CONCERN_LIST},
                            ["version"],
                            closed=True,
                        ),
                        "minProperties": 2,
                    },
                ),
            ]
        },
        [CASE_ID],
    ),
)
CASE_LEAD = component(
    "CaseLead",
    obj(
        {"id": ID, "version": VERSION, "status": enum(case_closure.STATUSES), "lead_worker": LEAD_WORKER},
        ["id", "version", "status", "lead_worker"],
        closed=True,
    ),
)
register(
    "/cases/{case_id}/lead",
    "post",
    operation(
        "Hand the case, open or closed, to another lead worker: an active practitioner of the lead agency, who joins "
        "the team if not on it (the previous lead stays on it). A team manager of the lead agency only, on the team "
        "or not. Stale version: 409; a user who is not an active practitioner of the lead agency, or already leads "
        "the case: 422",
        response(
            200,
            "Changed: the case as GET shows it, or, to a manager who may not read the case, only what changed",
            {"oneOf": [CASE, CASE_LEAD]},
        ),
        obj({"user_id": ID, "version": VERSION}, ["user_id", "version"], closed=True),
        [CASE_ID],
    ),
)
for decision, summary in (
    ("approve", "Approve the lead worker's request to close the case: it closes today with the reason they gave"),
    ("return", "Return the request to close, with the reason (the case stays open and the lead sees why)"),
    ("withdraw", "Withdraw your request to close the case (the lead worker, or a lead agency's manager on the team)"),
):
    register(
        f"/cases/{{case_id}}/closure-request/{decision}",
        "post",
        operation(
            summary + ". Approve and return: a team manager of the lead agency, on the team or not. Stale version, "
            "or no request awaiting a decision: 409",
            response(200, "Decided: the case as GET shows it, or only what changed", {"oneOf": [CASE, CASE_STATUS]}),
            obj(
                {
                    "version": VERSION,
                    **({"reason": text(case_closure.CLOSED_REASON_MAX, min_length=1)} if decision == "return" else {}),
                },
                ["version", "reason"] if decision == "return" else ["version"],
                closed=True,
            ),
            [CASE_ID],
        ),
    )
register(
    "/cases/{case_id}/members",
    "get",
    operation("The case's current team", response(200, "The team", results_of(MEMBER)), params=[CASE_ID]),
)
register(
    "/cases/{case_id}/members",
    "post",
    operation(
        "Add a practitioner of any agency to the team (team members only)",
        response(201, "Added", MEMBER),
        obj({"user_id": ID}, ["user_id"]),
        [CASE_ID],
    ),
)
register(
    "/cases/{case_id}/chronology",
    "post",
    operation(
        "Add a dated entry to the case's chronology (team members only)",
        response(201, "Added", ENTRY),
        obj(
            {
                "occurred_on": DATE,
                "category": enum(CHRONOLOGY_CATEGORIES),
                "summary": text(10_000, min_length=1),
                "sensitivity": enum(SENSITIVITIES),
            },
            ["occurred_on", "category", "summary"],
        ),
        [CASE_ID],
    ),
)
register(
    "/cases/{case_id}/chronology",
    "get",
    operation(
        "The merged multi-agency chronology in date order; withheld entries show only that they exist. Referrals "
        "about the subject appear as derived entries (category referral, derived: true) showing their current status",
        response(200, "Entries", results_of(ENTRY)),
        params=[
            CASE_ID,
            query_param("agency", {"type": "string", "format": "uuid"}, "Only entries by this agency"),
            query_param("category", enum(CHRONOLOGY_CATEGORIES)),
            query_param("sensitivity", enum(SENSITIVITIES)),
        ],
    ),
)
