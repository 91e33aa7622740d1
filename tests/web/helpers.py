"""Small helpers for page tests: parse HTML and read the audit trail."""

from bs4 import BeautifulSoup
from sqlalchemy import select

from app.extensions import db


def page(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def csrf_token(client, path: str) -> str:
    field = page(client.get(path)).select_one('input[name="csrf_token"]')
    assert field is not None, f"no CSRF field on {path}"
    return field["value"]


def audit_events(action: str | None = None):
    from audit.models import AuditEvent

    query = select(AuditEvent).order_by(AuditEvent.at)
    if action:
        query = query.where(AuditEvent.action == action)
    db.session.expire_all()
    return list(db.session.scalars(query))


# What the pages of records show as their window title instead of their heading, which names a child, a place or a
# group: a title is kept in browser history and shown on a shared screen's tabs.
WITHHELD_TITLES = {"Person record", "Case", "Referral", "Context map", "Place", "Group"}


def assert_good_page(response) -> BeautifulSoup:
    """GOV.UK page hygiene: one h1, the title starts with it (or, on a record's page, withholds it), no duplicate ids,
    CSRF on every POST form, each error once in the summary and linked to an element of the page."""
    soup = page(response)
    headings = soup.find_all("h1")
    assert len(headings) == 1, [h.get_text() for h in headings]
    title, heading = soup.title.get_text().strip().removeprefix("Error: "), headings[0].get_text().strip()
    if title.split(" – ")[0] in WITHHELD_TITLES:  # a record's page: its title must not name whom it is about
        assert heading not in title, (title, heading)
    else:
        assert title.startswith(heading), (title, heading)
    ids = [el["id"] for el in soup.find_all(id=True)]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)
    for form in soup.find_all("form"):
        if form.get("method", "get").lower() == "post":
            assert form.select_one('input[name="csrf_token"]'), form
    # Each error once in the summary, linked to the field that shows it (or to the page, for a form-wide error that
    # no field shows).
    summary = [(link["href"], link.get_text()) for link in soup.select(".govuk-error-summary__list a")]
    assert len(set(summary)) == len(summary), summary
    on_fields = {text for href, text in summary if href != "#"}
    assert not [text for href, text in summary if href == "#" and text in on_fields], summary
    for href, _ in summary:
        assert href == "#" or soup.find(id=href.removeprefix("#")), href
    return soup
