"""GET /api/v1/reports/partnership: the service's figures as JSON, for safeguarding leads, audited; in the OpenAPI."""

from datetime import date

from app.extensions import db
from safeguarding import reports
from tests.fixtures.caseloads import NOVEMBER
from tests.web.helpers import audit_events


def test_a_lead_gets_the_report_as_the_service_gives_it(client, api, lead, caseload):
    response = client.get(f"/api/v1/reports/partnership?start={NOVEMBER[0]}&end={NOVEMBER[1]}", headers=api(lead))
    assert response.status_code == 200
    body = response.get_json()
    expected = reports.partnership_report(db.session, lead, reports.Period(date(2026, 11, 1), date(2026, 12, 1)))
    assert body == expected
    assert body["current"]["referrals_by_urgency"] == {"red": None, "amber": None, "green": 0}
    assert [e.object_type for e in audit_events("view")][-2:] == ["report", "report"]


def test_other_roles_are_refused_and_the_refusal_audited(client, api, make_user):
    officer = make_user("police_officer")
    response = client.get("/api/v1/reports/partnership", headers=api(officer))
    assert response.status_code == 403 and response.is_json
    assert audit_events("denied")[-1].object_id == "api.partnership_report"


def test_the_report_and_the_chronology_csv_are_in_the_openapi_document(client):
    document = client.get("/api/v1/openapi.json").get_json()
    operation = document["paths"]["/reports/partnership"]["get"]
    assert {p["name"] for p in operation["parameters"]} == {"start", "end"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PartnershipReport"
    }
    assert "text/csv" in document["paths"]["/cases/{case_id}/chronology.csv"]["get"]["responses"]["200"]["content"]
