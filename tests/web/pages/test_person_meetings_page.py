"""Strategy meetings and MACE panels about a young person, recorded from and listed on the person page."""

import pytest

from app.extensions import db
from models.context_work import Meeting
from models.user import PRACTITIONER_ROLES, ROLES
from safeguarding import merging
from safeguarding.break_glass import break_glass
from tests.web.helpers import assert_good_page, audit_events, csrf_token, page
from tests.web.pages.helpers import (
    assert_error_links_resolve,
    assert_strict_page,
    count,
    dob,
    error_summary,
    main_text,
    post_form,
)


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def police(make_user):
    return make_user("police_officer")


@pytest.fixture
def child(social_worker, police, make_person, make_case):
    """A young person on a social worker's case, with a police officer on the team."""
    person = make_person(social_worker, given_name="Amara", family_name="Bell")
    make_case(social_worker, person, members=[police])
    return person


def meetings_rows(response) -> list[list[str]]:
    table = page(response).select_one("#meetings ~ table.sc-meetings")
    assert table is not None, "no meetings table"
    return [[cell.get_text(" ", strip=True) for cell in row.select("td")] for row in table.select("tbody tr")]


def test_a_social_worker_records_a_strategy_meeting_and_sees_it_on_the_person_page(login, social_worker, police, child):
    client = login(social_worker)
    person_page = f"/people/{child.id}"
    form = f"{person_page}/meetings/new"
    before = page(client.get(person_page))
    assert "No meetings recorded." in before.select_one("main").get_text()
    assert before.select_one(f'a[href="{form}"]').get_text(" ", strip=True).startswith("Record a meeting")

    soup = assert_strict_page(client.get(form))
    assert soup.h1.get_text(strip=True) == "Record a meeting" and "Amara Bell" in soup.select_one(".govuk-caption-l")
    kinds = {
        radio["value"]: soup.select_one(f'label[for="{radio["id"]}"]').get_text(strip=True)
        for radio in soup.select('input[name="kind"]')
    }
    assert kinds == {"strategy": "Strategy meeting", "mace": "MACE panel"}
    response = post_form(
        client,
        form,
        {
            "kind": "strategy",
            "held_on": dob(2, 3, 2026),
            "attendee_ids": [social_worker.id, police.id],
            "not_invited_agency_ids": [police.agency_id],
            "decisions": "Refer to the MACE panel; disrupt the older males at the station",
            "actions-0-action": "Share the station CCTV request",
            "actions-0-due_on": dob(9, 3, 2026),
        },
    )
    assert response.status_code == 302, error_summary(response)
    assert response.headers["Location"] == f"{person_page}#meetings"

    shown = client.get(person_page)
    assert "Strategy meeting recorded" in page(shown).select_one(".govuk-notification-banner").get_text()
    [row] = meetings_rows(shown)
    assert row[0].startswith("Strategy meeting 2 March 2026") and social_worker.display_name in row[0]
    assert social_worker.display_name in row[1] and police.display_name in row[1]
    assert "Not invited" in row[1] and police.agency.name in row[1]
    assert "disrupt the older males" in row[2] and "Share the station CCTV request (by 9 March 2026)" in row[2]
    [meeting] = db.session.query(Meeting).all()
    assert (meeting.kind, meeting.person_id, meeting.chair_id) == ("strategy", child.id, social_worker.id)
    assert audit_events("create")[-1].object_id == meeting.id
    listed = [e for e in audit_events("list") if e.object_type == "meeting"]
    assert listed and listed[-1].object_id == child.id and listed[-1].person_id_list == [child.id]


def test_a_police_officer_on_the_case_records_a_mace_panel_listed_before_an_older_meeting(
    login, social_worker, police, child
):
    form = f"/people/{child.id}/meetings/new"
    earlier = {"kind": "strategy", "held_on": dob(2, 3, 2026), "decisions": "Convene a MACE panel"}
    assert post_form(login(social_worker), form, earlier).status_code == 302
    officer = login(police)
    response = post_form(officer, form, {"kind": "mace", "held_on": dob(16, 3, 2026), "decisions": "Disrupt the line"})
    assert response.status_code == 302, error_summary(response)
    shown = officer.get(f"/people/{child.id}")
    assert "MACE panel recorded" in main_text(shown)
    rows = meetings_rows(shown)
    assert [row[0].split(" Chaired")[0] for row in rows] == [
        "MACE panel 16 March 2026",
        "Strategy meeting 2 March 2026",
    ]
    assert "Not recorded" in rows[0][1]  # nobody ticked as attending
    assert sorted(m.kind for m in db.session.query(Meeting)) == ["mace", "strategy"]


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"held_on": dob("", "", "")}, "Enter the date it was held"),
        ({"held_on": dob(1, 1, 2999)}, "Date of the meeting must be today or in the past"),
        ({"held_on": dob(31, 2, 2026)}, "Date of the meeting must be a real date"),
        ({"kind": ""}, "Select strategy meeting or MACE panel"),
        ({"kind": "context_conference"}, "Select strategy meeting or MACE panel"),
        ({"decisions": ""}, "Enter the decisions made"),
    ],
)
def test_a_bad_meeting_is_refused_with_its_errors_and_nothing_is_written(login, social_worker, child, changes, message):
    good = {"kind": "strategy", "held_on": dob(2, 3, 2026), "decisions": "Refer to the MACE panel"}
    response = post_form(login(social_worker), f"/people/{child.id}/meetings/new", {**good, **changes})
    assert response.status_code == 422
    assert message in error_summary(response)
    assert_error_links_resolve(response)
    assert_good_page(response)
    assert count(Meeting) == 0


def test_a_meeting_with_an_unknown_attendee_is_refused_on_the_form_not_with_a_500(login, social_worker, child):
    form = f"/people/{child.id}/meetings/new"
    client = login(social_worker)
    data = {"csrf_token": csrf_token(client, form), "kind": "mace", "held_on": dob(2, 3, 2026), "decisions": "Disrupt"}
    response = client.post(form, data={**data, "attendee_ids": "7f3e2d1c-0b9a-4876-9543-210fedcba987"})
    assert response.status_code == 422 and "Select who attended from the list" in error_summary(response)
    assert count(Meeting) == 0


@pytest.mark.parametrize("role", sorted(set(ROLES) - set(PRACTITIONER_ROLES)))
def test_roles_that_do_not_record_work_are_refused_the_form_and_nothing_is_written(login, make_user, child, role):
    client = login(make_user(role))
    form = f"/people/{child.id}/meetings/new"
    assert client.get(form).status_code == 403
    answers = {"kind": "strategy", "held_on": dob(2, 3, 2026), "decisions": "Refer"}
    # The token of the page they may open (home), so that the refusal, not CSRF, answers the post.
    assert client.post(form, data={"csrf_token": csrf_token(client, "/"), **answers}).status_code == 403
    assert count(Meeting) == 0
    denial = audit_events("denied")[-1]
    assert denial.object_type == "route" and denial.person_id_list == [child.id]


def test_a_practitioner_with_no_relationship_to_the_person_is_refused_and_nothing_is_written(login, make_user, child):
    outsider = login(make_user("youth_worker"))
    form = f"/people/{child.id}/meetings/new"
    refused = outsider.get(form)
    assert refused.status_code == 403 and "Amara" not in refused.get_data(as_text=True)
    assert audit_events("denied")[-1].object_id == child.id
    answers = {"kind": "mace", "held_on": dob(2, 3, 2026), "decisions": "Disrupt"}
    posted = outsider.post(form, data={"csrf_token": csrf_token(outsider, "/"), **answers})
    assert posted.status_code == 403 and count(Meeting) == 0


def test_a_safeguarding_lead_with_emergency_access_reads_the_meetings_without_a_link_to_record_one(
    login, make_user, social_worker, child
):
    recorded = post_form(
        login(social_worker),
        f"/people/{child.id}/meetings/new",
        {"kind": "strategy", "held_on": dob(2, 3, 2026), "decisions": "Refer to the MACE panel"},
    )
    assert recorded.status_code == 302
    lead = make_user("safeguarding_lead")
    break_glass(db.session, lead, child.id, "Reviewing the exploitation pathway for this child")
    response = login(lead).get(f"/people/{child.id}")
    assert response.status_code == 200
    [row] = meetings_rows(response)
    assert row[0].startswith("Strategy meeting") and "Refer to the MACE panel" in row[2]
    assert not page(response).select_one('a[href$="/meetings/new"]')


def test_signing_in_is_asked_for_before_the_form(client, child):
    response = client.get(f"/people/{child.id}/meetings/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/sign-in")


def test_a_merged_duplicate_links_to_no_meeting_form_and_a_meeting_posted_to_it_is_refused(
    login, social_worker, child, make_person
):
    duplicate = make_person(social_worker, given_name="Amara", family_name="Bel")
    merging.merge_people(db.session, social_worker, child.id, duplicate.id)
    client = login(social_worker)
    assert not page(client.get(f"/people/{duplicate.id}")).select_one('a[href$="/meetings/new"]')
    answers = {"kind": "mace", "held_on": dob(2, 3, 2026), "decisions": "Disrupt"}
    refused = client.post(
        f"/people/{duplicate.id}/meetings/new", data={"csrf_token": csrf_token(client, "/"), **answers}
    )
    assert refused.status_code == 409 and "merged into another" in main_text(refused)
    assert count(Meeting) == 0
