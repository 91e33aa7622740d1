"""/cases/{id}/chronology.csv: a case's merged chronology as CSV, on the same terms as the chronology; audited."""

from flask import Response

from app.api import bp
from app.api.inputs import query_args, record_id
from app.api.openapi import operation, path_param, query_param, register
from app.api.schemas import DATE, ID, enum
from app.extensions import db
from app.permissions import current_actor, personal_data
from models.case import CHRONOLOGY_CATEGORIES, SENSITIVITIES
from safeguarding import exports


@bp.get("/cases/<case_id>/chronology.csv")
@personal_data
def case_chronology_csv(case_id):
    case_id = record_id(case_id, "case")
    filters = exports.validate_filters(query_args("agency", "category", "sensitivity", "from", "to"))
    case, entries = exports.export_chronology(db.session, current_actor(), case_id, "csv", filters)
    return Response(
        exports.chronology_csv(entries),
        mimetype="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="safecontext-chronology-{case.id}.csv"',
        },
    )


register(
    "/cases/{case_id}/chronology.csv",
    "get",
    operation(
        "The merged chronology as CSV (cells neutralised against spreadsheet formulas); withheld entries stay "
        "withheld. Audited as an export",
        {"200": {"description": "CSV, one line per entry", "content": {"text/csv": {"schema": {"type": "string"}}}}},
        params=[
            path_param("case_id"),
            query_param("agency", ID, "Only entries by this agency"),
            query_param("category", enum(CHRONOLOGY_CATEGORIES)),
            query_param("sensitivity", enum(SENSITIVITIES)),
            query_param("from", DATE, "Only entries on or after this date"),
            query_param("to", DATE, "Only entries on or before this date"),
        ],
    ),
)
