"""Referral pages: making one from the person page, the inbox and outbox, the referral page and its steps,
home-page counts and notifications, the case chronology, and the safeguarding leads' escalation list."""

from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa
import time_machine

from app.extensions import db
from app.people.labels import date_time
from models.case import Case
from models.referral import Referral
from safeguarding import referrals
from tests.web.helpers import assert_good_page, page
from tests.web.pages.helpers import assert_strict_page, count, dob, error_summary, main_text, post_form


@pytest.fixture
def sender(make_user):
    return make_user("social_worker")


@pytest.fixture
def receiver(make_user):
    return make_user("police_officer")


@pytest.fixture
def child(sender, make_person):
    return make_person(sender, given_name="Jayden", family_name="Clarke")


@pytest.fixture
def refer(sender, receiver, child):
    """refer(**fields) -> a Referral sent through the service (amber, social care to police by default)."""

    def send(by=None, sent_at=None, **fields):
        data = {
            "person_id": child.id,
            "to_agency_id": receiver.agency_id,
            "urgency": "amber",
            "reason": "Seen getting into cars outside the school",
            **fields,
        }
        return referrals.submit_referral(db.session, by or sender, data, sent_at=sent_at)

    return send


def tags(response) -> list[str]:
    return [t.get_text(" ", strip=True) for t in page(response).select("main .govuk-tag")]


def test_every_referral_page_is_a_good_page_for_those_who_may_see_it(login, sender, receiver, child, refer, make_user):
    referral = refer(urgency="red")
    sender_client, receiver_client = login(sender), login(receiver)
    for client, path in (
        (sender_client, f"/people/{child.id}/referrals/new"),
        (sender_client, "/referrals/outbox"),
        (sender_client, "/referrals/inbox"),
        (sender_client, f"/referrals/{referral.id}"),
        (sender_client, f"/people/{child.id}"),
        (receiver_client, "/referrals/inbox"),
        (receiver_client, f"/referrals/{referral.id}"),
        (receiver_client, "/"),
        (login(make_user("safeguarding_lead")), "/referrals/escalations"),
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        soup = assert_strict_page(response)
        if path != "/":
            assert soup.select_one(".govuk-back-link"), path


def test_a_practitioner_makes_a_referral_from_the_person_page(login, sender, receiver, child, make_agency):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    client = login(sender)
    person_page = client.get(f"/people/{child.id}")
    link = page(person_page).find("a", string=lambda s: s and "Make a referral" in s)
    assert link["href"] == f"/people/{child.id}/referrals/new"
    form_page = client.get(link["href"])
    options = {o["value"]: o.get_text(strip=True) for o in page(form_page).select("#to_agency_id option")}
    assert sender.agency_id not in options and receiver.agency_id in options
    assert options[outside.id] == "Eastmoor Constabulary (external)"
    text = main_text(form_page)
    assert "Acknowledge within 1 hour and decide within 4 hours, day or night" in text
    assert "decide by 17:00 on the third working day" in text and "lawful basis" in text

    empty = post_form(client, link["href"], {})
    assert empty.status_code == 422
    for message in ("Select the agency to refer to", "Select the urgency", "Enter the reason for the referral"):
        assert message in error_summary(empty)
    data = {"to_agency_id": receiver.agency_id, "urgency": "red", "reason": "Missing overnight, found in Eastmoor"}
    unexplained = post_form(client, link["href"], {**data, "lawful_basis": "consent_overridden"})
    assert unexplained.status_code == 422 and "Explain why consent was overridden" in error_summary(unexplained)
    assert_strict_page(unexplained)
    assert count(Referral) == 0

    sent = post_form(client, link["href"], data)
    assert sent.status_code == 302
    referral_page = client.get(sent.headers["Location"])
    assert_strict_page(referral_page)
    text = main_text(referral_page)
    assert "Referral sent to" in text and "They must acknowledge it by" in text
    assert "Sent, not acknowledged" in tags(referral_page)
    assert "The lawful basis for sharing was not recorded" in text
    assert "Missing overnight, found in Eastmoor" in text
    assert page(referral_page).select_one('form[action$="/withdraw"]')
    assert not page(referral_page).select_one('form[action$="/acknowledge"]')


def test_a_referral_received_from_outside_is_recorded_from_the_person_page_into_the_inbox(
    login, receiver, make_agency, make_person, sender
):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    child = make_person(receiver, given_name="Noah")
    client = login(receiver)
    link = page(client.get(f"/people/{child.id}")).find("a", string=lambda s: s and "received from outside" in s)
    form_page = client.get(link["href"])
    soup = assert_strict_page(form_page)
    options = {o["value"]: o.get_text(strip=True) for o in soup.select("#from_agency_id option")}
    assert options == {"": "Select an agency outside the partnership", outside.id: "Eastmoor Constabulary"}
    assert not soup.select("#to_agency_id")
    empty = post_form(client, link["href"], {})
    assert empty.status_code == 422 and "Select the agency the referral came from" in error_summary(empty)
    data = {"from_agency_id": outside.id, "urgency": "red", "reason": "Stopped with older males on the M1"}
    recorded = post_form(client, link["href"], data)
    assert recorded.status_code == 302
    referral = db.session.scalars(sa.select(Referral)).one()
    assert (referral.from_agency_id, referral.to_agency_id, referral.sender_id) == (
        outside.id,
        receiver.agency_id,
        None,
    )
    shown = client.get(recorded.headers["Location"])
    assert "Referral from Eastmoor Constabulary recorded" in main_text(shown)
    assert referral.id in client.get("/referrals/inbox").get_data(as_text=True)


def test_the_sender_is_told_what_happens_next_and_the_receiver_is_not(login, sender, receiver, refer):
    referral = refer(urgency="red")
    due = referrals.timeliness(referral).due
    sent = page(login(sender).get(f"/referrals/{referral.id}"))
    next_steps = sent.select_one("#what-happens-next").find_next("p").get_text(" ", strip=True)
    assert f"must acknowledge the referral by {date_time(due.acknowledge_by)}" in next_steps
    assert f"decide whether to accept it by {date_time(due.decide_by)}" in next_steps
    assert sent.select_one('#what-happens-next ~ p a[href="/referrals/outbox"]')
    assert not page(login(receiver).get(f"/referrals/{referral.id}")).select_one("#what-happens-next")


def test_a_reason_for_not_seeking_consent_is_kept_only_with_that_basis(login, sender, receiver, child):
    client = login(sender)
    path = f"/people/{child.id}/referrals/new"
    data = {"to_agency_id": receiver.agency_id, "urgency": "green", "reason": "Truanting with older boys"}
    missing = post_form(client, path, {**data, "lawful_basis": "no_consent_sought"})
    assert missing.status_code == 422 and "Explain why consent was not sought" in error_summary(missing)
    assert page(missing).select_one('.govuk-error-summary a[href="#lawful_basis_reason"]')
    explained = {**data, "lawful_basis": "no_consent_sought", "lawful_basis_reason": "It would alert the adults"}
    assert post_form(client, path, explained).status_code == 302
    given = {**data, "lawful_basis": "consent", "lawful_basis_reason": "Leftover text"}
    assert post_form(client, path, given).status_code == 302
    kept = {r.lawful_basis: r.lawful_basis_reason for r in db.session.query(Referral)}
    assert kept == {"no_consent_sought": "It would alert the adults", "consent": None}


def test_the_inbox_shows_urgency_status_due_and_overdue_tags(login, receiver, refer):
    refer(urgency="red", sent_at=datetime.now(UTC) - timedelta(hours=2))
    refer(urgency="green")
    response = login(receiver).get("/referrals/inbox")
    rows = page(response).select(".sc-referrals tbody tr")
    assert len(rows) == 2
    newest, oldest = (r.get_text(" ", strip=True) for r in rows)
    assert "Green" in newest and "Acknowledge by" in newest and "Overdue" not in newest
    assert "Red" in oldest and "Overdue" in oldest and "Sent, not acknowledged" in oldest
    assert "Repeat referral" in newest  # twice within 12 months
    red_tag = rows[1].find("strong", string=lambda s: s and s.strip() == "Red")
    assert "govuk-tag--red" in red_tag["class"]


def test_the_inbox_pages_older_referrals_and_keeps_open_or_closed_ones(login, receiver, refer, monkeypatch):
    monkeypatch.setattr("app.referrals.views.BOX_PAGE", 2)
    start = datetime.now(UTC) - timedelta(days=3)
    sent = [refer(sent_at=start + timedelta(hours=i)) for i in range(5)]
    referrals.transition(db.session, receiver, sent[0].id, "decline", {"reason": "Not for the police"})
    client = login(receiver)

    def listed(response):
        assert response.status_code == 200
        return [a["href"].rsplit("/", 1)[1] for a in page(response).select(".sc-referrals tbody a")]

    first = client.get("/referrals/inbox")
    assert listed(first) == [sent[4].id, sent[3].id]
    assert "5 referrals, newest first: showing 2" in main_text(first)
    older = page(first).select_one(".govuk-pagination__next a")["href"]
    second = client.get(older)
    assert listed(second) == [sent[2].id, sent[1].id]
    assert page(second).select_one(".govuk-pagination__prev a")["href"] == "/referrals/inbox"
    last = client.get(page(second).select_one(".govuk-pagination__next a")["href"])
    assert listed(last) == [sent[0].id] and not page(last).select_one(".govuk-pagination__next")
    assert_strict_page(last)
    closed = client.get("/referrals/inbox?status=closed")
    assert listed(closed) == [sent[0].id] and "1 referral, newest first" in main_text(closed)
    assert len(listed(client.get("/referrals/inbox?status=open"))) == 2
    assert "No referrals in this list" in main_text(client.get("/referrals/outbox?status=open"))


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("status=spam", "Select the status: one of open, closed"),
        ("after=not-an-id", "Give the id of a referral in your inbox"),
        ("after=6f1c1c3e-0000-4000-8000-000000000000", "Give the id of a referral in your inbox"),
    ],
)
def test_a_bad_inbox_address_gets_a_page_saying_what_to_fix(login, receiver, refer, query, problem):
    refer()
    response = login(receiver).get(f"/referrals/inbox?{query}")
    assert response.status_code == 422
    assert problem in main_text(response) and "There is a problem with the address" in main_text(response)
    assert_strict_page(response)


def test_the_receiver_acknowledges_then_accepts_linking_an_existing_case(
    login, receiver, sender, child, refer, make_case
):
    referral = refer()
    existing = make_case(receiver, child)  # the referral rule lets the police see the child
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    first = page(client.get(path))
    assert {f["action"].rsplit("/", 1)[1] for f in first.select("main form")} == {"acknowledge", "accept", "decline"}
    assert post_form(client, path, {}, f"{path}/acknowledge").status_code == 302
    acknowledged = client.get(path)
    assert "Referral acknowledged" in main_text(acknowledged) and "Acknowledged" in tags(acknowledged)
    assert {f["action"].rsplit("/", 1)[1] for f in page(acknowledged).select("main form")} == {"accept", "decline"}
    assert post_form(client, path, {"case_id": existing.id}, f"{path}/accept").status_code == 302
    accepted = client.get(path)
    assert "Accepted" in tags(accepted) and not page(accepted).select("main form")
    assert "Referral accepted and linked to the open case. You and the sender are on its team" in main_text(accepted)
    assert page(accepted).select_one(f'a[href="/cases/{existing.id}"]')
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).case_id == existing.id


def test_the_accept_form_offers_only_cases_the_receiver_may_link(login, receiver, sender, child, refer, make_case):
    referral = refer()
    theirs, ours = make_case(sender, child), make_case(receiver, child)
    form = page(login(receiver).get(f"/referrals/{referral.id}")).select_one('form[action$="/accept"]')
    offered = {option["value"] for option in form.select("select option")}
    assert offered == {"", ours.id} and theirs.id not in offered


def test_accepting_without_choosing_a_case_opens_one_in_the_receiving_agency(login, receiver, sender, refer):
    referral = refer()
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    assert post_form(client, path, {"case_id": "", "concerns": "cce"}, f"{path}/accept").status_code == 302
    db.session.expire_all()
    case_id = db.session.get(Referral, referral.id).case_id
    case_page = login(sender).get(f"/cases/{case_id}")  # the referrer is on the team
    assert case_page.status_code == 200 and "Lead worker" in main_text(case_page)


def test_accepting_one_received_from_outside_says_that_no_sender_joins_the_team(
    login, receiver, make_agency, make_person
):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    child = make_person(receiver, given_name="Noah")  # recorded by the receiving officer, who may refer about them
    data = {"person_id": child.id, "from_agency_id": outside.id, "to_agency_id": receiver.agency_id}
    referral = referrals.submit_referral(db.session, receiver, {**data, "urgency": "red", "reason": "Found far away"})
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    accepted = client.get(
        post_form(client, path, {"case_id": "", "concerns": "cce"}, f"{path}/accept").headers["Location"]
    )
    assert "You are on its team; the sender is not" in main_text(accepted)


def test_an_accepted_referral_shows_the_receiver_what_to_do_next(login, receiver, sender, child, refer):
    referral = refer()
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    before = page(client.get(path))
    assert before.select_one("#next-steps") is None
    assert "Accepting opens a case in your agency with you as lead worker" in before.get_text(" ", strip=True)
    assert post_form(client, path, {"case_id": "", "concerns": "cce"}, f"{path}/accept").status_code == 302
    accepted = client.get(path)
    assert "The case is open in your agency" in main_text(accepted)
    next_steps = assert_strict_page(accepted).select_one("#next-steps + ul")
    db.session.expire_all()
    case_id = db.session.get(Referral, referral.id).case_id
    assert [a["href"] for a in next_steps.select("a")] == [
        f"/cases/{case_id}",
        f"/people/{child.id}/map",
        f"/people/{child.id}",
    ]
    # The sender follows the case from the referral's summary; the next steps are the receiver's.
    assert page(login(sender).get(path)).select_one("#next-steps") is None


def test_declining_needs_a_reason(login, receiver, refer):
    referral = refer()
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    refused = post_form(client, path, {"decline_reason": ""}, f"{path}/decline")
    assert refused.status_code == 422
    assert "Enter the reason for declining the referral" in error_summary(refused)
    assert_strict_page(refused)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "submitted"
    declined = post_form(
        client, path, {"decline_reason": "Below threshold: signposted to Early Help"}, f"{path}/decline"
    )
    assert declined.status_code == 302
    text = main_text(client.get(path))
    assert "Declined" in text and "Below threshold: signposted to Early Help" in text


def test_a_referral_about_a_person_no_longer_seen_shows_its_workflow_but_withholds_its_free_text(
    login, receiver, refer
):
    referral = refer(lawful_basis="no_consent_sought", lawful_basis_reason="Telling his mother would put him at risk")
    referrals.transition(db.session, receiver, referral.id, "decline", {"reason": "Already known to the CSE team"})
    with time_machine.travel(datetime.now(UTC) + timedelta(days=29), tick=False):
        assert "Already known to the CSE team" in main_text(login(receiver).get(f"/referrals/{referral.id}"))
    with time_machine.travel(datetime.now(UTC) + timedelta(days=40), tick=False):
        client = login(receiver)
        response = client.get(f"/referrals/{referral.id}")
        boxes = [client.get("/referrals/inbox"), client.get("/referrals/inbox?status=closed")]
    soup = assert_strict_page(response)
    assert soup.select_one("h1").get_text(strip=True) == "Referral about a person you can no longer see"
    assert {"Amber urgency", "Declined"} <= set(tags(response))
    # the reason, the lawful basis's reason, the reason for declining, and the declining step's note
    assert len(soup.select("main .sc-withheld")) == 4
    assert "Consent not sought" in main_text(response)
    for shown in (response, *boxes):
        assert shown.status_code == 200
        for text in ("getting into cars", "his mother", "CSE team"):
            assert text not in shown.get_data(as_text=True)
    assert "A person you can no longer see" in main_text(boxes[0])


def test_a_step_that_is_no_longer_allowed_gets_409_with_the_reason(login, receiver, refer):
    referral = refer()
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    token_page = client.get(path)
    assert post_form(client, path, {}, f"{path}/acknowledge").status_code == 302
    token = page(token_page).select_one('input[name="csrf_token"]')["value"]
    again = client.post(f"{path}/acknowledge", data={"csrf_token": token})
    assert again.status_code == 409 and "cannot be acknowledged" in error_summary(again)
    assert_good_page(again)


def test_the_wrong_party_gets_403_for_a_referral_and_its_steps(login, sender, refer, make_user):
    referral = refer()
    path = f"/referrals/{referral.id}"
    outsider = login(make_user("youth_worker"))
    assert outsider.get(path).status_code == 403
    sender_client = login(sender)
    assert post_form(sender_client, path, {}, f"{path}/acknowledge").status_code == 403
    assert post_form(sender_client, path, {"decline_reason": "Mine"}, f"{path}/decline").status_code == 403
    assert post_form(sender_client, path, {}, f"{path}/withdraw").status_code == 302
    assert "Withdrawn" in tags(sender_client.get(path))


def test_the_sender_sees_sent_not_acknowledged_in_the_outbox_and_on_the_case_chronology(
    login, sender, child, refer, make_case
):
    case = make_case(sender, child)
    referral = refer(urgency="amber")
    client = login(sender)
    outbox = client.get("/referrals/outbox")
    [row] = page(outbox).select(".sc-referrals tbody tr")
    assert "Sent, not acknowledged" in row.get_text(" ", strip=True)
    chronology = page(client.get(f"/cases/{case.id}")).select(".sc-chronology tbody tr")
    [entry] = [r.get_text(" ", strip=True) for r in chronology]
    assert f"Referral to {referral.to_agency.name} (amber): sent, not acknowledged" in entry
    assert "View the referral" in entry


def test_home_page_counts_and_notifications_for_the_receiving_agency_and_the_sender(login, sender, receiver, refer):
    refer(urgency="red", sent_at=datetime.now(UTC) - timedelta(hours=2))
    refer(urgency="green")
    home = login(receiver).get("/")
    soup = assert_strict_page(home)
    banner = soup.select_one("main .govuk-notification-banner").get_text(" ", strip=True)
    assert "2 referrals are waiting in your agency's inbox, 1 overdue" in banner
    counts = soup.select_one(".sc-referral-counts").get_text(" ", strip=True)
    assert "2 referrals in your agency's inbox, 1 overdue" in counts
    assert soup.select_one('.sc-referral-counts a[href="/referrals/inbox"]')
    nav = soup.select_one('.govuk-service-navigation a[href="/referrals/inbox"]').get_text(" ", strip=True)
    assert nav.startswith("Referrals 2")
    sender_home = page(login(sender).get("/"))
    assert "2 you sent not yet acknowledged" in sender_home.select_one(".sc-referral-counts").get_text(" ", strip=True)
    assert not sender_home.select("main .govuk-notification-banner")


ALERTS_LINK = 'main a[href="/referrals/escalations#alerts"]'


def test_a_lead_s_home_page_counts_the_children_with_an_escalation_alert_in_the_last_90_days(
    login, sender, refer, make_user
):
    lead = login(make_user("safeguarding_lead"))
    refer()
    refer(urgency="red")
    assert not page(lead.get("/")).select(ALERTS_LINK)  # two referrals: the rule has not fired
    refer(urgency="green")
    soup = assert_strict_page(lead.get("/"))
    (link,) = soup.select(ALERTS_LINK)
    assert link.get_text(" ", strip=True) == "1 child with an escalation alert in the last 90 days"
    assert not page(login(sender).get("/")).select('main a[href^="/referrals/escalations"]')


def test_an_escalation_alert_older_than_90_days_is_not_counted_on_the_home_page(login, refer, make_user):
    with time_machine.travel(datetime.now(UTC) - timedelta(days=120), tick=False):
        for urgency in ("amber", "red", "green"):
            refer(urgency=urgency)
    lead = login(make_user("safeguarding_lead"))
    assert page(lead.get("/referrals/escalations")).select("#alerts ~ table tbody tr")  # still listed there
    assert not page(lead.get("/")).select(ALERTS_LINK)


def test_the_person_page_shows_the_repeat_referral_flag_and_the_referrals(login, sender, child, refer):
    refer()
    client = login(sender)
    assert "Repeat referral" not in tags(client.get(f"/people/{child.id}"))
    refer(urgency="red")
    response = client.get(f"/people/{child.id}")
    assert "Repeat referral" in tags(response)
    assert len(page(response).select("#referrals ~ table.sc-referrals tbody tr")) == 2


def test_the_escalation_list_is_for_safeguarding_leads_and_never_shows_the_reason(
    login, sender, receiver, refer, make_user
):
    with time_machine.travel(datetime.now(UTC) - timedelta(days=10), tick=False):
        late = refer(urgency="green", reason="Disclosed abuse by an older cousin")
    refer(urgency="amber")
    refer(urgency="red")
    lead = login(make_user("safeguarding_lead"))
    response = lead.get("/referrals/escalations")
    soup = assert_strict_page(response)
    [row] = soup.select(".sc-referrals tbody tr")
    text = row.get_text(" ", strip=True)
    assert sender.agency.name in text and receiver.agency.name in text and "Green" in text and "Overdue" in text
    assert "older cousin" not in response.get_data(as_text=True)
    assert late.person_id in soup.select_one("#alerts ~ table").get_text()
    assert "1 referral past their decision time" in main_text(lead.get("/"))
    for role in ("social_worker", "police_officer", "admin"):
        assert login(make_user(role)).get("/referrals/escalations").status_code == 403


def test_accepting_into_a_new_case_asks_its_concerns_and_writes_nothing_without_them(login, receiver, refer):
    referral = refer()
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    refused = post_form(client, path, {"case_id": ""}, f"{path}/accept")
    assert refused.status_code == 422 and "Select at least one concern for the new case" in main_text(refused)
    db.session.expire_all()
    assert db.session.get(Referral, referral.id).status == "submitted"
    assert post_form(client, path, {"case_id": "", "concerns": ["cce", "missing"]}, f"{path}/accept").status_code == 302
    db.session.expire_all()
    case_id = db.session.get(Referral, referral.id).case_id
    assert db.session.get(Case, case_id).concerns == ["cce", "missing"]
    assert "Child criminal exploitation (CCE), Missing" in main_text(client.get(f"/cases/{case_id}"))


def test_linking_a_case_keeps_its_concerns_and_refuses_new_ones(login, receiver, child, refer, make_case):
    referral = refer()
    existing = make_case(receiver, child)  # the referral rule lets the police see the child
    client = login(receiver)
    path = f"/referrals/{referral.id}"
    refused = post_form(client, path, {"case_id": existing.id, "concerns": "cse"}, f"{path}/accept")
    assert refused.status_code == 422 and "Concerns go with a new case" in main_text(refused)
    assert post_form(client, path, {"case_id": existing.id}, f"{path}/accept").status_code == 302
    db.session.expire_all()
    assert db.session.get(Case, existing.id).concerns == existing.concerns


def test_a_case_accepted_without_concerns_says_so_and_opens_its_reassessment(login, receiver, refer):
    referral = refer()
    case_id = referrals.transition(db.session, receiver, referral.id, "accept", {}).case_id  # as the API may
    shown = page(login(receiver).get(f"/cases/{case_id}"))
    assert "Concerns not recorded yet" in shown.select_one(".govuk-caption-l").get_text()
    assert shown.select_one("details#reassess").has_attr("open")


def test_the_sender_records_an_outside_recipients_answer_on_the_referral_page(login, sender, make_agency, child):
    outside = make_agency(name="National Crime Agency", kind="police", external=True)
    data = {"person_id": child.id, "to_agency_id": outside.id, "urgency": "amber", "reason": "Possible trafficking"}
    referral = referrals.submit_referral(db.session, sender, data)
    client = login(sender)
    path = f"/referrals/{referral.id}"
    shown = main_text(client.get(path))
    assert "outside the partnership and does not use SafeContext: record its answer" in shown
    assert "Record that National Crime Agency accepted it" in shown and "Concerns for the new case" not in shown
    done = client.get(post_form(client, path, {}, f"{path}/accept").headers["Location"])
    assert "Recorded that National Crime Agency accepted the referral" in main_text(done)
    db.session.expire_all()
    stored = db.session.get(Referral, referral.id)
    assert stored.status == "accepted" and stored.case_id is None


def test_a_referral_received_from_outside_is_dated_when_it_arrived(login, receiver, make_agency, make_person):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    child = make_person(receiver, given_name="Noah")
    client = login(receiver)
    path = f"/people/{child.id}/referrals/received"
    data = {"from_agency_id": outside.id, "urgency": "amber", "reason": "Found on the M1 with older males"}
    no_date = post_form(client, path, {**data, "received_time": "09:15"})
    assert no_date.status_code == 422 and "Enter the date it was received too" in error_summary(no_date)
    no_time = post_form(client, path, {**data, "received_on": dob(2, 11, 2026)})
    assert no_time.status_code == 422 and "Enter the time it was received" in error_summary(no_time)
    assert db.session.scalars(sa.select(Referral)).all() == []
    dated = post_form(client, path, {**data, "received_on": dob(2, 11, 2026), "received_time": "09:15"})
    assert dated.status_code == 302
    referral = db.session.scalars(sa.select(Referral)).one()
    assert referral.sent_at == datetime(2026, 11, 2, 9, 15, tzinfo=UTC)  # GMT in November
