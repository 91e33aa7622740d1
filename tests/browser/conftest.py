"""A live server on loopback and headless Debian Chromium driven by Playwright."""

import json
import os
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

CHROMIUM = "/usr/bin/chromium"
AXE_SCRIPT = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# WCAG 2.2 AA and everything below it; best-practice rules are advisory and not gated.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
BLOCKING_IMPACTS = {"serious", "critical"}
# Without these Chromium keeps trying to reach Google's services, which this network refuses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(5)


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright

    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run scripts/bootstrap --dev (Debian package chromium)")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def browser_page(chromium):
    # bypass_csp lets the tests inject axe-core under the app's strict Content-Security-Policy.
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir(request) -> Path:
    base = Path(os.environ.get("SAFECONTEXT_TEST_OUTPUT", "test-output")) / "screenshots"
    base.mkdir(parents=True, exist_ok=True)
    return base


def axe_violations(page) -> list[dict]:
    """Serious and critical WCAG 2.2 AA violations that axe-core finds on the page as it stands."""
    if not AXE_SCRIPT.exists():
        pytest.fail(f"{AXE_SCRIPT} is missing: run scripts/bootstrap --dev (npm package axe-core)")
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    results = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "targets": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in results["violations"]
        if violation["impact"] in BLOCKING_IMPACTS
    ]


@pytest.fixture
def check_accessibility():
    """Call with a page: fails the test if axe-core finds serious or critical violations, naming the page."""
    checked: list[str] = []

    def check(page) -> None:
        violations = axe_violations(page)
        checked.append(page.url)
        assert not violations, f"axe-core on {page.url}:\n{json.dumps(violations, indent=2)}"

    check.pages = checked
    return check
