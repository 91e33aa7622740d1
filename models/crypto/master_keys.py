"""Master keys (key-encryption keys): the active one wraps data keys, retired ones only unwrap until rotated out."""

import hashlib
from collections.abc import Iterable

from cryptography.hazmat.primitives.keywrap import aes_key_unwrap, aes_key_wrap

from models.crypto.errors import UnknownMasterKey

KEY_SIZE = 32


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
        key = self._keys.get(master_key_id)
        if key is None:
            raise UnknownMasterKey(
                f"data key is wrapped under master key {master_key_id}, which is not configured; "
                "add it to the previous master keys and run the key rotation"
            )
        return aes_key_unwrap(key, wrapped)

    def __repr__(self) -> str:
        # Never show key bytes, even in a debugger or a traceback with locals.
        return f"MasterKeys(active_id={self._active_id!r}, previous_ids={self.previous_ids!r})"
