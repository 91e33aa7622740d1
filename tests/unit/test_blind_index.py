"""Blind indexes (SPEC section 6): keyed truncated tokens, CipherSweet bit planning, person and query tokens."""

import hashlib
import hmac
import math
import string
from datetime import date

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.blind_index import (
    INDEX_NAMES,
    MIN_BITS,
    BlindIndexer,
    check_sizing,
    person_tokens,
    plan_bits,
    query_tokens,
)

ROOT = bytes(range(32))
OTHER_ROOT = bytes(range(1, 33))


@pytest.fixture(scope="module")
def indexer() -> BlindIndexer:
    return BlindIndexer(ROOT, 100_000)


def test_tokens_are_deterministic(indexer):
    assert indexer.token("family_name", "clarke") == BlindIndexer(ROOT, 100_000).token("family_name", "clarke")


def test_each_index_has_its_own_key(indexer):
    tokens = {indexer.token(name, "clarke") for name in INDEX_NAMES}
    assert len(tokens) == len(INDEX_NAMES)


def test_another_root_key_gives_other_tokens(indexer):
    assert indexer.token("given_name", "jayden") != BlindIndexer(OTHER_ROOT, 100_000).token("given_name", "jayden")


def test_token_is_the_leading_bits_of_hmac_under_an_hkdf_derived_index_key(indexer):
    key = HKDF(hashes.SHA256(), 32, None, b"safecontext blind index given_name").derive(ROOT)
    mac = hmac.new(key, "zoë".encode(), hashlib.sha256).digest()
    assert int(indexer.token("given_name", "zoë"), 16) == int.from_bytes(mac, "big") >> (256 - 15)


@pytest.mark.parametrize("population", [1, 1_000, 100_000, 1_000_000, 10**8])
def test_token_width_matches_the_bit_plan(population):
    indexer = BlindIndexer(ROOT, population)
    bits = plan_bits(population)
    tokens = [indexer.token("dob", f"2010-01-{day:02}") for day in range(1, 29)]
    assert {len(token) for token in tokens} == {math.ceil(bits / 4)}
    assert all(int(token, 16) < 2**bits for token in tokens)
    # Enough draws reach the top bit, so the truncation is exactly `bits` wide, not narrower.
    assert max(int(token, 16) for token in tokens) >= 2 ** (bits - 1)


@pytest.mark.parametrize("value", ["jayden", "o neil", "2010-03-14", "محمد", "JTN"])
def test_a_token_is_hex_and_never_holds_the_plaintext(indexer, value):
    token = indexer.token("given_name", value)
    assert set(token) <= set(string.hexdigits.lower())
    assert value not in token and value.lower() not in token


@given(st.text(min_size=1))
def test_any_value_gives_a_fixed_width_hex_token(value):
    token = BlindIndexer(ROOT, 1_000).token("family_phonetic", value)
    assert len(token) == 2 and set(token) <= set(string.hexdigits.lower())


def test_unknown_indexes_empty_values_and_short_keys_are_refused(indexer):
    with pytest.raises(ValueError, match="unknown blind index"):
        indexer.token("postcode", "e1 6an")
    with pytest.raises(ValueError, match="empty"):
        indexer.token("given_name", "")
    with pytest.raises(ValueError, match="32 bytes"):
        BlindIndexer(b"short", 1_000)
    with pytest.raises(ValueError, match="at least 1"):
        plan_bits(0)


@pytest.mark.parametrize(("population", "bits"), [(1_000, 8), (100_000, 15), (1_000_000, 18)])
def test_bit_plan_for_typical_populations(population, bits):
    assert plan_bits(population) == bits
    assert 2 <= population / 2**bits < math.sqrt(population)


@given(st.integers(min_value=512, max_value=10**8))
def test_bit_plan_follows_the_ciphersweet_rule_and_takes_the_most_bits(population):
    bits = plan_bits(population)
    assert 2 <= population / 2**bits < math.sqrt(population)
    assert population / 2 ** (bits + 1) < 2


@given(st.integers(min_value=1, max_value=511))
def test_small_populations_are_clamped_to_the_minimum_width(population):
    assert plan_bits(population) == MIN_BITS


def test_sizing_warns_when_too_few_rows_share_a_token():
    (warning,) = check_sizing(1_000_000, 1_000)
    assert "fewer than 2" in warning and "single a person out" in warning


def test_sizing_warns_when_too_many_rows_share_a_token():
    (warning,) = check_sizing(1_000, 10_000_000)
    assert "false candidates" in warning and "sqrt(10,000,000)" in warning


@pytest.mark.parametrize(("configured", "rows"), [(100_000, 100_000), (100_000, 70_000), (1_000, 2_000), (10**6, 0)])
def test_sizing_is_quiet_in_the_planned_range(configured, rows):
    assert check_sizing(configured, rows) == []


def test_person_tokens_cover_names_phonetics_and_date_of_birth(indexer):
    tokens = person_tokens(indexer, "Jayden", "Clarke", date(2010, 3, 14), [])
    assert [name for name, _ in tokens] == [
        "given_name",
        "given_phonetic",
        "family_name",
        "family_phonetic",
        "full_name_phonetic",
        "dob",
    ]
    assert ("given_name", indexer.token("given_name", "jayden")) in tokens
    assert ("given_phonetic", indexer.token("given_phonetic", "JTN")) in tokens
    assert ("dob", indexer.token("dob", "2010-03-14")) in tokens


def test_spelling_variants_index_alike(indexer):
    assert person_tokens(indexer, "Zoë", "O'Neil", None) == person_tokens(indexer, " ZOE ", "ONeil", None)


def test_a_single_word_alias_is_indexed_as_both_given_and_family_name(indexer):
    tokens = set(person_tokens(indexer, "Marcus", "Reid", None, ["Tiny"]))
    assert ("given_name", indexer.token("given_name", "tiny")) in tokens
    assert ("family_name", indexer.token("family_name", "tiny")) in tokens
    assert set(query_tokens(indexer, family_name="Tiny")) & tokens


def test_a_full_name_alias_is_found_by_its_given_and_family_names(indexer):
    tokens = set(person_tokens(indexer, "Marcus", "Reid", None, ["Jay Smith"]))
    assert {
        ("given_name", indexer.token("given_name", "jay")),
        ("family_name", indexer.token("family_name", "smith")),
    } <= tokens


def test_a_search_with_names_swapped_meets_the_person(indexer):
    held = set(person_tokens(indexer, "Wei", "Chen", None))
    shared = held & set(query_tokens(indexer, given_name="Chen", family_name="Wei"))
    assert {name for name, _ in shared} == set(INDEX_NAMES) - {"dob"}


def test_a_misspelt_search_meets_the_person_through_the_phonetic_index(indexer):
    held = set(person_tokens(indexer, "Jayden", "Clarke", None))
    shared = held & set(query_tokens(indexer, given_name="Jaden"))
    assert shared == {("given_phonetic", indexer.token("given_phonetic", "JTN"))}


def test_a_date_search_also_looks_up_the_day_and_month_swapped(indexer):
    tokens = query_tokens(indexer, date_of_birth=date(2010, 4, 3))
    assert tokens == [("dob", indexer.token("dob", "2010-04-03")), ("dob", indexer.token("dob", "2010-03-04"))]
    assert query_tokens(indexer, date_of_birth=date(2010, 3, 14)) == [("dob", indexer.token("dob", "2010-03-14"))]


def test_empty_names_give_no_tokens_and_nothing_repeats(indexer):
    assert query_tokens(indexer) == []
    assert person_tokens(indexer, None, "  ", None, ["", "-"]) == []
    tokens = person_tokens(indexer, "Tiny", "Tiny", None, ["Tiny"])
    assert len(tokens) == len(set(tokens))
