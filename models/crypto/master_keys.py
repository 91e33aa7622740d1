"""Master keys (key-encryption keys): the active one wraps data keys, retired ones only unwrap until rotated out."""

import hashlib
import hmac
from collections import defaultdict
from collections.abc import Iterable, Sequence

from cryptography.hazmat.primitives.ciphers import Cipher
from cryptography.hazmat.primitives.ciphers.algorithms import AES
from cryptography.hazmat.primitives.ciphers.modes import ECB
from cryptography.hazmat.primitives.keywrap import InvalidUnwrap, aes_key_unwrap, aes_key_wrap

from models.crypto.errors import UnknownMasterKey

KEY_SIZE = 32
# RFC 3394 over a 32-byte data key: four 64-bit halves, and a wrapped key one 64-bit block longer.
_HALVES = 4
_WRAPPED_SIZE = 8 * (_HALVES + 1)
_INITIAL_VALUE = bytes.fromhex("a6a6a6a6a6a6a6a6")  # what unwrapping must give back, or the key was tampered with
# The step counter t (at most 6 * 4) changes only the last byte of the 64-bit register: a translation table per t.
_XOR_LAST_BYTE = [bytes(byte ^ t for byte in range(256)) for t in range(6 * _HALVES + 1)]


def master_key_id(key: bytes) -> str:
    """A master key's public id: the first 16 hex characters of its SHA-256."""
    return hashlib.sha256(key).hexdigest()[:16]


class MasterKeys:
    """The active master key and any previous ones, looked up by id; wraps with RFC 3394 AES key wrap."""

    def __init__(self, active: bytes, previous: Iterable[bytes] = ()) -> None:
        keys = [active, *previous]
        if any(not isinstance(key, bytes) or len(key) != KEY_SIZE for key in keys):
            raise ValueError("master keys must be exactly 32 bytes")
        self._active_id = master_key_id(active)
        # The active key wins if it is also listed as previous (a common slip during rotation).
        self._keys = {master_key_id(key): key for key in reversed(keys)}

    @property
    def active_id(self) -> str:
        """Id of the key that wraps every new data key."""
        return self._active_id

    @property
    def previous_ids(self) -> list[str]:
        """Ids of the retired keys still held for unwrapping."""
        return [key_id for key_id in self._keys if key_id != self._active_id]

    def wrap(self, data_key: bytes) -> tuple[str, bytes]:
        """Wrap a data key under the active master key; returns (master key id, wrapped key)."""
        return self._active_id, aes_key_wrap(self._keys[self._active_id], data_key)

    def unwrap(self, master_key_id: str, wrapped: bytes) -> bytes:
        """Unwrap with the active or a previous key chosen by id; raises UnknownMasterKey if it is not held."""
        return aes_key_unwrap(self._key(master_key_id), wrapped)

    def unwrap_many(self, wrapped_keys: Sequence[tuple[str, bytes]]) -> list[bytes]:
        """unwrap() of each (master key id, wrapped key), in order; 32-byte keys under one master key go together."""
        unwrapped: list[bytes | None] = [None] * len(wrapped_keys)
        together = defaultdict(list)
        for position, (master_key_id, wrapped) in enumerate(wrapped_keys):
            if len(wrapped) == _WRAPPED_SIZE:
                together[master_key_id].append(position)
            else:
                unwrapped[position] = self.unwrap(master_key_id, wrapped)
        for master_key_id, positions in together.items():
            keys = _unwrap_together(self._key(master_key_id), [wrapped_keys[p][1] for p in positions])
            for position, key in zip(positions, keys, strict=True):
                unwrapped[position] = key
        return unwrapped

    def _key(self, master_key_id: str) -> bytes:
        key = self._keys.get(master_key_id)
        if key is None:
            raise UnknownMasterKey(
                f"data key is wrapped under master key {master_key_id}, which is not configured; "
                "add it to the previous master keys and run the key rotation"
            )
        return key

    def __repr__(self) -> str:
        # Never show key bytes, even in a debugger or a traceback with locals.
        return f"MasterKeys(active_id={self._active_id!r}, previous_ids={self.previous_ids!r})"


def _unwrap_together(master_key: bytes, wrapped_keys: list[bytes]) -> list[bytes]:
    """RFC 3394 unwrapping (the index method, section 2.2.2) of many 32-byte data keys under one master key.

    The steps of aes_key_unwrap, but each step decrypts the same block of every key in one AES pass: the blocks are
    gathered and scattered by strided copies, so a search unwrapping hundreds of keys does no Python work per key
    and block. Raises InvalidUnwrap, as aes_key_unwrap does, if any key fails its integrity check.
    """
    count = len(wrapped_keys)
    joined = b"".join(wrapped_keys)
    # columns[c] holds the c-th 64-bit block of every wrapped key: column 0 is the register A, the others R[1..4].
    columns = []
    for c in range(_HALVES + 1):
        column = bytearray(8 * count)
        for byte in range(8):
            column[byte::8] = joined[8 * c + byte :: _WRAPPED_SIZE]
        columns.append(column)
    register, halves = columns[0], columns[1:]
    # The key wrap is built on the bare AES block function: ECB over single blocks, as aes_key_unwrap uses it.
    decryptor = Cipher(AES(master_key), ECB()).decryptor()  # noqa: S305
    blocks = bytearray(16 * count)  # (A ^ t) | R[i] of every key, each a 128-bit AES block
    for j in reversed(range(6)):
        for i in reversed(range(_HALVES)):
            for byte in range(8):
                blocks[byte::16] = register[byte::8]
                blocks[8 + byte :: 16] = halves[i][byte::8]
            blocks[7::16] = register[7::8].translate(_XOR_LAST_BYTE[_HALVES * j + i + 1])
            plain = decryptor.update(blocks)
            for byte in range(8):
                register[byte::8] = plain[byte::16]
                halves[i][byte::8] = plain[8 + byte :: 16]
    keys = []
    for k in range(count):
        if not hmac.compare_digest(bytes(register[8 * k : 8 * k + 8]), _INITIAL_VALUE):
            raise InvalidUnwrap()
        keys.append(b"".join(half[8 * k : 8 * k + 8] for half in halves))
    return keys
