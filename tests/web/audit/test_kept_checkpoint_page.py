"""Checking the log against a checkpoint kept outside SafeContext, from the audit pages: a match, a log that no
longer holds what the checkpoint signed, and files that are no checkpoint."""

import io
import json

import pytest
from sqlalchemy import text as sql

from app.extensions import db
from safeguarding import people
from tests.fixtures.tampering import tamperer
from tests.web.helpers import audit_events, csrf_token, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary, main_text

PATH = "/audit/kept-checkpoint"


def upload(client, content: bytes, filename: str = "checkpoint.json"):
    data = {"csrf_token": csrf_token(client, PATH), "checkpoint": (io.BytesIO(content), filename)}
    return client.post(PATH, data=data, content_type="multipart/form-data")


@pytest.fixture
def kept(lead_client, accesses) -> bytes:
    return lead_client.get("/audit/checkpoint.json").get_data()


def test_the_page_is_linked_from_the_overview_and_asks_for_the_file(lead_client, accesses):
    assert page(lead_client.get("/audit/")).select_one(f'main a[href="{PATH}"]')
    soup = assert_strict_page(lead_client.get(PATH))
    assert soup.select_one('form[enctype="multipart/form-data"] input[type="file"][name="checkpoint"]')


def test_a_kept_checkpoint_matches_the_log_it_came_from_as_the_log_grows(lead_client, accesses, kept):
    people.view_person(db.session, accesses.worker, accesses.child.id)  # more events after the export
    response = upload(lead_client, kept)
    assert response.status_code == 200
    banner = page(response).select_one("main .govuk-notification-banner--success")
    size = json.loads(kept)["size"]
    assert "matches the checkpoint you kept" in banner.get_text(" ", strip=True)
    assert f"first {size:,} events" in banner.get_text(" ", strip=True)
    (look,) = [e for e in audit_events("audit_view") if (e.detail_dict or {}).get("size") == size]
    assert look.detail_dict == {"view": "kept_checkpoint", "size": size}


def test_a_log_changed_since_the_checkpoint_was_kept_is_reported(app, lead_client, accesses, kept):
    with db.engine.connect() as conn:
        canonical = conn.execute(sql("SELECT canonical FROM audit_events WHERE seq = 2")).scalar_one()
    forged = bytes(canonical).replace(b'"success"', b'"failure"')
    tamperer(db.engine)("UPDATE audit_events SET canonical = :c WHERE seq = 2", c=forged)
    response = upload(lead_client, kept)
    assert response.status_code == 200
    assert not page(response).select(".govuk-notification-banner--success")
    assert "does not match the checkpoint you kept" in main_text(response) and "Event 2" in main_text(response)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "Choose the checkpoint file"),
        (b"not json", "not a checkpoint exported from SafeContext"),
        (b"[1, 2]", "not a checkpoint exported from SafeContext"),
        (b"\xff\xfe", "not a checkpoint exported from SafeContext"),
        (b" " * (65 * 1024), "smaller than 64 KB"),
    ],
)
def test_a_file_that_is_no_checkpoint_is_explained_on_the_form(lead_client, accesses, content, message):
    response = upload(lead_client, content)
    assert response.status_code == 422 and message in error_summary(response)
    assert_error_links_resolve(response)
    assert not page(response).select(".govuk-notification-banner--success")


def test_a_checkpoint_edited_after_it_was_kept_does_not_pass_as_one(lead_client, accesses, kept):
    document = json.loads(kept)
    document["size"] += 1
    response = upload(lead_client, json.dumps(document).encode())
    assert response.status_code == 422 and "it was changed" in error_summary(response)


@pytest.mark.parametrize("role", ["social_worker", "police_officer", "team_manager", "admin"])
def test_only_safeguarding_leads_check_the_log(login, make_user, accesses, kept, role):
    client = login(make_user(role))
    assert client.get(PATH).status_code == 403
    data = {"csrf_token": csrf_token(client, "/"), "checkpoint": (io.BytesIO(kept), "checkpoint.json")}
    assert client.post(PATH, data=data, content_type="multipart/form-data").status_code == 403


def test_signed_out_users_are_sent_to_sign_in(client):
    response = client.get(PATH)
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")
