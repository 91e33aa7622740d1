"""Reviewing flagged access: the queue of users whose reads had no case assignment in force, the review of what
each read, the saved verdict, and the audit of the review."""

import pytest

from app.extensions import db
from models.safeguarding_events import FlaggedAccessReview
from safeguarding import break_glass, people
from tests.web.helpers import audit_events, csrf_token, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary, main_text, post_form


@pytest.fixture
def recorder(make_user, record_person):
    """A police officer who recorded a young person and read the record twice: on the recorder basis only."""
    officer = make_user("police_officer", family_name="Okafor")
    child = record_person(officer, given_name="Jaden")
    people.view_person(db.session, officer, child.id)
    people.view_person(db.session, officer, child.id)
    return officer


def reviews() -> list[FlaggedAccessReview]:
    db.session.expire_all()
    return list(db.session.query(FlaggedAccessReview))


def review_path(user) -> str:
    return f"/audit/flagged/{user.id}"


def test_the_queue_lists_each_user_with_flagged_reads_and_not_case_team_reads(lead_client, accesses, recorder):
    soup = assert_strict_page(lead_client.get("/audit/flagged"))
    rows = {r.get_text(" ", strip=True) for r in soup.select("#awaiting tbody tr")}
    # The youth worker's read under emergency access, the officer's two reads as recorder; the case team's none.
    assert any(accesses.youth.display_name in r and " 1 " in f" {r} " for r in rows)
    assert any(recorder.display_name in r and " 2 " in f" {r} " for r in rows)
    assert not any(accesses.worker.display_name in r for r in rows)
    assert soup.select_one(f'#awaiting a[href="{review_path(recorder)}"]')


def test_asking_for_emergency_access_is_left_to_its_own_review(lead_client, accesses):
    (event,) = page(lead_client.get(review_path(accesses.youth))).select("tbody tr")
    assert "Emergency access (break-glass)" in event.get_text(" ", strip=True)
    assert "Break glass" not in event.get_text(" ", strip=True)


def test_the_review_page_lists_the_flagged_reads_with_their_basis(lead_client, recorder):
    soup = assert_strict_page(lead_client.get(review_path(recorder)))
    rows = [r.get_text(" ", strip=True) for r in soup.select("tbody tr")]
    assert len(rows) == 2 and all("Recorded the person (30 days)" in r for r in rows)
    assert soup.select('input[name="outcome"]') and soup.select_one('textarea[name="note"]')


def test_a_review_covers_the_reads_shown_and_is_audited_without_its_note(lead, lead_client, recorder, record_person):
    response = post_form(lead_client, review_path(recorder), {"outcome": "appropriate", "note": "Custody record"})
    assert response.status_code == 302 and response.headers["Location"] == "/audit/flagged"
    (review,) = reviews()
    assert (review.user_id, review.reviewed_by_id, review.outcome, review.events) == (
        recorder.id,
        lead.id,
        "appropriate",
        2,
    )
    (event,) = [e for e in audit_events("update") if e.object_type == "flagged_access_review"]
    assert event.actor_user_id == lead.id and event.object_id == review.id
    assert event.detail_dict == {
        "outcome": "appropriate",
        "user_id": recorder.id,
        "through_seq": review.through_seq,
        "events": 2,
    }
    assert "Custody" not in (event.detail or "")
    queue = page(lead_client.get("/audit/flagged"))
    assert not queue.select(f'#awaiting a[href="{review_path(recorder)}"]')
    assert "Appropriate" in queue.select_one("#reviewed").get_text(" ", strip=True)
    # A later flagged read waits for the next review, on its own.
    later = record_person(recorder, given_name="Mira")
    people.view_person(db.session, recorder, later.id)
    rows = page(lead_client.get(review_path(recorder))).select("tbody tr")
    assert len(rows) == 1 and later.id in rows[0].get_text(" ", strip=True)
    assert "Custody record" in main_text(lead_client.get(review_path(recorder)))


def test_a_concern_needs_a_note_for_information_governance(lead_client, recorder):
    response = post_form(lead_client, review_path(recorder), {"outcome": "concern", "note": ""})
    assert response.status_code == 422
    assert "information governance" in error_summary(response)
    assert_error_links_resolve(response)
    assert_strict_page(response)
    assert reviews() == []
    response = post_form(lead_client, review_path(recorder), {"outcome": "concern", "note": "No custody record"})
    assert response.status_code == 302 and [r.outcome for r in reviews()] == ["concern"]


@pytest.mark.parametrize("sent", [{}, {"outcome": "maybe"}])
def test_an_outcome_must_be_chosen_from_the_list(lead_client, recorder, sent):
    response = post_form(lead_client, review_path(recorder), {"note": "Looked at it", **sent})
    summary = error_summary(response)
    assert response.status_code == 422 and "Select" in summary and "appropriate" in summary
    assert reviews() == []


@pytest.mark.parametrize("through_seq", ["", "ten", "0", "-3"])
def test_a_doctored_last_event_is_refused_with_a_message(lead_client, recorder, through_seq):
    response = post_form(lead_client, review_path(recorder), {"outcome": "appropriate", "through_seq": through_seq})
    assert response.status_code == 422 and "the last event reviewed" in error_summary(response)
    assert reviews() == []


def test_reads_are_reviewed_once(login, make_user, lead_client, recorder):
    path = review_path(recorder)
    token_page = page(lead_client.get(path))
    assert post_form(login(make_user("safeguarding_lead")), path, {"outcome": "appropriate"}).status_code == 302
    stale = {field["name"]: field.get("value", "") for field in token_page.select('form input[type="hidden"]')}
    late = lead_client.post(path, data={**stale, "outcome": "concern", "note": "Too late"})
    assert late.status_code == 409
    assert [r.outcome for r in reviews()] == ["appropriate"]


def test_a_lead_cannot_review_their_own_flagged_reads(lead, lead_client, record_person, recorder):
    child = record_person(recorder, given_name="Zara")
    break_glass.break_glass(db.session, lead, child.id, "A school rang about her and I need to check who she is")
    people.view_person(db.session, lead, child.id)
    response = lead_client.get(review_path(lead))
    assert "Another safeguarding lead must review them" in main_text(response)
    assert not page(response).select('input[name="outcome"]')
    token = page(lead_client.get(review_path(recorder))).select_one('input[name="csrf_token"]')["value"]
    response = lead_client.post(
        review_path(lead), data={"csrf_token": token, "through_seq": "1", "outcome": "appropriate"}
    )
    assert response.status_code == 302 and reviews() == []
    assert [e.object_id for e in audit_events("denied") if e.object_type == "flagged_access"] == [lead.id]


def test_an_unknown_user_is_not_found(lead_client):
    assert lead_client.get("/audit/flagged/3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f").status_code == 404
    assert lead_client.get("/audit/flagged/not-an-id").status_code == 404


def test_looking_at_the_queue_and_a_review_is_audited(lead, lead_client, recorder):
    lead_client.get("/audit/flagged")
    lead_client.get(review_path(recorder))
    views = [e.detail_dict for e in audit_events("audit_view") if e.actor_user_id == lead.id]
    assert {"view": "flagged_access_queue"} in views
    assert {"view": "flagged_access_review", "user_id": recorder.id} in views


@pytest.mark.parametrize("role", ["social_worker", "police_officer", "team_manager", "youth_worker", "admin"])
def test_only_safeguarding_leads_see_or_review_flagged_access(login, make_user, lead_client, recorder, role):
    client = login(make_user(role))
    assert client.get("/audit/flagged").status_code == 403
    assert client.get(review_path(recorder)).status_code == 403
    sent = {"csrf_token": csrf_token(client, "/"), "through_seq": "1", "outcome": "appropriate"}
    assert client.post(review_path(recorder), data=sent).status_code == 403
    assert reviews() == []


def test_signed_out_users_are_sent_to_sign_in(client, recorder):
    for path in ("/audit/flagged", review_path(recorder)):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_the_audit_log_page_counts_the_users_awaiting_review(lead_client, accesses, recorder):
    (item,) = [li for li in page(lead_client.get("/audit/")).select("main li") if "Flagged access" in li.get_text()]
    assert "2 users awaiting review" in item.get_text(" ", strip=True)
    post_form(lead_client, review_path(recorder), {"outcome": "appropriate"})
    (item,) = [li for li in page(lead_client.get("/audit/")).select("main li") if "Flagged access" in li.get_text()]
    assert "1 user awaiting review" in item.get_text(" ", strip=True)
