"""Work on a peer group in a real browser: a social worker finds a group's members with an overdue review, confirms
the membership from their worklist, reads why a member is exposed, and opens a case about the group; every page
passes axe-core."""

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from models.case import Case
from models.context import Relationship
from safeguarding import cases, contexts, people
from safeguarding.validation import uk_today
from tests.browser.keyboard import sign_in


@pytest.fixture
def world(make_user):
    """A child on the worker's case, in a group with an adult of concern whose membership review is overdue."""
    sw = make_user("social_worker", family_name="Brennan")

    def person(given, family, born="2010-04-04", **extra):
        data = {"given_name": given, "family_name": family, "date_of_birth": born, **extra}
        return people.record_person(db.session, sw, data)

    child = person("Jayden", "Okafor")
    adult = person("Marcus", "Vane", "1990-01-01", flags=["adult_of_concern"])
    crew = contexts.create_group(db.session, sw, {"name": "Eastside crew"})
    edges = {}
    for member in (child, adult):
        body = {"source": {"type": "person", "id": member.id}, "target": {"type": "group", "id": crew.id}}
        edges[member.id] = contexts.add_relationship(db.session, sw, {**body, "kind": "member_of"}).id
    overdue = sa.update(Relationship).where(Relationship.id == edges[child.id])
    db.session.execute(overdue.values(review_on=uk_today() - timedelta(days=3)))
    db.session.commit()
    summary = "Seen with older males"
    case = {
        "subject": {"type": "person", "id": child.id},
        "concerns": ["cce"],
        "risk_level": "high",
        "summary": summary,
    }
    cases.open_case(db.session, sw, case)
    return {"sw": sw, "child": child, "crew": crew, "edge": edges[child.id]}


def test_a_social_worker_reviews_a_groups_members_and_opens_a_case_about_it(
    live_server, browser_page, world, screenshot_dir, check_accessibility
):
    page = browser_page
    numbers = iter(range(1, 100))

    def visit(name: str) -> None:
        check_accessibility(page)
        page.screenshot(path=screenshot_dir / f"group-work-{next(numbers):02d}-{name}.png", full_page=True)

    sign_in(page, live_server, world["sw"])
    expect(page.get_by_role("link", name="1 group membership to review")).to_be_visible()
    visit("home")

    page.goto(f"{live_server}/groups/{world['crew'].id}")
    members = page.get_by_role("table", name="Current members you may see").locator("tbody tr")
    expect(members).to_have_count(2)
    expect(members.first).to_contain_text("Jayden Okafor")
    expect(members.first).to_contain_text("Review overdue")
    visit("group")

    page.get_by_role("link", name="Back to home").click()
    page.get_by_role("link", name="1 group membership to review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Group memberships to review")
    visit("reviews")
    page.get_by_role("button", name=re.compile(r"Still a member\W+of Eastside crew: Jayden Okafor")).click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Membership confirmed")
    expect(page.locator("#none")).to_be_visible()
    visit("reviews-done")

    page.goto(f"{live_server}/people/{world['child'].id}")
    page.get_by_role("link", name="Exposure: adults of concern and rival groups near Jayden Okafor").click()
    card = page.locator(".sc-exposure")
    expect(card).to_contain_text("Adult of concern: Marcus Vane")
    expect(card).to_contain_text("Eastside crew")
    visit("exposure")

    page.goto(f"{live_server}/groups/{world['crew'].id}")
    page.get_by_role("button", name="Open a case about this group").click()
    visit("open-case")
    page.get_by_role("checkbox", name="Child criminal exploitation (CCE)").check()
    page.get_by_role("radio", name="Medium").check()
    page.get_by_label("Summary").fill("Older members recruiting younger children to run drugs")
    page.get_by_role("button", name="Open the case").click()
    expect(page.locator(".govuk-notification-banner--success")).to_contain_text("Case opened")
    visit("case")

    db.session.expire_all()
    (case,) = db.session.scalars(sa.select(Case).where(Case.subject_group_id == world["crew"].id))
    assert case.lead_worker_id == world["sw"].id and case.risk_level == "medium"
    assert db.session.get(Relationship, world["edge"]).review_on == uk_today() + timedelta(days=180)
