"""Lists of cases: a person's, those about a place or group, those in a young person's contexts, a caseload."""

from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from models.case import Case, CaseMember, PlanAction
from models.context import Group, Place, Relationship
from models.person import Person, display_names
from safeguarding import policy
from safeguarding.access import load_person, record_read, require_person_access
from safeguarding.contexts import load_group, load_place, load_visible_place
from safeguarding.errors import PermissionDenied
from safeguarding.validation import uk_today


def cases_of_person(session: Session, person_id: str) -> list[Case]:
    """Cases about a person the caller has already been allowed to read."""
    query = select(Case).where(Case.subject_person_id == person_id).order_by(Case.opened_on.desc())
    return list(session.scalars(query))


@dataclass(frozen=True)
class ContextCase:
    """A case about a place or group as a page lists it: who leads it for everyone, what it is about for its team;
    `context_name`: the place's or group's name."""

    case: Case
    on_team: bool
    context_name: str


def cases_about_context(session: Session, actor, kind: str, context_id: str) -> list[ContextCase]:
    """The cases about this place or group, open ones first, newest first: whoever works there sees who to contact;
    its concerns and risk are for its team. Audited as a list (a context is no person)."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role has no cases")
    # Unknown: 404; a home the actor may not see: 403, audited.
    record = load_visible_place(session, actor, context_id) if kind == "place" else load_group(session, context_id)
    column = Case.subject_place_id if kind == "place" else Case.subject_group_id
    query = select(Case).where(column == record.id).order_by(Case.status != "open", Case.opened_on.desc(), Case.id)
    found = list(session.scalars(query))
    listed = _as_context_cases(session, actor, found, {record.id: record.name})
    detail = {"about": kind, "subject": record.id, "shown": len(found)}
    record_read(session, actor, action="list", object_type="case", object_id=None, person_ids=[], detail=detail)
    return listed


def cases_in_contexts_of(
    session: Session, actor, person_id: str, access: policy.PersonAccess | None = None
) -> list[ContextCase]:
    """The open cases about the places and groups a person is linked to now, for whoever reads their record in full
    (403, audited, otherwise): work under way in their contexts, which another agency may lead. A home shows only
    to those who may see it. Audited as a list against the person. `access`: the caller's, already checked."""
    if access is None:
        person = load_person(session, person_id)
        person_id, access = person.id, require_person_access(session, actor, person, object_type="case")
    ties = select(Relationship.target_place_id, Relationship.target_group_id).where(
        Relationship.source_person_id == person_id,
        Relationship.ended_on.is_(None),
        Relationship.target_person_id.is_(None),
    )
    places, groups = set(), set()
    for place_id, group_id in session.execute(ties):
        (places if place_id else groups).add(place_id or group_id)
    homes = set(session.scalars(select(Place.id).where(Place.id.in_(places), Place.kind == "address")))
    places -= homes - policy.visible_addresses(session, actor, homes)
    query = (
        select(Case)
        .where(Case.status == "open", or_(Case.subject_place_id.in_(places), Case.subject_group_id.in_(groups)))
        .order_by(Case.opened_on.desc())
    )
    found = list(session.scalars(query))
    if not found:
        return []
    places_named = session.execute(select(Place.id, Place.name).where(Place.id.in_(places))).all()
    groups_named = session.execute(select(Group.id, Group.name).where(Group.id.in_(groups))).all()
    names = dict(places_named) | dict(groups_named)
    listed = _as_context_cases(session, actor, found, names)
    detail = {"about": "contexts_of_person", "shown": len(found)}
    record_read(
        session,
        actor,
        action="list",
        object_type="case",
        object_id=None,
        person_ids=[person_id],
        access=access,
        detail=detail,
    )
    return listed


def _as_context_cases(session: Session, actor, found: list[Case], names: dict[str, str]) -> list[ContextCase]:
    team = set(
        session.scalars(
            select(CaseMember.case_id).where(
                CaseMember.case_id.in_([case.id for case in found]),
                CaseMember.user_id == actor.id,
                CaseMember.removed_at.is_(None),
            )
        )
    )
    return [ContextCase(case, case.id in team, names[case.subject_place_id or case.subject_group_id]) for case in found]


@dataclass(frozen=True)
class Caseload:
    """A practitioner's cases: the open ones whose team they are on, and the closed ones they may reopen."""

    open: list[Case]
    closed: list[Case]
    subjects: dict[str, str]  # subject id -> its name, for the subjects the viewer may see
    actions_due: dict[str, int]  # case id -> the viewer's own plan actions past their due date and not done


def caseload(session: Session, actor) -> Caseload:
    """The actor's cases, newest first, audited as one list against the people it names."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role has no cases")
    query = (
        select(Case)
        .join(CaseMember, CaseMember.case_id == Case.id)
        .where(CaseMember.user_id == actor.id, CaseMember.removed_at.is_(None))
        .order_by(Case.opened_on.desc(), Case.id)
    )
    # Closing ends rule 1 for the team; those who may reopen the case still need to find it.
    mine = [c for c in session.scalars(query) if c.is_open or policy.may_change_case_status(actor, c)]
    mine = [c for c in mine if not (c.subject_person_id and session.get(Person, c.subject_person_id).erased_at)]
    people = {c.subject_person_id for c in mine if c.subject_person_id}
    access = policy.people_access(session, actor, people) if people else {}
    named = sorted(p for p in people if access[p].visible)
    names = display_names(session, named)
    subjects = dict(names)
    for case in mine:
        if case.subject_place_id:
            subjects[case.subject_place_id] = load_place(session, case.subject_place_id).name
        elif case.subject_group_id:
            subjects[case.subject_group_id] = load_group(session, case.subject_group_id).name
    record_read(
        session,
        actor,
        action="list",
        object_type="caseload",
        object_id=actor.id,
        person_ids=named,
        shown=[access[p] for p in named],
        detail={"open": sum(c.is_open for c in mine), "closed": sum(not c.is_open for c in mine)},
    )
    return Caseload(
        open=[c for c in mine if c.is_open],
        closed=[c for c in mine if not c.is_open],
        subjects=subjects,
        actions_due=_actions_due(session, actor, [c.id for c in mine if c.is_open]),
    )


def _actions_due(session: Session, actor, case_ids: list[str]) -> dict[str, int]:
    if not case_ids:
        return {}
    query = (
        select(PlanAction.case_id, func.count())
        .where(
            PlanAction.case_id.in_(case_ids),
            PlanAction.owner_id == actor.id,
            PlanAction.done_at.is_(None),
            PlanAction.due_on < uk_today(),
        )
        .group_by(PlanAction.case_id)
    )
    return dict(session.execute(query).all())
