"""Journey 3: a safeguarding lead reviews an emergency access, follows it through the audit log, checks that the
log verifies and exports the referral timeliness report; once with a pointer, once with the keyboard alone."""

import csv
import io
import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from playwright.sync_api import Locator, Page, expect

from app.extensions import db
from app.reports.display import CSV_HEADER
from models.safeguarding_events import BreakGlassGrant
from safeguarding import break_glass, cases, people, referrals
from tests.browser.keyboard import activate, sign_in, tab_to
from tests.fixtures.caseloads import open_case, record
from tests.web.helpers import audit_events

REASON = "Found at the station at 2am; police asked me to check who she is"
REVIEW_NOTE = "Police confirmed the call-out at 02:10"
NOVEMBER = (("1", "11", "2026"), ("30", "11", "2026"))
FIRST_REFERRAL = datetime(2026, 11, 2, 10, tzinfo=UTC)


@pytest.fixture
def world(make_user, make_agency):
    """Three young people on a social worker's cases, six November referrals to the police (five accepted three
    hours after sending), and a youth worker who used emergency access on one who shares her family name."""
    worker = make_user("social_worker")
    police = make_user("police_officer", agency=make_agency(name="Northbridge Police", kind="police"))
    youth = make_user("youth_worker", family_name="Greaves")
    children = [
        record(worker, "Tamsin", "Greaves"),
        record(worker, "Kofi", "Adjei", date_of_birth="2010-07-14"),
        record(worker, "Mia", "Lowe", date_of_birth="2012-01-09"),
    ]
    case_of = {child.id: open_case(worker, child) for child in children}
    for day in range(6):
        child = children[day % 3]
        data = {"person_id": child.id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Concern"}
        sent_at = FIRST_REFERRAL + timedelta(days=day)
        referral = referrals.submit_referral(db.session, worker, data, sent_at=sent_at)
        if day < 5:
            if not case_of[child.id].has_member(police.id):  # the lead brings the police onto the team
                cases.add_member(db.session, worker, case_of[child.id].id, police.id)
            accept = {"case_id": case_of[child.id].id}
            referrals.transition(db.session, police, referral.id, "accept", accept, at=sent_at + timedelta(hours=3))
    tamsin = children[0]
    people.view_person(db.session, worker, tamsin.id)
    grant = break_glass.break_glass(db.session, youth, tamsin.id, REASON)
    people.view_person(db.session, youth, tamsin.id)
    return SimpleNamespace(worker=worker, youth=youth, child=tamsin, grant=grant)


class Driver:
    """One journey, two ways of moving through it: pointer clicks (with axe-core and a screenshot on each page)
    or the keyboard alone."""

    def __init__(self, page: Page, keyboard: bool, check_accessibility=None, screenshot_dir=None):
        self.page, self.keyboard = page, keyboard
        self.check_accessibility, self.screenshot_dir = check_accessibility, screenshot_dir
        self.shots = 0

    def arrive(self, heading: str, name: str) -> None:
        expect(self.page.get_by_role("heading", level=1)).to_have_text(heading)
        if self.keyboard:
            return
        self.check_accessibility(self.page)
        self.shots += 1
        self.page.screenshot(path=self.screenshot_dir / f"journey3-{self.shots:02d}-{name}.png", full_page=True)

    def follow(self, target: Locator) -> None:
        if self.keyboard:
            activate(self.page, target)
        else:
            target.click()

    def fill(self, field: Locator, text: str) -> None:
        if self.keyboard:
            tab_to(self.page, field)
            self.page.keyboard.press("Control+A")  # replace what the field already holds
            self.page.keyboard.type(text)
        else:
            field.fill(text)

    def choose(self, option: Locator) -> None:
        if self.keyboard:
            tab_to(self.page, option)
            self.page.keyboard.press("Space")
        else:
            option.check()
        expect(option).to_be_checked()


def lead_journey(drive: Driver, base_url: str, lead, world) -> None:
    page, main = drive.page, drive.page.locator("main")
    sign_in(page, base_url, lead, keyboard=drive.keyboard)
    drive.arrive("Home", "home")

    # Home points to the one emergency access waiting for a lead.
    drive.follow(page.get_by_role("link", name="1 use of emergency access awaiting your review"))
    drive.arrive("Emergency access to review", "break-glass-queue")
    waiting = page.get_by_role("table", name="Awaiting review, oldest first").locator("tbody tr")
    expect(waiting).to_have_count(1)
    expect(waiting).to_contain_text(world.youth.display_name)
    expect(waiting).to_contain_text(REASON)

    review_link = re.compile(f"^Review emergency access by {world.youth.display_name}")
    drive.follow(waiting.get_by_role("link", name=review_link))
    drive.arrive("Review emergency access", "review")
    expect(main).to_contain_text(REASON)
    expect(main.locator(".govuk-summary-list")).to_contain_text("Awaiting review")
    used = page.get_by_role("table", name="What they did under this emergency access").locator("tbody tr")
    expect(used).to_have_count(2)  # the break-glass itself and the view it allowed
    drive.choose(page.get_by_role("radio", name="Justified", exact=True))
    drive.fill(page.get_by_label("Note"), REVIEW_NOTE)
    drive.follow(page.get_by_role("button", name="Save review"))

    drive.arrive("Emergency access to review", "review-saved")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Review saved")
    expect(main).to_contain_text("No emergency access is awaiting review")
    reviewed = page.get_by_role("table", name="Recently reviewed").locator("tbody tr")
    expect(reviewed).to_have_count(1)
    expect(reviewed).to_contain_text("Justified")
    expect(reviewed).to_contain_text(lead.display_name)

    # From the reviewed grant to everyone who accessed the young person's record.
    drive.follow(reviewed.get_by_role("link", name=f"{world.child.id} (who accessed their record)", exact=True))
    drive.arrive("Who accessed a person's record", "who-accessed")
    expect(page.get_by_label("Person's reference")).to_have_value(world.child.id)
    access = page.get_by_role("table", name=f"Access to {world.child.id}, newest first").locator("tbody tr")
    by_youth = access.filter(has_text=world.youth.display_name)
    expect(by_youth).to_have_count(2)
    expect(by_youth.first).to_contain_text("Emergency access (break-glass)")
    expect(access.filter(has_text=world.worker.display_name).filter(has_text="View")).to_have_count(1)

    drive.follow(page.get_by_role("link", name="Back to the audit log"))
    drive.arrive("Audit log", "audit-log")
    drive.follow(page.get_by_role("link", name="Privacy monitoring report"))
    drive.arrive("Privacy monitoring report", "monitoring")
    namesake = page.locator('tr[data-rule="same_family_name"]')
    expect(namesake).to_have_count(2)  # the break-glass and the view, each of a person sharing her family name
    expect(namesake.first).to_contain_text(world.youth.display_name)
    expect(namesake.filter(has_text="break glass of 1 person sharing the user's family name")).to_have_count(1)

    drive.follow(page.get_by_role("link", name="Back to the audit log"))
    drive.arrive("Audit log", "audit-log-again")
    drive.follow(page.get_by_role("button", name="Run a full check"))
    drive.arrive("Audit log", "log-verifies")
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("The audit log verifies")
    status = page.locator("#status + .govuk-summary-list")
    expect(status).to_contain_text("Verified")
    expect(status).to_contain_text("Full: every field")

    drive.follow(page.get_by_role("link", name="Reports"))
    drive.arrive("Partnership report", "report")
    for legend, parts in zip(("First day", "Last day"), NOVEMBER, strict=True):
        group = page.get_by_role("group", name=legend)
        for box, value in zip(("Day", "Month", "Year"), parts, strict=True):
            drive.fill(group.get_by_label(box, exact=True), value)
    drive.follow(page.get_by_role("button", name="Show the report for this period"))
    drive.arrive("Partnership report", "report-november")
    expect(main).to_contain_text("1 November 2026 to 30 November 2026")
    timeliness = page.get_by_role("table", name="How many, and how quickly decided: this period and the previous one")
    expect(timeliness.get_by_role("row", name=re.compile("^Decided within the timescale"))).to_contain_text("100%")
    expect(timeliness.get_by_role("row", name=re.compile("^Median time"))).to_contain_text("3.0 hours")

    with page.expect_download() as download_info:
        drive.follow(page.get_by_role("link", name="Download this report as a spreadsheet (CSV)"))
    download = download_info.value
    assert download.suggested_filename == "safecontext-partnership-report-2026-11-01-to-2026-11-30.csv"
    rows = list(csv.reader(io.StringIO(download.path().read_text(encoding="utf-8-sig"))))
    assert tuple(rows[0]) == CSV_HEADER
    figures = {(row[0], row[2]): row[3:5] for row in rows[1:]}
    assert figures[("Period", "")] == ["2026-11-30", "2026-10-31"]  # the last row of the two period rows wins
    assert figures[("Referrals", "Referrals sent in the period")] == ["6", "0"]
    assert figures[("Referrals", "Decided within the timescale")] == ["100", "suppressed"]
    assert figures[("Referrals", "Median time from sending to decision")] == ["3.0", "suppressed"]
    assert figures[("Referrals", "Northbridge Police")] == ["6", "0"]


def assert_recorded(world, lead) -> None:
    """What the journey left behind: the verdict on the grant, and the lead's looks and export in the audit log."""
    db.session.expire_all()
    grant = db.session.get(BreakGlassGrant, world.grant.id)
    assert (grant.review_outcome, grant.review_note, grant.reviewed_by_id) == ("justified", REVIEW_NOTE, lead.id)
    exported = [e for e in audit_events("export") if e.actor_user_id == lead.id]
    assert [(e.object_type, e.object_id) for e in exported] == [("report", "partnership")]
    looks = {e.detail_dict["view"] for e in audit_events("audit_view") if e.actor_user_id == lead.id}
    assert {"break_glass_queue", "person_access", "monitoring", "overview"} <= looks


def test_a_lead_reviews_emergency_access_follows_it_through_the_log_and_exports_timeliness(
    live_server, browser_page, make_user, world, screenshot_dir, check_accessibility
):
    lead = make_user("safeguarding_lead", family_name="Lead")
    drive = Driver(browser_page, False, check_accessibility, screenshot_dir)
    lead_journey(drive, live_server, lead, world)
    assert len(check_accessibility.pages) == drive.shots == 11
    assert_recorded(world, lead)


def test_the_lead_journey_can_be_completed_with_the_keyboard_alone(live_server, browser_page, make_user, world):
    lead = make_user("safeguarding_lead", family_name="Lead")
    lead_journey(Driver(browser_page, True), live_server, lead, world)
    assert_recorded(world, lead)
