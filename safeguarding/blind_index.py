"""Blind indexes (CipherSweet-style): truncated HMAC tokens of normalised names and dates, sized for a population."""

import hashlib
import hmac
import math
from collections.abc import Iterable, Sequence
from datetime import date

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from safeguarding.matching import normalise_dob, normalise_name, phonetic_key

INDEX_NAMES = ("given_name", "family_name", "dob", "given_phonetic", "family_phonetic", "full_name_phonetic")
# With fewer bits nearly every search returns every row; a pilot this small leaks little, and check_sizing says so.
MIN_BITS = 8
MIN_ROOT_KEY_BYTES = 32

Tokens = list[tuple[str, str]]


def plan_bits(population: int) -> int:
    """Largest b with 2 <= N / 2**b < sqrt(N) (CipherSweet's rule), at least MIN_BITS."""
    if population < 1:
        raise ValueError("the planned population must be at least 1")
    # 2**b <= N/2 gives b = floor(log2 N) - 1, leaving 2 <= C < 4 coincidences, below sqrt(N) whenever N > 16.
    return max(population.bit_length() - 2, MIN_BITS)


def check_sizing(population_configured: int, rows: int) -> list[str]:
    """Warnings when the people actually indexed make the planned token width leak too much or match too much."""
    if rows <= 0:
        return []
    bits = plan_bits(population_configured)
    coincidences = rows / 2**bits
    warnings = []
    if coincidences < 2:
        warnings.append(
            f"Blind indexes use {bits} bits, planned for {population_configured:,} people, but hold {rows:,}: "
            f"about {coincidences:.2g} people share each token (fewer than 2), so a token can single a person out. "
            f"Set the planned population nearer {rows:,} and re-index."
        )
    if coincidences >= math.sqrt(rows):
        warnings.append(
            f"Blind indexes use {bits} bits, planned for {population_configured:,} people, but hold {rows:,}: "
            f"about {coincidences:,.0f} people share each token (at least sqrt({rows:,}) = {math.sqrt(rows):,.0f}), "
            f"so searches return too many false candidates. Raise the planned population and re-index."
        )
    return warnings


class BlindIndexer:
    """Keyed, truncated tokens: equal normalised values give equal tokens; nothing else is learnt without the key."""

    def __init__(self, root_key: bytes, population: int) -> None:
        if len(root_key) < MIN_ROOT_KEY_BYTES:
            raise ValueError(f"the blind-index root key must be at least {MIN_ROOT_KEY_BYTES} bytes")
        self.population = population
        self.bits = plan_bits(population)
        # Tokens are lower-case hex, fixed width: ceil(bits / 4) digits, the leading bits of the MAC.
        self.width = -(-self.bits // 4)
        # A key per index, so the same name gives unrelated tokens in the given and family indexes.
        self._keys = {name: _derive(root_key, name) for name in INDEX_NAMES}
        self._sign_in_name_key = _derive(root_key, "sign_in_name")

    def token(self, index_name: str, normalised_value: str) -> str:
        """HMAC-SHA256 of the value under the index's key, truncated to the planned bits, as fixed-width hex."""
        if index_name not in self._keys:
            raise ValueError(f"unknown blind index {index_name!r}")
        if not normalised_value:
            raise ValueError("an empty value has no blind-index token")
        mac = hmac.new(self._keys[index_name], normalised_value.encode("utf-8"), hashlib.sha256).digest()
        truncated = int.from_bytes(mac, "big") >> (len(mac) * 8 - self.bits)
        return f"{truncated:0{self.width}x}"

    def sign_in_name(self, username: str) -> str:
        """The full HMAC-SHA256 (hex) of a username as typed at sign-in, lower-cased: failures under a name that
        matches no account are counted by it, without keeping what was typed (sometimes a password)."""
        return hmac.new(self._sign_in_name_key, username.lower().encode("utf-8"), hashlib.sha256).hexdigest()


def person_tokens(
    indexer: BlindIndexer,
    given_name: str | None,
    family_name: str | None,
    date_of_birth: date | None,
    aliases: Sequence[str] = (),
    memo: dict[tuple, Tokens] | None = None,
) -> Tokens:
    """(index name, token) pairs for a person's names, phonetic keys, date of birth and every alias.

    Indexing many people at once may pass a memo (a dict it owns and drops afterwards) so that a name seen before
    is not normalised and hashed again.
    """
    if memo is None:
        tokens = _name_tokens(indexer, given_name, family_name)
    else:
        names = (given_name, family_name)
        if names not in memo:
            memo[names] = _name_tokens(indexer, given_name, family_name)
        tokens = list(memo[names])
    for alias in aliases:
        # An alias may be a single street name: it stands for the given name and the family name alike.
        tokens += _name_tokens(indexer, alias, None) + _name_tokens(indexer, None, alias)
        words = normalise_name(alias).rsplit(" ", 1)
        if len(words) == 2:
            tokens += _name_tokens(indexer, *words)
    # Truthiness, not `is not None`: a stored date that failed its integrity check (falsy) is not known, so it gives
    # no token, as an unreadable name gives none, instead of stopping the person's write or a whole re-index.
    if date_of_birth:
        tokens.append(("dob", indexer.token("dob", normalise_dob(date_of_birth))))
    return _unique(tokens)


def query_tokens(
    indexer: BlindIndexer,
    given_name: str | None = None,
    family_name: str | None = None,
    date_of_birth: date | None = None,
) -> Tokens:
    """Tokens to look up for a search, including the names swapped and the day and month swapped."""
    tokens = _name_tokens(indexer, given_name, family_name) + _name_tokens(indexer, family_name, given_name)
    if date_of_birth is not None:
        tokens.append(("dob", indexer.token("dob", normalise_dob(date_of_birth))))
        if date_of_birth.day <= 12 and date_of_birth.day != date_of_birth.month:
            swapped = date_of_birth.replace(month=date_of_birth.day, day=date_of_birth.month)
            tokens.append(("dob", indexer.token("dob", normalise_dob(swapped))))
    return _unique(tokens)


def _name_tokens(indexer: BlindIndexer, given_name: str | None, family_name: str | None) -> Tokens:
    tokens = []
    parts = {"given": given_name or "", "family": family_name or ""}
    for part, value in parts.items():
        _add(indexer, tokens, f"{part}_name", normalise_name(value))
        _add(indexer, tokens, f"{part}_phonetic", phonetic_key(value))
    if normalise_name(parts["given"]) and normalise_name(parts["family"]):
        _add(indexer, tokens, "full_name_phonetic", phonetic_key(f"{parts['given']} {parts['family']}"))
    return tokens


def _add(indexer: BlindIndexer, tokens: Tokens, index_name: str, value: str) -> None:
    if value:
        tokens.append((index_name, indexer.token(index_name, value)))


def _derive(root_key: bytes, index_name: str) -> bytes:
    info = b"safecontext blind index " + index_name.encode("ascii")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(root_key)


def _unique(tokens: Iterable[tuple[str, str]]) -> Tokens:
    return list(dict.fromkeys(tokens))
