"""/alerts: prompts that fired once per person or place and rule, scoped to what the caller may see."""

from flask import jsonify

from app.api import bp
from app.api.inputs import iso, query_choice
from app.api.openapi import component, operation, query_param, register, response, results_of
from app.api.schemas import DATE, ID, STRING, enum, nullable, obj
from app.extensions import db
from app.permissions import current_actor, personal_data
from safeguarding import alerts


def alert_view(alert) -> dict:
    return {
        "id": alert.id,
        "kind": alert.kind,
        "person_id": alert.person_id,
        "place_id": alert.place_id,
        "fired_on": iso(alert.fired_on),
        "detail": alert.detail,
    }


@bp.get("/alerts")
@personal_data
def list_alerts():
    kind = query_choice("kind", "the kind of alert", alerts.ALERT_KINDS)
    found = alerts.list_alerts(db.session, current_actor(), kind)
    return jsonify({"results": [alert_view(a) for a in found]})


ALERT = component(
    "Alert",
    obj(
        {
            "id": ID,
            "kind": enum(alerts.ALERT_KINDS),
            "person_id": nullable(ID),
            "place_id": nullable(ID),
            "fired_on": DATE,
            "detail": STRING,
        },
        ["kind", "fired_on", "detail"],
    ),
)
register(
    "/alerts",
    "get",
    operation(
        "Alerts about people and places the caller may see (safeguarding leads see all)",
        response(200, "Alerts", results_of(ALERT)),
        params=[query_param("kind", enum(alerts.ALERT_KINDS), "Only alerts of this kind")],
    ),
)
