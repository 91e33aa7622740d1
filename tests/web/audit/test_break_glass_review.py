"""Reviewing emergency access: the queue, the review form, the saved verdict, and the audit of the review."""

from app.extensions import db
from models.safeguarding_events import BreakGlassGrant
from safeguarding import break_glass
from tests.web.audit.conftest import BREAK_GLASS_REASON
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary, main_text, post_form


def grant_of(grant_id: str) -> BreakGlassGrant:
    db.session.expire_all()
    return db.session.get(BreakGlassGrant, grant_id)


def test_the_queue_lists_grants_awaiting_review_with_their_reason_and_use(lead_client, accesses):
    response = lead_client.get("/audit/break-glass")
    (row,) = [r.get_text(" ", strip=True) for r in page(response).select("tbody tr")]
    assert accesses.youth.display_name in row and BREAK_GLASS_REASON in row and accesses.child.id in row
    assert page(response).select_one(f'a[href="/audit/break-glass/{accesses.grant.id}"]')


def test_the_review_page_shows_what_was_done_under_the_grant(lead_client, accesses):
    response = lead_client.get(f"/audit/break-glass/{accesses.grant.id}")
    soup = assert_strict_page(response)
    text = main_text(response)
    assert BREAK_GLASS_REASON in text and accesses.youth.display_name in text
    rows = [r.get_text(" ", strip=True) for r in soup.select("tbody tr")]
    assert len(rows) == 2 and any("View" in r for r in rows) and any("Break glass" in r for r in rows)
    assert soup.select('input[name="outcome"]') and soup.select_one('textarea[name="note"]')


def test_a_review_is_saved_on_the_grant_and_audited(lead, lead_client, accesses):
    path = f"/audit/break-glass/{accesses.grant.id}"
    response = post_form(lead_client, path, {"outcome": "justified", "note": "Police confirmed the call-out"})
    assert response.status_code == 302 and response.headers["Location"] == "/audit/break-glass"
    grant = grant_of(accesses.grant.id)
    assert (grant.reviewed_by_id, grant.review_outcome, grant.review_note) == (
        lead.id,
        "justified",
        "Police confirmed the call-out",
    )
    assert grant.reviewed_at is not None
    (event,) = [e for e in audit_events("update") if e.object_type == "break_glass_grant"]
    assert event.actor_user_id == lead.id and event.object_id == grant.id
    assert event.detail_dict["review_outcome"] == "justified"
    assert "Police confirmed" not in (event.detail or "")  # the free-text note stays on the grant
    # Off the queue, into the recent reviews; the review page now shows the verdict, not the form.
    queue = main_text(lead_client.get("/audit/break-glass"))
    assert "No emergency access is awaiting review" in queue and "Justified" in queue
    reviewed = lead_client.get(path)
    assert "Reviewed by" in main_text(reviewed) and not page(reviewed).select('input[name="outcome"]')


def test_not_justified_needs_a_note_for_information_governance(lead_client, accesses):
    path = f"/audit/break-glass/{accesses.grant.id}"
    response = post_form(lead_client, path, {"outcome": "not_justified", "note": ""})
    assert response.status_code == 422
    assert "information governance" in error_summary(response)
    assert_error_links_resolve(response)
    assert_strict_page(response)
    assert grant_of(accesses.grant.id).reviewed_at is None
    response = post_form(lead_client, path, {"outcome": "not_justified", "note": "No call-out was logged"})
    assert response.status_code == 302
    assert grant_of(accesses.grant.id).review_outcome == "not_justified"


def test_an_outcome_must_be_chosen(lead_client, accesses):
    response = post_form(lead_client, f"/audit/break-glass/{accesses.grant.id}", {"note": "Looked at it"})
    assert response.status_code == 422
    assert "Select whether" in error_summary(response)
    assert_error_links_resolve(response)


def test_a_grant_is_reviewed_once(login, make_user, lead_client, accesses):
    other_lead = login(make_user("safeguarding_lead"))
    path = f"/audit/break-glass/{accesses.grant.id}"
    token_page = lead_client.get(path)
    assert token_page.status_code == 200
    assert post_form(other_lead, path, {"outcome": "justified"}).status_code == 302
    csrf = page(token_page).select_one('input[name="csrf_token"]')["value"]
    late = lead_client.post(path, data={"csrf_token": csrf, "outcome": "not_justified", "note": "Too late"})
    assert late.status_code == 409
    assert grant_of(accesses.grant.id).review_outcome == "justified"


def test_a_lead_cannot_review_their_own_emergency_access(lead, lead_client, accesses):
    own = break_glass.break_glass(db.session, lead, accesses.child.id, "A school rang about her and I need to check")
    path = f"/audit/break-glass/{own.id}"
    response = lead_client.get(path)
    assert "Another safeguarding lead must review it" in main_text(response)
    assert not page(response).select('input[name="outcome"]')
    # The session's CSRF token, from a page that has a form: posting anyway is refused, and audited.
    token = page(lead_client.get(f"/audit/break-glass/{accesses.grant.id}")).select_one('input[name="csrf_token"]')
    response = lead_client.post(path, data={"csrf_token": token["value"], "outcome": "justified"})
    assert response.status_code == 302
    assert grant_of(own.id).reviewed_at is None
    refusals = [e for e in audit_events("denied") if e.object_type == "break_glass_grant"]
    assert [e.object_id for e in refusals] == [own.id]


def test_a_leads_home_page_counts_emergency_access_awaiting_review(lead_client, login, accesses):
    (link,) = page(lead_client.get("/")).select('main a[href="/audit/break-glass"]')
    assert link.get_text(strip=True) == "1 use of emergency access awaiting your review"
    assert not page(login(accesses.worker).get("/")).select('main a[href="/audit/break-glass"]')


def test_a_reviewed_grant_leads_on_to_everyone_who_accessed_the_person(lead_client, accesses):
    path = f"/audit/break-glass/{accesses.grant.id}"
    who = f'a[href="/audit/people?person_id={accesses.child.id}"]'
    action = page(lead_client.get(path)).select_one(f".govuk-summary-list__actions {who}")
    assert action.get_text(strip=True) == "See who accessed their record"
    post_form(lead_client, path, {"outcome": "justified"})
    (reviewed,) = page(lead_client.get("/audit/break-glass")).select("tbody tr")
    assert reviewed.select_one(who).get_text(" ", strip=True) == f"{accesses.child.id} (who accessed their record)"
