"""Downloads from the audit workspace: CSV of each listing, and the latest signed checkpoint; audited as `export`."""

import json
from dataclasses import replace
from datetime import date

from flask import Response, current_app, request

from app.audit_pages import bp
from app.extensions import db
from app.permissions import current_actor, leads
from safeguarding import audit_csv, audit_monitoring, audit_review, audit_status
from safeguarding.audit_workspace import EventQuery, event_query, listing, record_audit_view
from safeguarding.errors import ValidationFailed
from safeguarding.validation import parse_date, uk_today

# An export is for a case review or an investigation, so it holds far more than a page shows.
EXPORT_LIMIT = 50_000
# The filter each event listing needs, and what to say when it is missing.
EVENT_FILTERS = {
    "person-access": ("person_id", "Enter the person's reference"),
    "user-activity": ("user_id", "Select the user"),
}


def _download(body: str, filename: str, mimetype: str) -> Response:
    return Response(body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/export/<any('person-access', 'user-activity', refused, 'break-glass', monitoring):name>.csv")
@leads
def export(name: str):
    actor, args = current_actor(), request.args
    if name == "break-glass":
        awaiting, reviewed = audit_review.review_queue(db.session, actor, action="export")
        body = audit_csv.grants_csv([*awaiting, *reviewed])
    elif name == "monitoring":
        day = _day(args.get("day"))
        hours = current_app.config["AGENCY_WORKING_HOURS"]
        body = audit_csv.findings_csv(audit_monitoring.report(db.session, actor, day, hours, action="export"))
    else:
        rows = listing(db.session, actor, name.replace("-", "_"), _event_query(name, args), action="export")
        body = audit_csv.events_csv(rows)
    return _download(body, f"safecontext-audit-{name}-{uk_today().isoformat()}.csv", "text/csv")


def _event_query(name: str, args) -> EventQuery:
    """The listing's filter from the query string (as its page takes it), with the export's larger limit."""
    if name == "refused":
        return EventQuery(outcome="denied", limit=EXPORT_LIMIT)
    field, missing = EVENT_FILTERS[name]
    query = event_query(**{field: args.get(field)}, action=args.get("action"), since=args.get("since"))
    if getattr(query, field) is None:
        raise ValidationFailed({field: missing})
    return replace(query, limit=EXPORT_LIMIT)


def _day(value: str | None) -> date:
    if not value:
        return audit_monitoring.uk_today()
    return parse_date(value, field="day", label="the day", not_future=True)


@bp.get("/checkpoint.json")
@leads
def checkpoint():
    """The latest signed checkpoint, to keep outside this system: `flask audit verify --checkpoint FILE` uses it."""
    record_audit_view(db.session, current_actor(), "checkpoint", action="export")
    document = audit_status.latest_export(db.session)
    filename = f"safecontext-audit-checkpoint-{document['size']}.json"
    return _download(json.dumps(document, indent=2) + "\n", filename, "application/json")
