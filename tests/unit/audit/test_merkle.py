"""RFC 6962 Merkle trees: known answers, the incremental frontier, inclusion and consistency proofs."""

from hashlib import sha256

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit import merkle

# The Certificate Transparency reference leaves and tree heads (RFC 6962 test data).
CT_DATA = [bytes.fromhex(h) for h in ("", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                                      "606162636465666768696a6b6c6d6e6f")]  # fmt: skip
CT_ROOTS = [
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
CT_LEAVES = [merkle.leaf_hash(d) for d in CT_DATA]


def leaves_of(n: int) -> list[bytes]:
    return [merkle.leaf_hash(i.to_bytes(4, "big")) for i in range(n)]


def flip(h: bytes) -> bytes:
    return bytes([h[0] ^ 1]) + h[1:]


def test_empty_tree_root_is_sha256_of_the_empty_string():
    assert merkle.root([]) == merkle.frontier_root([]) == sha256(b"").digest()
    assert merkle.root([]).hex() == CT_ROOTS[0]


@pytest.mark.parametrize("size", range(9))
def test_roots_match_the_rfc_6962_reference_tree(size):
    assert merkle.root(CT_LEAVES[:size]).hex() == CT_ROOTS[size]
    assert merkle.frontier_root(merkle.frontier_of(CT_LEAVES[:size])).hex() == CT_ROOTS[size]


def test_reference_inclusion_proofs():
    assert [h.hex() for h in merkle.inclusion_proof(CT_LEAVES, 0)] == [
        "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [h.hex() for h in merkle.inclusion_proof(CT_LEAVES, 5)] == [
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


def test_reference_consistency_proofs():
    assert [h.hex() for h in merkle.consistency_proof(CT_LEAVES, 2)] == [
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ]
    assert [h.hex() for h in merkle.consistency_proof(CT_LEAVES, 6)] == [
        "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ]


def test_the_split_is_the_largest_power_of_two_below_n_not_the_midpoint():
    leaves = leaves_of(7)
    expected = merkle.node_hash(merkle.root(leaves[:4]), merkle.root(leaves[4:]))
    assert merkle.root(leaves) == expected


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300))
def test_incremental_frontier_root_equals_the_recursive_root(size):
    leaves = leaves_of(size)
    frontier: list[bytes] = []
    for n, leaf in enumerate(leaves):
        merkle.frontier_append(frontier, n, leaf)
        assert len(frontier) == (n + 1).bit_count()
    assert merkle.frontier_root(frontier) == merkle.root(leaves)
    assert sum(merkle.frontier_sizes(size)) == size


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 300).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_inclusion_proofs_verify_and_fail_when_tampered(case):
    size, index = case
    leaves = leaves_of(size)
    tree_root, proof = merkle.root(leaves), merkle.inclusion_proof(leaves, index)
    assert merkle.verify_inclusion(leaves[index], index, size, proof, tree_root)
    assert not merkle.verify_inclusion(flip(leaves[index]), index, size, proof, tree_root)
    assert not merkle.verify_inclusion(leaves[index], index, size, proof, flip(tree_root))
    assert not merkle.verify_inclusion(leaves[index], size, size, proof, tree_root)
    assert not merkle.verify_inclusion(leaves[index], index, size, [*proof, leaves[0]], tree_root)
    if proof:
        assert not merkle.verify_inclusion(leaves[index], index, size, [flip(proof[0]), *proof[1:]], tree_root)
        assert not merkle.verify_inclusion(leaves[index], index, size, proof[:-1], tree_root)
    if index + 1 < size:
        assert not merkle.verify_inclusion(leaves[index], index + 1, size, proof, tree_root)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 300).flatmap(lambda n: st.tuples(st.integers(0, n), st.just(n))))
def test_consistency_proofs_verify_and_fail_when_tampered(case):
    m, n = case
    leaves = leaves_of(n)
    root_m, root_n = merkle.root(leaves[:m]), merkle.root(leaves)
    proof = merkle.consistency_proof(leaves, m)
    assert merkle.verify_consistency(m, n, root_m, root_n, proof)
    if 0 < m < n:
        assert not merkle.verify_consistency(m, n, flip(root_m), root_n, proof)
        assert not merkle.verify_consistency(m, n, root_m, flip(root_n), proof)
        assert not merkle.verify_consistency(m, n, root_m, root_n, [flip(proof[0]), *proof[1:]])
        assert not merkle.verify_consistency(m, n, root_m, root_n, proof[:-1])
        assert not merkle.verify_consistency(m, n, root_m, root_n, [*proof, root_m])
        # A different history of the same length is not consistent with the old head.
        other = [*leaves[: m - 1], flip(leaves[m - 1]), *leaves[m:]]
        assert not merkle.verify_consistency(m, n, root_m, merkle.root(other), proof)
    assert not merkle.verify_consistency(n + 1, n, root_m, root_n, proof)


def test_proof_generation_rejects_impossible_positions():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(CT_LEAVES, 8)
    with pytest.raises(ValueError):
        merkle.consistency_proof(CT_LEAVES, 9)
