"""A case's merged chronology as a CSV download and as a page for print; both audited as `export`.

Whoever may read the case may export its chronology, and sees in the export exactly what the case page shows them:
withheld entries stay withheld, hidden ones stay out (the service applies the policy).
"""

from flask import Response, render_template, request

from app.cases import bp
from app.extensions import db
from app.forms import label_of
from app.people.labels import long_date
from app.permissions import current_actor, personal_data
from models.base import utcnow
from safeguarding import accounts, contexts, exports, policy
from safeguarding.access import load_person
from safeguarding.errors import NotFound
from safeguarding.validation import uk_today


@bp.get("/cases/<case_id>/chronology.csv")
@personal_data
def chronology_csv(case_id: str):
    filters = exports.validate_filters(request.args)
    case, entries = exports.export_chronology(db.session, current_actor(), case_id, "csv", filters)
    filename = f"safecontext-chronology-{case.id}-{uk_today().isoformat()}.csv"
    return Response(
        exports.chronology_csv(entries),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/cases/<case_id>/chronology/print")
@personal_data
def chronology_print(case_id: str):
    filters = exports.validate_filters(request.args)
    actor = current_actor()
    case, entries = exports.export_chronology(db.session, actor, case_id, "print", filters)
    page = render_template(
        "reports/chronology_print.html",
        case=case,
        subject=subject_label(case, actor),
        entries=entries,
        filters=filter_labels(filters),
        produced_at=utcnow(),
        csv_args={k: v for k, v in request.args.items() if k in ("agency", "category", "sensitivity", "from", "to")},
    )
    return Response(page, mimetype="text/html")


def subject_label(case, actor) -> str:
    """What the viewer may see of the case's subject: a person's name where the policy allows it."""
    if case.subject_type == "person":
        try:
            person = load_person(db.session, case.subject_person_id)
        except NotFound:
            return "A person"
        return person.display_name if policy.person_access(db.session, actor, person.id).visible else "A person"
    if case.subject_type == "place":
        return contexts.load_place(db.session, case.subject_place_id).name
    return contexts.load_group(db.session, case.subject_group_id).name


def filter_labels(filters: dict) -> list[str]:
    """The filters applied, in words, so that a printed chronology says what it leaves out."""
    labels = []
    if filters["agency_id"]:
        names = {a.id: a.name for a in accounts.list_agencies(db.session)}
        labels.append(f"Agency: {names.get(filters['agency_id'], 'an unknown agency')}")
    if filters["category"]:
        labels.append(f"Category: {label_of(filters['category'])}")
    if filters["sensitivity"]:
        labels.append(f"Sensitivity: {label_of(filters['sensitivity'])}")
    if filters["since"]:
        labels.append(f"From {long_date(filters['since'])}")
    if filters["until"]:
        labels.append(f"To {long_date(filters['until'])}")
    return labels
