"""Every page a demo user reaches from the home page answers, and so does every link it shows them: no error, no
link to a missing page, and no link to a refusal except a record's, which then offers emergency access."""

import re
from collections import Counter, deque
from urllib.parse import urljoin, urlparse

import pytest
from sqlalchemy import select

from app.extensions import db
from models.user import ROLES, User
from safeguarding import demo
from tests.web.helpers import page

PAGES_PER_ROLE = 60
KINDS_PER_PATH = 2  # pages of one shape (ids aside) visited per role: the rest of the budget goes to other shapes
NOT_FOLLOWED = re.compile(r"^/(static|assets|govuk)/")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


@pytest.fixture
def demo_users(app) -> dict[str, User]:
    accounts = demo.seed(db.session)
    return {a.role: db.session.scalar(select(User).where(User.username == a.username)) for a in accounts}


def links_on(path: str, html) -> list[str]:
    """The app's own pages linked from this one, as paths with their query."""
    found = []
    for link in html.select("a[href]"):
        target = urlparse(urljoin("http://localhost" + path, link["href"]))
        if target.netloc == "localhost" and not NOT_FOLLOWED.match(target.path):
            found.append(target.path + (f"?{target.query}" if target.query else ""))
    return found


@pytest.mark.parametrize("role", ROLES)
def test_every_link_a_user_is_shown_answers(login, demo_users, role):
    client = login(demo_users[role])
    queue, seen, shapes, problems = deque([("/", None)]), set(), Counter(), []
    while queue and len(seen) < PAGES_PER_ROLE:
        path, linked_from = queue.popleft()
        if path in seen:
            continue
        seen.add(path)
        with client.get(path) as response:  # downloads stream: close them
            status, html = response.status_code, response.mimetype == "text/html" and page(response)
        refused_record = status == 403 and html and html.select_one('a[href$="/break-glass"]')
        if status != 200 and not refused_record:
            problems.append((status, path, linked_from))
        if status != 200 or not html:
            continue
        for anchor in html.select('a[href^="#"]'):
            if anchor["href"] != "#" and not html.find(id=anchor["href"][1:]):
                problems.append(("no such anchor", path, anchor["href"]))
        for target in links_on(path, html):
            shape = UUID.sub("{id}", target.split("?")[0])
            if target not in seen and shapes[shape] < KINDS_PER_PATH:
                shapes[shape] += 1
                queue.append((target, path))
    assert not problems, problems
    assert len(seen) > (3 if role == "admin" else 15), sorted(seen)  # the crawl got somewhere
