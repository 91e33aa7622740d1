"""Moving a chronology entry recorded on the wrong case from the case page: offered beside each entry the viewer may
move, the case it belongs on named by link or reference, checked, then moved; refused as the API refuses it."""

import uuid

import pytest

from app.extensions import db
from models.case import ChronologyEntry
from safeguarding import case_closure, cases, merging
from safeguarding.break_glass import break_glass
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import (
    assert_error_links_resolve,
    error_summary,
    main_text,
    post_confirmation,
    post_form,
)


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def youth_worker(make_user):
    return make_user("youth_worker")


@pytest.fixture
def wrong(worker, youth_worker, make_person, make_case):
    return make_case(worker, make_person(worker, given_name="Kai", family_name="Morgan"), members=[youth_worker])


@pytest.fixture
def right(worker, make_person, make_case):
    return make_case(worker, make_person(worker, given_name="Jayden", family_name="Clarke"))


@pytest.fixture
def entry(worker, wrong, add_entry):
    return add_entry(worker, wrong, "2026-01-10", "home_visit", "general", "Visited Jayden at home, mother present")


def move_path(case, entry) -> str:
    return f"/cases/{case.id}/chronology/{entry.id}/move"


def check(client, case, entry, reference: str):
    return post_form(client, move_path(case, entry), {"case": reference})


def case_of(entry) -> str:
    db.session.expire_all()
    return db.session.get(ChronologyEntry, entry.id).case_id


def moves() -> list[dict]:
    return [e.detail_dict for e in audit_events("update") if (e.detail_dict or {}).get("change") == "moved"]


def move_links(response) -> list[str]:
    return [a["href"] for a in page(response).select(".sc-chronology a") if a["href"].endswith("/move")]


def test_a_team_member_moves_an_entry_to_the_case_it_belongs_on(login, worker, wrong, right, entry):
    client = login(worker)
    case_page = client.get(f"/cases/{wrong.id}")
    assert move_links(case_page) == [move_path(wrong, entry)]
    soup = assert_good_page(client.get(move_path(wrong, entry)))
    assert "Visited Jayden at home" in soup.select_one(".govuk-summary-list").get_text()
    assert audit_events("view")[-1].object_id == entry.id

    checked = check(client, wrong, entry, f"http://localhost/cases/{right.id}#chronology")
    assert checked.status_code == 200
    summary = assert_good_page(checked).select_one(".govuk-summary-list").get_text(" ", strip=True)
    assert "Moving to The case about Jayden Clarke" in summary and "Now on The case about Kai Morgan" in summary
    shown = audit_events("view")[-1]
    assert (shown.object_id, shown.detail_dict["move_entry"]) == (right.id, entry.id)
    assert case_of(entry) == wrong.id and moves() == []

    moved = post_confirmation(client, checked)
    assert moved.status_code == 302 and moved.headers["Location"] == f"/cases/{wrong.id}#chronology"
    back = client.get(moved.headers["Location"])
    assert "Entry moved to the case about Jayden Clarke" in page(back).select_one(".govuk-notification-banner").text
    assert "Visited Jayden at home" not in main_text(back)
    there = main_text(client.get(f"/cases/{right.id}"))
    assert "Visited Jayden at home, mother present" in there and "Moved here from another case" in there
    assert case_of(entry) == right.id
    assert moves() == [{"change": "moved", "from_case": wrong.id, "to_case": right.id}]


@pytest.mark.parametrize(
    ("reference", "message"),
    [
        ("", "Enter the link or reference of the case to move the entry to"),
        ("x" * 301, "The link or reference must be 300 characters or fewer"),
        ("7e3a884d-ab6c-445a-b57c-0b1f0a6d8a9e", "No case has that link or reference"),
        ("Jayden's case", "No case has that link or reference"),
        ("SAME", "Choose a different case"),
    ],
)
def test_a_reference_that_names_no_other_case_is_shown_on_the_form_with_422(
    login, worker, wrong, right, entry, reference, message
):
    client = login(worker)
    refused = check(client, wrong, entry, reference.replace("SAME", f"/cases/{wrong.id}"))
    assert refused.status_code == 422
    assert message in error_summary(refused)
    assert page(refused).select_one('.govuk-error-summary a[href="#case"]')
    assert_error_links_resolve(refused)
    assert_good_page(refused)
    assert case_of(entry) == wrong.id and moves() == []


def test_a_case_whose_team_the_mover_is_not_on_is_refused_with_403_audited(
    login, worker, wrong, entry, make_user, make_person, make_case
):
    other = make_user("social_worker")
    theirs = make_case(other, make_person(other, given_name="Tyrese", family_name="Hidden"))
    client = login(worker)
    refused = check(client, wrong, entry, theirs.id)
    assert refused.status_code == 403 and "team of both cases" in error_summary(refused)
    assert "Tyrese" not in refused.get_data(as_text=True)
    forced = post_form(client, move_path(wrong, entry), {"step": "confirm", "case": theirs.id})
    assert forced.status_code == 403
    assert [e.object_id for e in audit_events("denied")] == [entry.id, entry.id]
    assert case_of(entry) == wrong.id and moves() == []


def test_an_entry_whose_content_is_withheld_or_hidden_is_not_offered_or_movable(
    login, worker, youth_worker, wrong, right, add_entry, make_user
):
    officer, nurse = make_user("police_officer"), make_user("health_practitioner")
    for member in (officer, nurse):
        cases.add_member(db.session, worker, wrong.id, member.id)
    intelligence = add_entry(officer, wrong, "2026-01-05", "intelligence", "intelligence", "Seen with a dealer")
    health = add_entry(nurse, wrong, "2026-01-06", "health_attendance", "health", "Attended ED")
    mine = add_entry(youth_worker, wrong, "2026-01-07", "contact", "general", "Detached session")
    client = login(youth_worker)
    assert move_links(client.get(f"/cases/{wrong.id}")) == [move_path(wrong, mine)]
    withheld = client.get(move_path(wrong, intelligence))
    assert withheld.status_code == 403 and "Seen with a dealer" not in withheld.get_data(as_text=True)
    assert client.get(move_path(wrong, health)).status_code == 404
    assert [e.object_id for e in audit_events("denied")] == [intelligence.id]
    assert case_of(intelligence) == case_of(health) == wrong.id and moves() == []


def test_a_reader_who_is_not_on_the_team_is_offered_no_move_and_refused(login, wrong, entry, make_user, worker, right):
    reader = make_user("police_officer")
    break_glass(db.session, reader, wrong.subject_person_id, "Missing overnight, last seen with an adult of concern")
    client = login(reader)
    case_page = client.get(f"/cases/{wrong.id}")
    assert case_page.status_code == 200 and move_links(case_page) == []
    posted = post_form(client, "/", {"case": right.id}, move_path(wrong, entry))  # the token from a page they may see
    for response in (client.get(move_path(wrong, entry)), posted):
        assert response.status_code == 403
    assert [e.object_id for e in audit_events("denied")] == [entry.id, entry.id]
    assert case_of(entry) == wrong.id and moves() == []


def test_an_entry_moved_by_someone_else_after_the_page_was_opened_is_409(
    login, worker, wrong, right, entry, make_person, make_case
):
    third = make_case(worker, make_person(worker, given_name="Lou"))
    client = login(worker)
    checked = check(client, wrong, entry, right.id)
    merging.move_chronology_entry(db.session, worker, entry.id, third.id)
    stale = post_confirmation(client, checked)
    assert stale.status_code == 409 and "moved to another case since you opened this page" in main_text(stale)
    assert client.get(move_path(wrong, entry)).status_code == 409
    assert case_of(entry) == third.id and len(moves()) == 1


def test_a_target_case_closed_after_it_was_checked_takes_no_entry(login, worker, wrong, right, entry):
    client = login(worker)
    checked = check(client, wrong, entry, right.id)
    case_closure.change_case_status(
        db.session, worker, right.id, {"version": 1, "status": "closed", "closed_reason": "Moved away"}
    )
    refused = post_confirmation(client, checked)
    assert refused.status_code == 403 and "team of both cases" in error_summary(refused)
    assert case_of(entry) == wrong.id and moves() == []


def test_an_unknown_entry_or_one_of_another_case_is_404(login, worker, wrong, right, entry):
    client = login(worker)
    assert client.get(f"/cases/{wrong.id}/chronology/{uuid.uuid4()}/move").status_code == 404
    assert client.get(move_path(right, entry)).status_code == 404
    assert client.get(f"/cases/{uuid.uuid4()}/chronology/{entry.id}/move").status_code == 404
