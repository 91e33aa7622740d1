"""Driving pages with the keyboard alone, as a practitioner who cannot use a mouse would."""

import pyotp
from playwright.sync_api import Locator, Page, expect

from tests.fixtures.accounts import PASSWORD

TAB_LIMIT = 120


def tab_to(page: Page, target: Locator, *, limit: int = TAB_LIMIT) -> None:
    """Press Tab until `target` has focus; fails if it cannot be reached within `limit` presses."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} could not be reached with the Tab key in {limit} presses on {page.url}")


def activate(page: Page, target: Locator) -> None:
    """Tab to a link or button and press Enter."""
    tab_to(page, target)
    page.keyboard.press("Enter")


def type_into(page: Page, target: Locator, text: str) -> None:
    """Tab to a field and type into it."""
    tab_to(page, target)
    page.keyboard.type(text)


def sign_in(page: Page, base_url: str, user, *, keyboard: bool = False) -> None:
    """Sign in with password and authenticator code, ending on the home page."""
    page.goto(base_url + "/sign-in")
    code = pyotp.TOTP(user.totp_secret).now()
    if keyboard:
        type_into(page, page.get_by_label("Username"), user.username)
        type_into(page, page.get_by_role("textbox", name="Password"), PASSWORD)
        activate(page, page.get_by_role("button", name="Continue"))
        type_into(page, page.get_by_label("Security code"), code)
        activate(page, page.get_by_role("button", name="Sign in"))
    else:
        page.get_by_label("Username").fill(user.username)
        page.get_by_role("textbox", name="Password").fill(PASSWORD)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Security code").fill(code)
        page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")
