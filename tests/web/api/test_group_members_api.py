"""A group's members, from the API and its page: named only where the viewer may see them (the rest counted),
overdue reviews first, audited as a list naming the people shown."""

from datetime import timedelta

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.context import Relationship
from models.person import Person
from safeguarding.validation import uk_today
from tests.web.helpers import audit_events, page

# Their queries are new SQL over relationships and cases: run on PostgreSQL as well as SQLite.
pytestmark = pytest.mark.db

UNKNOWN = "7f3e2d1c-0b9a-4876-9543-210fedcba987"


@pytest.fixture
def crew(as_user, make_user, make_person, make_case, link):
    """A group with four members: two the worker recorded (full view), one a neighbour of the worker's case subject
    through the group (limited view), and one recorded by police the worker has no tie to; plus an ended
    membership."""
    worker, police = make_user("social_worker"), make_user("police_officer")
    group = as_user(worker).post("/groups", json={"name": "Eastside crew"}).get_json()
    zara = make_person(worker, given_name="Zara", family_name="Ali")
    amir = make_person(worker, given_name="Amir", family_name="Bello")
    make_case(worker, zara["id"])
    cole = make_person(police, given_name="Cole", family_name="Dunn")
    hidden = make_person(police, given_name="Hidden", family_name="Person")
    left = make_person(worker, given_name="Left", family_name="Early")
    memberships = {
        name: link(user, person["id"], "group", group["id"], "member_of")
        for name, user, person in [
            ("zara", worker, zara),
            ("amir", worker, amir),
            ("cole", police, cole),
            ("left", worker, left),
        ]
    }
    unrelated = as_user(police).post("/groups", json={"name": "Elsewhere"}).get_json()
    link(police, hidden["id"], "group", unrelated["id"], "member_of")
    link(police, hidden["id"], "person", cole["id"], "associate")
    assert as_user(worker).post(f"/relationships/{memberships['left']['id']}/end", json={}).status_code == 200
    # Amir's membership went unreviewed past its date: listed first, flagged.
    db.session.execute(
        sa.update(Relationship)
        .where(Relationship.id == memberships["amir"]["id"])
        .values(review_on=uk_today() - timedelta(days=1))
    )
    db.session.commit()
    return {"worker": worker, "police": police, "group": group, "people": (zara, amir, cole, hidden, left)}


def test_members_the_viewer_may_see_are_named_overdue_reviews_first(as_user, crew):
    zara, amir, cole, _hidden, _left = crew["people"]
    response = as_user(crew["worker"]).get(f"/groups/{crew['group']['id']}/members")
    assert response.status_code == 200
    body = response.get_json()
    assert [(m["name"], m["view"], m["review_overdue"]) for m in body["results"]] == [
        ("Amir Bello", "full", True),
        ("Cole Dunn", "limited", False),
        ("Zara Ali", "full", False),
    ]
    assert body["other_members"] == 0
    cole_row = body["results"][1]
    assert cole_row["person_id"] == cole["id"] and cole_row["agency"]["name"] == crew["police"].agency.name
    assert cole_row["review_on"] == (uk_today() + timedelta(days=180)).isoformat()


def test_members_the_viewer_may_not_see_are_counted_not_named(as_user, make_user, crew):
    stranger = make_user("youth_worker")
    body = as_user(stranger).get(f"/groups/{crew['group']['id']}/members").get_json()
    assert body == {"results": [], "other_members": 3}


def test_the_list_is_audited_naming_the_people_shown(as_user, crew):
    zara, amir, cole, _hidden, _left = crew["people"]
    as_user(crew["worker"]).get(f"/groups/{crew['group']['id']}/members")
    (event,) = [e for e in audit_events("list") if e.object_type == "group_members"]
    assert event.object_id == crew["group"]["id"]
    assert sorted(event.person_id_list) == sorted([zara["id"], amir["id"], cole["id"]])
    assert event.detail_dict == {"shown": 3, "others": 0}


def test_an_erased_member_is_neither_named_nor_counted(as_user, crew):
    _zara, amir, _cole, _hidden, _left = crew["people"]
    db.session.execute(sa.update(Person).where(Person.id == amir["id"]).values(erased_at=sa.func.now()))
    db.session.commit()
    body = as_user(crew["worker"]).get(f"/groups/{crew['group']['id']}/members").get_json()
    assert amir["id"] not in [m["person_id"] for m in body["results"]] and body["other_members"] == 0


def test_an_unknown_group_gets_404(as_user, crew):
    for group_id in (UNKNOWN, "abc"):
        assert as_user(crew["worker"]).get(f"/groups/{group_id}/members").status_code == 404


def test_the_group_page_lists_the_members_with_the_overdue_review(login, crew):
    soup = page(login(crew["worker"]).get(f"/groups/{crew['group']['id']}"))
    rows = soup.select("#members + table tbody tr")
    assert [row.select_one("a").text for row in rows] == ["Amir Bello", "Cole Dunn", "Zara Ali"]
    assert "Review overdue" in rows[0].text and "Review overdue" not in rows[1].text
    assert "Limited view" in rows[1].text
    assert "Hidden" not in soup.text and "Left Early" not in soup.text


def test_the_group_page_counts_the_members_a_stranger_may_not_see(login, make_user, crew):
    soup = page(login(make_user("education_practitioner")).get(f"/groups/{crew['group']['id']}"))
    assert "No current members you may see" in soup.text
    assert "3 other people are members" in soup.text and "Zara" not in soup.text


def test_an_overdue_membership_is_confirmed_from_the_group_page(login, crew):
    _zara, amir, _cole, _hidden, _left = crew["people"]
    client = login(crew["worker"])
    soup = page(client.get(f"/groups/{crew['group']['id']}"))
    forms = soup.select("#members + table tbody tr form")
    assert len(forms) == 1, "only the overdue membership of someone seen in full"
    sent = {field["name"]: field.get("value", "") for field in forms[0].select("input[name]")}
    response = client.post(forms[0]["action"], data=sent)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/groups/{crew['group']['id']}#members"
    db.session.expire_all()
    reviewed = db.session.scalars(sa.select(Relationship).where(Relationship.source_person_id == amir["id"])).one()
    assert reviewed.review_on == uk_today() + timedelta(days=180)
    assert not page(client.get(f"/groups/{crew['group']['id']}")).select("#members + table tbody tr form")
