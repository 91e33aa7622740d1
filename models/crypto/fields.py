"""EncryptedField: a model attribute that stores an AES-GCM blob in a column and reads back the plain value."""

import json
import logging
import weakref
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import event

from models.base import new_id
from models.crypto.aead import associated_data, blob_key_id, decrypt, decrypt_with, encrypt
from models.crypto.errors import DecryptionError, KeyDestroyed
from models.crypto.registry import current_keyring, session_for

Kind = Literal["str", "date", "json"]
KINDS = ("str", "date", "json")
security_log = logging.getLogger("safecontext.security")


class _Unreadable:
    """Shown in place of a value that failed its integrity check: falsy, and says so when rendered."""

    __slots__ = ()

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return "[unreadable: failed integrity check]"

    def __repr__(self) -> str:
        return "UNREADABLE"

    def __reduce__(self) -> str:
        # Copies and unpickled instances stay the module singleton, so `is UNREADABLE` keeps working.
        return "UNREADABLE"


UNREADABLE = _Unreadable()


class _PlaintextCache(dict):
    """Per-instance decrypted values; pickles as empty so plaintext never leaves the process that decrypted it."""

    def __reduce__(self) -> tuple[type, tuple[()]]:
        return type(self), ()


_CACHE_ATTR = "_encrypted_field_cache"
_hooked: "weakref.WeakSet[type]" = weakref.WeakSet()


def serialise(kind: Kind, value: Any) -> bytes:
    """Plain value -> bytes: str as UTF-8, date as ISO 8601, json as compact JSON."""
    if kind == "str":
        if not isinstance(value, str):
            raise TypeError(f"expected str, got {type(value).__name__}")
        return value.encode("utf-8")
    if kind == "date":
        if not isinstance(value, date) or isinstance(value, datetime):
            raise TypeError(f"expected datetime.date, got {type(value).__name__}")
        return value.isoformat().encode("ascii")
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode("utf-8")


def deserialise(kind: Kind, data: bytes) -> Any:
    """Bytes -> plain value, the inverse of serialise."""
    text = data.decode("utf-8")
    if kind == "str":
        return text
    if kind == "date":
        return date.fromisoformat(text)
    return json.loads(text)


def _constructor_order(target: Any, _args: tuple, kwargs: dict[str, Any]) -> None:
    # Constructor keywords are applied in order, but encryption needs the row id and key id first:
    # fix the id now (UUIDPrimaryKey would append it last) and move encrypted fields to the end.
    kwargs.setdefault("id", new_id())
    for name in [name for name in kwargs if isinstance(getattr(type(target), name, None), EncryptedField)]:
        kwargs[name] = kwargs.pop(name)


class EncryptedField:
    """Descriptor over a LargeBinary column: encrypts on set under instance.encryption_key_id(), decrypts on get."""

    def __init__(self, attr: str, column: str, kind: Kind) -> None:
        if kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}")
        self.attr, self.column, self.kind = attr, column, kind
        self.name = attr

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        self.owner = owner
        if not any(base in _hooked for base in owner.__mro__):
            event.listen(owner, "init", _constructor_order, propagate=True)
            _hooked.add(owner)

    def _aad(self, instance: Any) -> bytes:
        return associated_data(instance.__tablename__, self.column, instance.id)

    def __get__(self, instance: Any, owner: type | None = None) -> Any:
        if instance is None:
            return self
        blob = getattr(instance, self.attr)
        if blob is None:
            return None
        cache = instance.__dict__.get(_CACHE_ATTR)
        cached = cache.get(self.name) if cache is not None else None
        if cached is not None and cached[0] == blob:
            plaintext = cached[1]
        else:
            plaintext = self._decrypt(instance, blob)
            if plaintext is None:
                return None
            self._remember(instance, blob, plaintext)
        # Deserialised afresh on every read, so mutating a returned dict cannot masquerade as a saved change.
        return plaintext if plaintext is UNREADABLE else deserialise(self.kind, plaintext)

    def _decrypt(self, instance: Any, blob: bytes) -> "bytes | _Unreadable | None":
        return self._open(session_for(instance), instance.__tablename__, instance.id, blob)

    def _open(self, session: Any, table: str, row_id: str, blob: bytes) -> "bytes | _Unreadable | None":
        try:
            # The blob names its own key: values stay readable while a record is being re-keyed.
            cipher = current_keyring().cipher_for(session, blob_key_id(blob))
            return decrypt_with(cipher, blob, associated_data(table, self.column, row_id))
        except KeyDestroyed:
            return None
        except DecryptionError:
            security_log.error(
                "Encrypted value failed its integrity check: table=%s column=%s row=%s", table, self.column, row_id
            )
            return UNREADABLE

    def seal(self, value: Any, *, table: str, row_id: str, key_id: str, key: bytes) -> bytes | None:
        """The blob this column holds for value in that row, for writers that build rows without instances."""
        if value is None:
            return None
        return encrypt(key, key_id, serialise(self.kind, value), associated_data(table, self.column, row_id))

    def unseal(self, blob: bytes | None, *, table: str, row_id: str, key: bytes) -> Any:
        """The plain value of a blob read without an instance; raises DecryptionError if it fails its check."""
        if blob is None:
            return None
        return deserialise(self.kind, decrypt(key, blob, associated_data(table, self.column, row_id)))

    def read_stored(self, session: Any, row_id: str, blob: bytes | None) -> Any:
        """The plain value of a blob selected as a bare column of row ``row_id`` (no ORM object loaded), as a read of
        the attribute would give it: None when empty or shredded, UNREADABLE when tampered with."""
        if blob is None:
            return None
        plaintext = self._open(session, self.owner.__tablename__, row_id, blob)
        if plaintext is None or plaintext is UNREADABLE:
            return plaintext
        return deserialise(self.kind, plaintext)

    def _remember(self, instance: Any, blob: bytes | None, plaintext: "bytes | _Unreadable | None") -> None:
        instance.__dict__.setdefault(_CACHE_ATTR, _PlaintextCache())[self.name] = (blob, plaintext)

    def __set__(self, instance: Any, value: Any) -> None:
        if value is UNREADABLE:
            raise ValueError(f"refusing to store UNREADABLE in {self.name}: keep the existing ciphertext instead")
        blob = plaintext = None
        if value is not None:
            plaintext = serialise(self.kind, value)
            key_id = instance.encryption_key_id()
            if instance.id is None or key_id is None:
                raise ValueError(f"set the row id and data key of {type(instance).__name__} before {self.name}")
            key = current_keyring().key_for(session_for(instance), key_id)
            blob = encrypt(key, key_id, plaintext, self._aad(instance))
        setattr(instance, self.attr, blob)
        self._remember(instance, blob, plaintext)
