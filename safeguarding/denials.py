"""Refusals are audited in their own transaction, so the trace survives the refused request."""

from collections.abc import Iterable

from sqlalchemy.orm import Session

import audit


def record_denial(
    session: Session,
    actor,
    *,
    object_type: str,
    object_id: str | None,
    person_ids: Iterable[str] = (),
    detail: dict | None = None,
) -> None:
    session.rollback()
    audit.record(
        session,
        action="denied",
        actor=actor,
        object_type=object_type,
        object_id=object_id,
        person_ids=person_ids,
        outcome="denied",
        detail=detail,
    )
    session.commit()
