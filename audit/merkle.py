"""RFC 6962 / RFC 9162 Merkle tree hashing, the incremental right-edge frontier, and proofs; pure functions."""

from collections.abc import Sequence
from hashlib import sha256

HASH_SIZE = 32
EMPTY_ROOT = sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    """SHA-256(0x00 || data): the hash of one leaf."""
    return sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """SHA-256(0x01 || left || right): the hash of an interior node."""
    return sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two strictly smaller than n (n >= 2): where RFC 6962 splits a tree of n leaves."""
    return 1 << ((n - 1).bit_length() - 1)


def root(leaves: Sequence[bytes]) -> bytes:
    """The Merkle tree hash (MTH) of a list of leaf hashes, by the recursive definition."""
    if not leaves:
        return EMPTY_ROOT
    if len(leaves) == 1:
        return leaves[0]
    k = _split(len(leaves))
    return node_hash(root(leaves[:k]), root(leaves[k:]))


def frontier_sizes(size: int) -> list[int]:
    """Leaf counts of the perfect subtrees on the right edge of a tree of `size` leaves, left to right."""
    return [1 << bit for bit in range(size.bit_length() - 1, -1, -1) if size >> bit & 1]


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> list[bytes]:
    """Append one leaf hash to the frontier of a tree of `size` leaves, in place; returns the frontier."""
    # Each trailing one bit of `size` is a complete subtree that the new leaf's subtree now pairs with.
    while size & 1:
        leaf = node_hash(frontier.pop(), leaf)
        size >>= 1
    frontier.append(leaf)
    return frontier


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """The tree root from its frontier: fold the subtree roots from the right, as MTH nests them."""
    if not frontier:
        return EMPTY_ROOT
    acc = frontier[-1]
    for subtree in reversed(frontier[:-1]):
        acc = node_hash(subtree, acc)
    return acc


def frontier_of(leaves: Sequence[bytes]) -> list[bytes]:
    """The frontier of the tree over these leaf hashes."""
    frontier: list[bytes] = []
    for size, leaf in enumerate(leaves):
        frontier_append(frontier, size, leaf)
    return frontier


def inclusion_proof(leaves: Sequence[bytes], index: int) -> list[bytes]:
    """The audit path (RFC 9162 2.1.3.1) of leaf `index` in the tree over `leaves`."""
    if not 0 <= index < len(leaves):
        raise ValueError(f"leaf index {index} is outside a tree of {len(leaves)} leaves")
    if len(leaves) == 1:
        return []
    k = _split(len(leaves))
    if index < k:
        return [*inclusion_proof(leaves[:k], index), root(leaves[k:])]
    return [*inclusion_proof(leaves[k:], index - k), root(leaves[:k])]


def verify_inclusion(leaf: bytes, index: int, size: int, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """Check an audit path (RFC 9162 2.1.3.2)."""
    if not 0 <= index < size:
        return False
    fn, sn, acc = index, size - 1, leaf
    for sibling in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            acc = node_hash(sibling, acc)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            acc = node_hash(acc, sibling)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and acc == expected_root


def consistency_proof(leaves: Sequence[bytes], m: int) -> list[bytes]:
    """The consistency proof (RFC 9162 2.1.4.1) that the first m leaves are a prefix of the tree over `leaves`."""
    if not 0 <= m <= len(leaves):
        raise ValueError(f"size {m} is outside a tree of {len(leaves)} leaves")
    if m in (0, len(leaves)):
        return []
    return _subproof(leaves, m, complete=True)


def _subproof(leaves: Sequence[bytes], m: int, complete: bool) -> list[bytes]:
    n = len(leaves)
    if m == n:
        return [] if complete else [root(leaves)]
    k = _split(n)
    if m <= k:
        return [*_subproof(leaves[:k], m, complete), root(leaves[k:])]
    return [*_subproof(leaves[k:], m - k, False), root(leaves[:k])]


def verify_consistency(m: int, n: int, root_m: bytes, root_n: bytes, proof: Sequence[bytes]) -> bool:
    """Check that a tree of m leaves with root_m is a prefix of a tree of n leaves with root_n (RFC 9162 2.1.4.2)."""
    if not 0 <= m <= n:
        return False
    if m == n:
        return not proof and root_m == root_n
    if m == 0:
        return not proof and root_m == EMPTY_ROOT
    if not proof:
        return False
    path = list(proof)
    if m & (m - 1) == 0:
        # A power-of-two old tree is itself a complete subtree: its root starts the path.
        path.insert(0, root_m)
    fn, sn = m - 1, n - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == root_m and sr == root_n
