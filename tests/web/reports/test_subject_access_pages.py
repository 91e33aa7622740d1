"""Subject access: a lead confirms their password and security code again, then gets the bundle as a page or JSON."""

import json
from datetime import UTC, datetime, timedelta

import pyotp
import time_machine

from app.extensions import db
from models.user import ROLES, User
from safeguarding import merging, people
from tests.fixtures.accounts import PASSWORD, totp_now
from tests.fixtures.caseloads import record
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page
from tests.web.pages.helpers import assert_error_links_resolve, assert_strict_page, error_summary, main_text


def confirm_path(person) -> str:
    return f"/subject-access/{person.id}/confirm"


def reauthenticate(client, person, password=PASSWORD, code=None, user=None, fmt="html"):
    path = f"{confirm_path(person)}?format={fmt}"
    data = {"csrf_token": csrf_token(client, path), "password": password, "code": code or totp_now(user)}
    return client.post(path, data=data)


def failures(user) -> int:
    db.session.expire_all()
    return db.session.get(User, user.id).failed_sign_ins


def test_a_lead_starts_a_request_with_a_persons_reference_or_a_link_to_their_record(lead_client, subject):
    child = subject["child"]
    start = lead_client.get("/subject-access")
    assert start.status_code == 200
    assert_strict_page(start)
    asked = lead_client.get("/subject-access", query_string={"person_id": f"https://sc.example/people/{child.id}"})
    assert asked.status_code == 302 and asked.headers["Location"] == f"/subject-access/{child.id}"
    wrong = lead_client.get("/subject-access", query_string={"person_id": "Quillonetta"})
    assert wrong.status_code == 422 and "Enter the reference from the person's record" in error_summary(wrong)
    assert_error_links_resolve(wrong)


def test_without_re_authentication_the_lead_is_sent_to_confirm_who_they_are(lead_client, subject):
    child = subject["child"]
    response = lead_client.get(f"/subject-access/{child.id}")
    assert response.status_code == 302 and response.headers["Location"] == f"{confirm_path(child)}?format=html"
    assert lead_client.get(f"/subject-access/{child.id}?format=json").headers["Location"].endswith("format=json")
    soup = assert_strict_page(lead_client.get(confirm_path(child)))
    assert soup.h1.get_text(strip=True) == "Confirm it is you"
    assert soup.select_one('input[name="password"][type="password"]') and soup.select_one('input[name="code"]')
    assert audit_events("export") == []


def test_a_wrong_password_or_code_is_a_form_error_and_counts_towards_lock_out(lead, lead_client, subject):
    child = subject["child"]
    wrong_password = reauthenticate(lead_client, child, password="not my password at all", user=lead)
    assert wrong_password.status_code == 422
    assert "The password or security code is not right" in error_summary(wrong_password)
    assert_error_links_resolve(wrong_password)
    assert failures(lead) == 1
    wrong_code = reauthenticate(lead_client, child, code="000000")
    assert wrong_code.status_code == 422 and "not right" in error_summary(wrong_code)
    assert failures(lead) == 2
    assert [json.loads(e.detail)["why"] for e in audit_events("sign_in_failed")] == ["bad_password", "bad_totp"]
    assert lead_client.get(f"/subject-access/{child.id}").status_code == 302  # still not confirmed
    assert audit_events("export") == []


def test_locking_the_account_by_re_authenticating_signs_the_lead_out(app, lead, lead_client, subject):
    child = subject["child"]
    for _ in range(app.config["LOCKOUT_THRESHOLD"]):
        assert reauthenticate(lead_client, child, password="wrong password", user=lead).status_code == 422
    locked = reauthenticate(lead_client, child, user=lead)
    assert locked.status_code == 302 and locked.headers["Location"].startswith("/sign-in")
    assert lead_client.get("/subject-access").headers["Location"].startswith("/sign-in")


def test_after_re_authentication_the_bundle_shows_the_persons_records_and_no_one_elses_name(lead, lead_client, subject):
    child = subject["child"]
    confirmed = reauthenticate(lead_client, child, user=lead)
    assert confirmed.status_code == 302 and confirmed.headers["Location"] == f"/subject-access/{child.id}?format=html"
    assert json.loads(audit_events("sign_in")[-1].detail) == {"method": "totp", "channel": "reauthentication"}
    response = lead_client.get(confirmed.headers["Location"])
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    soup = assert_strict_page(response)
    text = main_text(response)
    assert "Quillonetta" in text and "Zarb" in text and "1 Marker Street" in text
    assert "Saw Quillonetta with [another person] [another person] at home" in text
    assert "Sibling" in text and "[another person]" in text
    html = response.get_data(as_text=True)
    for name in ("Barnabus", "barnabus", "Vexley", "VEXLEY"):
        assert name not in html
    assert soup.select_one("#accessed-by") and "View" in text
    event = audit_events("export")[-1]
    assert (event.object_type, event.object_id, event.person_id_list) == ("subject_access", child.id, [child.id])


def test_the_json_download_has_the_same_bundle_and_is_audited(lead, lead_client, subject):
    child = subject["child"]
    reauthenticate(lead_client, child, user=lead, fmt="json")
    response = lead_client.get(f"/subject-access/{child.id}?format=json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    bundle = json.loads(response.get_data(as_text=True))
    assert bundle["person"]["given_name"] == "Quillonetta" and len(bundle["cases"]) == 1
    assert len(bundle["referrals"]) == 1 and bundle["referrals"][0]["reason"] == "Seen with [another person]"
    assert "Barnabus" not in response.get_data(as_text=True)
    assert audit_events("export")[-1].person_id_list == [child.id]


def test_a_re_authentication_older_than_five_minutes_is_asked_for_again(lead, lead_client, subject):
    child = subject["child"]
    reauthenticate(lead_client, child, user=lead)
    assert lead_client.get(f"/subject-access/{child.id}").status_code == 200
    later = datetime.now(UTC) + timedelta(minutes=5, seconds=30)
    with time_machine.travel(later):
        stale = lead_client.get(f"/subject-access/{child.id}")
        assert stale.status_code == 302 and stale.headers["Location"].startswith(confirm_path(child))
        code = pyotp.TOTP(lead.totp_secret).now()
        assert reauthenticate(lead_client, child, code=code).status_code == 302
        assert lead_client.get(f"/subject-access/{child.id}").status_code == 200
    assert len(audit_events("export")) == 2


def test_an_unknown_person_is_404_after_re_authentication_for_someone_else(lead, lead_client, subject):
    nobody = "3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30"
    reauthenticate(lead_client, subject["child"], user=lead)
    assert lead_client.get(f"/subject-access/{nobody}").headers["Location"].startswith(f"/subject-access/{nobody}/")
    assert lead_client.get(f"/subject-access/{nobody}/confirm").status_code == 404
    assert lead_client.get("/subject-access/not-an-id").status_code == 404


def test_an_unknown_person_is_404_before_the_lead_is_asked_to_re_authenticate(lead_client):
    nobody = "3f2b6c1e-0d7a-4e59-9b8e-2c4f1a6d9e30"
    assert lead_client.get(f"/subject-access/{nobody}").status_code == 302  # to confirm who they are
    assert lead_client.get(f"/subject-access/{nobody}/confirm").status_code == 404


def test_only_safeguarding_leads_reach_subject_access(client, login, make_user, subject):
    child = subject["child"]
    paths = ["/subject-access", f"/subject-access/{child.id}", confirm_path(child)]
    for role in set(ROLES) - {"safeguarding_lead"}:
        user_client = login(make_user(role))
        for path in paths:
            assert user_client.get(path).status_code == 403, (role, path)
    for path in paths:
        assert client.get(path).headers["Location"].startswith("/sign-in")


def test_the_subject_access_pages_are_good_pages(lead, lead_client, subject):
    child = subject["child"]
    for path in ("/subject-access", confirm_path(child)):
        assert_good_page(lead_client.get(path))
    reauthenticate(lead_client, child, user=lead)
    soup = page(lead_client.get(f"/subject-access/{child.id}"))
    assert soup.select_one("a[href$='format=json']") and soup.select_one(".sc-no-print")


def test_a_bundle_asked_for_by_a_merged_records_id_shows_the_survivor_and_what_the_merged_record_held(
    lead, lead_client, subject
):
    child = subject["child"]
    worker = db.session.get(User, child.recorded_by_id)
    duplicate = record(worker, "Quilonetta", "Zarb", address="2 Old Street")
    merging.merge_people(db.session, worker, child.id, duplicate.id)
    reauthenticate(lead_client, duplicate, user=lead)
    response = lead_client.get(f"/subject-access/{duplicate.id}")
    assert response.status_code == 200
    soup = assert_strict_page(response)
    assert soup.select_one(".sc-reference").get_text() == child.id
    merged = soup.select_one("#merged-records").find_next("dl").get_text(" ", strip=True)
    assert "Quilonetta" in merged and "2 Old Street" in merged
    assert "Barnabus" not in response.get_data(as_text=True)


def test_the_bundle_page_shows_everything_the_json_holds_with_no_one_elses_name(lead, lead_client, subject):
    child, police = subject["child"], subject["police"]
    people_update = {"flags": ["missing_from_home"], "version": child.version}
    people.update_person(db.session, subject["worker"], child.id, people_update)
    people.update_person(db.session, subject["worker"], child.id, {"flags": [], "version": child.version})
    reauthenticate(lead_client, child, user=lead)
    response = lead_client.get(f"/subject-access/{child.id}")
    soup = assert_strict_page(response)
    html = response.get_data(as_text=True)
    for leaked in ("Barnabus", "Vexley", "900123"):
        assert leaked not in html
    text = main_text(response)
    ties = soup.select_one("#relationships").find_next("table").get_text(" ", strip=True)
    assert "[another person] rings her on [another person]" in ties and "Last seen 30 April 2026" in ties
    assert "Source 2, information B, handling P" in ties and "Ridley Park" in ties
    assert "Missing from home" in soup.select_one("#record").find_next("table").get_text(" ", strip=True)
    case = soup.select_one("#case-1").find_parent("section").get_text(" ", strip=True)
    assert "Ask [another person] to meet" in case and "Risk level High" in case
    referral = soup.select_one("#referral-1").find_parent("section").get_text(" ", strip=True)
    assert "Consent not sought" in referral
    assert "[another person] would hear" in referral and "[another person] is known to another force" in referral
    assert "Declined" in referral and police.display_name in referral
    meeting = soup.select_one("#meeting-1").find_parent("section").get_text(" ", strip=True)
    assert (
        "Ridley Park" in meeting
        and police.display_name in meeting
        and "Patrol when [another person] is about" in meeting
    )
    assessment = soup.select_one("#assessment-1").find_parent("section").get_text(" ", strip=True)
    assert "[another person] deals by the gates" in assessment
    assert "Context conference" in text


def test_a_re_authentication_opens_the_bundle_of_the_person_it_was_for_only(lead, lead_client, subject, make_user):
    child, other = subject["child"], record(make_user("social_worker"), "Other")
    reauthenticate(lead_client, child, user=lead)
    elsewhere = lead_client.get(f"/subject-access/{other.id}")
    assert elsewhere.status_code == 302 and elsewhere.headers["Location"].startswith(confirm_path(other))
    assert lead_client.get(f"/subject-access/{child.id}").status_code == 200
    assert [e.object_id for e in audit_events("export")] == [child.id]
