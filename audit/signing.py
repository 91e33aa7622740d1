"""Ed25519-signed checkpoints (signed tree heads): keys, the signed message, export and import.

The signed message is the ASCII text "SafeContext audit checkpoint v1\\n" followed by the tree size in
decimal, the root hash in lower-case hex and the time (UTC ISO 8601, microseconds), each ending in "\\n".
"""

import base64
import binascii
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from hashlib import sha256
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from audit.canonical import format_time
from audit.merkle import HASH_SIZE, frontier_root

EXPORT_FORMAT = "safecontext-audit-checkpoint/1"
_CONTEXT = b"SafeContext audit checkpoint v1\n"

# A 32-byte seed (as SAFECONTEXT_SIGNING_KEY holds), a private key, or a public key (verification only).
KeyLike = bytes | Ed25519PrivateKey | Ed25519PublicKey


def private_key(key: bytes | Ed25519PrivateKey) -> Ed25519PrivateKey:
    """The signing key from a 32-byte seed or a private key."""
    if isinstance(key, Ed25519PrivateKey):
        return key
    if isinstance(key, bytes | bytearray) and len(key) == 32:
        return Ed25519PrivateKey.from_private_bytes(bytes(key))
    raise TypeError("the audit signing key must be a 32-byte Ed25519 seed or an Ed25519PrivateKey")


def public_key(key: KeyLike) -> Ed25519PublicKey:
    """The verification key of a seed, private key or public key."""
    return key if isinstance(key, Ed25519PublicKey) else private_key(key).public_key()


def public_key_from_raw(raw: bytes) -> Ed25519PublicKey:
    """A public key from its 32 raw bytes (bytes alone would be read as a seed)."""
    return Ed25519PublicKey.from_public_bytes(raw)


def raw_public_key(key: KeyLike) -> bytes:
    """The 32 raw bytes of the verification key."""
    return public_key(key).public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_id(key: KeyLike) -> str:
    """A short, stable name for a verification key: the first 16 hex digits of SHA-256 of its raw bytes."""
    return sha256(raw_public_key(key)).hexdigest()[:16]


def checkpoint_message(size: int, root: bytes, at: datetime) -> bytes:
    """The exact bytes a checkpoint signature covers."""
    return _CONTEXT + f"{size}\n{root.hex()}\n{format_time(at)}\n".encode("ascii")


def pack_frontier(frontier: Sequence[bytes]) -> bytes:
    """The frontier as stored: its hashes concatenated, largest subtree first."""
    return b"".join(frontier)


def unpack_frontier(packed: bytes, size: int) -> list[bytes]:
    """The stored frontier as a list; ValueError if its length cannot belong to a tree of `size` leaves."""
    if len(packed) != HASH_SIZE * size.bit_count():
        raise ValueError(f"a frontier of {len(packed)} bytes does not fit a tree of {size} leaves")
    return [bytes(packed[i : i + HASH_SIZE]) for i in range(0, len(packed), HASH_SIZE)]


@dataclass(frozen=True)
class Checkpoint:
    """A signed statement that the log's first `size` events have Merkle root `root`."""

    size: int
    root: bytes
    at: datetime
    signature: bytes
    key_id: str
    frontier: tuple[bytes, ...] = field(default=(), repr=False)

    def signature_valid(self, key: KeyLike) -> bool:
        """Whether `key` signed exactly this size, root and time."""
        try:
            public_key(key).verify(self.signature, checkpoint_message(self.size, self.root, self.at))
        except InvalidSignature:
            return False
        return True

    def frontier_matches(self) -> bool:
        """Whether the stored frontier is the right shape and hashes to the signed root."""
        return len(self.frontier) == self.size.bit_count() and frontier_root(self.frontier) == self.root


def sign_checkpoint(key: bytes | Ed25519PrivateKey, size: int, frontier: Sequence[bytes], at: datetime) -> Checkpoint:
    """Sign the tree head of a tree of `size` leaves with this frontier."""
    signer = private_key(key)
    root = frontier_root(frontier)
    signature = signer.sign(checkpoint_message(size, root, at))
    return Checkpoint(size, root, at, signature, key_id(signer), tuple(frontier))


def export_checkpoint(checkpoint: Checkpoint, key: KeyLike) -> dict[str, Any]:
    """A self-contained JSON document to keep outside the database (another system, paper, an email)."""
    return {
        "format": EXPORT_FORMAT,
        "size": checkpoint.size,
        "root": checkpoint.root.hex(),
        "at": format_time(checkpoint.at),
        "signature": base64.b64encode(checkpoint.signature).decode("ascii"),
        "public_key": base64.b64encode(raw_public_key(key)).decode("ascii"),
        "key_id": checkpoint.key_id,
        "frontier": [h.hex() for h in checkpoint.frontier],
    }


def load_exported(document: Mapping[str, Any] | str | bytes) -> tuple[Checkpoint, Ed25519PublicKey]:
    """Parse an exported checkpoint and check its own signature; ValueError if malformed or forged."""
    data = json.loads(document) if isinstance(document, str | bytes) else document
    try:
        if data.get("format", EXPORT_FORMAT) != EXPORT_FORMAT:
            raise ValueError(f"unknown checkpoint format {data['format']!r}")
        pub = public_key_from_raw(base64.b64decode(data["public_key"], validate=True))
        size = int(data["size"])
        checkpoint = Checkpoint(
            size=size,
            root=bytes.fromhex(data["root"]),
            at=datetime.fromisoformat(data["at"]),
            signature=base64.b64decode(data["signature"], validate=True),
            key_id=key_id(pub),
            frontier=tuple(bytes.fromhex(h) for h in data.get("frontier", ())),
        )
    except (KeyError, TypeError, AttributeError, binascii.Error) as exc:
        raise ValueError(f"not an exported audit checkpoint: {exc!r}") from None
    if size < 0 or len(checkpoint.root) != HASH_SIZE or not checkpoint.signature_valid(pub):
        raise ValueError("the exported checkpoint's signature does not verify")
    if checkpoint.frontier and not checkpoint.frontier_matches():
        raise ValueError("the exported checkpoint's frontier does not hash to its root")
    return checkpoint, pub
