"""A person's current relationships as their page lists them: the other end named only where the viewer may see
them, notes only for those who see the source person in full, audited as a list."""

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from models.context import Group, Place, Relationship
from models.person import Person
from safeguarding import policy
from safeguarding.access import load_person, record_read, require_person_access
from safeguarding.contexts import membership_overdue
from safeguarding.validation import uk_today


def relationships_of(session: Session, actor, person_id) -> list[dict]:
    """A person's current relationships; the other person is named only where the actor may see them (audited)."""
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, object_type="relationship")
    edges = list(
        session.scalars(
            select(Relationship)
            .where(
                Relationship.ended_on.is_(None),
                or_(Relationship.source_person_id == person.id, Relationship.target_person_id == person.id),
            )
            .order_by(Relationship.recorded_at)
        )
    )
    others = {e.target_person_id if e.source_person_id == person.id else e.source_person_id for e in edges} - {None}
    seen = policy.people_access(session, actor, others)
    visible = [i for i in others if seen[i].visible]
    live = select(Person).where(Person.id.in_(visible), Person.erased_at.is_(None))
    people = {p.id: p for p in session.scalars(live)}
    places = {p.id: p for p in session.scalars(select(Place).where(Place.id.in_({e.target_place_id for e in edges})))}
    groups = {g.id: g for g in session.scalars(select(Group).where(Group.id.in_({e.target_group_id for e in edges})))}
    rows, today = [], uk_today()
    for edge in edges:
        outgoing = edge.source_person_id == person.id
        other_type, other_id = (edge.target_type, edge.target_id) if outgoing else ("person", edge.source_person_id)
        record = {"person": people, "place": places, "group": groups}[other_type].get(other_id)
        rows.append(
            {
                "id": edge.id,
                "kind": edge.kind,
                "outgoing": outgoing,
                "other": {"type": other_type, "id": other_id if record else None},
                "label": (record.display_name if other_type == "person" else record.name) if record else None,
                "first_seen": edge.first_seen,
                "last_seen": edge.last_seen,
                "review_on": edge.review_on,
                "review_overdue": membership_overdue(edge.review_on, today),
                "agency": edge.agency.name,
                "grading": edge.grading,
                # Notes are about the source person: shown only to those who see that person in full.
                "notes": _readable(edge.notes)
                if (outgoing or seen[edge.source_person_id].full) and policy.reads_relationship_notes(actor, edge)
                else None,
            }
        )
    record_read(
        session,
        actor,
        action="list",
        object_type="relationship",
        object_id=person.id,
        person_ids=[person.id, *sorted(people)],
        access=access,
    )
    return rows


def _readable(value) -> str | None:
    return value if isinstance(value, str) else None
