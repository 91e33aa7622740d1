"""Due times, breaches and overdue on real referrals; external recipients never breach."""

from datetime import datetime
from zoneinfo import ZoneInfo

from app.extensions import db
from safeguarding import referrals

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


def test_friday_afternoon_red_referral_runs_on_the_clock(refer, police):
    referral = refer(urgency="red", sent_at=at("2026-11-20T16:30"))
    timing = referrals.timeliness(referral, now=at("2026-11-20T18:00"))
    assert timing.due.acknowledge_by == at("2026-11-20T17:30") and timing.due.decide_by == at("2026-11-20T20:30")
    assert timing.breached == {"acknowledge": True, "decide": False} and timing.overdue


def test_amber_referral_before_a_bank_holiday_monday(refer):
    referral = refer(urgency="amber", sent_at=at("2026-08-28T15:00"))  # Friday before the summer bank holiday
    due = referrals.timeliness(referral, now=at("2026-08-28T15:01")).due
    assert due.acknowledge_by == at("2026-09-01T17:00") and due.decide_by == at("2026-09-01T17:00")


def test_taking_a_step_in_time_is_not_a_breach(refer, police):
    referral = refer(urgency="green", sent_at=at("2026-11-18T10:00"))
    referrals.transition(db.session, police, referral.id, "acknowledge", at=at("2026-11-19T12:00"))
    timing = referrals.timeliness(referral, now=at("2026-11-24T18:00"))
    assert timing.breached == {"acknowledge": False, "decide": True} and timing.overdue


def test_external_recipients_have_no_due_times_and_never_breach(refer, social_worker, child, make_agency):
    outside = make_agency(name="Eastmoor Constabulary", kind="police", external=True)
    referral = refer(to_agency_id=outside.id, urgency="red", sent_at=at("2026-01-05T09:00"))
    timing = referrals.timeliness(referral, now=at("2026-11-20T09:00"))
    assert timing.due.acknowledge_by is None and timing.due.decide_by is None
    assert timing.breached == {"acknowledge": False, "decide": False} and not timing.overdue
