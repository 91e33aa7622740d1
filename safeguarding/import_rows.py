"""What the import's writers and checks share: reads of stored rows a chunk of ids at a time, and a chunk's plan."""

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.crypto import DecryptionError
from models.crypto.fields import security_log

CHUNK = 1000
Plan = list[tuple[dict, str, bool]]  # (item, record id, created) for each item of a chunk


def chunks(values: list, size: int | None = None) -> Iterable[list]:
    size = size or CHUNK
    for start in range(0, len(values), size):
        yield values[start : start + size]


def stored_columns(session: Session, model, ids: Iterable[str], *columns) -> dict[str, tuple]:
    """Columns of stored records by id (one query per chunk of ids)."""
    found = {}
    for batch in chunks(list(dict.fromkeys(ids))):
        for row in session.execute(select(model.id, *columns).where(model.id.in_(batch))):
            found[row[0]] = tuple(row[1:])
    return found


def updated_ids(plan: Plan) -> list[str]:
    """The stored records a chunk updates."""
    return [record_id for _, record_id, is_new in plan if not is_new]


def unseal_stored(model, field: str, blob: bytes | None, record_id: str, key: bytes | None):
    """A stored value read without its instance; one that fails its integrity check is logged and counts as absent."""
    try:
        return getattr(model, field).unseal(blob, table=model.__tablename__, row_id=record_id, key=key)
    except DecryptionError:
        message = "Encrypted value failed its integrity check: table=%s column=%s row=%s"
        security_log.error(message, model.__tablename__, field, record_id)
        return None
