"""Chronology exports (CSV, print, API CSV): what the viewer may read of the case, nothing more; audited as export."""

import csv
import io
import json

import pytest

from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_strict_page


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_a_team_member_gets_every_entry_they_may_see_in_date_order(login, team, case, chronology):
    response = login(team["social_worker"]).get(f"/cases/{case.id}/chronology.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    rows = csv_rows(response)
    assert [r["occurred_on"] for r in rows] == ["2026-01-05", "2026-01-12", "2026-01-20", "2026-02-10"]
    assert [r["summary"] for r in rows][::3] == ["Seen with a known dealer", "Home visit: mother worried"]
    assert rows[2]["summary"] == "Attended ED, stab wound" and {r["withheld"] for r in rows} == {"no"}


def test_a_youth_worker_sees_intelligence_as_withheld_and_health_not_at_all(login, team, case, chronology):
    response = login(team["youth_worker"]).get(f"/cases/{case.id}/chronology.csv")
    rows = csv_rows(response)
    assert [r["category"] for r in rows] == ["intelligence", "contact", "home_visit"]
    assert (rows[0]["summary"], rows[0]["withheld"]) == ("Content withheld", "yes")
    text = response.get_data(as_text=True)
    assert "known dealer" not in text and "stab wound" not in text


def test_a_summary_a_spreadsheet_would_run_is_neutralised(login, team, case, chronology):
    rows = csv_rows(login(team["social_worker"]).get(f"/cases/{case.id}/chronology.csv"))
    assert rows[1]["summary"] == "'=cmd|' /C calc'!A0 at the park"


def test_the_print_page_shows_the_same_entries_and_withholds_the_same(login, team, case, chronology):
    response = login(team["youth_worker"]).get(f"/cases/{case.id}/chronology/print")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    soup = assert_strict_page(response)
    rows = [r.get_text(" ", strip=True) for r in soup.select(".sc-chronology tbody tr")]
    assert len(rows) == 3 and "Intelligence entry — content withheld" in rows[0]
    assert "known dealer" not in response.get_data(as_text=True) and "stab wound" not in response.get_data(as_text=True)
    assert "Leon Achterberg" in soup.select_one(".sc-print-summary").get_text(" ")
    assert soup.select_one(f"a[href^='/cases/{case.id}/chronology.csv']")


def test_the_print_stylesheet_hides_navigation_and_forms(client):
    with client.get("/static/safecontext.css") as response:
        stylesheet = response.get_data(as_text=True)
    print_rules = stylesheet.split("@media print", 1)[1]
    assert ".sc-no-print" in print_rules and ".govuk-service-navigation" in print_rules and "form" in print_rules


def test_someone_without_access_to_the_case_is_refused_and_the_refusal_audited(login, make_user, case, chronology):
    stranger = login(make_user("police_officer"))
    for path in (f"/cases/{case.id}/chronology.csv", f"/cases/{case.id}/chronology/print"):
        assert stranger.get(path).status_code == 403
    assert audit_events("export") == []
    assert [e.object_type for e in audit_events("denied")] == ["case", "case"]


def test_each_export_is_audited_as_export_with_the_format_and_counts(login, team, case, chronology):
    client = login(team["youth_worker"])
    client.get(f"/cases/{case.id}/chronology.csv?from=2026-01-10")
    client.get(f"/cases/{case.id}/chronology/print")
    csv_event, print_event = audit_events("export")
    assert (csv_event.object_type, csv_event.object_id, csv_event.person_id_list) == (
        "chronology",
        case.id,
        [case.subject_person_id],
    )
    assert json.loads(csv_event.detail) == {"format": "csv", "since": "2026-01-10", "entries": 2, "withheld": 1}
    assert json.loads(print_event.detail)["format"] == "print"


def test_the_filters_and_period_narrow_the_export(login, team, case, chronology):
    client = login(team["social_worker"])
    between = csv_rows(client.get(f"/cases/{case.id}/chronology.csv?from=2026-01-06&to=2026-01-31"))
    assert [r["occurred_on"] for r in between] == ["2026-01-12", "2026-01-20"]
    by_category = csv_rows(client.get(f"/cases/{case.id}/chronology.csv?category=contact"))
    assert [r["category"] for r in by_category] == ["contact"]
    by_agency = csv_rows(client.get(f"/cases/{case.id}/chronology.csv?agency={team['police_officer'].agency_id}"))
    assert [r["category"] for r in by_agency] == ["intelligence"]
    printed = page(client.get(f"/cases/{case.id}/chronology/print?from=2026-01-06&to=2026-01-31"))
    assert "From 6 January 2026; To 31 January 2026" in printed.select_one(".sc-print-summary").get_text(" ")


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2026-13-01", "from"),
        ("to=31/01/2026", "to"),
        ("from=2026-02-01&to=2026-01-01", "to"),
        ("category=gossip", "category"),
        ("sensitivity=secret", "sensitivity"),
        ("agency=police", "agency"),
    ],
)
def test_bad_period_or_filter_values_are_refused_with_422(login, team, case, chronology, api, query, field):
    client = login(team["social_worker"])
    for path in (f"/cases/{case.id}/chronology.csv", f"/cases/{case.id}/chronology/print"):
        assert client.get(f"{path}?{query}").status_code == 422, path
    refused = client.get(f"/api/v1/cases/{case.id}/chronology.csv?{query}", headers=api(team["social_worker"]))
    assert refused.status_code == 422 and field in refused.get_json()["fields"]
    assert audit_events("export") == []


def test_the_api_gives_the_same_csv_to_a_token_holder(client, api, team, case, chronology):
    response = client.get(f"/api/v1/cases/{case.id}/chronology.csv", headers=api(team["youth_worker"]))
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = csv_rows(response)
    assert [r["withheld"] for r in rows] == ["yes", "no", "no"]
    assert audit_events("export")[-1].object_id == case.id
    assert client.get(f"/api/v1/cases/{case.id}/chronology.csv", headers=api(team["youth_worker"])).status_code == 200
    assert client.get("/api/v1/cases/not-a-case/chronology.csv", headers=api(team["youth_worker"])).status_code == 404


def test_a_derived_referral_entry_is_exported_as_the_chronology_shows_it(login, make_user, team, case, child):
    from app.extensions import db
    from safeguarding import referrals

    police = team["police_officer"]
    data = {"person_id": child.id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Knife seen"}
    referrals.submit_referral(db.session, team["social_worker"], data)
    rows = csv_rows(login(team["youth_worker"]).get(f"/cases/{case.id}/chronology.csv"))
    assert [(r["category"], r["from_referral"]) for r in rows] == [("referral", "yes")]
    assert "Referral to" in rows[0]["summary"] and "Knife" not in rows[0]["summary"]


def test_the_case_page_links_to_both_exports_with_its_filters(login, team, case, chronology):
    soup = page(login(team["youth_worker"]).get(f"/cases/{case.id}?category=contact"))
    links = {a.get_text(strip=True): a["href"] for a in soup.select("#chronology ~ p.sc-no-print a")}
    assert links["Print this chronology"] == f"/cases/{case.id}/chronology/print?category=contact"
    assert links["download it as a spreadsheet (CSV)"] == f"/cases/{case.id}/chronology.csv?category=contact"
