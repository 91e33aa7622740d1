"""Master key rotation: every live data key re-wrapped in resumable batches, the old key then dropped."""

import os

import pytest
from sqlalchemy import LargeBinary, String, create_engine, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from models.base import Base, UUIDPrimaryKey
from models.crypto import DataKey, EncryptedField, KeyRing, MasterKeys, configure, registry
from models.crypto.master_keys import master_key_id

OLD, NEW, STRANGER = os.urandom(32), os.urandom(32), os.urandom(32)


class RotationTestBase(DeclarativeBase):
    pass


class Note(UUIDPrimaryKey, RotationTestBase):
    __tablename__ = "crypto_test_rotation_notes"

    data_key_id: Mapped[str] = mapped_column(String(36))
    body_enc: Mapped[bytes | None] = mapped_column("body", LargeBinary)
    body = EncryptedField("body_enc", "body", "str")

    def encryption_key_id(self) -> str:
        return self.data_key_id


@pytest.fixture(autouse=True)
def fresh_registry(monkeypatch):
    monkeypatch.setattr(registry, "_state", registry._State())


@pytest.fixture
def engine(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'rotation.db'}")
    Base.metadata.create_all(engine, tables=[DataKey.__table__])
    RotationTestBase.metadata.create_all(engine)
    yield engine
    engine.dispose()


def make_notes(engine, ring: KeyRing, count: int) -> dict[str, str]:
    """Commit count people's notes, each under its own data key; returns note id -> body."""
    bodies = {}
    with Session(engine) as session:
        configure(ring, session_provider=lambda: session)
        for n in range(count):
            data_key = ring.create_data_key(session)
            note = Note(data_key_id=data_key.id, body=f"note {n}")
            session.add(note)
            bodies[note.id] = note.body
        session.commit()
    return bodies


def read_bodies(engine) -> dict[str, object]:
    with Session(engine) as session:
        return {note.id: note.body for note in session.scalars(select(Note))}


def test_rewrap_moves_every_live_key_to_the_new_master_key(engine):
    bodies = make_notes(engine, KeyRing(MasterKeys(OLD)), 7)
    with Session(engine) as session:
        shredded = KeyRing(MasterKeys(OLD)).create_data_key(session).id
        session.flush()
        KeyRing(MasterKeys(OLD)).destroy(session, shredded)
        session.commit()
        calls = []
        result = KeyRing(MasterKeys(NEW, [OLD])).rewrap(session, batch_size=3, progress=lambda *a: calls.append(a))
        assert result == {"rewrapped": 7, "remaining_under_previous": 0}
        assert calls == [(3, 7), (6, 7), (7, 7)]
        masters = session.execute(select(DataKey.id, DataKey.master_key_id)).all()
        assert {m for i, m in masters if i != shredded} == {master_key_id(NEW)}
        assert session.get(DataKey, shredded).wrapped_key is None
    # The old master key can now be dropped: every value still decrypts.
    configure(KeyRing(MasterKeys(NEW)))
    assert read_bodies(engine) == bodies


def test_an_interrupted_rewrap_resumes_where_it_stopped(engine):
    bodies = make_notes(engine, KeyRing(MasterKeys(OLD)), 5)
    ring = KeyRing(MasterKeys(NEW, [OLD]))

    class Interrupted(Exception):
        pass

    def crash(done, total):
        raise Interrupted

    with Session(engine) as session, pytest.raises(Interrupted):
        ring.rewrap(session, batch_size=2, progress=crash)
    with Session(engine) as session:
        under_new = session.scalars(select(DataKey).where(DataKey.master_key_id == master_key_id(NEW))).all()
        assert len(under_new) == 2
        assert ring.rewrap(session, batch_size=2) == {"rewrapped": 3, "remaining_under_previous": 0}
    configure(KeyRing(MasterKeys(NEW)))
    assert read_bodies(engine) == bodies


def test_keys_under_an_unknown_master_key_are_counted_not_looped_on(engine):
    make_notes(engine, KeyRing(MasterKeys(STRANGER)), 1)
    make_notes(engine, KeyRing(MasterKeys(OLD)), 2)
    with Session(engine) as session:
        result = KeyRing(MasterKeys(NEW, [OLD])).rewrap(session, batch_size=1)
    assert result == {"rewrapped": 2, "remaining_under_previous": 1}


def test_rewrap_never_resurrects_a_key_destroyed_meanwhile(engine):
    make_notes(engine, KeyRing(MasterKeys(OLD)), 1)
    ring = KeyRing(MasterKeys(NEW, [OLD]))
    with Session(engine) as session:
        data_key = session.scalars(select(DataKey)).one()
        seen = (data_key.id, data_key.master_key_id, data_key.wrapped_key)
        ring.destroy(session, data_key.id)
        session.commit()
        assert ring._rewrap_one(session, *seen) == 0
        session.commit()
        assert session.get(DataKey, seen[0]).wrapped_key is None
