"""The person page: full, limited or no access, emergency access, relationships and missing episodes."""

import re
import uuid
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from app.extensions import db
from models.context import Relationship
from models.safeguarding_events import MissingEpisode
from safeguarding.break_glass import break_glass
from safeguarding.validation import uk_today
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, count, dob, error_summary, main_text, post_form

LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def child(social_worker, make_person):
    return make_person(
        social_worker,
        given_name="Amara",
        family_name="Bell",
        address="3 Linden Walk",
        notes="Disclosed being asked to carry parcels",
        flags=["victim_of_exploitation", "looked_after"],
    )


def test_the_recorder_sees_every_field_and_who_set_each_flag(login, social_worker, child):
    response = login(social_worker).get(f"/people/{child.id}")
    soup = assert_good_page(response)
    text = main_text(response)
    assert soup.h1.get_text(strip=True) == "Amara Bell"
    assert soup.title.get_text(strip=True) == "Person record – SafeContext"  # kept in history: no child's name
    assert "3 Linden Walk" in text and "Disclosed being asked to carry parcels" in text
    flags = soup.select_one("#flags ~ table").get_text(" ", strip=True)
    assert "Victim of exploitation" in flags and social_worker.display_name in flags
    assert soup.select_one(f'a[href="/people/{child.id}/cases/new"]')
    assert audit_events("view")[-1].object_id == child.id


def test_a_context_neighbour_sees_limited_information_with_a_link_to_emergency_access(
    login, make_user, social_worker, child, make_person, make_case, relate
):
    brother = make_person(social_worker, given_name="Tyrese", family_name="Bell", notes="Known to YJS")
    relate(social_worker, brother, child, "sibling")
    youth_worker = make_user("youth_worker")
    make_case(social_worker, brother, members=[youth_worker])
    response = login(youth_worker).get(f"/people/{child.id}")
    assert response.status_code == 200
    soup = assert_good_page(response)
    text = main_text(response)
    assert "You can see limited information" in text
    assert "Sibling" in text and "Victim of exploitation" in text  # victim status is shown to every agency
    assert "3 Linden Walk" not in text and "carry parcels" not in text and "Looked after" not in text
    assert soup.select_one(f'.govuk-inset-text a[href="/people/{child.id}/break-glass"]')


def test_a_user_with_no_relationship_gets_403_with_a_link_to_emergency_access(login, make_user, child):
    response = login(make_user("education_practitioner")).get(f"/people/{child.id}")
    assert response.status_code == 403
    soup = assert_good_page(response)
    assert "Amara" not in soup.text and "Bell" not in soup.text
    assert soup.select_one(f'a[href="/people/{child.id}/break-glass"]')
    assert audit_events("denied")[-1].object_id == child.id


def test_an_admin_gets_403_and_no_emergency_access_link(login, make_user, child):
    response = login(make_user("admin")).get(f"/people/{child.id}")
    assert response.status_code == 403
    soup = page(response)
    assert "Amara" not in soup.text and not soup.select('a[href*="break-glass"]')


def test_emergency_access_needs_a_reason_of_20_characters_then_opens_the_record(login, make_user, child):
    officer = login(make_user("police_officer"))
    form_page = f"/people/{child.id}/break-glass"
    soup = assert_good_page(officer.get(form_page))
    assert "reviewed by the safeguarding lead" in soup.select_one(".govuk-warning-text").text
    assert "Amara" not in soup.text

    too_short = post_form(officer, form_page, {"reason": "Urgent, sorry"})
    assert too_short.status_code == 422
    assert "in at least 20 characters" in error_summary(too_short)
    assert officer.get(f"/people/{child.id}").status_code == 403

    granted = post_form(officer, form_page, {"reason": "Found at 02:00 in a trap house, possible county lines"})
    assert granted.status_code == 302 and granted.headers["Location"] == f"/people/{child.id}"
    person_page = officer.get(f"/people/{child.id}")
    assert person_page.status_code == 200
    banner = page(person_page).select_one(".govuk-notification-banner").get_text(" ", strip=True)
    until = re.search(r"emergency access to this record until (\d\d:\d\d)", banner)[1]
    expected = [(datetime.now(UTC) + timedelta(minutes=m)).astimezone(LONDON).strftime("%H:%M") for m in (59, 60)]
    assert until in expected
    assert "through emergency access" in main_text(person_page)
    event = audit_events("break_glass")[-1]
    assert event.flagged and event.reason.startswith("Found at 02:00")
    # Emergency access cannot be made to last: no case or referral is offered, and the warning says whom to ask.
    offered = {a["href"] for a in page(person_page).select("main a")}
    assert f"/people/{child.id}/cases/new" not in offered and f"/people/{child.id}/referrals/new" not in offered
    assert "needs lasting access" in main_text(person_page)


def test_unknown_people_places_and_groups_are_404(login, social_worker):
    client = login(social_worker)
    unknown = uuid.uuid4()
    for path in (f"/people/{unknown}", f"/people/{unknown}/break-glass", f"/places/{unknown}", f"/groups/{unknown}"):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/people/{unknown}/cases/new").status_code == 404


def test_a_practitioner_adds_a_relationship_to_a_place_by_pasting_its_link(login, social_worker, child):
    client = login(social_worker)
    place = post_form(client, "/places/new", {"name": "Rowan Court stairwell", "kind": "estate", "area": "Eastgate"})
    place_url = place.headers["Location"]
    assert "Rowan Court stairwell" in main_text(client.get(place_url))
    form_page = f"/people/{child.id}/relationships/new"
    form = assert_good_page(client.get(form_page))

    def offered(select: str, text: str) -> str:
        """The value the page's option posts, as a browser would send it."""
        options = form.select(f'select[name="{select}"] option')
        return next(option["value"] for option in options if option.get_text(strip=True) == text)

    data = {
        "kind": "frequents",
        "target": f"http://localhost{place_url}",
        "first_seen": dob(2, 2, 2026),
        "grading_source": offered("grading_source", "2"),
        "grading_information": offered("grading_information", "B"),
        "grading_handling": offered("grading_handling", "P"),
    }
    response = post_form(client, form_page, data)
    assert response.status_code == 302
    table = page(client.get(f"/people/{child.id}")).select_one("#relationships ~ table").get_text(" ", strip=True)
    assert "Frequents" in table and "Rowan Court stairwell" in table and "2BP" in table


def test_a_relationship_to_someone_unknown_or_of_the_wrong_type_is_refused(login, social_worker, child):
    client = login(social_worker)
    form_page = f"/people/{child.id}/relationships/new"
    unknown = post_form(client, form_page, {"kind": "sibling", "target": str(uuid.uuid4())})
    assert unknown.status_code == 422 and "No person has that link or reference" in error_summary(unknown)
    wrong = post_form(client, form_page, {"kind": "sibling", "target": "", "grading_source": "1"})
    assert wrong.status_code == 422 and "Enter the link or reference" in error_summary(wrong)
    bad_date = post_form(
        client, form_page, {"kind": "sibling", "target": str(uuid.uuid4()), "first_seen": dob(30, 2, 2026)}
    )
    assert bad_date.status_code == 422 and "First seen must be a real date" in error_summary(bad_date)
    assert count(Relationship) == 0


def test_the_other_person_in_a_relationship_is_named_only_to_those_who_may_see_them(
    login, make_user, social_worker, child, make_person, relate
):
    adult = make_person(social_worker, given_name="Dean", family_name="Marsh", flags=["adult_of_concern"])
    relate(social_worker, adult, child, "adult_contact")
    officer = make_user("police_officer")
    break_glass(db.session, officer, child.id, "Found at 02:00 in a trap house, possible county lines")
    table = page(login(officer).get(f"/people/{child.id}")).select_one("#relationships ~ table")
    assert "Adult contact" in table.text and "A person you cannot see" in table.text and "Dean" not in table.text
    mine = page(login(social_worker).get(f"/people/{child.id}")).select_one("#relationships ~ table")
    assert "Dean Marsh" in mine.text


@pytest.fixture
def friendship(login, social_worker, child, make_person, relate):
    """The social worker signed in, the child's friendship with Kai Doyle (first seen 5 January 2026), and the page
    that ends it."""
    friend = make_person(social_worker, given_name="Kai", family_name="Doyle")
    relate(social_worker, child, friend, "friend", first_seen="2026-01-05")
    edge = db.session.query(Relationship).one()
    return login(social_worker), edge, f"/people/{child.id}/relationships/{edge.id}/end"


def test_a_practitioner_ends_a_relationship_which_leaves_the_current_list_but_not_the_history(child, friendship):
    client, edge, end_page = friendship
    table = page(client.get(f"/people/{child.id}")).select_one("#relationships ~ table")
    assert table.find("a", href=end_page).get_text(" ", strip=True) == "End the relationship with Kai Doyle"
    assert "Kai Doyle" in assert_good_page(client.get(end_page)).main.get_text()
    too_early = post_form(client, end_page, {"ended_on": dob(4, 1, 2026)})
    assert too_early.status_code == 422 and "on or after the date the relationship was first seen" in error_summary(
        too_early
    )
    assert post_form(client, end_page, {"ended_on": dob(20, 2, 2026)}).status_code == 302
    db.session.expire_all()
    assert str(edge.ended_on) == "2026-02-20" and db.session.query(Relationship).count() == 1
    assert "No relationships recorded." in main_text(client.get(f"/people/{child.id}"))
    again = client.get(end_page)
    assert again.status_code == 409 and "already ended, on 2026-02-20" in main_text(again)


def test_an_overdue_membership_is_confirmed_from_the_page_and_is_no_longer_flagged(login, social_worker, child, relate):
    from safeguarding import contexts

    group = contexts.create_group(db.session, social_worker, {"name": "<b>Eastside</b> crew"})
    relate(social_worker, child, group, "member_of", target_type="group", first_seen="2024-01-01")
    edge = db.session.query(Relationship).one()
    client = login(social_worker)
    soup = page(client.get(f"/people/{child.id}"))
    assert "Review overdue" in soup.select_one("#relationships ~ table").text
    action = f"/people/{child.id}/relationships/{edge.id}/review"
    button = soup.select_one(f'form[action="{action}"] button')
    assert button.get_text(" ", strip=True) == "Still a member of <b>Eastside</b> crew: confirm on review"
    confirmed = post_form(client, f"/people/{child.id}", {}, action)
    assert confirmed.status_code == 302
    after = assert_good_page(client.get(confirmed.headers["Location"]))
    assert "Membership confirmed" in after.select_one(".govuk-notification-banner").text
    assert "Review overdue" not in after.select_one("#relationships ~ table").text
    db.session.expire_all()
    assert edge.review_on == uk_today() + timedelta(days=180)
    no_token = client.post(action, data={})
    assert no_token.status_code == 400  # the CSRF token is checked before anything is written
    db.session.expire_all()
    assert [e.detail_dict for e in audit_events("update") if e.object_id == edge.id] == [{"change": "reviewed"}]


def test_ending_a_relationship_again_from_a_second_tab_is_refused_and_keeps_the_first_end(friendship):
    client, edge, end_page = friendship
    second_tab = {"csrf_token": page(client.get(end_page)).select_one('input[name="csrf_token"]')["value"]}
    assert post_form(client, end_page, {"ended_on": dob(20, 2, 2026)}).status_code == 302
    refused = client.post(end_page, data={**second_tab, "ended_on": dob(1, 3, 2026)})
    assert refused.status_code == 409 and "already ended" in main_text(refused)
    db.session.expire_all()
    assert str(edge.ended_on) == "2026-02-20"


def test_a_relationship_recorded_on_the_other_persons_record_is_not_ended_from_this_one(
    login, social_worker, child, make_person, relate
):
    friend = make_person(social_worker, given_name="Kai", family_name="Doyle")
    relate(social_worker, friend, child, "friend")
    edge = db.session.query(Relationship).one()
    client = login(social_worker)
    table = page(client.get(f"/people/{child.id}")).select_one("#relationships ~ table")
    assert table.find("a", href=re.compile("/end$")) is None
    assert post_form(client, f"/people/{child.id}/relationships/{edge.id}/end", {}).status_code == 404
    assert client.get(f"/people/{child.id}/relationships/{uuid.uuid4()}/end").status_code == 404
    db.session.expire_all()
    assert edge.ended_on is None


def test_missing_episodes_show_counts_and_a_late_return_interview(login, social_worker, child):
    client = login(social_worker)
    form_page = f"/people/{child.id}/missing-episodes/new"
    assert_good_page(client.get(form_page))
    five_days_ago = datetime.now(UTC) - timedelta(days=5)
    four_days_ago = five_days_ago + timedelta(days=1)
    data = {
        "reported_on": dob(*five_days_ago.strftime("%d %m %Y").split()),
        "reported_time": "21:30",
        "returned_on": dob(*four_days_ago.strftime("%d %m %Y").split()),
        "returned_time": "07:15",
    }
    assert post_form(client, form_page, data).status_code == 302
    soup = page(client.get(f"/people/{child.id}"))
    section = soup.select_one("#missing").find_next("p").get_text(" ", strip=True)
    assert section == "1 in the last 30 days, 1 in the last 90 days."
    assert "Late" in soup.select_one("#missing ~ table").get_text(" ", strip=True)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date the child was reported missing"),
        ({"reported_on": dob(1, 2, 2026), "reported_time": "25:00"}, "as hours and minutes"),
        ({"reported_on": dob(1, 2, 2026), "reported_time": "10:00", "returned_on": dob(1, 2, 2026)}, "Enter the time"),
        (
            {
                "reported_on": dob(2, 2, 2026),
                "reported_time": "10:00",
                "returned_on": dob(1, 2, 2026),
                "returned_time": "9:00",
            },
            "The return must be after the child was reported missing",
        ),
        ({"reported_on": dob(29, 3, 2026), "reported_time": "01:30"}, "UK clocks did not show 01:30 that day"),
        (
            {
                "reported_on": dob(28, 3, 2026),
                "reported_time": "22:00",
                "returned_on": dob(29, 3, 2026),
                "returned_time": "1:59",
            },
            "UK clocks did not show 01:59 that day",
        ),
    ],
)
def test_a_bad_missing_episode_is_refused_and_nothing_is_written(login, social_worker, child, data, message):
    response = post_form(login(social_worker), f"/people/{child.id}/missing-episodes/new", data)
    assert response.status_code == 422 and message in error_summary(response)
    assert count(MissingEpisode) == 0


def test_a_time_of_the_hour_repeated_when_the_clocks_go_back_and_the_hour_after_they_go_forward_are_taken(
    login, social_worker, child
):
    data = {
        "reported_on": dob(29, 3, 2026),
        "reported_time": "02:00",
        "returned_on": dob(25, 10, 2026),
        "returned_time": "01:30",
    }
    assert post_form(login(social_worker), f"/people/{child.id}/missing-episodes/new", data).status_code == 302
    episode = db.session.query(MissingEpisode).one()
    assert episode.reported_at.astimezone(UTC).isoformat() == "2026-03-29T01:00:00+00:00"
    assert episode.returned_at.astimezone(UTC).isoformat() == "2026-10-25T00:30:00+00:00"  # the first 01:30 (BST)


def test_a_second_episode_while_the_child_is_still_missing_is_refused(login, social_worker, child):
    client = login(social_worker)
    record_still_missing(client, child)
    yesterday = datetime.now(UTC) - timedelta(days=1)
    again = {"reported_on": dob(*yesterday.strftime("%d %m %Y").split()), "reported_time": "09:00"}
    response = post_form(client, f"/people/{child.id}/missing-episodes/new", again)
    assert response.status_code == 422 and "already missing from" in error_summary(response)
    assert_error_links_resolve(response)
    assert count(MissingEpisode) == 1


def record_still_missing(client, child) -> MissingEpisode:
    two_days_ago = datetime.now(UTC) - timedelta(days=2)
    data = {"reported_on": dob(*two_days_ago.strftime("%d %m %Y").split()), "reported_time": "21:30"}
    assert post_form(client, f"/people/{child.id}/missing-episodes/new", data).status_code == 302
    return db.session.query(MissingEpisode).one()


def test_the_return_and_then_the_interview_offer_are_recorded_on_an_open_episode(login, social_worker, child):
    client = login(social_worker)
    episode = record_still_missing(client, child)
    update_page = f"/people/{child.id}/missing-episodes/{episode.id}"
    soup = page(client.get(f"/people/{child.id}"))
    assert soup.find("a", href=update_page).get_text(" ", strip=True).startswith("Record the return")
    assert "Record the return" in assert_good_page(client.get(update_page)).h1.get_text()
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(LONDON)
    returned = {"returned_on": dob(*yesterday.strftime("%d %m %Y").split()), "returned_time": "07:15"}
    assert post_form(client, update_page, returned).status_code == 302
    db.session.expire_all()
    assert episode.returned_at.astimezone(LONDON).strftime("%d %m %Y %H:%M") == yesterday.strftime("%d %m %Y 07:15")
    soup = page(client.get(f"/people/{child.id}"))
    assert soup.find("a", href=update_page).get_text(" ", strip=True).startswith("Record the offer")
    assert "Still missing" not in soup.select_one("#missing ~ table").get_text()
    offer_page = page(client.get(update_page))
    assert offer_page.h1.get_text() == "Record the return-home interview offer"
    assert offer_page.find(attrs={"name": "returned_on-day"}) is None
    offered = {"interview_on": dob(*yesterday.strftime("%d %m %Y").split()), "interview_time": "10:00"}
    assert post_form(client, update_page, offered).status_code == 302
    db.session.expire_all()
    assert episode.return_interview_offered_at is not None and episode.returned_at is not None
    assert page(client.get(f"/people/{child.id}")).find("a", href=update_page) is None


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Enter the date and time of the return or of the interview offer"),
        ({"returned_on": dob(1, 2, 2026)}, "Enter the time of the return"),
        ({"interview_on": dob(1, 2, 2026), "interview_time": "10:00"}, "Record the return before the interview"),
        ({"returned_on": dob(1, 1, 2000), "returned_time": "10:00"}, "The return must be after"),
    ],
)
def test_a_bad_return_is_refused_and_the_episode_is_unchanged(login, social_worker, child, data, message):
    client = login(social_worker)
    episode = record_still_missing(client, child)
    response = post_form(client, f"/people/{child.id}/missing-episodes/{episode.id}", data)
    assert response.status_code == 422 and message in error_summary(response)
    db.session.expire_all()
    assert (episode.returned_at, episode.return_interview_offered_at, episode.version) == (None, None, 1)


def test_a_return_saved_from_a_page_drawn_before_another_change_is_refused_with_a_message(login, social_worker, child):
    client = login(social_worker)
    episode = record_still_missing(client, child)
    update_page = f"/people/{child.id}/missing-episodes/{episode.id}"
    stale = page(client.get(update_page)).select_one('input[name="version"]')["value"]
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(LONDON)
    returned = {"returned_on": dob(*yesterday.strftime("%d %m %Y").split()), "returned_time": "07:15"}
    assert post_form(client, update_page, returned).status_code == 302
    offered = {"interview_on": dob(*yesterday.strftime("%d %m %Y").split()), "interview_time": "10:00"}
    response = post_form(client, update_page, {**offered, "version": stale})
    assert response.status_code == 409 and "changed" in error_summary(response)
    assert_error_links_resolve(response)
    db.session.expire_all()
    assert episode.return_interview_offered_at is None and episode.version == 2


def test_a_blank_offer_after_the_return_points_at_the_offer_fields(login, social_worker, child):
    client = login(social_worker)
    episode = record_still_missing(client, child)
    update_page = f"/people/{child.id}/missing-episodes/{episode.id}"
    yesterday = (datetime.now(UTC) - timedelta(days=1)).astimezone(LONDON)
    returned = {"returned_on": dob(*yesterday.strftime("%d %m %Y").split()), "returned_time": "07:15"}
    assert post_form(client, update_page, returned).status_code == 302
    response = post_form(client, update_page, {})
    assert response.status_code == 422 and "Enter the date and time" in error_summary(response)
    assert_error_links_resolve(response)


def test_an_episode_of_someone_else_or_unknown_is_not_found(login, social_worker, child, make_person):
    client = login(social_worker)
    episode = record_still_missing(client, child)
    other = make_person(social_worker, given_name="Tobi", family_name="Reed")
    assert client.get(f"/people/{other.id}/missing-episodes/{episode.id}").status_code == 404
    assert client.get(f"/people/{child.id}/missing-episodes/{uuid.uuid4()}").status_code == 404


def test_places_and_groups_pages(login, social_worker):
    client = login(social_worker)
    for path in ("/places/new", "/groups/new"):
        assert_good_page(client.get(path))
    refused = post_form(client, "/places/new", {"name": "", "kind": "castle"})
    assert refused.status_code == 422
    assert "Enter the name of the place" in error_summary(
        refused
    ) and "Select kind of place from the list" in error_summary(refused)
    group = post_form(client, "/groups/new", {"name": "Rowan Court peer group", "description": "Meet after school"})
    soup = assert_good_page(client.get(group.headers["Location"]))
    assert soup.h1.get_text(strip=True) == "Rowan Court peer group" and "Meet after school" in soup.text
    assert audit_events("view")[-1].object_type == "group"


def test_the_notes_of_a_graded_relationship_are_intelligence_read_by_police_and_social_workers_only(
    login, social_worker, child, make_person, make_case, make_user, relate
):
    officer, youth_worker, nurse = (
        make_user(role) for role in ("police_officer", "youth_worker", "health_practitioner")
    )
    make_case(social_worker, child, members=[officer, youth_worker, nurse])
    adult = make_person(officer, given_name="Marcus", family_name="Vance")
    graded = {"source": "2", "information": "C", "handling": "C"}
    relate(officer, child, adult, "exploitation_suspected", grading=graded, notes="Seen getting into his car")
    relate(youth_worker, child, adult, "adult_contact", grading=graded, notes="Met him at the youth club door")
    relate(social_worker, child, adult, "associate", notes="Mother says he calls round")

    def shown(user) -> str:
        return page(login(user).get(f"/people/{child.id}")).select_one("#relationships ~ table").get_text(" ")

    for reader in (officer, social_worker):
        assert "Seen getting into his car" in shown(reader) and "Met him at the youth club door" in shown(reader)
    for other in (youth_worker, nurse):
        table = shown(other)
        assert "Exploitation suspected" in table and "2CC" in table and "Seen getting into his car" not in table
        assert "Mother says he calls round" in table
    assert "Met him at the youth club door" in shown(youth_worker)  # recorded by the youth worker's own agency
    assert "Met him at the youth club door" not in shown(nurse)


def test_a_reader_not_on_a_case_is_told_the_access_is_reviewed_and_states_a_purpose_kept_with_the_view(
    login, social_worker, child
):
    client = login(social_worker)
    soup = assert_good_page(client.get(f"/people/{child.id}"))
    assert soup.select_one("details#state-purpose").has_attr("open") and "flagged for a safeguarding lead" in soup.text
    assert audit_events("view")[-1].purpose is None
    stated = post_form(client, f"/people/{child.id}", {"purpose": "Preparing for Thursday's strategy meeting"})
    soup = assert_good_page(stated)
    assert "Preparing for Thursday's strategy meeting" in soup.select_one(".sc-stated-purpose").text
    event = audit_events("view")[-1]
    assert (event.object_id, event.purpose, event.flagged) == (
        child.id,
        "Preparing for Thursday's strategy meeting",
        True,
    )


def test_the_case_team_may_state_a_purpose_too_without_being_told_of_a_review(login, social_worker, child, make_case):
    make_case(social_worker, child)
    soup = assert_good_page(login(social_worker).get(f"/people/{child.id}"))
    assert (
        not soup.select_one("details#state-purpose").has_attr("open")
        and "flagged" not in soup.select_one("#state-purpose").text
    )


@pytest.mark.parametrize(("purpose", "message"), [("", "Enter why you are looking"), ("x" * 501, "500 characters")])
def test_a_missing_or_overlong_purpose_is_a_form_error_and_the_view_is_recorded_without_it(
    login, social_worker, child, purpose, message
):
    client = login(social_worker)
    before = len(audit_events("view"))
    refused = post_form(client, f"/people/{child.id}", {"purpose": purpose})
    assert refused.status_code == 422 and message in error_summary(refused)
    assert_error_links_resolve(refused)
    views = audit_events("view")[before:]
    assert [(e.object_id, e.purpose) for e in views] == [(child.id, None), (child.id, None)]  # the page, then the post
