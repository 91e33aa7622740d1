"""Ed25519 checkpoint signatures, key ids, and exported checkpoints."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from audit import merkle
from audit.signing import (
    checkpoint_message,
    export_checkpoint,
    key_id,
    load_exported,
    pack_frontier,
    public_key,
    public_key_from_raw,
    raw_public_key,
    sign_checkpoint,
    unpack_frontier,
)

SEED = bytes(range(32))
OTHER = bytes(range(1, 33))
AT = datetime(2025, 6, 1, 12, 0, 0, 5, tzinfo=UTC)


def tree(size: int) -> list[bytes]:
    return merkle.frontier_of([merkle.leaf_hash(bytes([i])) for i in range(size)])


def test_a_checkpoint_verifies_under_its_key_and_no_other():
    checkpoint = sign_checkpoint(SEED, 5, tree(5), AT)
    assert checkpoint.root == merkle.frontier_root(tree(5))
    assert checkpoint.key_id == key_id(SEED)
    assert checkpoint.signature_valid(SEED)
    assert checkpoint.signature_valid(public_key_from_raw(raw_public_key(SEED)))
    assert not checkpoint.signature_valid(OTHER)


def test_the_signature_covers_size_root_and_time():
    checkpoint = sign_checkpoint(SEED, 5, tree(5), AT)
    for changed in (
        {"size": 6},
        {"root": merkle.frontier_root(tree(6))},
        {"at": AT + timedelta(microseconds=1)},
    ):
        forged = type(checkpoint)(**{**checkpoint.__dict__, **changed})
        assert not forged.signature_valid(SEED), changed


def test_the_signed_message_is_documented_text():
    root = merkle.frontier_root(tree(3))
    assert checkpoint_message(3, root, AT) == (
        b"SafeContext audit checkpoint v1\n3\n" + root.hex().encode() + b"\n2025-06-01T12:00:00.000005+00:00\n"
    )


def test_keys_may_be_seeds_or_key_objects_and_share_one_id():
    private = Ed25519PrivateKey.from_private_bytes(SEED)
    assert key_id(SEED) == key_id(private) == key_id(public_key(private))
    assert key_id(SEED) != key_id(OTHER)
    with pytest.raises(TypeError):
        public_key(b"too short")


def test_frontier_round_trips_and_its_length_is_checked():
    frontier = tree(11)
    assert unpack_frontier(pack_frontier(frontier), 11) == frontier
    with pytest.raises(ValueError):
        unpack_frontier(pack_frontier(frontier), 12)


def test_an_exported_checkpoint_loads_back_and_checks_its_own_signature():
    checkpoint = sign_checkpoint(SEED, 7, tree(7), AT)
    document = json.dumps(export_checkpoint(checkpoint, SEED))
    loaded, pub = load_exported(document)
    assert (loaded.size, loaded.root, loaded.at, loaded.frontier) == (7, checkpoint.root, AT, checkpoint.frontier)
    assert key_id(pub) == key_id(SEED)

    tampered = json.loads(document)
    tampered["size"] = 8
    with pytest.raises(ValueError, match="signature"):
        load_exported(tampered)
    tampered = json.loads(document)
    tampered["frontier"] = tampered["frontier"][::-1]
    with pytest.raises(ValueError, match="frontier"):
        load_exported(tampered)
    with pytest.raises(ValueError):
        load_exported({"size": 7})
