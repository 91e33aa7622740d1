"""Storing alerts: each rule fires once per person or place, dated when its condition first held."""

from datetime import date

from sqlalchemy.orm import Session

from models.base import new_id, upsert_insert, utcnow
from models.safeguarding_events import Alert


def fire(session: Session, kind: str, *, fired_on: date, detail: str, person_id=None, place_id=None) -> None:
    """Insert the alert, once per subject and rule; when records entered since (an import of old referrals, say)
    show the condition held earlier than the stored date, the alert is dated back to then."""
    subject_key = f"person:{person_id}" if person_id else f"place:{place_id}"
    values = {
        "id": new_id(),
        "kind": kind,
        "subject_key": subject_key,
        "person_id": person_id,
        "place_id": place_id,
        "fired_on": fired_on,
        "detail": detail,
        "created_at": utcnow(),
    }
    insert = upsert_insert(session, Alert).values(**values)
    session.execute(
        insert.on_conflict_do_update(
            index_elements=["kind", "subject_key"],
            set_={"fired_on": insert.excluded.fired_on, "detail": insert.excluded.detail},
            where=Alert.fired_on > insert.excluded.fired_on,
        )
    )
