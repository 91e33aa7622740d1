"""'Is this child already known?': name and date-of-birth normalisation, phonetic keys and candidate ranking."""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

import jellyfish

# Below this a candidate is not shown: a same-name child with a clearly different birth date scores 0.7.
POSSIBLE_MATCH = 0.75
NAME_WEIGHT = 0.7
DOB_WEIGHT = 0.3
# Sounds-alike names ("Catherine"/"Kathryn") count as similar even when their spelling is far apart.
PHONETIC_CREDIT = 0.9
# Straight order wins a tie with swapped order, but a swapped exact name still clears the threshold.
SWAPPED_FACTOR = 0.95

_APOSTROPHES = dict.fromkeys(map(ord, "'`´ʹʻʼʽ‘’‛′"), None)
# Latin letters that NFKD leaves whole; UK records spell them both ways ("Łukasz"/"Lukasz").
_LATIN_LETTERS = str.maketrans(
    {"ø": "o", "ł": "l", "đ": "d", "ð": "d", "ħ": "h", "ı": "i", "æ": "ae", "œ": "oe", "þ": "th"}
)
# Scripts whose accents and vowel marks are often left out; elsewhere (Cyrillic "й", Devanagari) marks are letters.
_OPTIONAL_MARK_SCRIPTS = {"LATIN", "GREEK", "ARABIC", "HEBREW"}
_TATWEEL = "\u0640"  # Arabic justification stroke, never part of the spelling
# Zero-width joiners shape Persian and Indic names, so only other format characters are dropped.
_KEEP_FORMAT = {"\u200c", "\u200d"}


@dataclass(frozen=True)
class MatchQuery:
    given_name: str | None = None
    family_name: str | None = None
    date_of_birth: date | None = None


@dataclass(frozen=True)
class Candidate:
    id: str
    given_name: str
    family_name: str
    aliases: Sequence[str] = field(default_factory=list)
    date_of_birth: date | None = None
    dob_estimated: bool = False


@dataclass(frozen=True)
class ScoredCandidate:
    candidate: Candidate
    score: float
    reasons: list[str]


def _ascii_table() -> dict[int, str | None]:
    """What normalise_name does to each ASCII character: the same steps, worked out once."""
    table: dict[int, str | None] = {}
    for code in range(128):
        char = chr(code)
        category = unicodedata.category(char)
        if code in _APOSTROPHES:
            table[code] = None
        elif category.startswith("P") or category == "Cc":
            table[code] = " "
        else:
            table[code] = char.casefold()
    return table


# Most names are plain ASCII, where NFKC, NFKD and accent folding change nothing: one translate does it all.
_ASCII_NAME = _ascii_table()


def normalise_name(value: str) -> str:
    """Comparable form of a name: NFKC, casefolded, optional accents and apostrophes dropped, single-spaced words."""
    if value is None or value.isascii():
        return " ".join((value or "").translate(_ASCII_NAME).split())
    return normalise_any_name(value)


def normalise_any_name(value: str) -> str:
    """normalise_name worked through every Unicode step, for names in any script."""
    # Apostrophes go before NFKC too, which would split a spacing accent used as one ("O´Neil") into a mark.
    text = unicodedata.normalize("NFKC", (value or "").translate(_APOSTROPHES)).casefold()
    text = text.translate(_APOSTROPHES).translate(_LATIN_LETTERS)
    kept, fold_marks = [], False
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        if unicodedata.combining(char):
            if not fold_marks:
                kept.append(char)
        elif category.startswith("P") or category == "Cc":
            kept.append(" ")  # hyphens and other punctuation separate words: "Smith-Jones" ~ "Smith Jones"
            fold_marks = False
        elif char != _TATWEEL and (category != "Cf" or char in _KEEP_FORMAT):
            kept.append(char)
            fold_marks = unicodedata.name(char, "").partition(" ")[0] in _OPTIONAL_MARK_SCRIPTS
    return " ".join(unicodedata.normalize("NFC", "".join(kept)).split())


@lru_cache(maxsize=4096)  # ranking meets the same few names for every candidate; emptied after each ranking
def phonetic_key(value: str) -> str:
    """Metaphone code of each Latin word of the name; words in other scripts are kept in their normalised form."""
    words = []
    for word in normalise_name(value).split():
        letters = "".join(char for char in word if "a" <= char <= "z")
        words.append(jellyfish.metaphone(letters) if letters else word)
    return " ".join(word for word in words if word)


def normalise_dob(value: date) -> str:
    """ISO form of a date of birth, the only form ever indexed."""
    return value.isoformat()


def name_similarity(a: str, b: str) -> float:
    """Jaro-Winkler similarity of the normalised names; 0.0 when either is empty."""
    left, right = normalise_name(a), normalise_name(b)
    if not left or not right:
        return 0.0
    return jellyfish.jaro_winkler_similarity(left, right)


def rank_candidates(query: MatchQuery, candidates: list[Candidate]) -> list[ScoredCandidate]:
    """Candidates scoring at least POSSIBLE_MATCH, best first, each with the reasons for its score."""
    given, family = normalise_name(query.given_name or ""), normalise_name(query.family_name or "")
    try:
        scored = [_score(given, family, query.date_of_birth, candidate) for candidate in candidates]
    finally:
        # Decrypted names stay in memory no longer than the ranking that needed them.
        phonetic_key.cache_clear()
        _name_score.cache_clear()
    kept = [item for item in scored if item.score >= POSSIBLE_MATCH]
    return sorted(kept, key=lambda item: item.score, reverse=True)


def birth_date_rules_out(asked: date | None, held: date | None, estimated: bool) -> bool:
    """Whether the held date of birth alone keeps a candidate below POSSIBLE_MATCH, however alike the names are."""
    born = _dob_score(asked, held, estimated)
    return born is not None and NAME_WEIGHT + DOB_WEIGHT * born[0] < POSSIBLE_MATCH


def _score(given: str, family: str, born_asked: date | None, candidate: Candidate) -> ScoredCandidate:
    held = (candidate.given_name, candidate.family_name, tuple(candidate.aliases))
    name = _name_score(given, family, *held) if given or family else None
    born = _dob_score(born_asked, candidate.date_of_birth, candidate.dob_estimated)
    reasons = [part[1] for part in (name, born) if part and part[1]]
    if name is None and born is None:
        score = 0.0
    elif name is None or born is None:
        # An unknown date of birth on either side is no evidence against the name.
        score = (name or born)[0]
    else:
        score = NAME_WEIGHT * name[0] + DOB_WEIGHT * born[0]
    return ScoredCandidate(candidate, round(min(max(score, 0.0), 1.0), 4), reasons)


@lru_cache(maxsize=4096)  # candidates share names (a common name, many namesakes); emptied after each ranking
def _name_score(
    given: str, family: str, held_given: str, held_family: str, aliases: tuple[str, ...]
) -> tuple[float, str]:
    """How alike the asked names (normalised, at least one given) are to the held names and aliases, and why."""
    c_given, c_family = normalise_name(held_given), normalise_name(held_family)
    straight = _pair_score([(given, c_given), (family, c_family)])
    options = [(straight, "exact name" if straight == 1.0 else "similar name")]
    options.append((SWAPPED_FACTOR * _pair_score([(given, c_family), (family, c_given)]), "names swapped"))
    for alias in filter(None, map(normalise_name, aliases)):
        # An alias may stand for either name (a street name) or, with several words, for the whole name.
        options.append((_pair_score([(given, alias), (family, c_family)]), "alias"))
        options.append((_pair_score([(given, c_given), (family, alias)]), "alias"))
        if " " in alias:
            alias_given, alias_family = alias.rsplit(" ", 1)
            options.append((_pair_score([(given, alias_given), (family, alias_family)]), "alias"))
    # max() keeps the first of equal scores, so the straight reading wins ties.
    best = max(options, key=lambda option: option[0])
    return best if best[0] > 0 else (0.0, "")


def _pair_score(pairs: list[tuple[str, str]]) -> float:
    scores = [_part_similarity(asked, held) for asked, held in pairs if asked]
    # Half mean, half weakest: a shared family name alone must not carry a sibling over the threshold.
    return (sum(scores) / len(scores) + min(scores)) / 2


def _part_similarity(asked: str, held: str) -> float:
    if not held:
        return 0.0
    similarity = jellyfish.jaro_winkler_similarity(asked, held)
    code = phonetic_key(asked)
    # A one-sound code ("Zoe" and "Sue" are both "S") says too little to vouch for a match.
    if len(code.replace(" ", "")) >= 2 and code == phonetic_key(held):
        similarity = max(similarity, PHONETIC_CREDIT)
    return similarity


def _dob_score(asked: date | None, held: date | None, estimated: bool) -> tuple[float, str] | None:
    if asked is None or held is None:
        return None
    apart = abs((asked - held).days)
    if apart == 0 and not estimated:
        return 1.0, "same date of birth"
    if apart == 0 or _swapped_day_month(asked, held) or _one_digit_apart(asked, held):
        return 0.8, "date of birth close"
    if apart <= 366:
        return (0.6 if estimated else 0.5), "date of birth close"
    # An estimated date is a guess at the age, so two years either side still counts for something.
    if estimated and apart <= 731:
        return 0.4, "date of birth close"
    return 0.0, ""


def _swapped_day_month(a: date, b: date) -> bool:
    return a.year == b.year and a.day == b.month and a.month == b.day


def _one_digit_apart(a: date, b: date) -> bool:
    return sum(x != y for x, y in zip(a.isoformat(), b.isoformat(), strict=True)) == 1
