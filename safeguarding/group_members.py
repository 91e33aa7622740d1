"""Who is recorded as a member of a group, for the group's page and the API: named only where the viewer may see
them, the rest counted, and each membership's review date, so that nobody stays labelled a member by default
(SPEC 2) without someone seeing that their review is overdue.
"""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.agency import Agency
from models.base import parse_id
from models.context import Relationship, grading_of
from models.id_lists import among, read_columns
from models.person import Person, display_names
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.contexts import MAX_MEMBERS_AT_ONCE, load_group, membership_overdue
from safeguarding.errors import PermissionDenied
from safeguarding.validation import uk_today


def members_of(session: Session, actor, group_id) -> dict:
    """The group's current members the actor may see (those whose review is overdue first, then by name), and how
    many others there are; audited as a list naming the people shown."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not see places and groups")
    group = load_group(session, group_id)
    query = (
        select(
            Relationship.id,
            Relationship.source_person_id.label("person_id"),
            Relationship.first_seen,
            Relationship.last_seen,
            Relationship.review_on,
            Relationship.grading_source,
            Relationship.grading_information,
            Relationship.grading_handling,
            Agency.id.label("agency_id"),
            Agency.name.label("agency_name"),
        )
        .join(Agency, Agency.id == Relationship.agency_id)
        .join(Person, Person.id == Relationship.source_person_id)
        .where(
            Relationship.target_group_id == group.id,
            Relationship.kind == "member_of",
            Relationship.ended_on.is_(None),
            Person.erased_at.is_(None),
        )
    )
    rows = read_columns(session, query).all()
    access = policy.people_access(session, actor, {row.person_id for row in rows})
    shown = [row for row in rows if access[row.person_id].visible]
    names = display_names(session, {row.person_id for row in shown})
    today = uk_today()
    members = [
        {
            "relationship_id": row.id,
            "person_id": row.person_id,
            "name": names.get(row.person_id),
            "view": "full" if access[row.person_id].full else "limited",
            "first_seen": row.first_seen,
            "last_seen": row.last_seen,
            "review_on": row.review_on,
            "review_overdue": membership_overdue(row.review_on, today),
            "agency": {"id": row.agency_id, "name": row.agency_name},
            "grading": grading_of(row.grading_source, row.grading_information, row.grading_handling),
        }
        for row in shown
    ]
    members.sort(key=lambda m: (not m["review_overdue"], (m["name"] or "").lower(), m["relationship_id"]))
    people_shown = sorted({m["person_id"] for m in members})
    # People, not memberships: two agencies may each have recorded the same person in the group.
    others = len({row.person_id for row in rows} - set(people_shown))
    record_read(
        session,
        actor,
        action="list",
        object_type="group_members",
        object_id=group.id,
        person_ids=people_shown,
        detail={"shown": len(people_shown), "others": others},
        # As on a map: anyone named in full on a basis other than a case assignment flags the list for review.
        shown=[access[person_id] for person_id in people_shown],
    )
    return {"group": group, "results": members, "other_members": others}


def members_to_record(session: Session, actor, person_ids: Iterable[str]) -> dict[str, str]:
    """Of the people a proposed peer group names (SPEC 7), those the actor may record as members of a new group, as
    a relationship needs: seen in full. Their display names by id, in name order; audited as a list naming them.
    Ids that name no one, or someone the actor does not see in full, are left out."""
    if not policy.may_record_people(actor):
        raise PermissionDenied("Only practitioners record contexts")
    ids = list(dict.fromkeys(filter(None, map(parse_id, person_ids))))[:MAX_MEMBERS_AT_ONCE]
    if not ids:
        return {}  # nobody proposed: no personal data read
    live = set(
        read_columns(
            session,
            select(Person.id).where(among(Person.id, ids), Person.erased_at.is_(None), Person.merged_into_id.is_(None)),
        ).scalars()
    )
    access = policy.full_access(session, actor, live)
    names = display_names(session, access)
    chosen = dict(sorted(names.items(), key=lambda item: (item[1].lower(), item[0])))
    record_read(
        session,
        actor,
        action="list",
        object_type="proposed_group_members",
        object_id=None,
        person_ids=sorted(chosen),
        detail={"asked": len(ids), "shown": len(chosen)},
        shown=[access[person_id] for person_id in chosen],
    )
    return chosen
