"""A narrow screen, or a page zoomed to 400%: the page reflows and a wide table scrolls inside its own box."""

import pytest
from playwright.sync_api import expect

from tests.browser.keyboard import sign_in
from tests.fixtures.caseloads import make_caseload

OUTBOX_TABLE = "9 referrals, newest first (scrolls sideways)"


@pytest.fixture
def worker(make_user, make_agency):
    return make_caseload(make_user, make_agency)["worker"]


def page_width(page) -> int:
    return page.evaluate("() => document.documentElement.scrollWidth")


def test_a_wide_table_scrolls_inside_a_named_box_that_the_keyboard_reaches(
    live_server, browser_page, worker, check_accessibility, screenshot_dir
):
    page = browser_page
    page.set_viewport_size({"width": 320, "height": 640})
    sign_in(page, live_server, worker)
    page.goto(live_server + "/referrals/outbox")
    box = page.get_by_role("region", name=OUTBOX_TABLE)
    expect(box).to_be_visible()
    assert page_width(page) <= 320  # nothing but the table's box scrolls sideways
    assert box.evaluate("b => b.scrollWidth > b.clientWidth")
    box.focus()
    page.keyboard.press("ArrowRight")  # a focused scrolling box scrolls from the keyboard
    page.wait_for_function("b => b.scrollLeft > 0", arg=box.element_handle())
    page.screenshot(path=screenshot_dir / "outbox-320px.png", full_page=True)
    check_accessibility(page)


def test_a_table_that_fits_is_no_region_and_no_tab_stop(live_server, browser_page, worker):
    page = browser_page
    sign_in(page, live_server, worker)
    page.goto(live_server + "/referrals/outbox")
    expect(page.locator(".sc-table-scroll > table.sc-referrals")).to_be_visible()
    expect(page.get_by_role("region", name=OUTBOX_TABLE)).to_have_count(0)
    assert page.locator(".sc-table-scroll").first.get_attribute("tabindex") is None
    page.set_viewport_size({"width": 320, "height": 640})  # made narrow later, it becomes one
    expect(page.get_by_role("region", name=OUTBOX_TABLE)).to_be_visible()
