"""AES-256-GCM field blobs: format, round trips, and rejection of any tampering or relocation."""

import uuid

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from hypothesis import given
from hypothesis import strategies as st

from models.crypto import aead
from models.crypto.errors import DecryptionError

KEY = bytes(range(32))
KEY_ID = "00112233-4455-6677-8899-aabbccddeeff"
NONCE = bytes(range(12))
ROW = "7d4c2a9e-0000-4000-8000-000000000001"
AAD = aead.associated_data("people", "given_name", ROW)
# Pinned output for KEY, NONCE, b"Jordan Example" and AAD: a format change must be deliberate.
KNOWN_BLOB = bytes.fromhex(
    "0100112233445566778899aabbccddeeff000102030405060708090a0b"
    "0d6da47fa48be25ef520fafbdd8c076b3ef80a1ba3ee522558e155ead5c6"
)

names = st.text(min_size=1, max_size=30)


def test_known_answer_with_fixed_key_and_nonce(monkeypatch):
    monkeypatch.setattr(aead, "_new_nonce", lambda: NONCE)
    blob = aead.encrypt(KEY, KEY_ID, b"Jordan Example", AAD)
    assert blob == KNOWN_BLOB
    header = b"\x01" + uuid.UUID(KEY_ID).bytes
    assert blob[:17] == header and blob[17:29] == NONCE
    # Independent check of the layout: plain AESGCM over header + associated data gives the same sealed bytes.
    assert blob[29:] == AESGCM(KEY).encrypt(NONCE, b"Jordan Example", header + AAD)
    assert aead.decrypt(KEY, KNOWN_BLOB, AAD) == b"Jordan Example"


def test_associated_data_is_length_prefixed_and_unambiguous():
    assert aead.associated_data("people", "given_name", "r1") == bytes.fromhex(
        "0000000670656f706c650000000a676976656e5f6e616d65000000027231"
    )
    assert aead.associated_data("ab", "c", "d") != aead.associated_data("a", "bc", "d")


@pytest.mark.parametrize("parts", [("", "c", "r"), ("t", "", "r"), ("t", "c", "")])
def test_associated_data_refuses_empty_parts(parts):
    with pytest.raises(ValueError):
        aead.associated_data(*parts)


def test_each_encryption_uses_a_fresh_nonce():
    first, second = (aead.encrypt(KEY, KEY_ID, b"same", AAD) for _ in range(2))
    assert first[17:29] != second[17:29]
    assert first != second


def test_blob_names_its_data_key():
    assert aead.blob_key_id(aead.encrypt(KEY, KEY_ID, b"x", AAD)) == KEY_ID


@given(st.uuids())
def test_the_data_key_id_read_from_a_blob_is_the_uuid_text_it_was_written_from(key_id):
    assert aead.blob_key_id(aead.encrypt(KEY, str(key_id), b"x", AAD)) == str(key_id)


@given(st.text(min_size=1), st.text(min_size=1), st.text(min_size=1))
def test_associated_data_is_each_part_utf8_after_its_big_endian_length(table, column, row):
    encoded = [part.encode() for part in (table, column, row)]
    expected = b"".join(len(part).to_bytes(4, "big") + part for part in encoded)
    assert aead.associated_data(table, column, row) == expected


def test_encrypt_refuses_a_key_that_is_not_256_bits():
    with pytest.raises(ValueError):
        aead.encrypt(KEY[:16], KEY_ID, b"x", AAD)


@given(st.text())
def test_any_unicode_text_round_trips(text):
    blob = aead.encrypt(KEY, KEY_ID, text.encode("utf-8"), AAD)
    assert aead.decrypt(KEY, blob, AAD).decode("utf-8") == text


@given(st.binary())
def test_any_bytes_round_trip(data):
    assert aead.decrypt(KEY, aead.encrypt(KEY, KEY_ID, data, AAD), AAD) == data


@given(st.binary(max_size=64), st.data())
def test_any_single_bit_flip_is_detected(data, draw):
    blob = bytearray(aead.encrypt(KEY, KEY_ID, data, AAD))
    bit = draw.draw(st.integers(min_value=0, max_value=len(blob) * 8 - 1))
    blob[bit // 8] ^= 1 << (bit % 8)
    with pytest.raises(DecryptionError):
        aead.decrypt(KEY, bytes(blob), AAD)


@given(names, names, names, st.sampled_from(["table", "column", "row"]), names)
def test_a_value_moved_to_another_table_column_or_row_is_rejected(table, column, row, moved, other):
    origin = {"table": table, "column": column, "row": row}
    target = {**origin, moved: other}
    if target == origin:
        other += "x"
        target[moved] = other
    blob = aead.encrypt(
        KEY, KEY_ID, b"secret", aead.associated_data(**{"row_id": row, "table": table, "column": column})
    )
    with pytest.raises(DecryptionError):
        aead.decrypt(KEY, blob, aead.associated_data(target["table"], target["column"], target["row"]))


@given(st.binary(max_size=64), st.data())
def test_a_truncated_blob_is_rejected(data, draw):
    blob = aead.encrypt(KEY, KEY_ID, data, AAD)
    cut = draw.draw(st.integers(min_value=0, max_value=len(blob) - 1))
    with pytest.raises(DecryptionError):
        aead.decrypt(KEY, blob[:cut], AAD)


@given(st.binary())
def test_garbage_is_rejected_without_any_other_exception(garbage):
    with pytest.raises(DecryptionError):
        aead.decrypt(KEY, garbage, AAD)
    if len(garbage) < aead.MIN_BLOB_SIZE or garbage[0] != aead.VERSION:
        with pytest.raises(DecryptionError):
            aead.blob_key_id(garbage)


def test_empty_blob_and_non_bytes_are_rejected():
    for blob in (b"", None, "not bytes", 42):
        with pytest.raises(DecryptionError):
            aead.decrypt(KEY, blob, AAD)


def test_unknown_version_is_rejected_even_with_a_valid_tail():
    blob = aead.encrypt(KEY, KEY_ID, b"x", AAD)
    with pytest.raises(DecryptionError, match="version"):
        aead.decrypt(KEY, b"\x02" + blob[1:], AAD)


@pytest.mark.parametrize("key", [bytes(32), KEY[:16], b"", None])
def test_wrong_key_is_rejected(key):
    with pytest.raises(DecryptionError):
        aead.decrypt(key, aead.encrypt(KEY, KEY_ID, b"x", AAD), AAD)
