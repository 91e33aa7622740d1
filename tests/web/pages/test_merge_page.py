"""Merging a duplicate record from the person page: the duplicate named by link or reference, both records checked
side by side, then merged; offered to, and done by, only those the service lets merge."""

import uuid

import pytest

from app.extensions import db
from models.person import Person
from safeguarding import merging, people
from safeguarding.break_glass import break_glass
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import (
    assert_error_links_resolve,
    error_summary,
    main_text,
    post_confirmation,
    post_form,
)

MERGE_LINK = "Merge a duplicate record into this one"


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def survivor(worker, make_person):
    return make_person(worker, given_name="Jayden", family_name="Clarke", date_of_birth="2011-03-27")


@pytest.fixture
def duplicate(worker, make_person):
    return make_person(worker, given_name="Jaden", family_name="Clark", date_of_birth="2011-03-27", address="Flat 2")


def stored(person) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person.id)


def merges() -> list[dict]:
    return [e.detail_dict for e in audit_events("update") if (e.detail_dict or {}).get("change") == "merged"]


def check(client, survivor, reference: str):
    return post_form(client, f"/people/{survivor.id}/merge", {"duplicate": reference})


def assert_nothing_merged(survivor, duplicate):
    assert stored(duplicate).merged_into_id is None and stored(survivor).merged_into_id is None
    assert (stored(survivor).version, stored(survivor).aliases or []) == (1, [])
    assert merges() == []


def test_a_practitioner_pastes_the_duplicates_link_checks_both_records_and_merges_them(
    login, worker, survivor, duplicate
):
    client = login(worker)
    person_page = page(client.get(f"/people/{survivor.id}"))
    assert person_page.find("a", string=MERGE_LINK)["href"] == f"/people/{survivor.id}/merge"
    assert_good_page(client.get(f"/people/{survivor.id}/merge"))

    checked = check(client, survivor, f"http://localhost/people/{duplicate.id}?from=search")
    assert checked.status_code == 200
    soup = assert_good_page(checked)
    compared = {
        row.th.get_text(strip=True): [cell.get_text(" ", strip=True) for cell in row.select("td")]
        for row in soup.select(".sc-merge-records tbody tr")
    }
    assert compared["Name"] == ["Jayden Clarke", "Jaden Clark"]
    assert [dob.split(",")[0] for dob in compared["Date of birth"]] == ["27 March 2011", "27 March 2011"]
    assert compared["Address"] == ["Not recorded", "Flat 2"] and compared["Reference"] == [survivor.id, duplicate.id]
    shown = audit_events("view")[-1]
    assert (shown.object_id, set(shown.person_id_list)) == (duplicate.id, {survivor.id, duplicate.id})
    assert_nothing_merged(survivor, duplicate)

    merged = post_confirmation(client, checked)
    assert merged.status_code == 302 and merged.headers["Location"] == f"/people/{survivor.id}"
    after = client.get(merged.headers["Location"])
    assert "Records merged" in page(after).select_one(".govuk-notification-banner").get_text()
    assert "Jaden Clark" in main_text(after)  # the duplicate's name, kept as another name
    assert stored(duplicate).merged_into_id == survivor.id
    assert merges() == [{"change": "merged", "merged": duplicate.id}]
    duplicate_page = client.get(f"/people/{duplicate.id}")
    assert "was merged into" in main_text(duplicate_page)
    assert not page(duplicate_page).find("a", string=MERGE_LINK)


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Enter the link or reference of the duplicate record"),
        ("x" * 301, "The link or reference must be 300 characters or fewer"),
        ("5fdfb328-82a1-4b6d-99d1-e73f6079059f", "No person has that link or reference"),
        ("Jaden Clark", "No person has that link or reference"),
        ("SURVIVOR", "Choose two different records to merge"),
    ],
)
def test_a_reference_that_names_no_other_record_is_shown_on_the_form_with_422(
    login, worker, survivor, duplicate, reference, message
):
    client = login(worker)
    refused = check(client, survivor, reference.replace("SURVIVOR", f"/people/{survivor.id.upper()}"))
    assert refused.status_code == 422
    assert message in error_summary(refused)
    assert page(refused).select_one('.govuk-error-summary a[href="#duplicate"]')
    assert_error_links_resolve(refused)
    assert_good_page(refused)
    assert_nothing_merged(survivor, duplicate)


def test_a_duplicate_already_merged_elsewhere_is_409_on_the_form(login, worker, survivor, duplicate, make_person):
    other = make_person(worker, given_name="Jay")
    merging.merge_people(db.session, worker, other.id, duplicate.id)
    refused = check(login(worker), survivor, duplicate.id)
    assert refused.status_code == 409 and "already been merged" in error_summary(refused)
    assert stored(duplicate).merged_into_id == other.id and stored(survivor).aliases in (None, [])


def test_a_record_changed_after_it_was_checked_is_not_merged_until_checked_again(login, worker, survivor, duplicate):
    client = login(worker)
    checked = check(client, survivor, duplicate.id)
    people.update_person(db.session, worker, duplicate.id, {"version": 1, "date_of_birth": "2010-01-05"})
    stale = post_confirmation(client, checked)
    assert stale.status_code == 409
    assert "changed after you checked it" in error_summary(stale)
    assert page(stale).select_one("input#duplicate")["value"] == duplicate.id  # ready to check again
    assert stored(duplicate).merged_into_id is None and merges() == []
    assert post_confirmation(client, check(client, survivor, duplicate.id)).status_code == 302


def test_a_duplicate_merged_elsewhere_after_it_was_checked_is_409(login, worker, survivor, duplicate, make_person):
    client = login(worker)
    checked = check(client, survivor, duplicate.id)
    other = make_person(worker, given_name="Jay")
    merging.merge_people(db.session, worker, other.id, duplicate.id)
    stale = post_confirmation(client, checked)
    assert stale.status_code == 409 and "already been merged" in error_summary(stale)
    assert stored(duplicate).merged_into_id == other.id and len(merges()) == 1


def test_a_confirmation_without_the_versions_checked_asks_to_check_again(login, worker, survivor, duplicate):
    client = login(worker)
    checked = check(client, survivor, duplicate.id)
    refused = post_confirmation(client, checked, survivor_version="", duplicate_version="x")
    assert refused.status_code == 422 and "Continue to check the two records again" in error_summary(refused)
    assert_error_links_resolve(refused)
    assert_nothing_merged(survivor, duplicate)


def test_a_duplicate_the_practitioner_may_not_see_is_refused_with_403_audited_and_unnamed(
    login, worker, survivor, make_user, make_person
):
    theirs = make_person(make_user("police_officer"), given_name="Tyrese", family_name="Hidden")
    client = login(worker)
    refused = check(client, survivor, theirs.id)
    assert refused.status_code == 403
    assert "legitimate relationship" in error_summary(refused) and "Tyrese" not in refused.get_data(as_text=True)
    assert [e.object_id for e in audit_events("denied")] == [theirs.id]
    assert stored(theirs).merged_into_id is None and merges() == []
    # The confirmation, posted without the check, is refused the same way.
    forced = post_form(
        client,
        f"/people/{survivor.id}/merge",
        {"step": "confirm", "duplicate": theirs.id, "survivor_version": "1", "duplicate_version": "1"},
    )
    assert forced.status_code == 403 and stored(theirs).merged_into_id is None and merges() == []


def test_emergency_access_to_either_record_is_not_enough_to_merge(login, worker, survivor, make_user, make_person):
    officer = make_user("police_officer")
    real = make_person(officer, given_name="Tyrese")
    break_glass(db.session, worker, real.id, "Missing overnight, found with an adult of concern")
    client = login(worker)
    # The real record, read through emergency access, offers no merge and its merge page is refused.
    assert client.get(f"/people/{real.id}").status_code == 200
    assert not page(client.get(f"/people/{real.id}")).find("a", string=MERGE_LINK)
    refused = client.get(f"/people/{real.id}/merge")
    assert refused.status_code == 403 and "Emergency access lets you read this record" in main_text(refused)
    # Nor can it be folded into one of the practitioner's own records.
    folded = check(client, survivor, real.id)
    assert folded.status_code == 403 and "Emergency access lets you read this record" in error_summary(folded)
    assert [e.object_id for e in audit_events("denied")] == [real.id, real.id]
    assert stored(real).merged_into_id is None and merges() == []


def test_a_practitioner_with_no_relationship_to_the_record_is_refused_and_audited(
    login, make_user, survivor, duplicate
):
    client = login(make_user("social_worker"))
    for response in (
        client.get(f"/people/{survivor.id}/merge"),
        post_form(client, "/", {"duplicate": duplicate.id}, f"/people/{survivor.id}/merge"),
    ):
        assert response.status_code == 403 and "Jayden" not in response.get_data(as_text=True)
    assert [e.object_id for e in audit_events("denied")] == [survivor.id, survivor.id]
    assert_nothing_merged(survivor, duplicate)


def test_a_merged_record_takes_no_duplicate_and_an_unknown_one_is_404(login, worker, survivor, duplicate):
    merging.merge_people(db.session, worker, survivor.id, duplicate.id)
    client = login(worker)
    assert client.get(f"/people/{duplicate.id}/merge").status_code == 409
    assert client.get(f"/people/{uuid.uuid4()}/merge").status_code == 404
