"""Partnership report figures against hand-counted fixtures, with suppression of small numbers."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.case import Case
from models.referral import Referral
from safeguarding import contexts, missing, referrals, reports
from safeguarding.errors import PermissionDenied, ValidationFailed
from tests.fixtures.caseloads import make_caseload


@pytest.fixture
def caseload(make_user, make_agency):
    """Seven open cases (six cce high, one cse low) and nine referrals to the police in November 2026."""
    return make_caseload(make_user, make_agency)


def test_figures_match_hand_counts_with_small_numbers_suppressed(caseload, make_user):
    report = reports.partnership_report(
        db.session, make_user("safeguarding_lead"), reports.Period(date(2026, 11, 1), date(2026, 12, 1))
    )
    now = report["current"]
    assert now["open_cases"] == 7 and now["referrals"] == 9
    # cce: 6 high, 0 low/medium; cse: 1 low (suppressed), a lone small cell beside zeros only in its row and
    # column: the 7 open cases less a shown 6 would give it away, so cce/high is hidden too.
    assert now["open_cases_by_concern_and_risk"]["cce"] == {"low": 0, "medium": 0, "high": None}
    assert now["open_cases_by_concern_and_risk"]["cse"]["low"] is None
    # red 2 is small; amber 7 would give it away from the total of 9, so it is hidden too.
    assert now["referrals_by_urgency"] == {"red": None, "amber": None, "green": 0}
    assert now["referrals_by_outcome"] == {"accepted": None, "awaiting decision": None}  # 6 + 3 of a shown 9
    assert now["referrals_decided_in_time_percent"] == 100 and now["median_hours_to_decision"] == 3.0
    assert now["repeat_referral_people"] is None  # two children referred twice: fewer than five
    assert report["previous"]["referrals"] == 0


def test_repeat_referrals_of_a_period_count_no_referral_sent_after_it(caseload):
    sw, police = caseload["worker"], caseload["police"]
    november, december = (
        reports.Period(date(2026, 11, 1), date(2026, 12, 1)),
        reports.Period(date(2026, 12, 1), date(2027, 1, 1)),
    )
    assert reports.figures(db.session, november)["repeat_referral_people"] is None  # two children: fewer than five
    referred_in_november = {r.person_id for r in db.session.scalars(sa.select(Referral))}
    for person_id in sorted(referred_in_november)[:5]:
        data = {"person_id": person_id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Again"}
        referrals.submit_referral(db.session, sw, data, sent_at=datetime(2026, 12, 2, 10, tzinfo=UTC))
    assert reports.figures(db.session, november)["repeat_referral_people"] is None  # still two, as in November
    assert reports.figures(db.session, december)["repeat_referral_people"] == 5


def test_hotspots_of_a_past_period_count_ties_by_when_they_were_first_seen_not_when_recorded(caseload):
    sw = caseload["worker"]
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    for case in db.session.scalars(sa.select(Case)):
        link = {"source": {"type": "person", "id": case.subject_person_id}, "target": {"type": "place", "id": park.id}}
        contexts.add_relationship(db.session, sw, {**link, "kind": "frequents", "first_seen": "2026-10-05"})
    october = reports.figures(db.session, reports.Period(date(2026, 10, 1), date(2026, 11, 1)))
    assert october["place_hotspots"] == [{"place_id": park.id, "name": "Riverside Park", "young_people": 7}]


def test_hotspots_leave_out_homes_however_many_young_people_are_linked_to_them(caseload):
    """A partnership report is read well beyond those who may see a household: a home is never listed by name."""
    sw = caseload["worker"]
    flat = contexts.create_place(db.session, sw, {"name": "Flat 3, 12 Canal Row", "kind": "address"})
    park = contexts.create_place(db.session, sw, {"name": "Riverside Park", "kind": "park"})
    for case in db.session.scalars(sa.select(Case)):
        for place, kind in ((flat, "found_at"), (park, "frequents")):
            link = {
                "source": {"type": "person", "id": case.subject_person_id},
                "target": {"type": "place", "id": place.id},
            }
            contexts.add_relationship(db.session, sw, {**link, "kind": kind, "first_seen": "2026-10-05"})
    november = reports.figures(db.session, reports.Period(date(2026, 11, 1), date(2026, 12, 1)))
    assert november["place_hotspots"] == [{"place_id": park.id, "name": "Riverside Park", "young_people": 7}]


def test_only_safeguarding_leads_produce_reports_and_bad_periods_are_refused(caseload, make_user):
    period = reports.Period(date(2026, 11, 1), date(2026, 12, 1))
    for role in ("social_worker", "police_officer", "admin"):
        with pytest.raises(PermissionDenied):
            reports.partnership_report(db.session, make_user(role), period)
    with pytest.raises(ValidationFailed):
        reports.Period.parse("2026-12-01", "2026-11-01")
    with pytest.raises(ValidationFailed):
        reports.Period.parse("not a date", "2026-11-01")


def test_a_period_runs_from_midnight_to_midnight_uk_time():
    """June is in British Summer Time: its days start at 23:00 UTC the day before."""
    start, end = reports.Period(date(2026, 6, 1), date(2026, 7, 1)).moments()
    assert (start.astimezone(UTC), end.astimezone(UTC)) == (
        datetime(2026, 5, 31, 23, tzinfo=UTC),
        datetime(2026, 6, 30, 23, tzinfo=UTC),
    )


def test_the_share_decided_in_time_is_hidden_when_it_would_count_a_few_late_ones(caseload, make_user):
    """Five decided, one late: 80% would say that exactly one was late."""
    from datetime import timedelta

    sw, police = caseload["worker"], caseload["police"]
    sent = datetime(2026, 12, 2, 10, tzinfo=UTC)
    for day in range(5):
        child = db.session.scalars(sa.select(Case.subject_person_id)).all()[day]
        data = {"person_id": child, "to_agency_id": police.agency_id, "urgency": "red", "reason": "Concern"}
        referral = referrals.submit_referral(db.session, sw, data, sent_at=sent + timedelta(days=day))
        referrals.transition(
            db.session, police, referral.id, "acknowledge", {}, at=referral.sent_at + timedelta(minutes=30)
        )
        late = timedelta(hours=6 if day == 4 else 2)  # a red referral is decided within 4 hours
        referrals.transition(db.session, police, referral.id, "decline", {"reason": "NFA"}, at=referral.sent_at + late)
    december = reports.figures(db.session, reports.Period(date(2026, 12, 1), date(2027, 1, 1)))
    assert december["referrals_by_outcome"] == {"declined": 5}
    assert december["referrals_decided_in_time_percent"] is None


def test_children_missing_is_hidden_when_beside_the_episodes_it_would_count_a_few_repeats(caseload):
    """Seven children missing in October, one of them twice: 8 episodes less 7 children says one went again."""
    sw = caseload["worker"]
    children = db.session.scalars(sa.select(Case.subject_person_id)).all()
    returns = [(child, 2) for child in children] + [(children[0], 20)]
    for child, day in returns:
        missing.record_episode(
            db.session,
            sw,
            child,
            {
                "reported_at": f"2026-10-{day:02d}T18:00:00+00:00",
                "returned_at": f"2026-10-{day + 1:02d}T09:00:00+00:00",
            },
        )
    october = reports.figures(db.session, reports.Period(date(2026, 10, 1), date(2026, 11, 1)))
    assert october["missing_episodes"] == 8
    assert october["children_missing"] is None
