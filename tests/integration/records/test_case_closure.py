"""Closing and reopening a case through the service: who may, what it ends, and what a refusal leaves behind."""

import json

import pytest

from app.extensions import db
from models.case import Case
from safeguarding import cases, policy, retention
from safeguarding.case_closure import change_case_status
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from safeguarding.validation import uk_today
from tests.web.helpers import audit_events

REASON = "Plan complete: settled at school, no missing episodes for six months"


def close(actor, case, reason=REASON, version=None):
    data = {"version": case.version if version is None else version, "status": "closed", "closed_reason": reason}
    return change_case_status(db.session, actor, case.id, data)


def reopen(actor, case):
    return change_case_status(db.session, actor, case.id, {"version": case.version, "status": "open"})


def status_events(case_id):
    return [
        json.loads(e.detail)["change"]
        for e in audit_events("update")
        if e.object_id == case_id and json.loads(e.detail or "{}").get("change") in ("closed", "reopened")
    ]


def stored(case_id) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def test_the_lead_worker_closes_a_case_with_a_reason_dated_the_uk_day(record_child, open_case_for, social_worker):
    child = record_child()
    case = open_case_for(child)
    closed = close(social_worker, case)
    assert (closed.status, closed.closed_on, closed.closed_reason, closed.version) == ("closed", uk_today(), REASON, 2)
    event = [e for e in audit_events("update") if e.object_id == case.id][-1]
    assert json.loads(event.detail) == {"change": "closed"} and json.loads(event.person_ids) == [child.id]
    assert event.outcome != "denied" and REASON not in (event.detail or "")


def test_closing_ends_the_teams_access_to_the_subject_unless_another_rule_applies(
    record_child, open_case_for, social_worker, make_user
):
    child = record_child()
    case = open_case_for(child)
    officer = make_user("police_officer")  # relies on the case alone
    cases.add_member(db.session, social_worker, case.id, officer.id)
    assert policy.person_access(db.session, officer, child.id).bases == ("case_team",)
    close(social_worker, case)
    assert policy.person_access(db.session, officer, child.id).level == "none"
    assert policy.case_role(db.session, officer, stored(case.id)) is None
    assert case.id not in {c.id for c in policy.open_cases_of(db.session, officer)}
    # The lead recorded the child this month: the recorder rule still lets them read, now as a reader.
    assert policy.person_access(db.session, social_worker, child.id).bases == ("recorder",)
    assert policy.case_role(db.session, social_worker, stored(case.id)) == "reader"


def test_reopening_restores_the_team_and_clears_the_closure(record_child, open_case_for, social_worker, make_user):
    child = record_child()
    case = open_case_for(child)
    officer = make_user("police_officer")
    cases.add_member(db.session, social_worker, case.id, officer.id)
    close(social_worker, case)
    reopened = reopen(social_worker, stored(case.id))
    assert (reopened.status, reopened.closed_on, reopened.closed_reason, reopened.version) == ("open", None, None, 3)
    assert policy.person_access(db.session, officer, child.id).bases == ("case_team",)
    assert status_events(case.id) == ["closed", "reopened"]


def test_a_closed_case_starts_the_retention_clock(record_child, open_case_for, social_worker, make_user):
    child = record_child()
    case = open_case_for(child)
    far = uk_today().replace(year=uk_today().year + 40)
    assert child.id not in {d.person_id for d in retention.due_for_erasure(db.session, far)}  # an open case
    close(social_worker, case)
    due = {d.person_id: d for d in retention.due_for_erasure(db.session, far)}
    assert "6 years after the last case closed" in due[child.id].reasons


def test_a_team_manager_of_the_lead_agency_on_the_team_may_close_it(
    record_child, open_case_for, social_worker, make_user
):
    case = open_case_for(record_child())
    colleague = make_user("team_manager", agency=social_worker.agency)
    cases.add_member(db.session, social_worker, case.id, colleague.id)
    assert close(colleague, case).status == "closed"


@pytest.mark.parametrize("who", ["other_agency_member", "lead_agency_outsider", "safeguarding_lead", "admin"])
def test_others_are_refused_audited_and_change_nothing(record_child, open_case_for, social_worker, make_user, who):
    child = record_child()
    case = open_case_for(child)
    if who == "other_agency_member":
        actor = make_user("police_officer")
        cases.add_member(db.session, social_worker, case.id, actor.id)
    elif who == "lead_agency_outsider":
        actor = make_user("team_manager", agency=social_worker.agency)  # same agency, not on the team
    else:
        actor = make_user(who)
    with pytest.raises(PermissionDenied):
        close(actor, case)
    assert stored(case.id).status == "open" and stored(case.id).version == 1
    denied = [e for e in audit_events("denied") if e.object_id == case.id]
    assert [e.actor_user_id for e in denied] == [actor.id] and json.loads(denied[0].person_ids) == [child.id]
    assert status_events(case.id) == []


def test_a_stale_version_or_no_change_of_state_is_a_conflict(record_child, open_case_for, social_worker):
    case = open_case_for(record_child())
    with pytest.raises(Conflict, match="changed by someone else"):
        close(social_worker, case, version=case.version + 1)
    with pytest.raises(Conflict, match="already open"):
        reopen(social_worker, case)
    db.session.rollback()
    close(social_worker, case)
    with pytest.raises(Conflict, match="already closed"):
        close(social_worker, stored(case.id))
    db.session.rollback()
    assert stored(case.id).closed_reason == REASON and status_events(case.id) == ["closed"]


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"status": "closed"}, {"$.closed_reason"}),
        ({"status": "closed", "closed_reason": "   "}, {"$.closed_reason"}),
        ({"status": "closed", "closed_reason": "x" * 501}, {"$.closed_reason"}),
        ({"status": "closed", "closed_reason": "Done\x00"}, {"$.closed_reason"}),
        ({"status": "finished", "closed_reason": REASON}, {"$.status"}),
        ({"status": "closed", "closed_reason": REASON, "risk_level": "low"}, {"$.risk_level"}),
        ({"status": "open", "closed_reason": REASON}, {"$.closed_reason"}),
        ({"version": "1", "closed_reason": REASON}, {"$.version", "$.status"}),
    ],
)
def test_bad_input_is_refused_and_writes_nothing(record_child, open_case_for, social_worker, data, fields):
    case = open_case_for(record_child())
    with pytest.raises(ValidationFailed) as refused:
        change_case_status(db.session, social_worker, case.id, {"version": case.version, **data})
    db.session.rollback()
    assert set(refused.value.fields) == fields
    assert (stored(case.id).status, stored(case.id).closed_reason, stored(case.id).version) == ("open", None, 1)
    assert status_events(case.id) == [] and [e for e in audit_events("denied") if e.object_id == case.id] == []
