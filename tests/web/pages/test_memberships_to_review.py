"""Group memberships due for review, as a practitioner's worklist: the memberships of the people they work with on
open cases whose review has passed or falls within two weeks, confirmed from the list."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.context import Relationship
from safeguarding import cases, contexts
from safeguarding.validation import uk_today
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_strict_page

# Their queries are new SQL over relationships and cases: run on PostgreSQL as well as SQLite.
pytestmark = pytest.mark.db


@pytest.fixture
def worklist(make_user, make_person, make_case):
    """A child on the worker's case in three groups (review overdue by 20 days, due in 10 days, due in 100 days)
    and once in a group that was ended; a peer in a group the worker has a case about (overdue by 5 days); and a
    child the worker only recorded, whose membership is overdue too."""
    worker = make_user("social_worker")
    child = make_person(worker, given_name="Jayden", family_name="Okafor")
    peer = make_person(worker, given_name="Kai", family_name="Mensah")
    recorded_only = make_person(worker, given_name="Tyrone", family_name="Unlisted")
    groups = {
        name: contexts.create_group(db.session, worker, {"name": name})
        for name in ("Overdue crew", "Soon crew", "Later crew", "Ended crew", "Estate crew", "Other crew")
    }

    def member(person, group_name, review_in_days):
        body = {"source": {"type": "person", "id": person.id}, "target": {"type": "group", "id": groups[group_name].id}}
        edge = contexts.add_relationship(db.session, worker, {**body, "kind": "member_of"})
        review_on = uk_today() + timedelta(days=review_in_days)
        db.session.execute(sa.update(Relationship).where(Relationship.id == edge.id).values(review_on=review_on))
        db.session.commit()
        return edge

    edges = {
        "overdue": member(child, "Overdue crew", -20),
        "soon": member(child, "Soon crew", 10),
        "later": member(child, "Later crew", 100),
        "ended": member(child, "Ended crew", -30),
        "child_estate": member(child, "Estate crew", 200),
        "peer": member(peer, "Estate crew", -5),
        "recorded_only": member(recorded_only, "Other crew", -40),
    }
    contexts.end_relationship(db.session, worker, edges["ended"].id)
    make_case(worker, child)
    estate_case = {"subject": {"type": "group", "id": groups["Estate crew"].id}, "concerns": ["cce"]}
    cases.open_case(db.session, worker, {**estate_case, "risk_level": "medium", "summary": "Recruiting at the estate"})
    return {"worker": worker, "child": child, "peer": peer, "edges": edges}


def test_the_api_lists_memberships_due_on_the_workers_cases_longest_overdue_first(client, api, worklist):
    response = client.get("/api/v1/memberships/reviews-due", headers=api(worklist["worker"]))
    assert response.status_code == 200
    rows = response.get_json()["results"]
    assert [(r["person"]["name"], r["group"]["name"], r["overdue"]) for r in rows] == [
        ("Jayden Okafor", "Overdue crew", True),
        ("Kai Mensah", "Estate crew", True),
        ("Jayden Okafor", "Soon crew", False),
    ]
    assert rows[0]["relationship_id"] == worklist["edges"]["overdue"].id
    assert rows[0]["review_on"] == (uk_today() - timedelta(days=20)).isoformat()
    assert rows[0]["agency"]["name"] == worklist["worker"].agency.name
    (event,) = [e for e in audit_events("list") if e.object_type == "membership_reviews"]
    assert event.person_id_list == sorted([worklist["child"].id, worklist["peer"].id])


def test_a_practitioner_with_no_cases_has_nothing_to_review(client, api, make_user, worklist):
    response = client.get("/api/v1/memberships/reviews-due", headers=api(make_user("police_officer")))
    assert response.get_json() == {"results": []}


def test_the_page_lists_them_and_a_membership_is_confirmed_from_it(login, worklist):
    client = login(worklist["worker"])
    soup = assert_strict_page(client.get("/memberships/reviews"))
    rows = [r.get_text(" ", strip=True) for r in soup.select("#reviews tbody tr")]
    assert len(rows) == 3 and "Overdue crew" in rows[0] and "Review overdue" in rows[0]
    assert "Tyrone" not in soup.text and "Later crew" not in soup.text and "Ended crew" not in soup.text
    form = soup.select("#reviews tbody tr form")[0]
    sent = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    response = client.post(form["action"], data=sent)
    assert response.status_code == 302 and response.headers["Location"] == "/memberships/reviews"
    assert db.session.get(Relationship, worklist["edges"]["overdue"].id).review_on == uk_today() + timedelta(days=180)
    after = page(client.get("/memberships/reviews")).select("#reviews tbody tr")
    assert len(after) == 2 and "Overdue crew" not in after[0].text


def test_the_home_page_counts_them_for_practitioners_only(login, make_user, worklist):
    link = page(login(worklist["worker"]).get("/")).select_one("#memberships-due")
    assert link["href"] == "/memberships/reviews" and link.get_text(strip=True) == "3 group memberships to review"
    assert page(login(make_user("safeguarding_lead")).get("/")).select_one("#memberships-due") is None


def test_a_page_with_nothing_due_says_so(login, make_user):
    soup = assert_strict_page(login(make_user("youth_worker")).get("/memberships/reviews"))
    assert soup.select_one("#none") and not soup.select("#reviews")


def test_a_forged_return_address_is_not_followed(login, worklist):
    client = login(worklist["worker"])
    soup = page(client.get("/memberships/reviews"))
    form = soup.select("#reviews tbody tr form")[0]
    sent = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    response = client.post(form["action"], data={**sent, "from": "https://elsewhere.example"})
    assert response.status_code == 302 and response.headers["Location"].startswith(f"/people/{worklist['child'].id}")
