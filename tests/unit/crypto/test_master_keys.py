"""Master keys wrap data keys (RFC 3394); retired keys still unwrap until rotation finishes."""

import hashlib
import os

import pytest
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap
from hypothesis import given
from hypothesis import strategies as st

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


def test_many_keys_unwrap_together_in_order_as_one_by_one():
    rotated = MasterKeys(NEW, [OLD])
    data_keys = [os.urandom(32) for _ in range(50)]
    wrapped = [(MasterKeys(OLD if i % 3 else NEW).wrap(key)) for i, key in enumerate(data_keys)]
    assert rotated.unwrap_many(wrapped) == data_keys == [rotated.unwrap(*pair) for pair in wrapped]
    assert rotated.unwrap_many([]) == []


@given(st.lists(st.binary(min_size=32, max_size=32), min_size=1, max_size=8), st.binary(min_size=32, max_size=32))
def test_unwrapping_together_agrees_with_aes_key_unwrap(data_keys, master_key):
    keys = MasterKeys(master_key)
    wrapped = [keys.wrap(key) for key in data_keys]
    assert keys.unwrap_many(wrapped) == [aes_key_unwrap(master_key, w) for _, w in wrapped] == data_keys


def test_a_key_of_another_size_unwraps_on_its_own_among_the_others():
    keys = MasterKeys(NEW)
    short, long = os.urandom(16), os.urandom(48)
    wrapped = [keys.wrap(short), keys.wrap(os.urandom(32)), keys.wrap(long)]
    assert keys.unwrap_many(wrapped)[::2] == [short, long]


@pytest.mark.parametrize("byte", [0, 7, 8, 39])
def test_one_tampered_key_among_many_fails_them_together(byte):
    keys = MasterKeys(NEW)
    wrapped = [keys.wrap(os.urandom(32)) for _ in range(5)]
    key_id, target = wrapped[2]
    wrapped[2] = (key_id, target[:byte] + bytes([target[byte] ^ 1]) + target[byte + 1 :])
    with pytest.raises(InvalidUnwrap):
        keys.unwrap_many(wrapped)


def test_keys_under_an_unknown_master_key_are_reported_when_unwrapped_together():
    old_id, wrapped = MasterKeys(OLD).wrap(os.urandom(32))
    with pytest.raises(UnknownMasterKey, match=old_id):
        MasterKeys(NEW).unwrap_many([(old_id, wrapped)])
