"""The partnership report page and its CSV: the service's figures, small numbers hidden, formulas neutralised."""

import csv
import io
from datetime import UTC, datetime

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from models.case import Case
from models.user import ROLES
from safeguarding import contexts
from tests.fixtures.caseloads import FORMULA_AGENCY, NOVEMBER
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary

REPORT = f"/reports/partnership?start={NOVEMBER[0]}&end={NOVEMBER[1]}"
REPORT_CSV = f"/reports/partnership.csv?start={NOVEMBER[0]}&end={NOVEMBER[1]}"


def table(soup, table_id: str) -> dict[str, list[str]]:
    """A report table as {row heading: [cells]}."""
    rows = soup.select(f"#{table_id} tbody tr")
    return {r.th.get_text(" ", strip=True): [td.get_text(" ", strip=True) for td in r.select("td")] for r in rows}


def csv_rows(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_the_report_page_shows_the_services_figures_with_small_numbers_as_fewer_than_5(lead_client, caseload):
    response = lead_client.get(REPORT)
    assert response.status_code == 200
    soup = assert_strict_page(response)
    assert soup.h1.get_text(strip=True) == "Partnership report"
    assert "1 November 2026 to 30 November 2026" in soup.select_one("main").get_text(" ", strip=True)
    # this period, previous period, change
    assert table(soup, "table-open-cases")["Open cases on the last day of the period"] == ["7", "7", "no change"]
    summary = table(soup, "table-referrals")
    assert summary["Referrals sent in the period"] == ["9", "0", "+9"]
    assert summary["Decided within the timescale"][0] == "100%"
    assert summary["Median time from sending to decision"][0] == "3.0 hours"
    assert summary["People referred again within 12 months"][0] == "not shown"
    # red 2 is small, and amber 7 would give it away from the total of 9: both hidden.
    urgency = table(soup, "table-referrals-by-urgency")
    assert urgency["Red"][0] == "not shown" and urgency["Amber"][0] == "not shown" and urgency["Green"][0] == "0"
    assert table(soup, "table-referrals-by-agency")[FORMULA_AGENCY][:2] == ["9", "100%"]
    concern_rows = [r.get_text(" ", strip=True) for r in soup.select("#table-open-cases-by-concern tbody tr")]
    # cse/low is small beside zeros only: the 7 open cases less a shown cce/high 6 would give it away.
    assert concern_rows[:3] == ["Child criminal exploitation (CCE) Low 0 0 no change", "Medium 0 0 no change",
                                "High not shown not shown – cannot be shown"]  # fmt: skip
    assert concern_rows[3] == "Child sexual exploitation (CSE) Low not shown not shown – cannot be shown"


def test_the_page_explains_suppression_and_marks_hidden_cells(lead_client, caseload):
    soup = page(lead_client.get(REPORT))
    assert "a count from 1 to 4 is “not shown”" in soup.select_one(".govuk-inset-text").get_text(" ")
    hidden = {cell.get_text(strip=True) for cell in soup.select(".sc-suppressed")}
    assert hidden == {"not shown", "not shown: too few decided to show safely"}  # counts, and percentages or medians
    assert not any(cell.get_text(strip=True) in ("1", "2", "3", "4") for cell in soup.select(".sc-report-table td"))


def test_each_chart_is_an_image_with_a_title_and_its_table_beside_it(lead_client, caseload):
    soup = page(lead_client.get(REPORT))
    charts = soup.select("svg.sc-chart")
    assert len(charts) >= 6
    for chart in charts:
        assert chart["role"] == "img"
        title_id, desc_id = chart["aria-labelledby"].split()
        assert chart.select_one(f"title#{title_id}").get_text(strip=True)
        assert chart.select_one(f"desc#{desc_id}")
        assert not chart.select("[style]") and not chart.select("style") and not chart.select("script")
        assert chart.parent.find_next_sibling("table")["class"] == ["govuk-table", "sc-report-table"]
    urgency = soup.select_one("#chart-referrals-by-urgency")
    assert urgency.title.get_text() == "Referrals by urgency"
    assert "not shown" in urgency.get_text(" ") and not urgency.select("rect.sc-chart__bar")  # hidden: no bar
    agency = soup.select_one("#chart-referrals-by-agency")
    assert [r["width"] for r in agency.select("rect.sc-chart__bar--current")] == ["300"]  # 9 of 9: the full span


def test_a_breakdown_with_nothing_in_either_period_says_so_without_an_empty_chart(lead_client, caseload):
    soup = page(lead_client.get("/reports/partnership?start=2025-11-01&end=2025-12-01"))
    referrals = soup.select_one("section[aria-labelledby=referrals]")
    assert not referrals.select("#chart-referrals-by-agency, #table-referrals-by-agency")
    assert "None in either period." in referrals.get_text(" ")


def test_producing_the_report_is_audited(lead, lead_client, caseload):
    lead_client.get(REPORT)
    event = audit_events("view")[-1]
    assert (event.object_type, event.object_id, event.actor_user_id) == ("report", "partnership", lead.id)
    assert event.person_id_list == []


def test_the_csv_has_the_same_figures_with_small_numbers_hidden_and_is_audited_as_export(lead, lead_client, caseload):
    response = lead_client.get(REPORT_CSV)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert "2026-11-01-to-2026-11-30" in response.headers["Content-Disposition"]
    rows = {(r["figure"], r["category"]): r for r in csv_rows(response)}
    assert rows[("First day", "")]["this_period"] == "2026-11-01"
    assert rows[("Last day", "")]["previous_period"] == "2026-10-31"
    assert rows[("How many, and how quickly decided", "Referrals sent in the period")]["this_period"] == "9"
    assert rows[("Referrals by urgency", "Red")]["this_period"] == "suppressed"
    assert rows[("Referrals by urgency", "Green")]["this_period"] == "0"
    assert rows[("How many, and how quickly decided", "Decided within the timescale")]["this_period"] == "100"
    assert (
        rows[("How many, and how quickly decided", "Decided within the timescale")]["previous_period"] == "suppressed"
    )
    event = audit_events("export")[-1]
    assert (event.object_type, event.object_id, event.actor_user_id) == ("report", "partnership", lead.id)


def test_csv_cells_that_a_spreadsheet_would_run_are_neutralised(lead_client, caseload):
    text = lead_client.get(REPORT_CSV).get_data(as_text=True)
    rows = csv_rows(lead_client.get(REPORT_CSV))
    agency = next(r for r in rows if r["figure"] == "Referrals by receiving agency")
    assert agency["category"] == "'" + FORMULA_AGENCY and agency["this_period"] == "9"
    for row in csv.reader(io.StringIO(text)):
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_home_linked_to_many_young_people_is_not_named_on_the_page_or_in_the_csv(lead_client, caseload):
    """The report's hotspots are places where young people meet, not households: a home is left out entirely."""
    sw = caseload["worker"]
    flat = contexts.create_place(db.session, sw, {"name": "Flat 3, 12 Canal Row", "kind": "address"})
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    for child in db.session.scalars(sa.select(Case.subject_person_id)):
        for place, kind in ((flat, "found_at"), (park, "frequents")):
            link = {"source": {"type": "person", "id": child}, "target": {"type": "place", "id": place.id}}
            contexts.add_relationship(db.session, sw, {**link, "kind": kind, "first_seen": "2026-10-05"})
    response = lead_client.get(REPORT)
    assert table(page(response), "table-place-hotspots") == {"Riverside Park": ["7", "7", "no change"]}
    assert "Canal Row" not in response.get_data(as_text=True)
    export = lead_client.get(REPORT_CSV).get_data(as_text=True)
    assert "Riverside Park" in export and "Canal Row" not in export


@pytest.mark.parametrize(
    "query, problem",
    [
        ("start=2026-12-01&end=2026-11-01", "The end must be after the start"),
        ("start=2026-11-31&end=2026-12-01", "Give the period as two dates"),
        ("start=yesterday", "Give the period as two dates"),
        ("start=2000-01-01&end=2026-01-01", "at most ten years"),
        ("start=0001-01-01&end=0001-02-01", "after 1900"),
    ],
)
def test_a_bad_iso_period_is_refused_with_422_on_the_page_csv_and_api(lead, lead_client, api, query, problem):
    response = lead_client.get(f"/reports/partnership?{query}")
    assert response.status_code == 422
    assert problem in error_summary(response)
    assert_error_links_resolve(response)
    assert lead_client.get(f"/reports/partnership.csv?{query}").status_code == 422
    refused = lead_client.get(f"/api/v1/reports/partnership?{query}", headers=api(lead))
    assert refused.status_code == 422 and refused.get_json()["fields"]
    assert audit_events("export") == []


def period_query(first: tuple, last: tuple) -> list[tuple[str, str]]:
    """The two GOV.UK date inputs: day, month and year boxes that share a name."""
    return [("period_start", v) for v in first] + [("period_end", v) for v in last]


def test_the_period_form_takes_first_and_last_days_and_says_what_is_wrong(lead_client, caseload):
    report = "/reports/partnership"
    shown = lead_client.get(report, query_string=period_query(("1", "11", "2026"), ("30", "11", "2026")))
    assert shown.status_code == 200
    assert table(page(shown), "table-referrals")["Referrals sent in the period"][0] == "9"
    assert "start=2026-11-01&amp;end=2026-12-01" in shown.get_data(as_text=True)  # the CSV link: end exclusive
    wrong = lead_client.get(report, query_string=period_query(("31", "2", "2026"), ("1", "", "2026")))
    assert wrong.status_code == 422
    assert "First day must be a real date" in error_summary(wrong)
    assert "Last day must include a month" in error_summary(wrong)
    assert_error_links_resolve(wrong)
    backwards = lead_client.get(report, query_string=period_query(("1", "3", "2026"), ("1", "2", "2026")))
    assert backwards.status_code == 422 and "The last day must be the same as or after" in error_summary(backwards)
    assert [e.object_type for e in audit_events("view")].count("report") == 1  # only the good period made one


def test_without_a_period_the_report_covers_the_last_full_quarter(login, lead):
    with time_machine.travel(datetime(2026, 5, 15, 12, tzinfo=UTC)):
        response = login(lead).get("/reports/partnership")
    assert response.status_code == 200
    text = page(response).select_one("main").get_text(" ", strip=True)
    assert "1 January 2026 to 31 March 2026" in text
    assert "start=2026-01-01&amp;end=2026-04-01" in response.get_data(as_text=True)


def test_only_safeguarding_leads_reach_the_report(app, client, login, make_user, api):
    for role in set(ROLES) - {"safeguarding_lead"}:
        user = make_user(role)
        assert login(user).get(REPORT).status_code == 403, role
        assert login(user).get(REPORT_CSV).status_code == 403, role
        assert client.get("/api/v1/reports/partnership", headers=api(user)).status_code == 403, role
    assert client.get(REPORT).status_code == 302
    assert client.get(REPORT).headers["Location"].startswith("/sign-in")
    assert client.get("/api/v1/reports/partnership").status_code == 401
