"""The audit workspace's filters beside a listing's subject: an action, a day to start from, and the events before
a full page; the CSV takes the same filters."""

import csv
import io
from datetime import timedelta

import pytest

from safeguarding import audit_workspace
from safeguarding.validation import uk_today
from tests.web.helpers import page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary


def rows_of(response) -> list[str]:
    return [row.get_text(" ", strip=True) for row in page(response).select("tbody tr")]


def date_parts(day) -> list[str]:
    return [str(day.day), str(day.month), str(day.year)]


def test_who_accessed_a_record_can_be_narrowed_to_one_action(lead_client, accesses):
    every = rows_of(lead_client.get("/audit/people", query_string={"person_id": accesses.child.id}))
    response = lead_client.get("/audit/people", query_string={"person_id": accesses.child.id, "action": "view"})
    assert_strict_page(response)
    views = rows_of(response)
    assert views and len(views) < len(every) and all(" View " in f" {r} " for r in views)
    assert page(response).select_one('select[name="action"] option[value="view"][selected]')


def test_what_a_user_did_can_start_from_a_day(lead_client, accesses):
    query = {"user_id": accesses.youth.id, "since": date_parts(uk_today())}
    assert len(rows_of(lead_client.get("/audit/users", query_string=query))) == 2
    year_ago = {"user_id": accesses.youth.id, "since": date_parts(uk_today() - timedelta(days=365))}
    assert len(rows_of(lead_client.get("/audit/users", query_string=year_ago))) == 2


@pytest.mark.parametrize(
    ("sent", "message"),
    [
        ({"action": "peek"}, "Choose an action"),
        ({"since": ["31", "2", "2026"]}, "From"),
        ({"since": ["1", "1", "2999"]}, "past"),
    ],
)
def test_a_bad_filter_is_explained_on_the_page(lead_client, accesses, sent, message):
    response = lead_client.get("/audit/people", query_string={"person_id": accesses.child.id, **sent})
    assert response.status_code == 422 and message.lower() in error_summary(response).lower()
    assert_error_links_resolve(response)
    assert not page(response).select("tbody tr")


def test_a_full_page_leads_on_to_the_events_before_it_with_the_same_filters(monkeypatch, lead_client, accesses):
    monkeypatch.setattr(audit_workspace, "LIMIT_DEFAULT", 2)
    query = {"person_id": accesses.child.id, "since": date_parts(uk_today())}
    first = page(lead_client.get("/audit/people", query_string=query))
    assert len(first.select("tbody tr")) == 2
    earlier = first.select_one("a#earlier")["href"]
    assert "since=" in earlier and "before_seq=" in earlier
    second = page(lead_client.get(earlier))
    shown = [r.get_text(" ", strip=True) for r in first.select("tbody tr") + second.select("tbody tr")]
    assert len(second.select("tbody tr")) >= 1 and len(set(shown)) == len(shown)
    seqs = [int(r.split("Event ")[1].split()[0]) for r in shown if "Event " in r and "not yet" not in r]
    assert seqs == sorted(seqs, reverse=True)


def test_the_spreadsheet_holds_what_the_filters_chose(lead_client, accesses):
    listing = page(lead_client.get("/audit/people", query_string={"person_id": accesses.child.id, "action": "view"}))
    href = next(a["href"] for a in listing.select("main a") if "/audit/export/person-access.csv" in a["href"])
    assert "action=view" in href
    rows = list(csv.DictReader(io.StringIO(lead_client.get(href).get_data(as_text=True))))
    assert rows and {r["action"] for r in rows} == {"view"}


def test_a_doctored_link_to_earlier_events_is_refused_with_a_message(lead_client, accesses):
    response = lead_client.get("/audit/people", query_string={"person_id": accesses.child.id, "before_seq": "ten"})
    assert response.status_code == 422 and "sequence number" in response.get_data(as_text=True)
    assert not page(response).select("tbody tr")
