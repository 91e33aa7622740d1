"""Signing in with MFA in a real browser."""

import re
from datetime import timedelta

import pyotp
from playwright.sync_api import expect

from tests.browser.keyboard import sign_in
from tests.fixtures.accounts import PASSWORD


def test_social_worker_signs_in_with_password_and_totp(live_server, browser_page, make_user, screenshot_dir):
    user = make_user("social_worker")
    page = browser_page
    page.goto(live_server + "/")
    expect(page).to_have_url(re.compile(r"/sign-in"))
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Enter your security code")
    page.get_by_label("Security code").fill(pyotp.TOTP(user.totp_secret).now())
    page.screenshot(path=screenshot_dir / "sign-in-code.png", full_page=True)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
    expect(page.locator("main")).to_contain_text(user.agency.name)
    page.screenshot(path=screenshot_dir / "home-signed-in.png", full_page=True)
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in to SafeContext")


def test_wrong_code_shows_an_error_summary_linked_to_the_field(live_server, browser_page, make_user):
    user = make_user("police_officer")
    page = browser_page
    page.goto(live_server + "/sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.get_by_label("Security code").fill("123456" if pyotp.TOTP(user.totp_secret).now() != "123456" else "654321")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Security code")).to_be_focused()


def test_new_user_sets_up_the_authenticator_from_the_qr_page(live_server, browser_page, make_user, screenshot_dir):
    user = make_user("youth_worker", confirmed=False)
    page = browser_page
    page.goto(live_server + "/sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    secret = page.locator("#totp-secret").inner_text()
    page.screenshot(path=screenshot_dir / "enrol-authenticator.png", full_page=True)
    page.get_by_label("Security code").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Confirm and continue").click()
    expect(page.locator("#recovery-codes li")).to_have_count(10)


def test_staying_signed_in_keeps_the_page_and_what_was_typed(app, live_server, browser_page, make_user):
    app.config.update(IDLE_TIMEOUT=timedelta(seconds=6), IDLE_WARNING=timedelta(seconds=4))
    page = browser_page
    sign_in(page, live_server, make_user("social_worker"))
    page.goto(live_server + "/people/new")
    page.get_by_label("Given name").fill("Typed before the warning")
    stay = page.get_by_role("button", name="Stay signed in")
    expect(stay).to_be_visible(timeout=5000)
    expect(stay).to_be_focused()
    page.keyboard.press("Enter")
    expect(stay).to_be_hidden()
    expect(page.get_by_label("Given name")).to_be_focused()  # back where they were typing
    page.wait_for_timeout(4500)  # past the first deadline: the clock started again on the server and the page
    expect(page).to_have_url(live_server + "/people/new")
    expect(page.get_by_label("Given name")).to_have_value("Typed before the warning")


def test_the_last_minutes_of_a_session_are_warned_of_without_a_way_to_extend_them(
    app, live_server, browser_page, make_user
):
    """A session lasts 8 hours at most, whatever the activity: the page says so before the end, then signs out."""
    app.config.update(ABSOLUTE_TIMEOUT=timedelta(seconds=14), IDLE_WARNING=timedelta(seconds=10))
    page = browser_page
    sign_in(page, live_server, make_user("social_worker"))
    page.goto(live_server + "/people/new")
    final = page.locator(".sc-timeout__final")
    expect(final).to_be_visible(timeout=10_000)
    expect(final).to_contain_text("as long as a session lasts")
    expect(page.get_by_role("button", name="Stay signed in")).to_be_hidden()
    expect(page).to_have_url(re.compile(r"/sign-in"), timeout=15_000)
