"""Referrals about a place or a group from the pages: the button on the place and group pages, the referral form
with the context as its subject, and the context named (and linked) on the referral page, inbox and outbox."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from models.case import Case
from models.referral import Referral
from safeguarding import contexts, referrals
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_strict_page, count, error_summary, main_text, post_form

REASON = "Children seen being approached by older males in the stairwell after school"


@pytest.fixture
def police(make_user):
    return make_user("police_officer")


@pytest.fixture
def youth(make_user):
    """The youth service's detached team."""
    return make_user("youth_worker")


@pytest.fixture
def stairwell(police, make_person):
    place = contexts.create_place(db.session, police, {"name": "Tower Court stairwell", "kind": "estate"})
    return working_there(police, make_person, "place", place)


@pytest.fixture
def crew(police, make_person):
    return working_there(
        police, make_person, "group", contexts.create_group(db.session, police, {"name": "Northside crew"})
    )


def working_there(practitioner, make_person, kind: str, record):
    """The practitioner records a child tied to the place or group: referring a context needs work with someone
    tied to it, as opening a case about it does."""
    child = make_person(practitioner, given_name="Remi", family_name="Adebayo")
    link = {"source": {"type": "person", "id": child.id}, "target": {"type": kind, "id": record.id}}
    contexts.add_relationship(
        db.session, practitioner, {**link, "kind": {"place": "frequents", "group": "member_of"}[kind]}
    )
    return record


@pytest.fixture
def refer(police, youth):
    """refer(kind, record, **fields) -> a Referral about the place or group, police to youth service."""

    def send(kind, record, by=None, **fields):
        data = {"subject": {"type": kind, "id": record.id}, "to_agency_id": youth.agency_id, "urgency": "amber"}
        return referrals.submit_referral(db.session, by or police, {**data, "reason": REASON, **fields})

    return send


def tags(response) -> list[str]:
    return [t.get_text(" ", strip=True) for t in page(response).select("main .govuk-tag")]


@pytest.mark.parametrize("kind", ["place", "group"])
def test_a_practitioner_sends_a_referral_from_the_place_or_group_page(login, police, youth, stairwell, crew, kind):
    record = {"place": stairwell, "group": crew}[kind]
    client = login(police)
    record_page = assert_strict_page(client.get(f"/{kind}s/{record.id}"))
    button = record_page.select_one("#refer ~ a.govuk-button")
    assert button.get_text(strip=True) == "Send a referral"
    assert button["href"] == f"/{kind}s/{record.id}/referrals/new"

    form_page = client.get(button["href"])
    soup = assert_strict_page(form_page)
    assert soup.select_one(".govuk-caption-l").get_text(strip=True) == f"{record.name} ({kind})"
    assert soup.select_one(".govuk-back-link")["href"] == f"/{kind}s/{record.id}"
    assert soup.select_one("main form")["action"] == button["href"]
    assert "not the people linked to it" in main_text(form_page)
    options = {o["value"] for o in soup.select("#to_agency_id option")}
    assert youth.agency_id in options and police.agency_id not in options

    empty = post_form(client, button["href"], {})
    assert empty.status_code == 422 and "Select the agency to refer to" in error_summary(empty)
    assert count(Referral) == 0
    data = {"to_agency_id": youth.agency_id, "urgency": "red", "reason": REASON}
    sent = post_form(client, button["href"], data)
    assert sent.status_code == 302
    referral = db.session.query(Referral).one()
    assert (referral.subject_type, referral.subject_id, referral.person_id) == (kind, record.id, None)
    shown = client.get(sent.headers["Location"])
    assert "Referral sent to" in main_text(shown) and REASON in main_text(shown)


def test_roles_that_send_no_referrals_get_no_button_and_403_on_the_form(login, make_user, stairwell):
    lead = login(make_user("safeguarding_lead"))
    assert not page(lead.get(f"/places/{stairwell.id}")).select("#refer")
    assert lead.get(f"/places/{stairwell.id}/referrals/new").status_code == 403


def test_unknown_places_and_groups_get_404(login, police):
    client = login(police)
    for path in ("/places/6f1c1c3e-0000-4000-8000-000000000000", "/groups/not-an-id"):
        assert client.get(f"{path}/referrals/new").status_code == 404


@pytest.fixture
def home(make_user, make_person, relate):
    worker = make_user("social_worker")
    place = contexts.create_place(db.session, worker, {"name": "12 Elm Road", "kind": "address"})
    relate(worker, make_person(worker), place, kind="lives_at", target_type="place")
    return {"worker": worker, "place": place}


def test_a_home_the_user_may_not_see_is_refused_before_the_form_names_it(login, police, home):
    response = login(police).get(f"/places/{home['place'].id}/referrals/new")
    assert response.status_code == 403 and "Elm" not in response.get_data(as_text=True)


def test_the_referral_page_names_and_links_the_place_for_both_agencies(login, police, youth, stairwell, refer):
    referral = refer("place", stairwell)
    for user in (police, youth):
        response = login(user).get(f"/referrals/{referral.id}")
        soup = assert_strict_page(response)
        assert soup.select_one("h1").get_text(strip=True) == "Referral about Tower Court stairwell"
        about = soup.find("dt", string=lambda s: s and s.strip() == "About").find_next_sibling("dd")
        assert about.select_one("a")["href"] == f"/places/{stairwell.id}"
        assert "(place)" in about.get_text(" ", strip=True) and REASON in main_text(response)
        assert "Repeat referral" not in tags(response)
    what_next = page(login(police).get(f"/referrals/{referral.id}")).select_one(
        "#what-happens-next ~ p a[href^='/places/']"
    )
    assert what_next.get_text(strip=True) == "Go to Tower Court stairwell"


def test_the_inbox_and_outbox_name_the_context(login, police, youth, stairwell, crew, refer):
    refer("place", stairwell)
    refer("group", crew, urgency="red")
    for user, box in ((youth, "inbox"), (police, "outbox")):
        response = login(user).get(f"/referrals/{box}")
        assert_strict_page(response)
        rows = [r.select_one("td") for r in page(response).select(".sc-referrals tbody tr")]
        assert [(c.select_one("a").contents[0].strip(), c.select_one(".sc-subject-kind").get_text()) for c in rows] == [
            ("Northside crew", "Group"),
            ("Tower Court stairwell", "Place"),
        ]


def test_accepting_opens_a_case_about_the_group_and_shows_where_to_go_next(login, police, youth, crew, refer):
    referral = refer("group", crew)
    client = login(youth)
    path = f"/referrals/{referral.id}"
    before = main_text(client.get(path))
    assert "Accepting opens a case about this group in your agency with you as lead worker" in before
    assert post_form(client, path, {"case_id": "", "concerns": "cce"}, f"{path}/accept").status_code == 302
    db.session.expire_all()
    case = db.session.get(Case, db.session.get(Referral, referral.id).case_id)
    assert (case.subject_group_id, case.lead_worker_id) == (crew.id, youth.id) and case.has_member(police.id)
    accepted = client.get(path)
    next_steps = assert_strict_page(accepted).select_one("#next-steps + ul")
    assert [a["href"] for a in next_steps.select("a")] == [
        f"/cases/{case.id}",
        f"/groups/{crew.id}/map",
        f"/groups/{crew.id}",
    ]
    assert login(police).get(f"/cases/{case.id}").status_code == 200  # the referrer is on the team


def test_the_accept_form_offers_open_cases_about_the_same_context(login, youth, crew, refer, make_person, relate):
    from safeguarding import cases

    member = make_person(youth)
    relate(youth, member, crew, kind="member_of", target_type="group")
    subject = {"subject": {"type": "group", "id": crew.id}, "concerns": ["cce"], "risk_level": "high"}
    existing = cases.open_case(db.session, youth, {**subject, "summary": "Detached work with the crew"})
    referral = refer("group", crew)
    form = page(login(youth).get(f"/referrals/{referral.id}")).select_one('form[action$="/accept"]')
    assert {option["value"] for option in form.select("select option")} == {"", existing.id}
    assert "link an open case about this group" in form.get_text(" ", strip=True)


def test_a_referred_home_is_named_while_the_referral_holds_and_withheld_after(login, youth, home, refer):
    referral = refer("place", home["place"], by=home["worker"])
    referrals.transition(db.session, youth, referral.id, "decline", {"reason": "Not a detached-work location"})
    client = login(youth)
    assert page(client.get(f"/referrals/{referral.id}")).select_one("h1").get_text(strip=True) == (
        "Referral about 12 Elm Road"
    )
    assert client.get(f"/places/{home['place'].id}").status_code == 200
    with time_machine.travel(datetime.now(UTC) + timedelta(days=40), tick=False):
        client = login(youth)
        response = client.get(f"/referrals/{referral.id}")
        inbox = client.get("/referrals/inbox")
    soup = assert_strict_page(response)
    assert soup.select_one("h1").get_text(strip=True) == "Referral about a home you can no longer see"
    assert "you can no longer see the home" in soup.select_one(".sc-withheld").get_text()
    for shown in (response, inbox):
        assert "Elm" not in shown.get_data(as_text=True) and REASON not in shown.get_data(as_text=True)
    assert "A home you can no longer see" in main_text(inbox)


@pytest.mark.parametrize("kind", ["place", "group"])
def test_a_referral_about_a_context_received_from_outside_is_recorded_from_its_page(
    login, police, make_agency, stairwell, crew, kind
):
    record = {"place": stairwell, "group": crew}[kind]
    outside = make_agency(name="National Crime Agency", kind="other", external=True)
    client = login(police)
    link = page(client.get(f"/{kind}s/{record.id}")).find("a", string=lambda s: s and "received from outside" in s)
    assert link["href"] == f"/{kind}s/{record.id}/referrals/received"
    soup = assert_strict_page(client.get(link["href"]))
    assert record.name in soup.select_one(".govuk-caption-l").text
    empty = post_form(client, link["href"], {})
    assert empty.status_code == 422 and "Select the agency the referral came from" in error_summary(empty)
    recorded = post_form(client, link["href"], {"from_agency_id": outside.id, "urgency": "amber", "reason": REASON})
    assert recorded.status_code == 302
    referral = db.session.scalars(sa.select(Referral)).one()
    assert (referral.subject_type, referral.subject_id, referral.from_agency_id, referral.to_agency_id) == (
        kind,
        record.id,
        outside.id,
        police.agency_id,
    )
    assert "Referral from National Crime Agency recorded" in main_text(client.get(recorded.headers["Location"]))


def test_recording_one_received_about_a_context_needs_work_there_too(login, youth, make_agency, stairwell):
    outside = make_agency(name="National Crime Agency", kind="other", external=True)
    client = login(youth)
    path = f"/places/{stairwell.id}/referrals/received"
    response = post_form(client, path, {"from_agency_id": outside.id, "urgency": "amber", "reason": REASON})
    assert response.status_code == 403 and count(Referral) == 0


@pytest.mark.parametrize("form", ["new", "received"])
def test_the_referral_forms_refuse_a_practitioner_not_working_there_before_they_are_filled_in(
    login, youth, stairwell, form
):
    response = login(youth).get(f"/places/{stairwell.id}/referrals/{form}")
    assert response.status_code == 403 and "To refer this place" in response.get_data(as_text=True)
    assert "Tower Court" not in main_text(response)
    (denial,) = [e for e in audit_events("denied") if e.object_id == stairwell.id]
    assert denial.detail_dict == {"referring": True}
