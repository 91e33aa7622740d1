"""Whole-family working: the cases of a young person's siblings and household members, shown together."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.case import Case
from models.context import Relationship
from models.id_lists import among
from safeguarding import policy
from safeguarding.access import record_read

FAMILY_KINDS = ("sibling", "household_member", "parent", "carer")


FAMILY_HOPS = 2  # a sibling's sibling, a parent's other children: never a whole estate's households


def family_members(session: Session, person_id: str) -> set[str]:
    """Everyone within two family ties of the person: the family is often recorded beside one child only (each
    sibling tied to the eldest, or to a parent), and the others' cases belong together all the same."""
    found = frontier = {person_id}
    for _ in range(FAMILY_HOPS):
        frontier = _tied(session, frontier) - found
        found = found | frontier
    return found - {person_id}


def _tied(session: Session, people: set[str]) -> set[str]:
    query = select(Relationship.source_person_id, Relationship.target_person_id).where(
        Relationship.kind.in_(FAMILY_KINDS),
        Relationship.ended_on.is_(None),
        or_(among(Relationship.source_person_id, people), among(Relationship.target_person_id, people)),
    )
    return {p for row in session.execute(query) for p in row if p}


def linked_family_cases(session: Session, actor, person_id: str) -> list[Case]:
    """Family members' cases that the actor may read (the policy decides each one); audited against their subjects,
    whose concerns and risk the list shows."""
    members = family_members(session, person_id)
    if not members:
        return []
    cases = session.scalars(select(Case).where(Case.subject_person_id.in_(members)).order_by(Case.opened_on))
    readable, shown = [], []
    for case in cases:
        role, access = policy.case_access(session, actor, case)
        if role is not None:
            readable.append(case)
            shown += [access] if access else []
    if not readable:
        return []  # nothing of another person's was shown
    record_read(
        session,
        actor,
        action="list",
        object_type="family_cases",
        object_id=person_id,
        person_ids=sorted({c.subject_person_id for c in readable}),
        shown=shown,
    )
    return readable
