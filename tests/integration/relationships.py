"""Relationships recorded through the service, as the integration tests build a child's contexts."""

from app.extensions import db
from safeguarding import contexts


def link(actor, source, target_type: str, target, kind: str, **details):
    """`actor` records that the person `source` is linked to `target` (a person, place or group) by `kind`;
    `details` are further fields of the relationship (first_seen, grading...)."""
    return contexts.add_relationship(
        db.session,
        actor,
        {
            "source": {"type": "person", "id": source.id},
            "target": {"type": target_type, "id": target.id},
            "kind": kind,
            **details,
        },
    )
