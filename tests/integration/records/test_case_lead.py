"""Handing a case to another lead worker through the service: only a team manager of the lead agency may, to an
active practitioner of that agency, on the case's current version; audited with the change."""

import json

import pytest

from app.extensions import db
from models.case import Case
from models.user import ROLES
from safeguarding import accounts, cases, policy
from safeguarding.case_closure import change_case_status
from safeguarding.closure_approval import approve_closure
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from tests.web.helpers import audit_events


@pytest.fixture
def manager(make_user, social_worker):
    return make_user("team_manager", agency=social_worker.agency)


@pytest.fixture
def colleague(make_user, social_worker):
    return make_user("social_worker", agency=social_worker.agency)


@pytest.fixture
def case(record_child, open_case_for):
    return open_case_for(record_child())


def reassign(actor, case, user, version=None):
    data = {"user_id": user.id, "version": case.version if version is None else version}
    return cases.reassign_lead(db.session, actor, case.id, data)


def stored(case_id) -> Case:
    db.session.expire_all()
    return db.session.get(Case, case_id)


def lead_changes(case_id) -> list[dict]:
    details = [json.loads(e.detail or "{}") for e in audit_events("update") if e.object_id == case_id]
    return [d for d in details if d.get("change") == "lead_changed"]


def test_a_team_manager_of_the_lead_agency_hands_the_case_to_a_colleague(case, manager, colleague, social_worker):
    changed = reassign(manager, case, colleague)
    assert (changed.lead_worker_id, changed.version) == (colleague.id, 2)
    assert stored(case.id).lead_worker.id == colleague.id
    # The new lead joins the team and may now close the case; the old lead stays on it until taken off.
    assert {m.user_id for m in stored(case.id).current_members} == {social_worker.id, colleague.id}
    assert policy.may_change_case_status(colleague, stored(case.id))
    assert not policy.may_change_case_status(social_worker, stored(case.id))
    assert lead_changes(case.id) == [
        {"change": "lead_changed", "from_user_id": social_worker.id, "user_id": colleague.id, "joined_team": True}
    ]
    event = [e for e in audit_events("update") if e.object_id == case.id][-1]
    assert (event.actor_user_id, json.loads(event.person_ids)) == (manager.id, [case.subject_person_id])


def test_a_new_lead_already_on_the_team_is_not_added_twice(case, manager, colleague, social_worker):
    cases.add_member(db.session, social_worker, case.id, colleague.id)
    reassign(manager, stored(case.id), colleague)
    members = [m.user_id for m in stored(case.id).current_members]
    assert sorted(members) == sorted([social_worker.id, colleague.id])
    assert lead_changes(case.id)[0]["joined_team"] is False


def test_the_old_lead_can_then_be_taken_off_the_team(case, manager, colleague, social_worker):
    with pytest.raises(Conflict, match="change the lead worker first"):
        cases.remove_member(db.session, social_worker, case.id, social_worker.id)
    db.session.rollback()
    reassign(manager, case, colleague)
    cases.remove_member(db.session, colleague, case.id, social_worker.id)
    assert [m.user_id for m in stored(case.id).current_members] == [colleague.id]


def test_a_manager_may_take_the_lead_themselves_without_being_on_the_team(case, manager):
    assert not case.has_member(manager.id)
    reassign(manager, case, manager)
    assert stored(case.id).lead_worker_id == manager.id and stored(case.id).has_member(manager.id)


def test_a_closed_case_is_handed_on_so_that_someone_may_reopen_it(case, manager, colleague, social_worker):
    change_case_status(
        db.session, social_worker, case.id, {"version": case.version, "status": "closed", "closed_reason": "Done"}
    )
    approve_closure(db.session, manager, case.id, {"version": stored(case.id).version})
    reassign(manager, stored(case.id), colleague)
    closed = stored(case.id)
    assert (closed.status, closed.lead_worker_id) == ("closed", colleague.id)
    assert policy.may_change_case_status(colleague, closed)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_nobody_but_a_lead_agency_team_manager_may_and_the_refusal_is_audited(
    case, make_user, make_agency, social_worker, colleague, role
):
    # Everyone of the lead agency but its team managers, and a team manager of another agency.
    agency = make_agency(kind="youth_justice") if role == "team_manager" else social_worker.agency
    caller = make_user(role, agency=agency)
    with pytest.raises(PermissionDenied):
        reassign(caller, case, colleague)
    assert stored(case.id).lead_worker_id == social_worker.id
    assert [e.actor_user_id for e in audit_events("denied") if e.object_id == case.id] == [caller.id]
    assert lead_changes(case.id) == []


def test_the_lead_worker_may_not_hand_the_case_on_themselves(case, social_worker, colleague):
    with pytest.raises(PermissionDenied):
        reassign(social_worker, case, colleague)
    assert stored(case.id).lead_worker_id == social_worker.id


def test_a_team_manager_of_another_agency_on_the_team_is_refused(case, make_user, make_agency, social_worker):
    other = make_user("team_manager", agency=make_agency(kind="youth_justice"))
    cases.add_member(db.session, social_worker, case.id, other.id)
    with pytest.raises(PermissionDenied):
        reassign(other, stored(case.id), other)
    assert stored(case.id).lead_worker_id == social_worker.id


@pytest.mark.parametrize(
    "who",
    ["other_agency", "inactive", "safeguarding_lead", "admin", "unknown", "not_an_id", "current_lead"],
)
def test_the_new_lead_must_be_an_active_practitioner_of_the_lead_agency(
    case, manager, make_user, make_agency, social_worker, who
):
    agency = social_worker.agency
    users = {
        "other_agency": lambda: make_user("social_worker", agency=make_agency(kind="social_care")),
        "inactive": lambda: _deactivated(make_user("social_worker", agency=agency)),
        "safeguarding_lead": lambda: make_user("safeguarding_lead", agency=agency),
        "admin": lambda: make_user("admin", agency=agency),
        "current_lead": lambda: social_worker,
    }
    user_id = {"unknown": "3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", "not_an_id": 42}.get(who) or users[who]().id
    with pytest.raises(ValidationFailed) as failure:
        cases.reassign_lead(db.session, manager, case.id, {"user_id": user_id, "version": case.version})
    assert set(failure.value.fields) == {"$.user_id"}
    db.session.rollback()
    assert (stored(case.id).lead_worker_id, stored(case.id).version) == (social_worker.id, 1)
    assert lead_changes(case.id) == []


def _deactivated(user):
    admin_actor = None  # as the CLI does
    accounts.deactivate_user(db.session, admin_actor, user)
    db.session.commit()
    return user


def test_a_stale_version_is_409_and_changes_nothing(case, manager, colleague, social_worker):
    with pytest.raises(Conflict, match="changed by someone else"):
        reassign(manager, case, colleague, version=case.version + 1)
    db.session.rollback()
    assert stored(case.id).lead_worker_id == social_worker.id and not stored(case.id).has_member(colleague.id)
    assert lead_changes(case.id) == []


def test_a_missing_version_and_user_are_both_named(case, manager):
    with pytest.raises(ValidationFailed) as failure:
        cases.reassign_lead(db.session, manager, case.id, {})
    assert set(failure.value.fields) == {"$.version", "$.user_id"}


def test_the_candidates_are_the_lead_agencys_active_practitioners_but_the_lead(
    case, manager, colleague, social_worker, make_user, make_agency
):
    make_user("safeguarding_lead", agency=social_worker.agency)
    _deactivated(make_user("social_worker", agency=social_worker.agency))
    make_user("social_worker", agency=make_agency(kind="social_care"))
    assert {u.id for u in cases.lead_candidates(db.session, case)} == {manager.id, colleague.id}
