"""Per-person data keys, stored only wrapped, and the KeyRing that creates, unwraps, shreds and re-wraps them."""

import os
from collections.abc import Callable, Iterable
from datetime import datetime

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap
from sqlalchemy import CheckConstraint, DateTime, LargeBinary, String, func, insert, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from models.base import Base, UUIDPrimaryKey, new_id, utcnow
from models.crypto.aead import cipher_of
from models.crypto.errors import DecryptionError, KeyDestroyed
from models.crypto.key_cache import KeyCache
from models.crypto.master_keys import MasterKeys
from models.id_lists import among, read_columns

PURPOSES = ("person", "system")
DATA_KEY_SIZE = 32


class DataKey(UUIDPrimaryKey, Base):
    """A data key wrapped under a master key; destroying it (crypto-shredding) erases everything it encrypted."""

    __tablename__ = "data_keys"
    __table_args__ = (CheckConstraint("purpose IN ('person', 'system')", name="purpose"),)

    purpose: Mapped[str] = mapped_column(String(20), index=True)
    master_key_id: Mapped[str | None] = mapped_column(String(16), index=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    destroyed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


def _load(session: Session, data_key_id: str) -> DataKey | None:
    # No autoflush: callers run inside attribute setters, where flushing a half-built row would fail.
    with session.no_autoflush:
        row = session.get(DataKey, data_key_id)
    if row is None:
        row = next((obj for obj in session.new if isinstance(obj, DataKey) and obj.id == data_key_id), None)
    return row


class KeyRing:
    """Creates data keys under the active master key and serves them unwrapped from a bounded in-process cache."""

    def __init__(self, master_keys: MasterKeys, *, cache_size: int = 10_000, cache_ttl: float = 60.0) -> None:
        self.master_keys = master_keys
        self.cache = KeyCache(cache_size, cache_ttl)
        self._system_key_id: str | None = None

    def _fresh(self, purpose: str) -> tuple[dict, bytes]:
        """A new random data key: its row values (wrapped under the active master key) and its plaintext."""
        if purpose not in PURPOSES:
            raise ValueError(f"data key purpose must be one of {PURPOSES}")
        plaintext = os.urandom(DATA_KEY_SIZE)
        master_key_id, wrapped = self.master_keys.wrap(plaintext)
        return {"id": new_id(), "purpose": purpose, "master_key_id": master_key_id, "wrapped_key": wrapped}, plaintext

    def create_data_key(self, session: Session, purpose: str = "person") -> DataKey:
        """Add a new random data key, wrapped under the active master key, to the session."""
        values, plaintext = self._fresh(purpose)
        data_key = DataKey(**values)
        session.add(data_key)
        # Rows encrypted under it refer to it by foreign key only (no ORM relationship orders the inserts).
        session.flush()
        self.cache.put(data_key.id, plaintext)
        return data_key

    def create_data_keys(self, session: Session, count: int, purpose: str = "person") -> dict[str, bytes]:
        """Insert `count` new data keys in one statement; returns id -> plaintext (kept out of the shared cache)."""
        fresh = [self._fresh(purpose) for _ in range(count)]
        if fresh:
            session.connection().execute(insert(DataKey.__table__), [values for values, _ in fresh])
        return {values["id"]: plaintext for values, plaintext in fresh}

    def keys_for(self, session: Session, data_key_ids: Iterable[str], batch_size: int = 500) -> dict[str, bytes]:
        """Plaintext data keys by id, one query per batch for those not cached; raises KeyDestroyed if any is gone."""
        wanted = list(dict.fromkeys(data_key_ids))
        found = {key_id: key for key_id in wanted if (key := self.cache.get(key_id)) is not None}
        missing = [key_id for key_id in wanted if key_id not in found]
        for start in range(0, len(missing), batch_size):
            rows = session.execute(
                select(DataKey.id, DataKey.master_key_id, DataKey.wrapped_key).where(
                    DataKey.id.in_(missing[start : start + batch_size])
                )
            )
            for key_id, master_key_id, wrapped in rows:
                if wrapped is not None and master_key_id is not None:
                    found[key_id] = self._unwrap(key_id, master_key_id, wrapped)
        gone = [key_id for key_id in missing if key_id not in found]
        if gone:
            raise KeyDestroyed(f"data key {gone[0]} has been destroyed or does not exist")
        return found

    def key_for(self, session: Session, data_key_id: str) -> bytes:
        """The plaintext data key; raises KeyDestroyed if it was shredded or does not exist."""
        key = self.cache.get(data_key_id)
        if key is not None:
            return key
        row = _load(session, data_key_id)
        if row is None or row.wrapped_key is None or row.master_key_id is None:
            raise KeyDestroyed(f"data key {data_key_id} has been destroyed or does not exist")
        key = self._unwrap(data_key_id, row.master_key_id, row.wrapped_key)
        self.cache.put(data_key_id, key)
        return key

    def _unwrap(self, data_key_id: str, master_key_id: str, wrapped: bytes) -> bytes:
        """Unwrap one data key; one whose wrapping was tampered with raises DecryptionError, so that the values under
        it read as unreadable, as a tampered value does, instead of failing the request."""
        try:
            return self.master_keys.unwrap(master_key_id, wrapped)
        except InvalidUnwrap:
            raise DecryptionError(f"data key {data_key_id} failed its integrity check") from None

    def cipher_for(self, session: Session, data_key_id: str) -> AESGCM:
        """key_for() as the AES-GCM cipher decrypt_with() takes, kept with the cached key."""
        cipher = self.cache.cipher(data_key_id)
        return cipher if cipher is not None else cipher_of(self.key_for(session, data_key_id))

    def preload(self, session: Session, data_key_ids: Iterable[str]) -> None:
        """Unwrap, in one query and together, the keys not already cached (pages that decrypt many people's names)."""
        missing = {key_id for key_id in data_key_ids if key_id and self.cache.get(key_id) is None}
        if not missing:
            return
        query = select(DataKey.id, DataKey.master_key_id, DataKey.wrapped_key).where(
            among(DataKey.id, missing), DataKey.wrapped_key.is_not(None), DataKey.master_key_id.is_not(None)
        )
        self.remember(read_columns(session, query).all())

    def remember(self, wrapped_keys: Iterable[tuple[str, str | None, bytes | None]]) -> None:
        """Unwrap together and cache (data key id, master key id, wrapped key) rows a caller selected already;
        destroyed keys (no wrapped key) and keys cached already are passed over."""
        rows = [row for row in dict.fromkeys(wrapped_keys) if row[1] and row[2] and self.cache.get(row[0]) is None]
        try:
            keys = self.master_keys.unwrap_many([(master_key_id, wrapped) for _, master_key_id, wrapped in rows])
        except InvalidUnwrap:
            # One tampered key fails them all together: each is unwrapped alone when read, and only that one's values
            # read as unreadable.
            return
        for (key_id, _, _), key in zip(rows, keys, strict=True):
            self.cache.put(key_id, key)

    def system_key_id(self, session: Session) -> str:
        """Id of the single data key for data not about one person, created on first use."""
        cached = self._system_key_id
        if cached is not None:
            # Re-checked (from the identity map when possible) because the creating transaction may have rolled back.
            row = _load(session, cached)
            if row is not None and row.destroyed_at is None:
                return cached
        pending = [obj for obj in session.new if isinstance(obj, DataKey) and obj.purpose == "system"]
        with session.no_autoflush:
            found = session.scalars(
                select(DataKey.id)
                .where(DataKey.purpose == "system", DataKey.destroyed_at.is_(None))
                .order_by(DataKey.created_at, DataKey.id)
                .limit(1)
            ).first()
        if found is None:
            found = pending[0].id if pending else self.create_data_key(session, "system").id
        self._system_key_id = found
        return found

    def destroy(self, session: Session, data_key_id: str) -> None:
        """Crypto-shred a data key: drop the wrapped key and master key id, stamp destroyed_at, evict the cache."""
        self.cache.evict(data_key_id)
        row = _load(session, data_key_id)
        if row is None:
            raise KeyDestroyed(f"data key {data_key_id} does not exist")
        if row.destroyed_at is None:
            row.wrapped_key = None
            row.master_key_id = None
            row.destroyed_at = utcnow()
        if self._system_key_id == data_key_id:
            self._system_key_id = None

    def rewrap(
        self, session: Session, batch_size: int = 500, progress: Callable[[int, int], None] | None = None
    ) -> dict[str, int]:
        """Re-wrap every live data key under the active master key, committing per batch so a rerun resumes."""
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        live = (DataKey.destroyed_at.is_(None), DataKey.wrapped_key.is_not(None))
        # Only keys under a held previous key are selectable, so keys under an unknown key cannot loop forever.
        selectable = (*live, DataKey.master_key_id.in_(self.master_keys.previous_ids))
        total = session.scalar(select(func.count()).select_from(DataKey).where(*selectable)) or 0
        done = 0
        while self.master_keys.previous_ids:
            batch = session.execute(
                select(DataKey.id, DataKey.master_key_id, DataKey.wrapped_key)
                .where(*selectable)
                .order_by(DataKey.id)
                .limit(batch_size)
            ).all()
            if not batch:
                break
            for data_key_id, old_master_id, wrapped in batch:
                done += self._rewrap_one(session, data_key_id, old_master_id, wrapped)
            session.commit()
            if progress is not None:
                progress(done, total)
        remaining = session.scalar(
            select(func.count()).select_from(DataKey).where(*live, DataKey.master_key_id != self.master_keys.active_id)
        )
        return {"rewrapped": done, "remaining_under_previous": remaining or 0}

    def _rewrap_one(self, session: Session, data_key_id: str, old_master_id: str, wrapped: bytes) -> int:
        new_master_id, new_wrapped = self.master_keys.wrap(self._unwrap(data_key_id, old_master_id, wrapped))
        # Compare-and-set: a key destroyed or re-wrapped since it was read must not be resurrected or overwritten.
        result = session.execute(
            update(DataKey)
            .where(DataKey.id == data_key_id, DataKey.master_key_id == old_master_id, DataKey.destroyed_at.is_(None))
            .values(master_key_id=new_master_id, wrapped_key=new_wrapped)
            .execution_options(synchronize_session=False)
        )
        return result.rowcount
