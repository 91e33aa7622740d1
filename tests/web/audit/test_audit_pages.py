"""The audit workspace pages: good GOV.UK pages, who accessed a record and on what basis, what a user did,
refused attempts, the log status panel and the checkpoint download."""

import json

import audit
from app.extensions import db
from safeguarding import break_glass, people
from tests.fixtures.tampering import tamperer
from tests.web.audit.conftest import BREAK_GLASS_REASON
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary, main_text


def rows_of(response) -> list[str]:
    return [row.get_text(" ", strip=True) for row in page(response).select("tbody tr")]


def test_every_audit_page_is_a_good_page(lead_client, accesses):
    pages = [
        "/audit/",
        "/audit/?check=full",
        "/audit/people",
        f"/audit/people?person_id={accesses.child.id}",
        "/audit/users",
        f"/audit/users?user_id={accesses.youth.id}",
        "/audit/refused",
        "/audit/break-glass",
        f"/audit/break-glass/{accesses.grant.id}",
        "/audit/monitoring",
    ]
    for path in pages:
        response = lead_client.get(path)
        assert response.status_code == 200, path
        soup = assert_strict_page(response)
        if path != "/audit/":
            assert soup.select_one(".govuk-back-link"), path


def test_the_audit_link_is_in_the_navigation_for_leads_only(lead_client, login, accesses):
    assert page(lead_client.get("/")).select_one('a[href="/audit/"]')
    assert not page(login(accesses.worker).get("/")).select_one('a[href="/audit/"]')


def test_the_overview_shows_a_verified_log_with_its_checkpoint(lead_client, accesses):
    text = main_text(lead_client.get("/audit/"))
    assert "Verified" in text and "Quick" in text
    assert "Latest checkpoint" in text and "None yet" not in text
    full = main_text(lead_client.get("/audit/?check=full"))
    assert "Full: every field" in full


def test_a_full_check_that_passes_says_so_in_a_success_banner(lead_client, accesses):
    assert not page(lead_client.get("/audit/")).select_one("main .govuk-notification-banner")
    banner = page(lead_client.get("/audit/?check=full")).select_one("main .govuk-notification-banner--success")
    text = banner.get_text(" ", strip=True)
    assert "The audit log verifies" in text and "sealed events" in text


def test_the_overview_names_the_first_bad_event_of_a_tampered_log(app, lead_client, accesses):
    lead_client.get("/audit/")  # sealed
    tamperer(db.engine)("UPDATE audit_events SET leaf_hash = :zeros WHERE seq = 5", zeros=bytes(32))
    response = lead_client.get("/audit/")
    soup = assert_strict_page(response)
    text = main_text(response)
    assert "Does not verify" in text and "First bad event: 5" in text
    assert soup.select_one(".govuk-warning-text")


def test_who_accessed_a_record_shows_each_access_with_its_basis_and_the_break_glass_reason(lead_client, accesses):
    response = lead_client.get(f"/audit/people?person_id={accesses.child.id}")
    rows = rows_of(response)
    worker = accesses.worker.display_name
    youth = accesses.youth.display_name
    (worker_view,) = [r for r in rows if worker in r and "View" in r]
    assert "On the case team" in worker_view and "Recorded the person" in worker_view
    (youth_view,) = [r for r in rows if youth in r and "View" in r]
    assert "Emergency access (break-glass)" in youth_view and BREAK_GLASS_REASON in youth_view
    assert "Flagged for review" in youth_view
    (glass,) = [r for r in rows if "Break glass" in r]
    assert BREAK_GLASS_REASON in glass
    (refusal,) = [r for r in rows if accesses.officer.display_name in r]
    assert "Refused" in refusal
    # Agency and role at the time, and no personal data of the child: only their reference.
    assert accesses.youth.agency.name in youth_view and "youth worker" in youth_view
    assert "Amara" not in main_text(response)


def test_a_pasted_link_to_the_record_works_as_its_reference(lead_client, accesses):
    response = lead_client.get(
        "/audit/people", query_string={"person_id": f"https://sc.example/people/{accesses.child.id}"}
    )
    assert response.status_code == 200 and len(rows_of(response)) >= 5


def test_a_reference_that_is_not_one_is_explained(lead_client):
    for value in ("", "Amara Bell"):
        response = lead_client.get("/audit/people", query_string={"person_id": value})
        assert response.status_code == 422
        assert "person" in error_summary(response).lower()
        assert_error_links_resolve(response)
        assert_strict_page(response)


def test_a_reference_nobody_accessed_says_so(lead_client):
    response = lead_client.get("/audit/people?person_id=3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30")
    assert "Nobody has accessed" in main_text(response)


def test_what_a_user_did(lead_client, accesses):
    chooser = page(lead_client.get("/audit/users"))
    assert chooser.select_one(f'option[value="{accesses.youth.id}"]')
    response = lead_client.get(f"/audit/users?user_id={accesses.youth.id}")
    rows = rows_of(response)
    assert len(rows) == 2
    assert any("Break glass" in r for r in rows) and any("View" in r for r in rows)
    assert accesses.child.id in main_text(response)


def test_choosing_no_user_or_an_unknown_one_is_explained(lead_client):
    for value in ("", "3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30"):
        response = lead_client.get("/audit/users", query_string={"user_id": value})
        assert response.status_code == 422
        assert "Select" in error_summary(response)
        assert_error_links_resolve(response)


def test_refused_attempts_are_listed(lead_client, login, accesses):
    login(accesses.officer).get("/audit/")  # a refused route, audited as denied
    rows = rows_of(lead_client.get("/audit/refused"))
    officer = [r for r in rows if accesses.officer.display_name in r]
    assert len(officer) == 2
    assert any(accesses.child.id in r for r in officer)
    assert any("audit_pages.overview" in r for r in officer)
    assert all("Refused" in r for r in rows)


def test_the_checkpoint_download_is_a_signed_checkpoint_of_the_whole_log(lead_client, accesses):
    response = lead_client.get("/audit/checkpoint.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    document = json.loads(response.get_data(as_text=True))
    checkpoint, _key = audit.load_exported(document)
    assert checkpoint.size == len(audit_events())  # every event so far, the download's own included
    result = audit.verify(db.engine, _signing_key(), document)
    assert result.ok


def test_break_glass_by_a_lead_then_shows_in_the_queue(lead, lead_client, accesses):
    break_glass.break_glass(db.session, lead, accesses.child.id, "Checking a report from a school about her safety")
    people.view_person(db.session, lead, accesses.child.id)
    rows = rows_of(lead_client.get("/audit/break-glass"))
    assert len([r for r in rows if "Review" in r]) == 2


def _signing_key() -> bytes:
    from safeguarding.runtime import current

    return current().signing_key
