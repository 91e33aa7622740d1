"""Master keys wrap data keys (RFC 3394); retired keys still unwrap until rotation finishes."""

import hashlib
import os

import pytest
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap

from models.crypto.errors import UnknownMasterKey
from models.crypto.master_keys import MasterKeys, master_key_id

OLD, NEW, STRANGER = os.urandom(32), os.urandom(32), os.urandom(32)


def test_key_id_is_the_first_16_hex_characters_of_sha256():
    assert master_key_id(OLD) == hashlib.sha256(OLD).hexdigest()[:16]
    assert len(master_key_id(OLD)) == 16


def test_wrap_uses_the_active_key_and_unwraps_back():
    keys = MasterKeys(NEW)
    data_key = os.urandom(32)
    key_id, wrapped = keys.wrap(data_key)
    assert key_id == keys.active_id == master_key_id(NEW)
    assert data_key not in wrapped and len(wrapped) == 40
    assert aes_key_unwrap(NEW, wrapped) == data_key
    assert keys.unwrap(key_id, wrapped) == data_key


def test_a_previous_key_still_unwraps_after_rotation():
    data_key = os.urandom(32)
    old_id, wrapped = MasterKeys(OLD).wrap(data_key)
    rotated = MasterKeys(NEW, [OLD])
    assert rotated.previous_ids == [old_id]
    assert rotated.unwrap(old_id, wrapped) == data_key
    assert rotated.wrap(data_key)[0] == master_key_id(NEW)


def test_an_unknown_master_key_is_reported_by_id():
    old_id, wrapped = MasterKeys(OLD).wrap(os.urandom(32))
    with pytest.raises(UnknownMasterKey, match=old_id):
        MasterKeys(NEW, [STRANGER]).unwrap(old_id, wrapped)


def test_a_wrapped_key_that_was_tampered_with_does_not_unwrap():
    keys = MasterKeys(NEW)
    key_id, wrapped = keys.wrap(os.urandom(32))
    with pytest.raises(InvalidUnwrap):
        keys.unwrap(key_id, bytes([wrapped[0] ^ 1]) + wrapped[1:])


def test_the_active_key_listed_again_as_previous_is_not_a_previous_key():
    assert MasterKeys(NEW, [NEW, OLD]).previous_ids == [master_key_id(OLD)]


@pytest.mark.parametrize("bad", [b"", bytes(16), bytes(33)], ids=["empty", "128-bit", "33-byte"])
def test_master_keys_must_be_256_bits(bad):
    with pytest.raises(ValueError):
        MasterKeys(bad)
    with pytest.raises(ValueError):
        MasterKeys(NEW, [bad])


def test_repr_shows_ids_but_never_key_bytes():
    text = repr(MasterKeys(NEW, [OLD]))
    assert master_key_id(NEW) in text and NEW.hex() not in text and repr(NEW) not in text
