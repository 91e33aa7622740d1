"""A bounded, thread-safe LRU of unwrapped data keys whose entries expire, so other processes' shredding is seen."""

import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from models.crypto.aead import cipher_of


class KeyCache:
    """Data key id -> plaintext data key, at most max_size entries, each trusted for ttl seconds."""

    def __init__(self, max_size: int = 10_000, ttl: float = 60.0, clock: Callable[[], float] = time.monotonic) -> None:
        if max_size < 1:
            raise ValueError("the key cache needs room for at least one key")
        self.max_size = max_size
        self.ttl = ttl
        self._clock = clock
        self._entries: OrderedDict[str, list] = OrderedDict()
        # Gunicorn threads share one keyring; OrderedDict reordering is not atomic.
        self._lock = threading.Lock()

    def get(self, key_id: str) -> bytes | None:
        """The cached key, or None if absent or expired."""
        with self._lock:
            entry = self._current(key_id)
            return None if entry is None else entry[1]

    def cipher(self, key_id: str) -> AESGCM | None:
        """The cached key's AES-GCM cipher, made on first use and kept with the key; None if absent or expired."""
        with self._lock:
            entry = self._current(key_id)
            if entry is None:
                return None
            if entry[2] is None:
                entry[2] = cipher_of(entry[1])
            return entry[2]

    def _current(self, key_id: str) -> list | None:
        """The entry [stored at, key, cipher or None], if present and not expired; the caller holds the lock."""
        entry = self._entries.get(key_id)
        if entry is None:
            return None
        if self._clock() - entry[0] >= self.ttl:
            del self._entries[key_id]
            return None
        self._entries.move_to_end(key_id)
        return entry

    def put(self, key_id: str, key: bytes) -> None:
        """Cache a key, evicting the least recently used one when full."""
        with self._lock:
            self._entries[key_id] = [self._clock(), key, None]
            self._entries.move_to_end(key_id)
            while len(self._entries) > self.max_size:
                self._entries.popitem(last=False)

    def evict(self, key_id: str) -> None:
        """Forget one key (after it is destroyed)."""
        with self._lock:
            self._entries.pop(key_id, None)

    def clear(self) -> None:
        """Forget every key."""
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)
