"""The workspace services on the run's engine: filtering the log, naming the basis of each access, the
break-glass review, and the monitoring report's facts from the database."""

from datetime import UTC, datetime, time, timedelta

import pytest
import time_machine

from app.extensions import db
from audit.monitoring import AgencyHours
from models.person import PersonIndexToken
from safeguarding import audit_review, merging, people
from safeguarding.audit_monitoring import agency_hours, monitoring_report, parse_working_hours
from safeguarding.audit_workspace import EventQuery, describe, event_query, find_events, listing, seal_now
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from safeguarding.runtime import current as runtime
from safeguarding.validation import LONDON, uk_today
from tests.integration.audit_workspace.conftest import REASON

HOURS = {"police": "always", "default": ("08:00", "18:00")}


@pytest.fixture
def lead(make_user):
    return make_user("safeguarding_lead")


def test_filters_combine_and_come_newest_first(caseload, lead):
    seal_now(db.session)
    child, youth = caseload["child"], caseload["youth"]
    about_child = find_events(db.session, event_query(person_id=child.id))
    assert [e.seq for e in about_child] == sorted((e.seq for e in about_child), reverse=True)
    assert {e.action for e in about_child} == {"create", "view", "break_glass", "denied"}
    youth_views = find_events(db.session, event_query(person_id=child.id, user_id=youth.id, action="view"))
    assert [(e.actor_user_id, e.action) for e in youth_views] == [(youth.id, "view")]
    refused = find_events(db.session, EventQuery(outcome="denied"))
    assert [e.actor_user_id for e in refused] == [caseload["officer"].id]
    assert find_events(db.session, event_query(since=(datetime.now(UTC) + timedelta(hours=1)).isoformat())) == []
    assert len(find_events(db.session, event_query(limit="2"))) == 2


def test_who_accessed_a_person_includes_access_to_the_records_merged_into_them(caseload, lead):
    worker, child = caseload["worker"], caseload["child"]
    duplicate = people.record_person(
        db.session, worker, {"given_name": "Amara", "family_name": "Bel", "date_of_birth": "2011-03-27"}
    )
    people.view_person(db.session, worker, duplicate.id)
    merging.merge_people(db.session, worker, child.id, duplicate.id)
    seal_now(db.session)
    about_child = find_events(db.session, event_query(person_id=child.id))
    assert {(e.action, e.object_id) for e in about_child} >= {("create", duplicate.id), ("view", duplicate.id)}


def test_unsealed_events_are_listed_first(caseload, lead):
    seal_now(db.session)
    people.view_person(db.session, caseload["worker"], caseload["child"].id)  # not sealed yet
    newest = find_events(db.session, event_query(person_id=caseload["child"].id))
    assert newest[0].seq is None and all(e.seq is not None for e in newest[1:])


def test_bad_filters_name_each_parameter_at_once():
    with pytest.raises(ValidationFailed) as failure:
        event_query(person_id="x", user_id="y", action="peek", outcome="nope", since="soon", limit="0")
    assert set(failure.value.fields) == {"person_id", "user_id", "action", "outcome", "since", "limit"}


def test_a_bare_date_means_midnight_uk_time():
    summer = event_query(since="2026-07-01").since
    assert summer == datetime(2026, 6, 30, 23, 0, tzinfo=UTC)
    assert event_query(since="2026-07-01T09:00:00").since == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)


def test_each_access_is_described_with_its_basis_and_any_break_glass_reason(caseload, lead):
    rows = {
        (r.event.actor_user_id, r.event.action): r for r in describe(db.session, find_events(db.session, EventQuery()))
    }
    worker_view = rows[(caseload["worker"].id, "view")]
    assert worker_view.bases == ("recorder",) and worker_view.break_glass_reason is None
    youth_view = rows[(caseload["youth"].id, "view")]
    assert youth_view.bases == ("break_glass",) and youth_view.break_glass_reason == REASON
    assert rows[(caseload["youth"].id, "break_glass")].break_glass_reason == REASON
    refusal = rows[(caseload["officer"].id, "denied")]
    assert refusal.basis_text.startswith("Refused") and refusal.agency_name == caseload["officer"].agency.name


def test_a_listing_is_audited_before_it_is_read(caseload, lead):
    rows = listing(db.session, lead, "person_access", event_query(person_id=caseload["child"].id))
    assert rows and all(r.event.seq is not None for r in rows)
    (look,) = find_events(db.session, event_query(action="audit_view"))
    assert look.actor_user_id == lead.id and look.detail_dict["filters"] == {"person_id": caseload["child"].id}
    with pytest.raises(PermissionDenied):
        listing(db.session, caseload["worker"], "person_access", EventQuery())


def test_a_review_is_saved_once_and_audited(caseload, lead, make_user):
    grant = caseload["grant"]
    audit_review.review_break_glass(db.session, lead, grant.id, "not_justified", "No call-out was logged")
    db.session.expire_all()
    assert (grant.review_outcome, grant.reviewed_by_id) == ("not_justified", lead.id)
    assert audit_review.awaiting_review(db.session) == []
    with pytest.raises(Conflict):
        audit_review.review_break_glass(db.session, make_user("safeguarding_lead"), grant.id, "justified", None)
    (event,) = find_events(db.session, EventQuery(action="update", user_id=lead.id))
    assert event.object_id == grant.id and event.detail_dict["review_outcome"] == "not_justified"


def test_review_input_is_checked_and_only_leads_review(caseload, lead):
    grant = caseload["grant"]
    with pytest.raises(ValidationFailed) as failure:
        audit_review.review_break_glass(db.session, lead, grant.id, "fine", "x" * 2001)
    assert set(failure.value.fields) == {"outcome", "note"}
    with pytest.raises(PermissionDenied):
        audit_review.review_break_glass(db.session, caseload["worker"], grant.id, "justified", None)
    assert audit_review.grant_row(db.session, grant.id).events == 2


def test_working_hours_come_from_configuration_by_agency_kind(app):
    holidays = runtime().calendar.closure_days(2026, 2026)
    police = agency_hours("police", "p", HOURS, holidays)
    school = agency_hours("education", "s", HOURS, holidays)
    saturday_night = datetime(2026, 3, 7, 2, 30, tzinfo=LONDON)
    assert police.is_working(saturday_night) and not school.is_working(saturday_night)
    assert school.is_working(datetime(2026, 3, 9, 8, 0, tzinfo=LONDON))
    assert not school.is_working(datetime(2026, 3, 9, 18, 0, tzinfo=LONDON))
    assert not school.is_working(datetime(2026, 12, 25, 10, 0, tzinfo=LONDON)), "bank holidays are closed"
    custom = agency_hours("health", "h", {"health": ("07:00", "19:30")}, ())
    assert custom == AgencyHours.weekdays("h", time(7), time(19, 30))
    with pytest.raises(ValueError, match="AGENCY_WORKING_HOURS"):
        parse_working_hours({"health": "nine to five"})


def test_monitoring_reads_family_names_as_tokens_and_restriction_from_flags(make_user):
    okafor = make_user("social_worker", family_name="O'Kafor")
    night = datetime.combine(uk_today() + timedelta(days=2), time(23, 30), tzinfo=LONDON)
    with time_machine.travel(night, tick=True):
        data = {"given_name": "Tyrese", "family_name": "Smith", "aliases": ["T Okafor"], "date_of_birth": "2010-01-01"}
        namesake = people.record_person(db.session, okafor, {**data, "flags": ["restricted"]})
        people.view_person(db.session, okafor, namesake.id)
    token = runtime().indexer.token("family_name", "okafor")
    stored = db.session.query(PersonIndexToken.token).filter_by(person_id=namesake.id, index_name="family_name")
    assert token in {t for (t,) in stored}, "the alias's family name is indexed"
    seal_now(db.session)
    found = {
        (row.finding.rule, row.finding.actor_user_id) for row in monitoring_report(db.session, night.date(), HOURS)
    }
    assert found == {
        ("same_family_name", okafor.id),
        ("restricted_access", okafor.id),
        ("out_of_hours", okafor.id),
    }
    assert monitoring_report(db.session, night.date() - timedelta(days=1), HOURS) == []
