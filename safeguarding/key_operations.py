"""Key operations without downtime: re-wrap data keys under a new master key, rebuild blind indexes, report."""

from collections.abc import Callable

from sqlalchemy import func, select
from sqlalchemy.orm import Session

import audit
from models.crypto import DataKey, current_keyring
from models.person import Person
from safeguarding.errors import SafeguardingError
from safeguarding.people import reindex

Progress = Callable[[int, int], None] | None


def rotate_master_key(session: Session, progress: Progress = None, batch_size: int = 500) -> dict[str, int]:
    """Re-wrap every data key under the active master key; batches commit, so an interrupted run resumes. Keys left
    under a master key this process was not given make it fail (after recording what it did)."""
    result = current_keyring().rewrap(session, batch_size=batch_size, progress=progress)
    audit.record(
        session,
        action="key_operation",
        actor=None,
        object_type="master_key",
        object_id=current_keyring().master_keys.active_id,
        detail={"operation": "rotate", **result},
    )
    session.commit()
    if result["remaining_under_previous"]:
        raise SafeguardingError(
            f"Re-wrapped {result['rewrapped']} data keys, but {result['remaining_under_previous']} remain under a "
            "master key this process does not hold: give it in SAFECONTEXT_PREVIOUS_MASTER_KEYS and run this again"
        )
    return result


def key_status(session: Session) -> dict:
    """How many live data keys each master key wraps, and how many have been destroyed."""
    keyring = current_keyring()
    rows = session.execute(
        select(DataKey.master_key_id, func.count())
        .where(DataKey.destroyed_at.is_(None))
        .group_by(DataKey.master_key_id)
    ).all()
    by_master = {master_id: count for master_id, count in rows}
    destroyed = session.scalar(select(func.count()).select_from(DataKey).where(DataKey.destroyed_at.is_not(None)))
    return {
        "active_master_key": keyring.master_keys.active_id,
        "previous_master_keys": list(keyring.master_keys.previous_ids),
        "data_keys": sum(by_master.values()),
        "under_active": by_master.get(keyring.master_keys.active_id, 0),
        "remaining_under_previous": sum(c for k, c in by_master.items() if k != keyring.master_keys.active_id),
        "destroyed": destroyed or 0,
    }


def rebuild_blind_indexes(session: Session, progress: Progress = None, batch_size: int = 500) -> dict[str, int]:
    """After the index key changes, recompute every person's tokens from their decrypted names (batched)."""
    ids = list(session.scalars(select(Person.id).where(Person.erased_at.is_(None)).order_by(Person.id)))
    for start in range(0, len(ids), batch_size):
        for person in session.scalars(select(Person).where(Person.id.in_(ids[start : start + batch_size]))):
            reindex(session, person)
        session.commit()
        if progress is not None:
            progress(min(start + batch_size, len(ids)), len(ids))
    audit.record(
        session,
        action="key_operation",
        actor=None,
        object_type="index_key",
        object_id=None,
        detail={"operation": "reindex", "people": len(ids)},
    )
    session.commit()
    return {"reindexed": len(ids)}
