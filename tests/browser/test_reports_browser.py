"""The partnership report and a subject access bundle in a real browser: charts drawn under the CSP, print layout."""

from datetime import datetime

import pyotp
import pytest
from playwright.sync_api import expect

from tests.fixtures.accounts import PASSWORD
from tests.fixtures.caseloads import make_caseload, make_subject


@pytest.fixture
def caseload(make_user, make_agency):
    return make_caseload(make_user, make_agency)


@pytest.fixture
def subject(make_user):
    return make_subject(make_user)


def sign_in(page, live_server, user) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(pyotp.TOTP(user.totp_secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")


def test_the_report_draws_its_charts_without_csp_violations_and_prints_without_navigation(
    live_server,
    browser_page,
    make_user,
    caseload,
    screenshot_dir,
):
    lead = make_user("safeguarding_lead")
    page = browser_page
    problems = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    sign_in(page, live_server, lead)
    page.get_by_role("link", name="Reports").click()
    page.goto(live_server + "/reports/partnership?start=2026-11-01&end=2026-12-01")
    chart = page.get_by_role("img", name="Referrals by receiving agency")
    expect(chart).to_be_visible()
    assert chart.locator("rect.sc-chart__bar--current").first.bounding_box()["width"] > 100
    page.screenshot(path=screenshot_dir / "partnership-report.png", full_page=True)
    page.locator("section[aria-labelledby=referrals]").screenshot(
        path=screenshot_dir / "partnership-report-referrals.png"
    )
    page.emulate_media(media="print")
    expect(page.locator(".govuk-service-navigation")).to_be_hidden()
    expect(page.locator("form.sc-period-form")).to_be_hidden()
    expect(chart).to_be_visible()
    assert problems == []


def test_a_lead_confirms_who_they_are_and_reads_the_bundle(
    live_server,
    browser_page,
    make_user,
    subject,
    screenshot_dir,
):
    lead = make_user("safeguarding_lead")
    page = browser_page
    sign_in(page, live_server, lead)
    page.get_by_role("link", name="Subject access").click()
    page.get_by_label("Person's reference").fill(subject["child"].id)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm it is you")
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    # A new code: the one used to sign in cannot be used again.
    page.get_by_label("Security code").fill(pyotp.TOTP(lead.totp_secret).at(datetime.now(), counter_offset=1))
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Subject access bundle")
    expect(page.locator("main")).to_contain_text("Quillonetta")
    expect(page.locator("main")).not_to_contain_text("Barnabus")
    page.screenshot(path=screenshot_dir / "subject-access-bundle.png", full_page=True)
