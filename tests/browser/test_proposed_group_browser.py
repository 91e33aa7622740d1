"""A possible peer group recorded in a real browser with the members the practitioner knows: the form lists those
they see in full, ticked; one is unticked, and the group is recorded with the rest. The form passes axe-core."""

from playwright.sync_api import expect

from app.extensions import db
from safeguarding import people
from tests.browser.keyboard import sign_in


def test_a_proposed_group_is_recorded_with_the_members_left_ticked(
    live_server, browser_page, make_user, check_accessibility, screenshot_dir
):
    sw, stranger = make_user("social_worker"), make_user("police_officer")

    def person(recorder, given, family):
        data = {"given_name": given, "family_name": family, "date_of_birth": "2010-04-04"}
        return people.record_person(db.session, recorder, data)

    kai, leah, zeph = person(sw, "Kai", "Mensah"), person(sw, "Leah", "Osei"), person(stranger, "Zeph", "Quill")
    page = browser_page
    sign_in(page, live_server, sw)
    page.goto(f"{live_server}/groups/new?member={kai.id}&member={leah.id}&member={zeph.id}")
    members = page.get_by_role("group", name="Members")
    expect(members.get_by_role("checkbox")).to_have_count(2)  # Zeph is another agency's record, not seen in full
    expect(page.get_by_text("Quill")).to_have_count(0)
    expect(members.get_by_role("checkbox", name="Kai Mensah")).to_be_checked()
    expect(page.get_by_role("link", name="Back to the analysis")).to_have_attribute("href", "/analysis#peer-groups")
    check_accessibility(page)
    page.get_by_label("Name of the group").fill("Rowan Court peer group")
    members.get_by_role("checkbox", name="Leah Osei").uncheck()
    page.screenshot(path=screenshot_dir / "proposed-group.png", full_page=True)
    page.get_by_role("button", name="Record the group").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Rowan Court peer group")
    expect(page.get_by_role("link", name="Kai Mensah").first).to_be_visible()
    expect(page.get_by_role("link", name="Leah Osei")).to_have_count(0)
