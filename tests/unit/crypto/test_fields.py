"""EncryptedField: no plaintext at rest, values bound to their row and column, typed round trips."""

import copy
import logging
import pickle
from datetime import date, datetime

import pytest
from sqlalchemy import LargeBinary, String, create_engine, select, update
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from models.base import Base, UUIDPrimaryKey
from models.crypto import UNREADABLE, DataKey, EncryptedField, KeyRing, MasterKeys, configure, registry
from models.crypto.errors import DecryptionError, KeyringNotConfigured

MARKER = "Zebedee-Quixotic-4417"


class FieldTestBase(DeclarativeBase):
    pass


class Record(UUIDPrimaryKey, FieldTestBase):
    __tablename__ = "crypto_test_records"

    data_key_id: Mapped[str] = mapped_column(String(36))
    given_name_enc: Mapped[bytes | None] = mapped_column("given_name", LargeBinary)
    family_name_enc: Mapped[bytes | None] = mapped_column("family_name", LargeBinary)
    date_of_birth_enc: Mapped[bytes | None] = mapped_column("date_of_birth", LargeBinary)
    identifiers_enc: Mapped[bytes | None] = mapped_column("identifiers", LargeBinary)
    given_name = EncryptedField("given_name_enc", "given_name", "str")
    family_name = EncryptedField("family_name_enc", "family_name", "str")
    date_of_birth = EncryptedField("date_of_birth_enc", "date_of_birth", "date")
    identifiers = EncryptedField("identifiers_enc", "identifiers", "json")

    def encryption_key_id(self) -> str:
        return self.data_key_id


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "records.db"


@pytest.fixture
def engine(db_path, monkeypatch):
    engine = create_engine(f"sqlite:///{db_path}")
    Base.metadata.create_all(engine, tables=[DataKey.__table__])
    FieldTestBase.metadata.create_all(engine)
    monkeypatch.setattr(registry, "_state", registry._State())
    with Session(engine) as provided:
        configure(KeyRing(MasterKeys(bytes(range(32)))), session_provider=lambda: provided)
        yield engine
    engine.dispose()


@pytest.fixture
def data_key_id(engine):
    with Session(engine) as session:
        data_key = registry.current_keyring().create_data_key(session)
        session.commit()
        return data_key.id


def add_record(engine, **values) -> str:
    with Session(engine) as session:
        record = Record(**values)
        session.add(record)
        session.commit()
        return record.id


def test_the_database_file_holds_no_plaintext(engine, db_path, data_key_id):
    add_record(
        engine,
        given_name=MARKER,
        data_key_id=data_key_id,
        date_of_birth=date(2009, 4, 17),
        identifiers={"nhs_number": MARKER + "-nhs"},
    )
    engine.dispose()
    raw = db_path.read_bytes()
    assert MARKER.encode() not in raw and b"2009-04-17" not in raw


def test_ciphertext_copied_to_another_row_reads_unreadable_and_is_logged(engine, data_key_id, caplog):
    source = add_record(engine, data_key_id=data_key_id, given_name=MARKER)
    target = add_record(engine, data_key_id=data_key_id, given_name="Sam")
    with Session(engine) as session:
        blob = session.get(Record, source).given_name_enc
        session.execute(update(Record).where(Record.id == target).values(given_name_enc=blob))
        session.commit()
    with Session(engine) as session, caplog.at_level(logging.ERROR, logger="safecontext.security"):
        value = session.get(Record, target).given_name
        assert session.get(Record, source).given_name == MARKER
    assert value is UNREADABLE and not value
    assert str(value) == "[unreadable: failed integrity check]"
    [event] = [r for r in caplog.records if r.name == "safecontext.security"]
    assert event.levelno == logging.ERROR
    assert all(part in event.getMessage() for part in ("crypto_test_records", "given_name", target))
    assert MARKER not in caplog.text and "Sam" not in caplog.text


def test_ciphertext_moved_to_another_column_of_the_same_row_reads_unreadable(engine, data_key_id):
    record_id = add_record(engine, data_key_id=data_key_id, given_name="Alex")
    with Session(engine) as session:
        record = session.get(Record, record_id)
        record.family_name_enc = record.given_name_enc
        assert record.family_name is UNREADABLE
        assert record.given_name == "Alex"


def test_a_flipped_bit_in_the_stored_column_reads_unreadable(engine, data_key_id):
    record_id = add_record(engine, data_key_id=data_key_id, given_name="Alex")
    with Session(engine) as session:
        record = session.get(Record, record_id)
        record.given_name_enc = record.given_name_enc[:-1] + bytes([record.given_name_enc[-1] ^ 0x80])
        assert record.given_name is UNREADABLE


def test_date_json_and_none_round_trip_through_the_database(engine, data_key_id):
    identifiers = {"upn": "A123", "aliases": ["Jo", "J-Dog", "Jó"], "estimated": True, "n": 3}
    record_id = add_record(
        engine, data_key_id=data_key_id, date_of_birth=date(2010, 2, 28), identifiers=identifiers, given_name=None
    )
    with Session(engine) as session:
        record = session.get(Record, record_id)
        assert record.date_of_birth == date(2010, 2, 28)
        assert record.identifiers == identifiers
        assert record.given_name is None and record.given_name_enc is None
        record.date_of_birth = None
        assert record.date_of_birth is None and record.date_of_birth_enc is None


def test_a_bare_column_reads_as_the_attribute_would_without_loading_the_object(engine, data_key_id):
    record_id = add_record(engine, data_key_id=data_key_id, given_name="Alex", date_of_birth=date(2010, 2, 28))
    other_id = add_record(engine, data_key_id=data_key_id, given_name="Sam")
    with Session(engine) as session:
        row = session.execute(select(Record).where(Record.id == record_id)).scalar_one()
        blobs = (row.given_name_enc, row.date_of_birth_enc, row.family_name_enc)
        session.expunge_all()
        assert Record.given_name.read_stored(session, record_id, blobs[0]) == "Alex"
        assert Record.date_of_birth.read_stored(session, record_id, blobs[1]) == date(2010, 2, 28)
        assert Record.family_name.read_stored(session, record_id, blobs[2]) is None
        # Bound to its row and column as ever: another row's id, or another column, makes it unreadable.
        assert Record.given_name.read_stored(session, other_id, blobs[0]) is UNREADABLE
        assert Record.family_name.read_stored(session, record_id, blobs[0]) is UNREADABLE
        registry.current_keyring().destroy(session, data_key_id)
        session.commit()
        assert Record.given_name.read_stored(session, record_id, blobs[0]) is None


def test_setting_a_value_replaces_the_cached_plaintext(engine, data_key_id):
    record_id = add_record(engine, data_key_id=data_key_id, given_name="Before")
    with Session(engine) as session:
        record = session.get(Record, record_id)
        assert record.given_name == "Before"
        record.given_name = "After"
        assert record.given_name == "After"
        session.commit()
    with Session(engine) as session:
        assert session.get(Record, record_id).given_name == "After"


def test_a_returned_json_value_is_a_copy_not_the_stored_value(engine, data_key_id):
    record = Record(data_key_id=data_key_id, identifiers={"upn": "A1"})
    record.identifiers["upn"] = "changed without saving"
    assert record.identifiers == {"upn": "A1"}


def test_constructor_keywords_work_in_any_order(engine, data_key_id):
    record = Record(given_name="First", data_key_id=data_key_id)
    assert record.id is not None and record.given_name == "First"


def test_values_are_type_checked_and_unreadable_cannot_be_stored(engine, data_key_id):
    record = Record(data_key_id=data_key_id)
    with pytest.raises(TypeError):
        record.given_name = 42
    with pytest.raises(TypeError):
        record.date_of_birth = datetime(2010, 1, 1, 12, 0)
    with pytest.raises(ValueError):
        record.identifiers = float("nan")
    with pytest.raises(ValueError):
        record.given_name = UNREADABLE


def test_plaintext_cache_never_travels_in_a_pickle(engine, data_key_id):
    record = Record(data_key_id=data_key_id, given_name=MARKER)
    assert record.given_name == MARKER
    assert MARKER.encode() not in pickle.dumps(record)


def test_unreadable_is_one_singleton_even_when_copied():
    assert copy.deepcopy(UNREADABLE) is UNREADABLE
    assert pickle.loads(pickle.dumps(UNREADABLE)) is UNREADABLE  # noqa: S301 - our own bytes, just made
    assert repr(UNREADABLE) == "UNREADABLE"


def test_class_access_returns_the_descriptor():
    assert isinstance(Record.given_name, EncryptedField)
    assert (Record.given_name.column, Record.given_name.kind) == ("given_name", "str")


def test_unknown_kind_is_refused():
    with pytest.raises(ValueError):
        EncryptedField("x_enc", "x", "int")


def test_an_object_outside_any_session_needs_a_session_provider(engine, data_key_id, monkeypatch):
    monkeypatch.setattr(registry._state, "session_provider", None)
    with pytest.raises(KeyringNotConfigured, match="session_provider"):
        Record(data_key_id=data_key_id, given_name="x")


def test_values_sealed_without_an_instance_read_back_through_one_and_stay_bound_to_their_row(engine, data_key_id):
    record_id = add_record(engine, data_key_id=data_key_id, given_name="Alex")
    with Session(engine) as session:
        key = registry.current_keyring().key_for(session, data_key_id)
        sealed = Record.date_of_birth.seal(
            date(2011, 3, 27), table="crypto_test_records", row_id=record_id, key_id=data_key_id, key=key
        )
        session.execute(update(Record).where(Record.id == record_id).values(date_of_birth_enc=sealed))
        record = session.get(Record, record_id)
        assert record.date_of_birth == date(2011, 3, 27)
        assert Record.given_name.unseal(record.given_name_enc, table="crypto_test_records", row_id=record_id, key=key)
        assert Record.given_name.seal(None, table="crypto_test_records", row_id=record_id, key_id="x", key=key) is None
        with pytest.raises(DecryptionError):
            Record.given_name.unseal(record.given_name_enc, table="crypto_test_records", row_id="other", key=key)
