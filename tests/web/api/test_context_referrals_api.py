"""POST /referrals about a place or a group (SPEC 3 and 10): `subject` instead of `person_id`, the referral's
`subject` in every answer, who may send one, what the receiving agency then reads, and the case accepting opens."""

import pytest
from sqlalchemy import func, select

from app.extensions import db
from models.referral import Referral
from tests.web.helpers import audit_events

UNKNOWN_ID = "6f1c1c3e-0000-4000-8000-000000000000"
REASON = "Children seen being approached by older males in the stairwell after school"


@pytest.fixture
def police(make_user):
    return make_user("police_officer")


@pytest.fixture
def youth(make_user):
    """The youth service's detached team."""
    return make_user("youth_worker")


@pytest.fixture
def working_there(make_person, link):
    """working_there(practitioner, kind, record) -> the record, once the practitioner has recorded a child tied to
    it: referring a context needs work with someone tied to it, as opening a case about it does."""

    def tie(practitioner, kind: str, record: dict) -> dict:
        child = make_person(practitioner, given_name="Remi", family_name="Adebayo")
        link(practitioner, child["id"], kind, record["id"], {"place": "frequents", "group": "member_of"}[kind])
        return record

    return tie


@pytest.fixture
def stairwell(as_user, police, working_there):
    place = as_user(police).post("/places", json={"name": "Tower Court stairwell", "kind": "estate"}).get_json()
    return working_there(police, "place", place)


@pytest.fixture
def crew(as_user, police, working_there):
    return working_there(police, "group", as_user(police).post("/groups", json={"name": "Northside crew"}).get_json())


def about(kind: str, record: dict) -> dict:
    return {"subject": {"type": kind, "id": record["id"]}}


@pytest.fixture
def send(as_user, police, youth):
    """send(subject, by=None, **fields) -> the response to a referral from the police to the youth service."""

    def post(subject: dict, by=None, **fields):
        body = {**subject, "to_agency_id": youth.agency_id, "urgency": "amber", "reason": REASON, **fields}
        return as_user(by or police).post("/referrals", json=body)

    return post


def referral_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Referral))


def test_a_referral_about_a_place_names_it_as_its_subject_with_no_person(send, as_user, stairwell, police, youth):
    response = send(about("place", stairwell))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["subject"] == {"type": "place", "id": stairwell["id"]} and body["person_id"] is None
    assert body["status"] == "submitted" and body["reason"] == REASON and body["withheld"] is False
    assert body["acknowledge_by"] and body["decide_by"] and body["repeat_referral"] is False
    received = as_user(youth).get(f"/referrals/{body['id']}").get_json()
    assert received["subject"] == body["subject"] and received["reason"] == REASON
    [listed] = as_user(youth).get("/referrals", box="inbox").get_json()["results"]
    assert listed["id"] == body["id"] and listed["subject"]["type"] == "place"


def test_a_referral_about_a_group_and_one_about_a_person_name_their_subjects(
    send, as_user, crew, police, youth, make_person
):
    group_referral = send(about("group", crew), urgency="red").get_json()
    assert group_referral["subject"] == {"type": "group", "id": crew["id"]} and group_referral["person_id"] is None
    child = make_person(police)
    person_referral = send({"person_id": child["id"]}).get_json()
    assert person_referral["subject"] == {"type": "person", "id": child["id"]}
    assert person_referral["person_id"] == child["id"]


@pytest.mark.parametrize(
    ("subject", "field"),
    [
        ({"person_id": "PERSON", "subject": {"type": "place", "id": "PLACE"}}, "$.subject"),
        ({}, "$.person_id"),
        ({"subject": None}, "$.person_id"),
        ({"subject": {"type": "estate", "id": "PLACE"}}, "$.subject.type"),
        ({"subject": {"type": "person", "id": "PERSON"}}, "$.subject.type"),
        ({"subject": {"type": "place"}}, "$.subject.id"),
        ({"subject": {"type": "place", "id": 7}}, "$.subject.id"),
        ({"subject": "Tower Court"}, "$.subject"),
        ({"subject": {"type": "place", "id": "PLACE", "name": "Tower Court"}}, "$.subject.name"),
    ],
)
def test_a_referral_names_exactly_one_person_or_context_or_gets_422(
    send, police, stairwell, make_person, subject, field
):
    ids = {"PERSON": make_person(police)["id"], "PLACE": stairwell["id"]}
    if isinstance(subject.get("subject"), dict):
        subject = {**subject, "subject": {k: ids.get(v, v) for k, v in subject["subject"].items()}}
    subject = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in subject.items()}
    response = send(subject)
    assert response.status_code == 422, response.get_json()
    assert field in response.get_json()["fields"]
    assert referral_count() == 0


@pytest.mark.parametrize("kind", ["place", "group"])
@pytest.mark.parametrize("subject_id", [UNKNOWN_ID, "not-an-id"])
def test_an_unknown_place_or_group_gets_404_as_an_unknown_person_does(send, kind, subject_id):
    response = send({"subject": {"type": kind, "id": subject_id}})
    assert response.status_code == 404 and response.get_json()["error"]
    assert referral_count() == 0


@pytest.fixture
def home(as_user, make_user, make_person, link):
    """A child's home recorded by their social worker, who may refer it; the police officer never worked there."""
    worker = make_user("social_worker")
    place = as_user(worker).post("/places", json={"name": "12 Elm Road", "kind": "address"}).get_json()
    child = make_person(worker)
    link(worker, child["id"], "place", place["id"], "lives_at")
    return {"worker": worker, "place": place, "child": child}


def test_a_home_the_sender_may_not_see_is_refused_and_the_refusal_audited(send, home, police):
    response = send(about("place", home["place"]))
    assert response.status_code == 403 and "Elm" not in response.get_data(as_text=True)
    assert audit_events("denied")[-1].object_id == home["place"]["id"]
    assert referral_count() == 0


def test_the_receiving_agency_reads_a_referred_home_and_no_person_living_there(send, as_user, home, youth, make_user):
    sent = send(about("place", home["place"]), by=home["worker"])
    assert sent.status_code == 201, sent.get_json()
    colleague = make_user("youth_worker", agency=youth.agency)
    place = as_user(colleague).get(f"/places/{home['place']['id']}")
    assert place.status_code == 200 and place.get_json()["name"] == "12 Elm Road"
    assert as_user(colleague).get(f"/people/{home['child']['id']}").status_code == 403
    assert as_user(colleague).get(f"/referrals/{sent.get_json()['id']}").get_json()["reason"] == REASON


@pytest.mark.parametrize("role", ["safeguarding_lead", "admin"])
def test_roles_that_send_no_referrals_cannot_refer_a_context(send, make_user, stairwell, role):
    assert send(about("place", stairwell), by=make_user(role)).status_code == 403
    assert referral_count() == 0


@pytest.mark.parametrize(
    "role", ["social_worker", "team_manager", "youth_worker", "health_practitioner", "education_practitioner"]
)
def test_every_practitioner_may_refer_a_place_or_group_to_another_agency(
    send, make_user, police, crew, working_there, role
):
    sender = make_user(role)
    refused = send(about("group", crew), by=sender, to_agency_id=police.agency_id)
    assert refused.status_code == 403 and "working with someone linked" in refused.get_json()["error"]
    assert [e.object_id for e in audit_events("denied") if e.actor_user_id == sender.id] == [crew["id"]]
    working_there(sender, "group", crew)  # once they work with a member, they may
    response = send(about("group", crew), by=sender, to_agency_id=police.agency_id)
    assert response.status_code == 201, response.get_json()


def test_an_unauthenticated_caller_gets_401(client, stairwell, youth):
    body = {**about("place", stairwell), "to_agency_id": youth.agency_id, "urgency": "red", "reason": REASON}
    response = client.post("/api/v1/referrals", json=body)
    assert response.status_code == 401 and response.is_json
    assert referral_count() == 0


def test_accepting_opens_a_case_about_the_place_led_by_the_receiver_with_the_sender_on_its_team(
    send, as_user, stairwell, police, youth
):
    referral = send(about("place", stairwell)).get_json()
    accepted = as_user(youth).post(f"/referrals/{referral['id']}/accept", json={"concerns": ["cce"]})
    assert accepted.status_code == 200, accepted.get_json()
    case = as_user(youth).get(f"/cases/{accepted.get_json()['case_id']}").get_json()
    assert case["subject"] == {"type": "place", "id": stairwell["id"]}
    assert case["lead_worker"]["id"] == youth.id and case["lead_agency"]["id"] == youth.agency_id
    assert {m["user_id"] for m in case["members"]} == {youth.id, police.id}
    chronology = as_user(police).get(f"/cases/{case['id']}/chronology").get_json()["results"]
    assert [e["referral"]["id"] for e in chronology if e["derived"]] == [referral["id"]]


def test_accepting_links_only_an_open_case_about_the_same_context(
    send, as_user, stairwell, crew, youth, make_person, link
):
    kai = make_person(youth)  # the youth service works with Kai, who frequents the stairwell
    link(youth, kai["id"], "place", stairwell["id"], "frequents")
    body = {"concerns": ["cce"], "risk_level": "high", "summary": "Detached work at the stairwell"}
    stairwell_case = as_user(youth).post("/cases", json={**about("place", stairwell), **body}).get_json()
    person_case = as_user(youth).post("/cases", json={"subject": {"type": "person", "id": kai["id"]}, **body})
    referral = send(about("group", crew)).get_json()
    for wrong in (stairwell_case["id"], person_case.get_json()["id"]):
        refused = as_user(youth).post(f"/referrals/{referral['id']}/accept", json={"case_id": wrong})
        assert refused.status_code == 422 and "same group" in refused.get_json()["fields"]["$.case_id"]
    place_referral = send(about("place", stairwell)).get_json()
    linked = as_user(youth).post(f"/referrals/{place_referral['id']}/accept", json={"case_id": stairwell_case["id"]})
    assert linked.status_code == 200 and linked.get_json()["case_id"] == stairwell_case["id"]


def test_context_referrals_raise_no_childs_escalation_alert(
    send, as_user, stairwell, police, make_person, link, make_user
):
    child = make_person(police)
    link(police, child["id"], "place", stairwell["id"], "frequents")
    for urgency in ("red", "amber", "green"):
        assert send(about("place", stairwell), urgency=urgency).status_code == 201
    lead = make_user("safeguarding_lead")
    assert as_user(lead).get("/alerts", kind="escalation").get_json()["results"] == []
    person_referral = send({"person_id": child["id"]}).get_json()
    assert person_referral["repeat_referral"] is False
