"""The referral state machine, per role and agency (SPEC section 3)."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from app.extensions import db
from models.case import Case
from safeguarding import cases, people, policy, referral_boxes, referral_escalation, referrals
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from safeguarding.validation import london_day
from tests.fixtures.ages import child_birth_date
from tests.web.helpers import audit_events


def test_receiving_agency_acknowledges_then_accepts_and_a_case_opens(refer, police, social_worker):
    referral = refer()
    referrals.transition(db.session, police, referral.id, "acknowledge")
    referrals.transition(db.session, police, referral.id, "accept")
    db.session.expire_all()
    assert referral.status == "accepted" and referral.acknowledged_at <= referral.decided_at
    case = db.session.get(Case, referral.case_id)
    assert case.lead_worker_id == police.id and case.lead_agency_id == police.agency_id
    assert case.has_member(police.id) and case.has_member(social_worker.id)
    steps = [(t.from_status, t.to_status) for t in referral_boxes.history(db.session, referral)]
    assert steps == [(None, "submitted"), ("submitted", "acknowledged"), ("acknowledged", "accepted")]
    assert [e.detail_dict["to"] for e in audit_events("referral_transition")] == ["acknowledged", "accepted"]


def test_accepting_can_link_an_existing_case_about_the_same_person(refer, police, child):
    referral = refer()  # the referral rule lets the police see the child and open their own case
    existing = cases.open_case(
        db.session,
        police,
        {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "high", "summary": "Known"},
    )
    referrals.transition(db.session, police, referral.id, "accept", {"case_id": existing.id})
    assert referral.case_id == existing.id


def test_decline_needs_a_reason(refer, police):
    referral = refer()
    with pytest.raises(ValidationFailed):
        referrals.transition(db.session, police, referral.id, "decline", {"reason": ""})
    referrals.transition(db.session, police, referral.id, "decline", {"reason": "Below threshold: signposted"})
    assert referral.status == "declined" and referral.decline_reason == "Below threshold: signposted"


def test_nothing_happens_after_a_final_state(refer, police):
    referral = refer()
    referrals.transition(db.session, police, referral.id, "decline", {"reason": "No further action"})
    for action in ("acknowledge", "accept", "decline"):
        with pytest.raises(Conflict):
            referrals.transition(db.session, police, referral.id, action, {"reason": "again"})


@pytest.mark.parametrize("action", ["acknowledge", "accept", "decline"])
def test_only_the_receiving_agency_moves_a_referral_on(refer, social_worker, make_user, action):
    referral = refer()
    for outsider in (social_worker, make_user("youth_worker"), make_user("safeguarding_lead"), make_user("admin")):
        with pytest.raises(PermissionDenied):
            referrals.transition(db.session, outsider, referral.id, action, {"reason": "x"})
    assert referral.status == "submitted" and len(audit_events("denied")) == 4


def test_only_the_sender_withdraws_before_a_decision(refer, police, social_worker, make_user):
    referral = refer()
    colleague = make_user("social_worker", agency=social_worker.agency)
    for refused in (police, colleague):
        with pytest.raises(PermissionDenied):
            referrals.transition(db.session, refused, referral.id, "withdraw")
    referrals.transition(db.session, social_worker, referral.id, "withdraw")
    assert referral.status == "withdrawn"
    with pytest.raises(Conflict):
        referrals.transition(db.session, police, referral.id, "accept")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"urgency": "purple"}, "$.urgency"),
        ({"reason": ""}, "$.reason"),
        ({"lawful_basis": "vibes"}, "$.lawful_basis"),
        ({"lawful_basis": "consent_overridden"}, "$.lawful_basis_reason"),
        ({"to_agency_id": "nope"}, "$.to_agency_id"),
    ],
)
def test_bad_referrals_are_refused_and_nothing_is_written(refer, changes, field):
    from models.referral import Referral

    with pytest.raises(ValidationFailed) as failure:
        refer(**changes)
    assert field in failure.value.fields
    assert db.session.query(Referral).count() == 0


def test_lawful_basis_defaults_to_not_recorded(refer):
    assert refer().lawful_basis == "not_recorded"


def test_the_receiving_agency_sees_the_person_only_while_the_referral_rule_holds(refer, police, child):
    with pytest.raises(PermissionDenied):
        people.view_person(db.session, police, child.id)
    referral = refer()
    assert people.view_person(db.session, police, child.id)[1].bases == ("referral",)
    referrals.transition(db.session, police, referral.id, "decline", {"reason": "No further action"})
    with time_machine.travel(datetime.now(UTC) + timedelta(days=29), tick=False):
        assert policy.person_access(db.session, police, child.id).full
    with time_machine.travel(datetime.now(UTC) + timedelta(days=31), tick=False), pytest.raises(PermissionDenied):
        people.view_person(db.session, police, child.id)
    assert audit_events("denied")[-1].person_id_list == [child.id]


def test_repeat_referrals_and_the_escalation_alert(refer, make_user, social_worker, child):
    from safeguarding import alerts

    first = refer(sent_at=datetime.now(UTC) - timedelta(days=80))
    assert not referral_escalation.is_repeat(db.session, first)
    refer(sent_at=datetime.now(UTC) - timedelta(days=40))
    assert referral_escalation.is_repeat(db.session, first)
    lead = make_user("safeguarding_lead")
    assert alerts.list_alerts(db.session, lead, "escalation") == []
    third = refer(sent_at=datetime.now(UTC) - timedelta(days=2))
    referrals.transition(db.session, social_worker, third.id, "withdraw")  # counted whatever its state
    [alert] = alerts.list_alerts(db.session, lead, "escalation")
    assert alert.person_id == child.id and alert.fired_on == london_day(third.sent_at)
    refer()
    assert len(alerts.list_alerts(db.session, lead, "escalation")) == 1  # fires once per child


def test_the_escalation_alert_is_dated_by_the_uk_day_of_the_referral_that_completed_it(refer, make_user):
    from safeguarding import alerts

    for sent_at in ("2025-04-01T10:00:00+01:00", "2025-04-05T10:00:00+01:00", "2025-04-08T00:30:00+01:00"):
        refer(sent_at=datetime.fromisoformat(sent_at))
    [alert] = alerts.list_alerts(db.session, make_user("safeguarding_lead"), "escalation")
    assert alert.fired_on == date(2025, 4, 8)  # 23:30 on 7 April UTC


def test_the_escalation_rule_is_about_children(refer, make_user, social_worker):
    from safeguarding import alerts

    adult = people.record_person(
        db.session, social_worker, {"given_name": "Dean", "family_name": "Older", "date_of_birth": "1990-01-01"}
    )
    for days in (30, 20, 10):
        refer(person_id=adult.id, sent_at=datetime.now(UTC) - timedelta(days=days))
    assert alerts.list_alerts(db.session, make_user("safeguarding_lead"), "escalation") == []


def young_person(social_worker, name: str):
    data = {"given_name": name, "family_name": "Window", "date_of_birth": child_birth_date()}
    return people.record_person(db.session, social_worker, data)


def test_the_escalation_window_counts_uk_days_whatever_the_hour_or_the_clocks(refer, make_user, social_worker):
    """1 September is in British Summer Time and 30 November is not: 90 days and an hour apart, yet 90 days."""
    from safeguarding import alerts

    within, beyond = young_person(social_worker, "Within"), young_person(social_worker, "Beyond")
    for person, last in ((within, "2025-11-30T09:00:00+00:00"), (beyond, "2025-12-01T00:30:00+00:00")):
        for sent_at in ("2025-09-01T09:00:00+01:00", "2025-10-01T09:00:00+01:00", last):
            refer(person_id=person.id, sent_at=datetime.fromisoformat(sent_at))
    fired = alerts.list_alerts(db.session, make_user("safeguarding_lead"), "escalation")
    assert [alert.person_id for alert in fired] == [within.id]


def test_a_repeat_referral_is_one_within_twelve_calendar_months_leap_years_included(refer, social_worker):
    """1 June 2023 to 31 May 2024 is 365 days, 29 February among them, and within twelve months."""
    again, later = young_person(social_worker, "Again"), young_person(social_worker, "Later")
    for person, second in ((again, "2024-05-31T12:00:00+01:00"), (later, "2024-06-02T09:00:00+01:00")):
        first = refer(person_id=person.id, sent_at=datetime.fromisoformat("2023-06-01T10:00:00+01:00"))
        refer(person_id=person.id, sent_at=datetime.fromisoformat(second))
        assert referral_escalation.is_repeat(db.session, first) is (person is again)
    assert referral_escalation.repeat_referral_people(db.session, [again.id, later.id]) == {again.id}


def test_an_alert_is_dated_back_when_older_referrals_show_the_rule_held_earlier(refer, make_user, social_worker):
    """Referrals entered since (an import of the old system's, say) can show the condition first held earlier."""
    from safeguarding import alerts

    lead, child = make_user("safeguarding_lead"), young_person(social_worker, "Dated")
    for days in (20, 10, 1):
        refer(person_id=child.id, sent_at=datetime.now(UTC) - timedelta(days=days))
    [alert] = alerts.list_alerts(db.session, lead, "escalation")
    for sent_at in ("2025-01-02T10:00:00+00:00", "2025-01-05T10:00:00+00:00", "2025-01-08T10:00:00+00:00"):
        refer(person_id=child.id, sent_at=datetime.fromisoformat(sent_at))
    [alert] = alerts.list_alerts(db.session, lead, "escalation")
    assert alert.fired_on == date(2025, 1, 8)


def test_a_merged_duplicates_alerts_go_and_the_survivor_fires_its_own(refer, make_user, social_worker):
    from safeguarding import alerts, merging

    lead, survivor, duplicate = make_user("safeguarding_lead"), *(young_person(social_worker, n) for n in "AB")
    for days in (20, 10, 1):
        refer(person_id=duplicate.id, sent_at=datetime.now(UTC) - timedelta(days=days))
    assert [a.person_id for a in alerts.list_alerts(db.session, lead, "escalation")] == [duplicate.id]
    merging.merge_people(db.session, social_worker, survivor.id, duplicate.id)
    assert [a.person_id for a in alerts.list_alerts(db.session, lead, "escalation")] == [survivor.id]


def test_referrals_about_an_erased_person_leave_the_home_page_counts_and_the_escalation_list(
    refer, police, social_worker, make_user
):
    """Erasure takes a person's referrals out of the boxes (they answer 404): the counts and lists that lead to
    those boxes must not keep counting them, overdue for ever."""
    from safeguarding import retention

    erased, kept = young_person(social_worker, "Erased"), young_person(social_worker, "Kept")
    long_ago = datetime.now(UTC) - timedelta(days=10)  # past every due time: overdue, on the escalation list
    for person in (erased, kept):
        refer(person_id=person.id, sent_at=long_ago)
    retention.erase(db.session, erased.id, reason="Lawful request for erasure")
    lead = make_user("safeguarding_lead")
    assert referral_boxes.awaiting_action(db.session, police) == {
        "inbox_open": 1,
        "inbox_overdue": 1,
        "sent_unacknowledged": 0,
    }
    assert referral_boxes.awaiting_action(db.session, social_worker)["sent_unacknowledged"] == 1
    assert [r.person_id for r in referral_escalation.escalation_list(db.session, lead)] == [kept.id]


def test_accepting_leaves_a_sender_who_has_since_been_deactivated_off_the_case_team(refer, police, social_worker):
    """A team is joined only by an active practitioner (add_member and the import refuse others): a sender who has
    left would otherwise be back on the child's case the day their account was reactivated."""
    referral = refer()
    social_worker.active = False  # as deactivate_user leaves them, without needing an admin here
    db.session.commit()
    referrals.transition(db.session, police, referral.id, "accept")
    case = db.session.get(Case, referral.case_id)
    assert case.has_member(police.id) and not case.has_member(social_worker.id)


def test_a_referral_about_a_merged_duplicate_is_refused_as_a_conflict(refer, social_worker):
    """A merge moves the duplicate's referrals to the survivor, where the repeat flag and the escalation rule count
    them: a new one about the duplicate's old id would be counted apart, about a record that is only a pointer."""
    from models.referral import Referral
    from safeguarding import merging

    survivor, duplicate = young_person(social_worker, "Survivor"), young_person(social_worker, "Duplicate")
    merging.merge_people(db.session, social_worker, survivor.id, duplicate.id)
    with pytest.raises(Conflict, match="merged into another"):
        refer(person_id=duplicate.id)
    assert db.session.query(Referral).count() == 0


def test_emergency_access_reads_for_an_hour_but_cannot_send_a_referral_that_makes_it_last(
    refer, child, make_user, social_worker
):
    """A referral gives the sending agency the referral rule while it is open and for 30 days after: sent on
    break-glass alone, it would turn an hour's reviewed access into a month's, for a whole agency."""
    from models.referral import Referral
    from safeguarding import break_glass

    outsider = make_user("youth_worker")
    break_glass.break_glass(db.session, outsider, child.id, "Found alone at the station at 3am, needs help now")
    assert policy.person_access(db.session, outsider, child.id).full
    with pytest.raises(PermissionDenied):
        refer(sender=outsider, to_agency_id=social_worker.agency_id)
    assert db.session.query(Referral).count() == 0
    assert audit_events("denied")[-1].person_id_list == [child.id]
