"""Journey 1: a social worker checks whether a child is known, records him, opens a case and refers to the police.

One journey, driven twice: with the pointer (checking every page with axe-core and saving numbered screenshots)
and with the keyboard alone.
"""

from datetime import timedelta

import pyotp
import pytest
from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from app.extensions import db
from app.people.labels import date_time
from models.case import ChronologyEntry
from models.referral import Referral
from safeguarding import case_lists, people, referrals
from safeguarding.access import load_person
from safeguarding.validation import uk_today
from tests.browser.keyboard import activate, sign_in, tab_to, type_into
from tests.fixtures.accounts import PASSWORD

BORN = ("27", "3", "2011")
# Chronology entries: days ago, category, sensitivity (None leaves "General"), what happened.
ENTRIES = (
    (12, "Home visit", None, "Home visit: his mother says he stays out until 2am."),
    (5, "Health attendance", "Health", "Attended A&E with a cut to his hand; says he fell."),
)


@pytest.fixture
def world(make_user, make_agency):
    """A social worker, a police agency to refer to, and a similar child already recorded by a youth worker."""
    social_care = make_agency("Northbridge Children's Services", kind="social_care")
    police = make_agency("Northbridge Police", kind="police")
    # Nearly the same name and date of birth, recorded by another agency: the social worker may not see it.
    existing = people.record_person(
        db.session,
        make_user("youth_worker"),
        {"given_name": "Jaiden", "family_name": "Okafor", "date_of_birth": "2011-03-21"},
    )
    db.session.commit()
    return {"social_worker": make_user("social_worker", agency=social_care), "police": police, "existing": existing}


class Pointer:
    """Drives the page with the mouse."""

    def __init__(self, page: Page):
        self.page = page

    def fill(self, field: Locator, text: str) -> None:
        field.fill(text)

    def tick(self, box: Locator) -> None:
        box.check()

    def choose(self, radio: Locator) -> None:
        radio.check()

    def select(self, dropdown: Locator, option: str) -> None:
        dropdown.select_option(label=option)

    def press(self, control: Locator) -> None:
        control.click()


class Keyboard(Pointer):
    """Drives the page with Tab, Enter, Space and the arrow keys only."""

    def fill(self, field: Locator, text: str) -> None:
        type_into(self.page, field, text)

    def tick(self, box: Locator) -> None:
        tab_to(self.page, box)
        self.page.keyboard.press("Space")

    def choose(self, radio: Locator) -> None:
        # Tab reaches a radio group once, at its checked radio or else its first; the arrow keys move the choice.
        group = self.page.locator(f'input[type="radio"][name="{radio.get_attribute("name")}"]')
        checked = group.locator(":scope:checked")
        tab_to(self.page, checked if checked.count() else group.first)
        self.page.keyboard.press("Space")
        for _ in range(group.count()):
            if radio.is_checked():
                return
            self.page.keyboard.press("ArrowDown")
        expect(radio).to_be_checked()

    def select(self, dropdown: Locator, option: str) -> None:
        tab_to(self.page, dropdown)
        for _ in range(dropdown.locator("option").count()):
            if dropdown.evaluate("select => select.selectedOptions[0].text") == option:
                return
            self.page.keyboard.press("ArrowDown")
        raise AssertionError(f"{option!r} is not an option of {dropdown}")

    def press(self, control: Locator) -> None:
        activate(self.page, control)


def heading(page: Page):
    return expect(page.get_by_role("heading", level=1))


def banner(page: Page):
    return expect(page.locator(".govuk-notification-banner--success"))


def social_worker_journey(page: Page, world: dict, act: Pointer, checkpoint) -> None:
    """From the home page to the confirmation of a referral to the police."""
    act.press(page.get_by_role("link", name="Is this child already known? Search people"))
    heading(page).to_have_text("Is this child already known?")
    checkpoint("search")
    act.fill(page.get_by_label("Given name"), "Jayden")
    act.fill(page.get_by_label("Family name"), "Okafor")
    for part, value in zip(("Day", "Month", "Year"), BORN, strict=True):
        act.fill(page.get_by_label(part), value)
    act.press(page.get_by_role("button", name="Search"))
    # A possible match the social worker may not see: counted, explained, and nothing about it shown.
    expect(page.locator("#results")).to_have_text("1 possible match")
    hidden = page.locator(".sc-hidden-matches")
    expect(hidden).to_contain_text("1 possible match is a record you cannot see")
    expect(hidden).to_contain_text("ask the MASH or your safeguarding lead")
    expect(page.locator("main")).not_to_contain_text("Jaiden")
    expect(page.locator("main")).not_to_contain_text("21 March")
    checkpoint("search-results")

    # Deciding it is a different child, and recording him.
    act.press(page.get_by_role("button", name="Record a new person"))
    heading(page).to_have_text("Record a person")
    expect(page.get_by_label("Given name")).to_have_value("Jayden")
    expect(page.get_by_label("Year")).to_have_value("2011")
    checkpoint("record-person")
    act.choose(page.get_by_label("Male", exact=True))
    act.press(page.get_by_role("button", name="Continue"))
    heading(page).to_have_text("This person may already have a record")
    expect(page.locator(".sc-hidden-matches")).to_contain_text("1 possible match is a record you cannot see")
    checkpoint("possible-duplicate")
    act.press(page.get_by_role("button", name="This is a different person – record them"))
    heading(page).to_have_text("Jayden Okafor")
    banner(page).to_contain_text("Jayden Okafor is recorded")
    banner(page).to_contain_text("open a case or make a referral")
    checkpoint("person")

    # Opening a case.
    act.press(page.get_by_role("button", name="Open a case"))
    heading(page).to_have_text("Open a case")
    checkpoint("open-case")
    act.tick(page.get_by_label("Child criminal exploitation (CCE)"))
    act.tick(page.get_by_label("County lines"))
    act.choose(page.get_by_label("High"))
    act.fill(page.get_by_label("Summary of the concern"), "Found in Eastmoor, 40 miles from home, with two phones.")
    act.press(page.get_by_role("button", name="Open the case"))
    heading(page).to_have_text("Case about Jayden Okafor")
    banner(page).to_contain_text("Case opened")
    expect(page.get_by_role("heading", name="What you can do next")).to_be_visible()
    checkpoint("case")

    # Two chronology entries, the second readable only by health practitioners and social workers.
    for number, (days_ago, category, sensitivity, what) in enumerate(ENTRIES, start=1):
        when = uk_today() - timedelta(days=days_ago)
        act.press(page.get_by_role("link", name="Add an entry to the chronology"))
        entry = page.locator("form", has=page.get_by_role("button", name="Add the entry"))
        happened = entry.get_by_role("group", name="Date it happened")
        for part, value in zip(("Day", "Month", "Year"), (when.day, when.month, when.year), strict=True):
            act.fill(happened.get_by_label(part), str(value))
        act.select(entry.get_by_label("Category"), category)
        if sensitivity:
            act.choose(entry.get_by_label(sensitivity, exact=True))
        act.fill(entry.get_by_label("What happened"), what)
        act.press(entry.get_by_role("button", name="Add the entry"))
        banner(page).to_contain_text("Entry added to the chronology")
        rows = page.locator("table.sc-chronology tbody tr")
        expect(rows).to_have_count(number)
        expect(rows.last).to_contain_text(what)
        checkpoint(f"chronology-{number}")
    expect(rows.last.locator(".govuk-tag")).to_have_text("Health")

    # Referring to the police, amber; leaving out why consent was not sought shows an error linked to the field.
    act.press(page.get_by_role("link", name="Make a referral about Jayden Okafor"))
    heading(page).to_have_text("Make a referral")
    expect(page.get_by_role("link", name="Back to the case")).to_be_visible()
    checkpoint("referral")
    act.select(page.get_by_label("Agency to refer to"), "Northbridge Police")
    act.choose(page.get_by_label("Amber"))
    act.fill(page.get_by_label("Reason for the referral"), "Found in Eastmoor with two phones and cash: county lines.")
    act.choose(page.get_by_label("Consent not sought"))
    act.press(page.get_by_role("button", name="Send the referral"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Explain why consent was not sought")
    checkpoint("referral-error")
    act.press(summary.get_by_role("link", name="Explain why consent was not sought"))
    reason = page.get_by_label("If consent was overridden or not sought, why?")
    expect(reason).to_be_focused()
    act.fill(reason, "Asking his mother could alert the adults exploiting him.")
    act.press(page.get_by_role("button", name="Send the referral"))

    # The confirmation: the referral, its urgency and when the police must act on it.
    heading(page).to_have_text("Referral about Jayden Okafor")
    referral = db.session.scalars(select(Referral)).one()
    due = referrals.timeliness(referral).due
    banner(page).to_contain_text("Referral sent to Northbridge Police")
    banner(page).to_contain_text(date_time(due.decide_by))
    expect(page.locator(".sc-tags")).to_contain_text("Amber urgency")
    expect(page.locator(".sc-tags")).to_contain_text("Sent, not acknowledged")
    next_steps = page.locator("#what-happens-next + p")
    # Amber: acknowledged and decided by the end of the next working day.
    assert due.acknowledge_by == due.decide_by
    expect(next_steps).to_contain_text(
        f"must acknowledge the referral and decide whether to accept it by {date_time(due.decide_by)}"
    )
    checkpoint("referral-sent")

    assert (referral.urgency, referral.status, referral.to_agency_id) == ("amber", "submitted", world["police"].id)
    assert referral.lawful_basis == "no_consent_sought" and referral.sender_id == world["social_worker"].id
    assert referral.person_id != world["existing"].id
    assert load_person(db.session, referral.person_id).display_name == "Jayden Okafor"
    (case,) = case_lists.cases_of_person(db.session, referral.person_id)
    entries = db.session.scalars(select(ChronologyEntry).where(ChronologyEntry.case_id == case.id)).all()
    recorded = sorted(((uk_today() - e.occurred_on).days, e.sensitivity) for e in entries)
    assert recorded == [(5, "health"), (12, "general")]

    # Later, the work done: closing the case; leaving out why shows an error linked to the field.
    page.goto(page.url.split("/referrals/")[0] + f"/cases/{case.id}")
    act.press(page.locator("summary", has_text="Close the case"))
    act.press(page.get_by_role("button", name="Close case"))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the case is closing")
    checkpoint("close-case-error")
    act.press(summary.get_by_role("link", name="Enter why the case is closing"))
    why = page.get_by_label("Why is the case closing?")
    expect(why).to_be_focused()
    act.fill(why, "Plan complete: Jayden is settled at college and the referral is with the police.")
    act.press(page.get_by_role("button", name="Close case"))
    banner(page).to_contain_text("Case closed")
    expect(page.locator(".sc-closed-reason")).to_have_text(
        "Plan complete: Jayden is settled at college and the referral is with the police."
    )
    checkpoint("case-closed")
    db.session.expire_all()
    assert db.session.get(type(case), case.id).status == "closed"


def test_a_social_worker_records_a_child_opens_a_case_and_refers_to_the_police(
    live_server, browser_page, world, screenshot_dir, check_accessibility
):
    page = browser_page
    page.set_default_timeout(5000)
    numbers = iter(range(1, 100))

    def checkpoint(name: str) -> None:
        check_accessibility(page)
        page.screenshot(path=screenshot_dir / f"journey1-{next(numbers):02d}-{name}.png", full_page=True)

    user = world["social_worker"]
    page.goto(live_server + "/sign-in")
    checkpoint("sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    heading(page).to_have_text("Enter your security code")
    checkpoint("security-code")
    page.get_by_label("Security code").fill(pyotp.TOTP(user.totp_secret).now())
    page.get_by_role("button", name="Sign in").click()
    heading(page).to_have_text("Home")
    checkpoint("home")
    social_worker_journey(page, world, Pointer(page), checkpoint)
    assert len(check_accessibility.pages) == next(numbers) - 1


def test_the_same_journey_with_the_keyboard_alone(live_server, browser_page, world):
    page = browser_page
    page.set_default_timeout(5000)
    sign_in(page, live_server, world["social_worker"], keyboard=True)
    social_worker_journey(page, world, Keyboard(page), checkpoint=lambda name: None)
