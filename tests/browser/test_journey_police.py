"""Journey 2: a police officer takes an amber referral from children's social care through to a location assessment
of a place on the young person's context map, once with a pointer and once with the keyboard alone."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from app.extensions import db
from models.referral import Referral
from safeguarding import cases, context_work, contexts, people, referrals
from tests.browser.keyboard import activate, sign_in, tab_to, type_into
from tests.fixtures.accounts import PASSWORD

REASON = "Seen getting into cars near Riverside Park late at night; new phone and trainers he cannot explain"
FINDINGS = "Older men wait in cars by the east gate after 9pm and approach children leaving the skate park"


@pytest.fixture
def world(make_user, make_agency):
    """A social worker's young person with family, a peer, a place and a group, an open case, and an amber
    referral from children's social care to the police."""
    care = make_agency(name="Northbridge Children's Social Care", kind="social_care")
    police_agency = make_agency(name="Northbridge Police", kind="police")
    sw = make_user("social_worker", agency=care, family_name="Brennan")
    officer = make_user("police_officer", agency=police_agency, family_name="Adeyemi")

    def person(given, family, born="2010-04-04"):
        return people.record_person(db.session, sw, {"given_name": given, "family_name": family, "date_of_birth": born})

    child, peer, mother = person("Jayden", "Okafor"), person("Kai", "Mensah"), person("Grace", "Okafor", "1980-02-02")
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    crew = contexts.create_group(db.session, sw, {"name": "Eastside crew"})
    for source, target, kind in (
        (mother, child, "parent"),
        (child, peer, "friend"),
        (child, park, "frequents"),
        (child, crew, "member_of"),
    ):
        target_type = "place" if target is park else "group" if target is crew else "person"
        body = {"source": {"type": "person", "id": source.id}, "target": {"type": target_type, "id": target.id}}
        contexts.add_relationship(db.session, sw, {**body, "kind": kind})
    cases.open_case(
        db.session,
        sw,
        {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "high", "summary": "CCE"},
    )
    referral = referrals.submit_referral(
        db.session,
        sw,
        {
            "person_id": child.id,
            "to_agency_id": police_agency.id,
            "urgency": "amber",
            "reason": REASON,
            "lawful_basis": "no_consent_sought",
            "lawful_basis_reason": "Asking could alert the adults exploiting him",
        },
    )
    return {"officer": officer, "child": child, "park": park, "referral": referral}


def heading(page):
    return page.get_by_role("heading", level=1)


def banner(page):
    return page.locator(".govuk-notification-banner--success")


def map_names(page) -> set[str]:
    return {name.strip() for name in page.locator("table.sc-map-nodes tbody tr td:first-child a").all_inner_texts()}


def assert_referral_accepted(world) -> None:
    db.session.expire_all()
    referral = db.session.get(Referral, world["referral"].id)
    assert referral.status == "accepted" and referral.acknowledged_at and referral.decided_at
    case = cases.load_case(db.session, referral.case_id)
    assert case.subject_person_id == world["child"].id
    assert case.lead_worker_id == world["officer"].id and case.risk_level == "medium"
    assert case.concerns == ["county_lines"]


def assert_assessment_recorded(world) -> None:
    db.session.expire_all()
    (assessment,) = context_work.assessments_of(db.session, world["officer"], "place", world["park"].id)
    assert assessment.kind == "location" and assessment.findings == FINDINGS
    assert assessment.author_id == world["officer"].id
    assert [item["intervention"] for item in assessment.interventions] == ["policing"]
    assert assessment.interventions[0]["owner_agency_id"] == world["officer"].agency_id


def test_a_police_officer_takes_a_referral_through_to_a_location_assessment(
    live_server, browser_page, world, screenshot_dir, check_accessibility
):
    page, officer = browser_page, world["officer"]
    numbers = iter(range(1, 100))

    def visit(name: str) -> None:
        """Every page of the journey passes axe-core and is kept as a numbered screenshot."""
        check_accessibility(page)
        page.screenshot(path=screenshot_dir / f"journey2-{next(numbers):02d}-{name}.png", full_page=True)

    # Sign in with password and authenticator code.
    page.goto(live_server + "/sign-in")
    visit("sign-in")
    page.get_by_label("Username").fill(officer.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(heading(page)).to_have_text("Enter your security code")
    visit("security-code")
    page.get_by_label("Security code").fill(pyotp.TOTP(officer.totp_secret).now())
    page.get_by_role("button", name="Sign in").click()

    # Home tells the officer a referral is waiting.
    expect(heading(page)).to_have_text("Home")
    expect(page.get_by_role("region", name="Important")).to_contain_text("1 referral is waiting in your agency's inbox")
    visit("home")
    page.get_by_role("link", name="Go to the inbox").click()

    # The inbox lists it: who it is about, who sent it, amber, not yet acknowledged.
    expect(heading(page)).to_have_text("Referrals received by your agency")
    row = page.locator("table.sc-referrals tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Jayden Okafor")
    expect(row).to_contain_text("Northbridge Children's Social Care")
    expect(row).to_contain_text("Amber")
    visit("inbox")
    row.get_by_role("link", name=re.compile("Jayden Okafor")).click()

    # The referral: read it, acknowledge it, accept it.
    expect(heading(page)).to_have_text("Referral about Jayden Okafor")
    expect(page.locator(".govuk-summary-list")).to_contain_text(REASON)
    visit("referral")
    page.get_by_role("button", name="Acknowledge the referral").click()
    expect(banner(page)).to_contain_text("Referral acknowledged. Decide whether to accept or decline it")
    expect(page.get_by_role("list", name="Urgency and status")).to_contain_text("Acknowledged")
    expect(page.get_by_role("button", name="Acknowledge the referral")).to_have_count(0)
    visit("referral-acknowledged")
    # The social worker's case is theirs to share: accepting opens the police's own case.
    expect(page.get_by_text("Accepting opens a case in your agency with you as lead worker, and")).to_be_visible()
    page.get_by_role("checkbox", name="County lines").check()
    page.get_by_role("button", name="Accept the referral").click()
    expect(banner(page)).to_contain_text("Referral accepted. The case is open in your agency")
    expect(page.get_by_role("list", name="Urgency and status")).to_contain_text("Accepted")
    expect(page.get_by_role("heading", name="What to do next")).to_be_visible()
    visit("referral-accepted")
    assert_referral_accepted(world)

    # The young person's context map: family, a peer, the park and the group around Jayden.
    page.get_by_role("link", name="See the people, places and groups around Jayden Okafor on a context map").click()
    expect(heading(page)).to_have_text("Context map: Jayden Okafor")
    expect(page.locator("#context-map")).to_have_attribute("data-node-count", "5")
    assert map_names(page) == {"Jayden Okafor", "Grace Okafor", "Kai Mensah", "Riverside Park", "Eastside crew"}
    visit("context-map")

    # Filtered to peers and places: the family and the group drop out of the map and its tables.
    page.get_by_role("checkbox", name="Peers").check()
    page.get_by_role("checkbox", name=re.compile("^Places")).check()
    page.get_by_role("button", name="Apply filters").click()
    expect(page).to_have_url(re.compile(r"kinds=peer&kinds=place"))
    expect(page.locator("#map-filter-summary")).to_have_text("Showing only these kinds of relationship: Peers, Places.")
    expect(page.locator("#context-map")).to_have_attribute("data-node-count", "3")
    assert page.evaluate("window.scContextMap.nodes().length") == 3
    assert map_names(page) == {"Jayden Okafor", "Kai Mensah", "Riverside Park"}
    edges = page.locator("table.sc-map-edges tbody tr")
    expect(edges).to_have_count(2)
    expect(edges.filter(has_text="Riverside Park")).to_contain_text("Frequents")
    visit("context-map-peers-and-places")

    # The map's table alternative, and the place opened from it.
    page.get_by_role("link", name="Go to the map as tables").click()
    expect(page.get_by_role("heading", name="The map as tables")).to_be_focused()
    page.locator("table.sc-map-nodes").get_by_role("link", name="Riverside Park").click()
    expect(heading(page)).to_have_text("Riverside Park")
    back = page.locator(".govuk-back-link")
    expect(back).to_have_text("Back to the context map")
    expect(back).to_have_attribute("href", re.compile(rf"^/people/{world['child'].id}/map\?.*kinds=place"))
    expect(page.locator("#assessments + p")).to_have_text("No assessments recorded.")
    visit("place")
    page.get_by_role("link", name="Record a location assessment").click()

    # The assessment form: an empty submission is refused with an error summary that links to the field.
    expect(heading(page)).to_have_text("Record a location assessment")
    visit("assessment-form")
    page.get_by_role("button", name="Record the assessment").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter the findings of the assessment")
    visit("assessment-form-error")
    summary.get_by_role("link", name="Enter the findings of the assessment").click()
    expect(page.get_by_label("Findings")).to_be_focused()
    page.get_by_label("Findings").fill(FINDINGS)
    first = page.get_by_role("group", name="Intervention 1 (optional)")
    first.get_by_label("Intervention", exact=True).select_option(label="Policing or disruption patrols")
    first.get_by_label("What will be done").fill("Patrols at the east gate on Friday and Saturday evenings")
    first.get_by_label("Agency responsible").select_option(label="Northbridge Police")
    page.get_by_role("button", name="Record the assessment").click()

    # Back on the place, with the assessment and its plan shown.
    expect(heading(page)).to_have_text("Riverside Park")
    expect(banner(page)).to_contain_text("Location assessment recorded for Riverside Park")
    assessment = page.locator(".sc-assessment")
    expect(assessment).to_have_count(1)
    expect(assessment).to_contain_text("by PoliceOfficer Adeyemi, Northbridge Police")
    expect(assessment).to_contain_text(FINDINGS)
    expect(assessment.locator("tbody tr")).to_contain_text("Policing or disruption patrols")
    visit("place-with-assessment")
    assert_assessment_recorded(world)
    assert len(check_accessibility.pages) == 13


def test_the_same_journey_with_the_keyboard_alone(live_server, browser_page, world):
    page = browser_page
    sign_in(page, live_server, world["officer"], keyboard=True)
    activate(page, page.get_by_role("link", name="Go to the inbox"))
    expect(heading(page)).to_have_text("Referrals received by your agency")
    activate(page, page.locator("table.sc-referrals").get_by_role("link", name=re.compile("Jayden Okafor")))
    expect(heading(page)).to_have_text("Referral about Jayden Okafor")

    activate(page, page.get_by_role("button", name="Acknowledge the referral"))
    expect(banner(page)).to_contain_text("Referral acknowledged")
    tab_to(page, page.get_by_role("checkbox", name="County lines"))
    page.keyboard.press("Space")
    activate(page, page.get_by_role("button", name="Accept the referral"))
    expect(banner(page)).to_contain_text("Referral accepted")
    assert_referral_accepted(world)

    activate(page, page.get_by_role("link", name=re.compile("around Jayden Okafor on a context map")))
    expect(heading(page)).to_have_text("Context map: Jayden Okafor")
    for name in ("Peers", re.compile("^Places")):
        tab_to(page, page.get_by_role("checkbox", name=name))
        page.keyboard.press("Space")
    activate(page, page.get_by_role("button", name="Apply filters"))
    expect(page.locator("#map-filter-summary")).to_contain_text("Peers, Places")
    assert map_names(page) == {"Jayden Okafor", "Kai Mensah", "Riverside Park"}

    # The link to the tables takes the keyboard past the filters and the drawing, straight to the records.
    activate(page, page.get_by_role("link", name="Go to the map as tables"))
    expect(page.get_by_role("heading", name="The map as tables")).to_be_focused()
    place_link = page.locator("table.sc-map-nodes").get_by_role("link", name="Riverside Park")
    tab_to(page, place_link, limit=4)
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Riverside Park")

    activate(page, page.get_by_role("link", name="Record a location assessment"))
    expect(heading(page)).to_have_text("Record a location assessment")
    activate(page, page.get_by_role("button", name="Record the assessment"))
    missing = page.locator(".govuk-error-summary").get_by_role("link", name="Enter the findings of the assessment")
    activate(page, missing)
    expect(page.get_by_label("Findings")).to_be_focused()
    page.keyboard.type(FINDINGS)
    first = page.get_by_role("group", name="Intervention 1 (optional)")
    intervention = first.get_by_label("Intervention", exact=True)
    type_into(page, intervention, "Policing")
    expect(intervention).to_have_value("policing")
    type_into(page, first.get_by_label("What will be done"), "Patrols at the east gate on Friday and Saturday evenings")
    agency = first.get_by_label("Agency responsible")
    type_into(page, agency, "Northbridge Police")
    expect(agency).to_have_value(world["officer"].agency_id)
    activate(page, page.get_by_role("button", name="Record the assessment"))

    expect(heading(page)).to_have_text("Riverside Park")
    expect(banner(page)).to_contain_text("Location assessment recorded for Riverside Park")
    expect(page.locator(".sc-assessment")).to_contain_text(FINDINGS)
    assert_assessment_recorded(world)
