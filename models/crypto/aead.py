"""AES-256-GCM for single field values, with associated data binding each value to its table, column and row."""

import os
import struct
import uuid
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.crypto.errors import DecryptionError

VERSION = 0x01
KEY_SIZE = 32
KEY_ID_SIZE = 16
NONCE_SIZE = 12
TAG_SIZE = 16
HEADER_SIZE = 1 + KEY_ID_SIZE
MIN_BLOB_SIZE = HEADER_SIZE + NONCE_SIZE + TAG_SIZE


def _new_nonce() -> bytes:
    # Random 96-bit nonces: a data key encrypts far fewer than 2**32 values, well inside GCM's safe bound.
    return os.urandom(NONCE_SIZE)


def associated_data(table: str, column: str, row_id: str) -> bytes:
    """Encode table, column and row id unambiguously (each part length-prefixed) for use as GCM associated data."""
    # Spelled out, not a generator over the parts: a page of names asks this for every value it decrypts.
    texts = isinstance(table, str) and isinstance(column, str) and isinstance(row_id, str)
    if not (texts and table and column and row_id):
        raise ValueError("associated data needs a non-empty table, column and row id")
    return _table_and_column(table, column) + _length_prefixed(row_id)


@lru_cache(maxsize=256)  # a handful of encrypted columns, met again for every row decrypted
def _table_and_column(table: str, column: str) -> bytes:
    return _length_prefixed(table) + _length_prefixed(column)


def _length_prefixed(part: str) -> bytes:
    encoded = part.encode("utf-8")
    return struct.pack(">I", len(encoded)) + encoded


def encrypt(key: bytes, key_id: str, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt under a fresh nonce; returns version | data key id | nonce | ciphertext+tag."""
    if len(key) != KEY_SIZE:
        raise ValueError("an AES-256 data key must be exactly 32 bytes")
    header = bytes([VERSION]) + uuid.UUID(key_id).bytes
    nonce = _new_nonce()
    # The header is authenticated too, so flipping the version or key id byte fails like any other tampering.
    return header + nonce + AESGCM(key).encrypt(nonce, plaintext, header + aad)


def _check_shape(blob: bytes) -> None:
    if not isinstance(blob, bytes | bytearray | memoryview) or len(blob) < MIN_BLOB_SIZE:
        raise DecryptionError("ciphertext is truncated or not a ciphertext")
    if blob[0] != VERSION:
        raise DecryptionError("ciphertext has an unknown format version")


def blob_key_id(blob: bytes) -> str:
    """The id of the data key a blob was encrypted under, as a UUID string."""
    _check_shape(blob)
    return _key_id_text(bytes(blob[1:HEADER_SIZE]))


@lru_cache(maxsize=4096)  # a search or a map decrypts hundreds of values under a few hundred keys
def _key_id_text(key_id: bytes) -> str:
    """uuid.UUID's text form of 16 bytes, without building one."""
    digits = key_id.hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def cipher_of(key: bytes) -> AESGCM:
    """The AES-GCM cipher of a data key, checked to be one; decrypt_with takes it (a page of names decrypts hundreds
    of values, and making the cipher costs as much as using it)."""
    if not isinstance(key, bytes) or len(key) != KEY_SIZE:
        raise DecryptionError("data key is not a 32-byte key")
    return AESGCM(key)


def decrypt(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Authenticate and decrypt a blob; any failure at all raises DecryptionError."""
    _check_shape(blob)
    return _open(cipher_of(key), blob, aad)


def decrypt_with(cipher: AESGCM, blob: bytes, aad: bytes) -> bytes:
    """decrypt() with the data key's cipher made already (cipher_of)."""
    _check_shape(blob)
    return _open(cipher, blob, aad)


def _open(cipher: AESGCM, blob: bytes, aad: bytes) -> bytes:
    blob = bytes(blob)
    nonce_end = HEADER_SIZE + NONCE_SIZE
    header, nonce, sealed = blob[:HEADER_SIZE], blob[HEADER_SIZE:nonce_end], blob[nonce_end:]
    try:
        return cipher.decrypt(nonce, sealed, header + bytes(aad))
    except (InvalidTag, TypeError, ValueError) as error:
        raise DecryptionError("ciphertext failed its integrity check") from error
