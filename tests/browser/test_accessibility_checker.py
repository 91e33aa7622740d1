"""The axe-core check the journeys rely on really reports what it should."""

from tests.browser.conftest import axe_violations


def test_axe_reports_a_serious_violation_and_passes_a_clean_page(browser_page):
    browser_page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><img src="x.png"></main></body></html>'
    )
    assert [v["rule"] for v in axe_violations(browser_page)] == ["image-alt"]
    browser_page.set_content(
        '<html lang="en"><head><title>t</title></head><body><main><h1>Fine</h1></main></body></html>'
    )
    assert axe_violations(browser_page) == []
