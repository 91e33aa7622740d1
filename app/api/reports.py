"""/reports/partnership: the partnership report's figures for safeguarding leads, as the page shows them."""

from flask import jsonify

from app.api import bp
from app.api.inputs import query_args
from app.api.openapi import component, operation, query_param, register, response
from app.api.schemas import DATE, ID, INTEGER, STRING, nullable, obj
from app.extensions import db
from app.permissions import current_actor, leads
from app.reports.periods import requested_period
from safeguarding import reports


@bp.get("/reports/partnership")
@leads
def partnership_report():
    period = requested_period(query_args("start", "end"))
    return jsonify(reports.partnership_report(db.session, current_actor(), period))


# --- OpenAPI ---------------------------------------------------------------------------------------------------

COUNT = nullable(
    {**INTEGER, "minimum": 0, "description": "null: suppressed (1 to 4, or a count that would give one away)"}
)
COUNTS = {"type": "object", "additionalProperties": COUNT}
FIGURES = component(
    "PartnershipFigures",
    obj(
        {
            "open_cases": COUNT,
            "open_cases_by_concern_and_risk": {"type": "object", "additionalProperties": COUNTS},
            "referrals": COUNT,
            "referrals_by_agency": COUNTS,
            "referrals_by_urgency": COUNTS,
            "referrals_by_outcome": COUNTS,
            "referrals_decided_in_time_percent": nullable(
                {
                    **INTEGER,
                    "description": "null: too few decided to show safely (fewer than 5, or 1 to 4 late or in time)",
                }
            ),
            "median_hours_to_decision": nullable(
                {"type": "number", "description": "null: fewer than 5 referrals decided"}
            ),
            "repeat_referral_people": COUNT,
            "missing_episodes": COUNT,
            "children_missing": COUNT,
            "return_interviews_late": COUNT,
            "open_case_subjects_by_age": COUNTS,
            "open_case_subjects_by_sex": COUNTS,
            "open_case_subjects_by_ethnicity": COUNTS,
            "place_hotspots": {
                "type": "array",
                "description": "Places other than homes linked to 5 or more young people with open cases",
                "items": obj(
                    {"place_id": ID, "name": nullable(STRING), "young_people": INTEGER},
                    ["place_id", "name", "young_people"],
                ),
            },
        },
        ["open_cases", "referrals", "missing_episodes"],
    ),
)
REPORT = component(
    "PartnershipReport",
    obj(
        {
            "period": obj({"start": DATE, "end": DATE}, ["start", "end"]),
            "current": FIGURES,
            "previous": FIGURES,
        },
        ["period", "current", "previous"],
    ),
)
register(
    "/reports/partnership",
    "get",
    operation(
        "Partnership report figures for a period and the period of the same length before it; counts from 1 to 4 are "
        "suppressed (null), with secondary suppression where a total would reveal them. Safeguarding leads only; "
        "producing it is audited",
        response(200, "The report", REPORT),
        params=[
            query_param("start", DATE, "First day of the period (default: the last full calendar quarter)"),
            query_param("end", DATE, "The day after the last day (the end is exclusive)"),
        ],
    ),
)
