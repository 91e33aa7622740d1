"""Referrals about a context, a place or a group (SPEC 3): who may send one, what the receiving agency sees, the case
accepting opens, and the rules about people (repeat, escalation, reports, erasure) that never count them."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from models.case import Case
from models.referral import Referral
from safeguarding import (
    alerts,
    break_glass,
    case_chronology,
    cases,
    contexts,
    disclosure,
    people,
    policy,
    referral_boxes,
    referral_escalation,
    referrals,
    reports,
    retention,
)
from safeguarding.errors import NotFound, PermissionDenied, ValidationFailed
from tests.fixtures.ages import child_birth_date
from tests.web.helpers import audit_events

UNKNOWN_ID = "6f1c1c3e-0000-4000-8000-000000000000"


@pytest.fixture
def youth(make_user):
    """The youth service's detached team, where the police refer places."""
    return make_user("youth_worker")


@pytest.fixture
def stairwell(police):
    place = contexts.create_place(db.session, police, {"name": "Tower Court stairwell", "kind": "estate"})
    return working_there(police, "place", place)


@pytest.fixture
def crew(police):
    return working_there(police, "group", contexts.create_group(db.session, police, {"name": "Northside crew"}))


def working_there(practitioner, kind, record):
    """The practitioner records a child seen there: referring a context needs work with someone tied to it, as
    opening a case about it does."""
    data = {"given_name": "Remi", "family_name": "Adebayo", "date_of_birth": child_birth_date()}
    tie(practitioner, people.record_person(db.session, practitioner, data), kind, record)
    return record


@pytest.fixture
def refer_context(police, youth):
    """refer_context(kind, record, **fields) -> a referral about the place or group, police to youth service."""

    def send(kind, record, sender=None, **fields):
        data = {
            "subject": {"type": kind, "id": record.id},
            "to_agency_id": youth.agency_id,
            "urgency": "amber",
            "reason": "Children seen being approached by older males in the stairwell after school",
            **fields,
        }
        return referrals.submit_referral(db.session, sender or police, data, sent_at=fields.pop("sent_at", None))

    return send


def tie(recorder, person, kind, record):
    link = {"source": {"type": "person", "id": person.id}, "target": {"type": kind, "id": record.id}}
    relation = {"place": "frequents", "group": "member_of"}[kind]
    return contexts.add_relationship(db.session, recorder, {**link, "kind": relation})


def test_the_police_refer_an_estate_stairwell_to_the_youth_service(refer_context, stairwell, police, youth):
    referral = refer_context("place", stairwell)
    assert (referral.person_id, referral.place_id, referral.group_id) == (None, stairwell.id, None)
    assert (referral.subject_type, referral.subject_id) == ("place", stairwell.id)
    assert referral.data_key_id == stairwell.data_key_id  # the context's key, not any person's
    assert referral.status == "submitted" and referral.to_agency_id == youth.agency_id
    [created] = [e for e in audit_events("create") if e.object_type == "referral"]
    assert created.person_id_list == [] and created.detail_dict["place"] == stairwell.id
    page = referral_boxes.list_referrals(db.session, youth, "inbox")
    assert [r.id for r in page.referrals] == [referral.id]
    assert referrals.view_referral(db.session, youth, referral.id).reason.startswith("Children seen")


def test_a_peer_group_is_referred_to_the_exploitation_panel(refer_context, crew, social_worker):
    referral = refer_context("group", crew, to_agency_id=social_worker.agency_id, urgency="red")
    assert (referral.subject_type, referral.subject_id, referral.person_id) == ("group", crew.id, None)
    [shown] = referral_boxes.list_referrals(db.session, social_worker, "inbox").referrals
    assert shown.group_id == crew.id


@pytest.mark.parametrize(
    ("about", "field"),
    [
        ({"person_id": "CHILD", "subject": {"type": "place", "id": "PLACE"}}, "$.subject"),
        ({}, "$.person_id"),
        ({"subject": {"type": "school", "id": "PLACE"}}, "$.subject.type"),
        ({"subject": {"type": "person", "id": "CHILD"}}, "$.subject.type"),
        ({"subject": {"type": "place"}}, "$.subject.id"),
        ({"subject": ["place", "PLACE"]}, "$.subject"),
    ],
)
def test_a_referral_names_exactly_one_person_or_context(police, youth, child, stairwell, about, field):
    about = filled(about, {"CHILD": child.id, "PLACE": stairwell.id})
    data = {"to_agency_id": youth.agency_id, "urgency": "amber", "reason": "Worried", **about}
    with pytest.raises(ValidationFailed) as failure:
        referrals.submit_referral(db.session, police, data)
    assert field in failure.value.fields
    assert db.session.query(Referral).count() == 0


def filled(value, ids: dict):
    """The parameters with their placeholders (CHILD, PLACE) replaced by the ids of the records made."""
    if isinstance(value, dict):
        return {key: filled(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [filled(item, ids) for item in value]
    return ids.get(value, value)


@pytest.mark.parametrize("kind", ["place", "group"])
def test_an_unknown_place_or_group_is_not_found(police, youth, kind):
    data = {"subject": {"type": kind, "id": UNKNOWN_ID}, "to_agency_id": youth.agency_id}
    with pytest.raises(NotFound):
        referrals.submit_referral(db.session, police, {**data, "urgency": "red", "reason": "Worried"})
    assert db.session.query(Referral).count() == 0


@pytest.mark.parametrize("role", ["safeguarding_lead", "admin"])
def test_only_practitioners_refer_a_context(make_user, youth, stairwell, role):
    data = {"subject": {"type": "place", "id": stairwell.id}, "to_agency_id": youth.agency_id}
    with pytest.raises(PermissionDenied):
        referrals.submit_referral(db.session, make_user(role), {**data, "urgency": "red", "reason": "Worried"})


@pytest.fixture
def home(social_worker, child):
    """The child's home, recorded by their social worker: hidden from whoever may not see a person living there."""
    place = contexts.create_place(db.session, social_worker, {"name": "12 Elm Road", "kind": "address"})
    contexts.add_relationship(
        db.session,
        social_worker,
        {"source": {"type": "person", "id": child.id}, "target": {"type": "place", "id": place.id}, "kind": "lives_at"},
    )
    return place


def test_a_home_is_referred_only_by_those_who_may_see_it_on_a_lasting_basis(
    refer_context, home, child, police, social_worker, youth
):
    with pytest.raises(PermissionDenied):
        refer_context("place", home)  # the police officer has never worked with anyone living there
    assert audit_events("denied")[-1].object_id == home.id
    break_glass.break_glass(db.session, police, child.id, "Reported missing tonight, last seen near this address")
    assert policy.visible_addresses(db.session, police, [home.id])  # an hour's emergency read shows the home...
    with pytest.raises(PermissionDenied):
        refer_context("place", home)  # ...but cannot make it last a month for the whole agency
    assert db.session.query(Referral).count() == 0
    sent = refer_context("place", home, sender=social_worker)
    assert sent.place_id == home.id


def test_a_home_referred_shows_to_the_receiving_agency_while_the_referral_holds_and_no_person_with_it(
    refer_context, home, child, social_worker, youth, make_user
):
    colleague = make_user("youth_worker", agency=youth.agency)
    assert not policy.visible_addresses(db.session, colleague, [home.id])
    referral = refer_context("place", home, sender=social_worker)
    assert contexts.view_place(db.session, colleague, home.id) == home
    assert not policy.person_access(db.session, colleague, child.id).visible  # rule 2 is about people
    assert disclosure.withheld_referrals(db.session, colleague, [referral]) == set()
    assert disclosure.referral_subjects(db.session, colleague, [referral])[referral.id].name == "12 Elm Road"
    referrals.transition(db.session, youth, referral.id, "decline", {"reason": "Not a detached-work location"})
    with time_machine.travel(datetime.now(UTC) + timedelta(days=29), tick=False):
        assert contexts.view_place(db.session, colleague, home.id) == home
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False):
        with pytest.raises(PermissionDenied):
            contexts.view_place(db.session, colleague, home.id)
        assert disclosure.withheld_referrals(db.session, colleague, [referral]) == {referral.id}
        assert disclosure.referral_subjects(db.session, colleague, [referral])[referral.id].name is None


def test_a_context_referral_gives_the_receiving_agency_no_person_linked_to_it(
    refer_context, stairwell, child, social_worker, youth
):
    tie(social_worker, child, "place", stairwell)
    refer_context("place", stairwell)
    assert policy.person_access(db.session, youth, child.id).level == "none"
    with pytest.raises(PermissionDenied):
        people.view_person(db.session, youth, child.id)


def test_accepting_a_context_referral_opens_a_case_about_the_context(refer_context, stairwell, police, youth):
    referral = refer_context("place", stairwell)
    referrals.transition(db.session, youth, referral.id, "acknowledge")
    referrals.transition(db.session, youth, referral.id, "accept", {"concerns": ["cce"]})
    db.session.expire_all()
    case = db.session.get(Case, referral.case_id)
    assert (case.subject_type, case.subject_id, case.subject_person_id) == ("place", stairwell.id, None)
    assert case.lead_worker_id == youth.id and case.lead_agency_id == youth.agency_id
    assert case.has_member(youth.id) and case.has_member(police.id)
    assert case.concerns == ["cce"] and case.risk_level == "medium" and case.data_key_id == stairwell.data_key_id
    [opened] = [e for e in audit_events("create") if e.object_type == "case"]
    assert opened.person_id_list == [] and opened.detail_dict == {"from_referral": referral.id}


def test_the_accepted_referral_is_the_basis_for_the_context_case_its_team_then_sees_who_is_linked(
    refer_context, crew, child, social_worker, youth
):
    """Opening a case about a group directly needs work with someone in it already; a referral from a practitioner
    who could see the group, accepted by another agency, is the basis instead, as it is for a person."""
    tie(social_worker, child, "group", crew)
    data = {"subject": {"type": "group", "id": crew.id}, "concerns": ["cce"], "risk_level": "high", "summary": "x"}
    with pytest.raises(PermissionDenied):
        cases.open_case(db.session, youth, data)
    referral = refer_context("group", crew)
    referrals.transition(db.session, youth, referral.id, "accept", {"concerns": ["cce"]})
    assert policy.person_access(db.session, youth, child.id).bases == ("case_team",)


def test_accepting_links_an_open_case_about_the_same_context_and_no_other(
    refer_context, crew, stairwell, police, youth
):
    """The youth service already works with the crew and at the stairwell (a young person of each it recorded)."""
    opened = {}
    for kind, record, name in (("group", crew, "Kai"), ("place", stairwell, "Ria")):
        tie(youth, people.record_person(db.session, youth, young(name)), kind, record)
        subject = {"subject": {"type": kind, "id": record.id}, "concerns": ["cce"], "risk_level": "high"}
        opened[kind] = cases.open_case(db.session, youth, {**subject, "summary": "Detached work"})
    about_crew = opened["group"]
    referral = refer_context("group", crew)
    assert referrals.cases_to_link(db.session, youth, referral) == [about_crew]
    with pytest.raises(ValidationFailed) as failure:
        referrals.transition(db.session, youth, referral.id, "accept", {"case_id": opened["place"].id})
    assert failure.value.fields == {"$.case_id": "Link an open case about the same group"}
    referrals.transition(db.session, youth, referral.id, "accept", {"case_id": about_crew.id})
    db.session.expire_all()
    linked = db.session.get(Case, about_crew.id)
    assert referral.case_id == about_crew.id and linked.has_member(police.id)


def young(name: str) -> dict:
    return {"given_name": name, "family_name": "Context", "date_of_birth": child_birth_date()}


def test_declining_withdrawing_and_timescales_work_as_for_a_person(
    refer_context, refer, stairwell, crew, police, youth
):
    sent_at = datetime(2026, 11, 20, 16, 30, tzinfo=UTC)
    for urgency in ("red", "amber", "green"):
        about_place = refer_context("place", stairwell, urgency=urgency, sent_at=sent_at)
        about_child = refer(to_agency_id=youth.agency_id, urgency=urgency, sent_at=sent_at)
        assert referrals.timeliness(about_place).due == referrals.timeliness(about_child).due
    declined, withdrawn = refer_context("place", stairwell), refer_context("group", crew)
    with pytest.raises(ValidationFailed):
        referrals.transition(db.session, youth, declined.id, "decline", {"reason": ""})
    referrals.transition(db.session, youth, declined.id, "decline", {"reason": "Not ours: the council's ASB team"})
    with pytest.raises(PermissionDenied):
        referrals.transition(db.session, youth, withdrawn.id, "withdraw")
    referrals.transition(db.session, police, withdrawn.id, "withdraw")
    assert (declined.status, declined.decline_reason) == ("declined", "Not ours: the council's ASB team")
    assert withdrawn.status == "withdrawn" and withdrawn.case_id is None


def test_context_referrals_count_towards_no_childs_repeat_referral_or_escalation(
    refer_context, refer, stairwell, crew, child, social_worker, make_user
):
    tie(social_worker, child, "place", stairwell)
    tie(social_worker, child, "group", crew)
    for days, kind, record in ((40, "place", stairwell), (20, "group", crew), (10, "place", stairwell)):
        refer_context(kind, record, sent_at=datetime.now(UTC) - timedelta(days=days))
    about_child = refer(sent_at=datetime.now(UTC) - timedelta(days=5))
    place_referrals = [r for r in db.session.query(Referral) if r.place_id]
    assert referral_escalation.repeat_flags(db.session, [*place_referrals, about_child]) == dict.fromkeys(
        [r.id for r in place_referrals] + [about_child.id], False
    )
    assert referral_escalation.repeat_referral_people(db.session, [child.id]) == set()
    assert referral_escalation.escalation_candidates(db.session) == []
    assert alerts.list_alerts(db.session, make_user("safeguarding_lead"), "escalation") == []


def test_boxes_counts_and_the_escalation_list_include_context_referrals(
    refer_context, refer, stairwell, child, police, youth, social_worker, make_user
):
    long_ago = datetime.now(UTC) - timedelta(days=10)  # past every due time: overdue
    about_place = refer_context("place", stairwell, sent_at=long_ago)
    refer(to_agency_id=youth.agency_id)
    assert referral_boxes.awaiting_action(db.session, youth) == {
        "inbox_open": 2,
        "inbox_overdue": 1,
        "sent_unacknowledged": 0,
    }
    assert referral_boxes.awaiting_action(db.session, police)["sent_unacknowledged"] == 1
    assert referral_boxes.list_referrals(db.session, youth, "inbox", status="open", limit=2).total == 2
    [listed] = [e for e in audit_events("list") if e.object_type == "referral"]
    assert listed.person_id_list == [child.id]  # the place's referral touches no person
    assert [r.id for r in referral_escalation.escalation_list(db.session, make_user("safeguarding_lead"))] == [
        about_place.id
    ]
    retention.erase(db.session, child.id, reason="Lawful request for erasure")
    assert referral_boxes.awaiting_action(db.session, youth)["inbox_open"] == 1  # the place's referral stays
    assert referrals.view_referral(db.session, youth, about_place.id) == about_place


def test_a_context_cases_chronology_shows_the_referrals_about_the_context_and_a_childs_does_not(
    refer_context, refer, stairwell, child, youth, social_worker
):
    about_place = refer_context("place", stairwell)
    referrals.transition(db.session, youth, about_place.id, "accept", {"concerns": ["cce"]})
    _case, entries = case_chronology.chronology(db.session, youth, about_place.case_id)
    assert [(e.referral.id, e.summary) for e, _view in entries] == [
        (about_place.id, f"Referral to {youth.agency.name} (amber): accepted")
    ]
    childs = cases.open_case(
        db.session,
        social_worker,
        {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "low", "summary": "x"},
    )
    assert case_chronology.chronology(db.session, social_worker, childs.id)[1] == []


def test_reports_count_context_referrals_as_referrals_but_not_as_referred_people(refer_context, stairwell, crew):
    sent_at = datetime(2026, 11, 10, 10, tzinfo=UTC)
    for kind, record in [("place", stairwell)] * 3 + [("group", crew)] * 3:
        refer_context(kind, record, sent_at=sent_at)
    figures = reports.figures(db.session, reports.Period(date(2026, 11, 1), date(2026, 12, 1)))
    assert figures["referrals"] == 6 and figures["referrals_by_urgency"]["amber"] == 6
    assert figures["repeat_referral_people"] == 0


def test_retention_and_a_childs_subject_access_leave_context_referrals_alone(
    refer_context, refer, stairwell, child, social_worker, make_user
):
    from safeguarding.subject_access.records import gather

    tie(social_worker, child, "place", stairwell)
    about_place, about_child = refer_context("place", stairwell), refer()
    assert [r.id for r in gather(db.session, child.id).referrals] == [about_child.id]
    assert child.id in [d.person_id for d in retention.due_for_erasure(db.session, date(2200, 1, 1))]
    retention.purge(db.session, date(2200, 1, 1), dry_run=False)
    db.session.expire_all()
    assert db.session.get(Referral, about_place.id).reason.startswith("Children seen")
