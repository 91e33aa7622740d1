"""The context map in headless Chromium: cytoscape draws the nodes under the strict CSP, the tables stay."""

import re

import pyotp
import pytest
from playwright.sync_api import expect

from app.extensions import db
from safeguarding import cases, contexts, people
from tests.fixtures.accounts import PASSWORD


@pytest.fixture
def world(make_user):
    """A child on a police officer's case, a peer at the same park, a trusted adult and a group."""
    sw, police = make_user("social_worker"), make_user("police_officer")

    def person(given, family, born="2010-04-04"):
        data = {"given_name": given, "family_name": family, "date_of_birth": born}
        return people.record_person(db.session, sw, data)

    child, peer, aunt = person("Jayden", "Okafor"), person("Kai", "Mensah"), person("Grace", "Okafor", "1980-02-02")
    stranger = person("Zephyrine", "Quillfeather")
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    crew = contexts.create_group(db.session, sw, {"name": "Eastside crew"})
    for source, target, kind, extra in (
        (child, park, "frequents", {}),
        (peer, park, "frequents", {}),
        (child, crew, "member_of", {}),
        (aunt, child, "trusted_adult", {}),
        (stranger, peer, "friend", {"grading": {"source": "2", "information": "C", "handling": "C"}}),
    ):
        target_type = "place" if target is park else "group" if target is crew else "person"
        body = {"source": {"type": "person", "id": source.id}, "target": {"type": target_type, "id": target.id}}
        contexts.add_relationship(db.session, sw, {**body, "kind": kind, **extra})
    case = cases.open_case(
        db.session,
        sw,
        {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "high", "summary": "CCE"},
    )
    cases.add_member(db.session, sw, case.id, police.id)
    return {"police": police, "child": child, "park": park}


def sign_in(page, live_server, user) -> None:
    page.goto(live_server + "/sign-in")
    page.get_by_label("Username").fill(user.username)
    page.get_by_role("textbox", name="Password").fill(PASSWORD)
    page.get_by_role("button", name="Continue").click()
    page.get_by_label("Security code").fill(pyotp.TOTP(user.totp_secret).now())
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Home")


def test_the_map_page_draws_the_nodes_with_cytoscape_and_keeps_the_table(
    live_server, browser_page, world, screenshot_dir
):
    page = browser_page
    refused = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    sign_in(page, live_server, world["police"])
    page.goto(f"{live_server}/people/{world['child'].id}/map?depth=3")
    expect(page.get_by_role("heading", level=1)).to_have_text("Context map: Jayden Okafor")
    container = page.locator("#context-map")
    expect(container).to_be_visible()
    expect(container).not_to_have_attribute("data-node-count", "0")
    drawn = page.evaluate("window.scContextMap.nodes().length")
    table_rows = page.locator("table.sc-map-nodes tbody tr").count()
    assert drawn == table_rows == int(container.get_attribute("data-node-count")) == 6
    assert page.locator("#context-map canvas").count() >= 1
    assert page.evaluate("window.scContextMap.edges('.protective').length") == 1
    assert page.evaluate("window.scContextMap.nodes('.redacted').length") == 1
    expect(page.locator("table.sc-map-edges")).to_be_visible()
    expect(page.locator(".sc-map-nojs")).to_be_hidden()
    assert "Zephyrine" not in page.content()
    page.screenshot(path=screenshot_dir / "context-map.png", full_page=True)
    assert refused == [], refused

    # Selecting a node opens its record (the park, which every practitioner may open).
    position = page.evaluate(f"window.scContextMap.$id('place:{world['park'].id}').renderedPosition()")
    box = container.bounding_box()
    page.mouse.click(box["x"] + position["x"], box["y"] + position["y"])
    expect(page.get_by_role("heading", level=1)).to_have_text("Riverside Park")


def test_without_javascript_the_filters_and_tables_still_work(live_server, chromium, world, screenshot_dir):
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=False)
    page = context.new_page()
    try:
        # Sign in with JavaScript off: the forms are plain HTML.
        sign_in(page, live_server, world["police"])
        page.goto(f"{live_server}/people/{world['child'].id}/map")
        expect(page.locator(".sc-map-nojs")).to_be_visible()
        expect(page.locator("#context-map")).to_be_hidden()
        before = page.locator("table.sc-map-nodes tbody tr").count()
        page.get_by_label("Three steps").check()
        page.get_by_role("button", name="Apply filters").click()
        expect(page).to_have_url(re.compile(r"/map\?depth=3&"))
        assert page.locator("table.sc-map-nodes tbody tr").count() > before
        page.screenshot(path=screenshot_dir / "context-map-no-javascript.png", full_page=True)
    finally:
        context.close()
