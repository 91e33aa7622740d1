"""Group memberships due for review, as a practitioner's worklist: nobody stays labelled a member of a group by
default (SPEC 2), so each membership of the people a practitioner works with on open cases is listed once its
review falls due, to be confirmed or ended from the person's record.
"""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.context import Group, Relationship
from models.id_lists import among, read_columns
from models.person import Person, display_names
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.contexts import membership_overdue
from safeguarding.errors import PermissionDenied
from safeguarding.validation import uk_today

# Listed a fortnight ahead, so a review can be planned into a visit rather than found overdue.
DUE_SOON = timedelta(days=14)


def _due(session: Session, actor):
    """The conditions of a membership due for review among the people the actor sees on their open cases (rule 1:
    case subjects, and people linked to a place or group a case is about)."""
    if not policy.may_record_people(actor):
        raise PermissionDenied("Only practitioners review group memberships")
    people = policy.case_team_people(session, actor)
    return (
        among(Relationship.source_person_id, people),
        Relationship.kind == "member_of",
        Relationship.ended_on.is_(None),
        Relationship.review_on <= uk_today() + DUE_SOON,
        Person.erased_at.is_(None),
    )


def count_due(session: Session, actor) -> int:
    """How many are due, for the home page: a number, naming nobody."""
    query = select(func.count()).select_from(Relationship).join(Person, Person.id == Relationship.source_person_id)
    return read_columns(session, query.where(*_due(session, actor))).scalar_one()


def reviews_due(session: Session, actor) -> list[dict]:
    """Each membership due, the longest overdue first; audited as a list naming the people shown."""
    query = (
        select(
            Relationship.id,
            Relationship.source_person_id.label("person_id"),
            Relationship.target_group_id.label("group_id"),
            Group.name.label("group_name"),
            Relationship.review_on,
            Agency.id.label("agency_id"),
            Agency.name.label("agency_name"),
        )
        .join(Person, Person.id == Relationship.source_person_id)
        .join(Group, Group.id == Relationship.target_group_id)
        .join(Agency, Agency.id == Relationship.agency_id)
        .where(*_due(session, actor))
        .order_by(Relationship.review_on, Relationship.id)
    )
    rows = read_columns(session, query).all()
    names = display_names(session, {row.person_id for row in rows})
    today = uk_today()
    due = [
        {
            "relationship_id": row.id,
            "person": {"id": row.person_id, "name": names.get(row.person_id)},
            "group": {"id": row.group_id, "name": row.group_name},
            "review_on": row.review_on,
            "overdue": membership_overdue(row.review_on, today),
            "agency": {"id": row.agency_id, "name": row.agency_name},
        }
        for row in rows
    ]
    record_read(
        session,
        actor,
        action="list",
        object_type="membership_reviews",
        object_id=None,
        person_ids=sorted(names),
        detail={"shown": len(due)},
    )
    return due
