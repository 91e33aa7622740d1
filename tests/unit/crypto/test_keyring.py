"""KeyRing: data keys wrapped at rest, cached when unwrapped, crypto-shredded; the system key."""

import os

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import LargeBinary, String, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from models.base import Base, UUIDPrimaryKey
from models.crypto import DataKey, EncryptedField, KeyRing, MasterKeys, configure, current_keyring, registry
from models.crypto.errors import DecryptionError, KeyDestroyed, KeyringNotConfigured
from models.crypto.key_cache import KeyCache
from models.crypto.master_keys import master_key_id

OLD = os.urandom(32)


class KeyringTestBase(DeclarativeBase):
    pass


class Note(UUIDPrimaryKey, KeyringTestBase):
    __tablename__ = "crypto_test_keyring_notes"

    data_key_id: Mapped[str] = mapped_column(String(36))
    body_enc: Mapped[bytes | None] = mapped_column("body", LargeBinary)
    body = EncryptedField("body_enc", "body", "str")

    def encryption_key_id(self) -> str:
        return self.data_key_id


class CountingMasterKeys(MasterKeys):
    """Counts unwraps, to tell cache hits from trips to the wrapped key."""

    unwraps = 0

    def unwrap(self, master_key_id: str, wrapped: bytes) -> bytes:
        self.unwraps += 1
        return super().unwrap(master_key_id, wrapped)

    def unwrap_many(self, wrapped_keys):
        self.unwraps += len(wrapped_keys)
        return super().unwrap_many(wrapped_keys)


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.setattr(registry, "_state", registry._State())


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "keys.db"


@pytest.fixture
def engine(db_path):
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine, tables=[DataKey.__table__])
    KeyringTestBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


def make_notes(engine, ring: KeyRing, count: int) -> dict[str, str]:
    """Commit count people's notes, each under its own data key; returns note id -> body."""
    configure(ring)
    bodies = {}
    with Session(engine) as session:
        for n in range(count):
            data_key = ring.create_data_key(session)
            note = Note(data_key_id=data_key.id)
            session.add(note)
            note.body = f"note {n}"
            bodies[note.id] = note.body
        session.commit()
    return bodies


def test_only_the_wrapped_data_key_reaches_the_database(engine, db_path):
    ring = KeyRing(MasterKeys(OLD))
    with Session(engine) as session:
        data_key = ring.create_data_key(session)
        session.commit()
        plaintext = ring.key_for(session, data_key.id)
        assert (data_key.purpose, data_key.master_key_id) == ("person", master_key_id(OLD))
        assert data_key.wrapped_key != plaintext and len(plaintext) == 32
        assert MasterKeys(OLD).unwrap(data_key.master_key_id, data_key.wrapped_key) == plaintext
    engine.dispose()
    assert plaintext not in db_path.read_bytes()


def test_key_for_unwraps_once_then_serves_from_the_cache(engine):
    with Session(engine) as session:
        data_key_id = KeyRing(MasterKeys(OLD)).create_data_key(session).id
        session.commit()
        ring = KeyRing(counting := CountingMasterKeys(OLD))
        assert ring.key_for(session, data_key_id) == ring.key_for(session, data_key_id)
        assert counting.unwraps == 1


def test_preload_unwraps_many_keys_in_one_query_and_skips_cached_and_destroyed_ones(engine):
    statements = []
    with Session(engine) as session:
        maker = KeyRing(MasterKeys(OLD))
        ids = [maker.create_data_key(session).id for _ in range(5)]
        maker.destroy(session, ids[4])
        session.commit()
        ring = KeyRing(counting := CountingMasterKeys(OLD))
        ring.key_for(session, ids[0])
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        ring.preload(session, [*ids, None])
        assert len(statements) == 1 and counting.unwraps == 4
        assert [ring.key_for(session, i) for i in ids[:4]] == [maker.key_for(session, i) for i in ids[:4]]
        assert counting.unwraps == 4 and len(statements) == 1
        ring.preload(session, ids[:4])
        assert len(statements) == 1


def test_keys_selected_with_their_rows_are_remembered_without_a_query_except_shredded_and_cached_ones(engine):
    statements = []
    with Session(engine) as session:
        maker = KeyRing(MasterKeys(OLD))
        ids = [maker.create_data_key(session).id for _ in range(4)]
        maker.destroy(session, ids[3])
        session.commit()
        rows = session.execute(select(DataKey.id, DataKey.master_key_id, DataKey.wrapped_key)).all()
        ring = KeyRing(counting := CountingMasterKeys(OLD))
        ring.key_for(session, ids[0])
        event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
        ring.remember([*rows, rows[1]])
        assert counting.unwraps == 3 and statements == []
        assert [ring.key_for(session, i) for i in ids[:3]] == [maker.key_for(session, i) for i in ids[:3]]
        assert counting.unwraps == 3 and statements == []
        with pytest.raises(KeyDestroyed):
            ring.key_for(session, ids[3])


def test_the_cache_is_bounded_and_evicts_the_least_recently_used_key(engine):
    with Session(engine) as session:
        ids = [KeyRing(MasterKeys(OLD)).create_data_key(session).id for _ in range(3)]
        session.commit()
        ring = KeyRing(counting := CountingMasterKeys(OLD), cache_size=2)
        for data_key_id in ids:
            ring.key_for(session, data_key_id)
        assert len(ring.cache) == 2
        ring.key_for(session, ids[2])
        assert counting.unwraps == 3
        ring.key_for(session, ids[0])
        assert counting.unwraps == 4


def test_keys_made_in_bulk_are_stored_wrapped_and_read_back_in_batches(engine, db_path):
    ring = KeyRing(MasterKeys(OLD))
    with Session(engine) as session:
        made = ring.create_data_keys(session, 5)
        session.commit()
        assert len(ring.cache) == 0  # a bulk load does not push the keys in use out of the cache
        reader = KeyRing(counting := CountingMasterKeys(OLD))
        reader.cache.put(next(iter(made)), made[next(iter(made))])
        assert reader.keys_for(session, list(made) * 2, batch_size=2) == made
        assert counting.unwraps == 4  # the cached one is not unwrapped again
        rows = session.scalars(select(DataKey).where(DataKey.id.in_(made))).all()
        assert {(row.purpose, row.master_key_id) for row in rows} == {("person", master_key_id(OLD))}
    engine.dispose()
    assert not any(key in db_path.read_bytes() for key in made.values())


def test_keys_for_refuses_a_destroyed_key(engine):
    ring = KeyRing(MasterKeys(OLD))
    with Session(engine) as session:
        made = ring.create_data_keys(session, 2)
        gone = next(iter(made))
        ring.destroy(session, gone)
        session.commit()
        with pytest.raises(KeyDestroyed):
            ring.keys_for(session, list(made))


def test_cached_keys_expire_so_shredding_elsewhere_is_noticed():
    now = [0.0]
    cache = KeyCache(max_size=10, ttl=60, clock=lambda: now[0])
    cache.put("k", b"key")
    now[0] = 59.9
    assert cache.get("k") == b"key"
    now[0] = 60.0
    assert cache.get("k") is None and len(cache) == 0


def test_a_cached_keys_cipher_is_kept_with_it_and_goes_when_the_key_does():
    now, key = [0.0], os.urandom(32)
    cache = KeyCache(max_size=10, ttl=60, clock=lambda: now[0])
    assert cache.cipher("k") is None
    cache.put("k", key)
    cipher = cache.cipher("k")
    nonce = os.urandom(12)
    assert cipher.decrypt(nonce, AESGCM(key).encrypt(nonce, b"Jayden", b"aad"), b"aad") == b"Jayden"
    assert cache.cipher("k") is cipher
    cache.evict("k")
    assert cache.cipher("k") is None
    cache.put("k", key)
    now[0] = 60.0
    assert cache.cipher("k") is None and len(cache) == 0


def test_a_key_that_is_not_32_bytes_makes_no_cipher():
    cache = KeyCache()
    cache.put("k", b"short")
    with pytest.raises(DecryptionError):
        cache.cipher("k")


def test_an_unknown_purpose_or_missing_key_is_refused(engine):
    ring = KeyRing(MasterKeys(OLD))
    with Session(engine) as session:
        with pytest.raises(ValueError):
            ring.create_data_key(session, purpose="case")
        with pytest.raises(KeyDestroyed):
            ring.key_for(session, "00000000-0000-4000-8000-000000000000")
        with pytest.raises(KeyDestroyed):
            ring.destroy(session, "00000000-0000-4000-8000-000000000000")


def test_destroyed_key_cannot_be_used_and_its_fields_read_as_none(engine):
    ring = KeyRing(MasterKeys(OLD))
    [note_id] = make_notes(engine, ring, 1)
    with Session(engine) as session:
        note = session.get(Note, note_id)
        ring.destroy(session, note.data_key_id)
        ring.destroy(session, note.data_key_id)
        session.commit()
        data_key = session.get(DataKey, note.data_key_id)
        assert (data_key.wrapped_key, data_key.master_key_id) == (None, None)
        assert data_key.destroyed_at is not None
        with pytest.raises(KeyDestroyed):
            ring.key_for(session, note.data_key_id)
    with Session(engine) as session:
        note = session.get(Note, note_id)
        assert note.body_enc is not None
        assert note.body is None


def test_system_key_is_created_once_and_found_again_after_a_restart(engine):
    with Session(engine) as session:
        first = KeyRing(MasterKeys(OLD)).system_key_id(session)
        session.commit()
        ring = KeyRing(MasterKeys(OLD))
        assert ring.system_key_id(session) == first == ring.system_key_id(session)
        assert session.get(DataKey, first).purpose == "system"
        assert session.scalars(select(DataKey.id)).all() == [first]


def test_system_key_lost_in_a_rollback_is_created_again(engine):
    ring = KeyRing(MasterKeys(OLD))
    with Session(engine) as session:
        lost = ring.system_key_id(session)
        session.rollback()
        kept = ring.system_key_id(session)
        session.commit()
        assert kept != lost
        assert len(ring.key_for(session, kept)) == 32


def test_current_keyring_needs_configuring_first():
    with pytest.raises(KeyringNotConfigured, match="configure"):
        current_keyring()
    ring = KeyRing(MasterKeys(OLD))
    configure(ring)
    assert current_keyring() is ring


def test_preload_unwraps_a_page_of_keys_in_one_query_and_skips_shredded_ones(engine):
    with Session(engine) as session:
        writer = KeyRing(MasterKeys(OLD))
        ids = [writer.create_data_key(session).id for _ in range(3)]
        writer.destroy(session, ids[2])
        session.commit()
    with Session(engine) as session:
        ring = KeyRing(counting := CountingMasterKeys(OLD))
        ring.preload(session, ids)
        assert counting.unwraps == 2
        assert ring.key_for(session, ids[0]) == writer.key_for(session, ids[0])
        assert counting.unwraps == 2  # served from the cache
        with pytest.raises(KeyDestroyed):
            ring.key_for(session, ids[2])
        ring.preload(session, ids[:2])
        assert counting.unwraps == 2  # nothing left to unwrap
