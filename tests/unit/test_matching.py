"""'Is this child already known?' (SPEC section 6): normalisation, phonetic keys and candidate ranking."""

from datetime import date

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from safeguarding import matching
from safeguarding.matching import (
    POSSIBLE_MATCH,
    Candidate,
    MatchQuery,
    name_similarity,
    normalise_any_name,
    normalise_dob,
    normalise_name,
    phonetic_key,
    rank_candidates,
)

BORN = date(2010, 3, 14)


def person(id: str, given: str, family: str, born: date | None = BORN, aliases=(), estimated=False) -> Candidate:
    return Candidate(id, given, family, list(aliases), born, estimated)


def ranked(given: str | None, family: str | None, born: date | None, *candidates: Candidate) -> dict[str, tuple]:
    result = rank_candidates(MatchQuery(given, family, born), list(candidates))
    return {scored.candidate.id: (scored.score, scored.reasons) for scored in result}


NORMALISED = {"Zoë": "zoe", "  ZOË   van   der  Berg ": "zoe van der berg", "O'Neil": "oneil", "O’Neil": "oneil",
              "O´Neil": "oneil", "Smith-Jones": "smith jones", "Anne–Marie": "anne marie", "Łukasz": "lukasz",
              "Straße": "strasse", "ｊｏｈｎ": "john", "José\u200bMaría": "josemaria"}  # fmt: skip


@pytest.mark.parametrize(("written", "expected"), NORMALISED.items())
def test_latin_names_fold_case_accents_apostrophes_hyphens_and_spacing(written, expected):
    assert normalise_name(written) == expected


@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_plain_ascii_names_take_a_shortcut_with_the_same_result(written):
    assert normalise_name(written) == normalise_any_name(written)


def test_the_ascii_shortcut_treats_every_ascii_character_as_the_full_normalisation_does():
    every = "".join(map(chr, range(128)))
    assert normalise_name(every) == normalise_any_name(every)
    assert normalise_name(every + " é") == normalise_name(every) + " e"  # a non-ASCII name takes the full path


def test_accented_and_plain_spellings_give_the_same_key():
    assert normalise_name("Zoë") == normalise_name("ZOE") == normalise_name(" zoe ")
    assert normalise_name("O'Neil") == normalise_name("ONeil")
    assert normalise_name("Smith-Jones") == normalise_name("Smith Jones")


@pytest.mark.parametrize("name", ["محمد", "Йосиф Иванов", "王小明", "Ελένη", "יוסף", "किशन"])
def test_non_latin_names_keep_their_script_and_a_stable_key(name):
    key = normalise_name(name)
    assert key
    assert key == normalise_name(name) == normalise_name(key)
    assert not key.isascii()


def test_optional_arabic_vowel_marks_and_tatweel_are_dropped():
    assert normalise_name("مُحَمَّد") == normalise_name("محـمد") == "محمد"


def test_greek_accents_fold_but_cyrillic_short_i_stays_a_letter_of_its_own():
    assert normalise_name("ΕΛΕΝΗ") == normalise_name("Ελένη")
    assert normalise_name("Йосиф") != normalise_name("Иосиф")


@given(st.text())
def test_normalising_twice_changes_nothing(value):
    once = normalise_name(value)
    assert normalise_name(once) == once
    assert once == once.strip() and "  " not in once


MISSPELLINGS = [("Jayden", "Jaden", "JTN"), ("Mohammed", "Muhammad", "MHMT"), ("Catherine", "Kathryn", "K0RN"),
                ("Smith", "Smyth", "SM0"), ("Stephen", "Steven", "STFN"), ("O'Neil", "O'Neill", "ONL")]  # fmt: skip


@pytest.mark.parametrize(("a", "b", "code"), MISSPELLINGS)
def test_common_misspellings_share_a_metaphone_key(a, b, code):
    assert phonetic_key(a) == phonetic_key(b) == code


def test_metaphone_does_not_join_every_variant():
    # Metaphone keeps "sh" apart from "s": Sean and Shaun meet in the ranking, not the phonetic index.
    assert (phonetic_key("Sean"), phonetic_key("Shaun")) == ("SN", "XN")


def test_phonetic_key_codes_each_word_and_ignores_accents():
    assert phonetic_key("Smith-Jones") == "SM0 JNS"
    assert phonetic_key("Zoë") == phonetic_key("Zoe") == "S"


@pytest.mark.parametrize("name", ["محمد", "王小明", "Йосиф"])
def test_phonetic_key_falls_back_to_the_normalised_form_without_latin_letters(name):
    assert phonetic_key(name) == normalise_name(name) != ""


def test_dates_of_birth_are_indexed_in_iso_form():
    assert normalise_dob(date(2009, 1, 2)) == "2009-01-02"


def test_name_similarity_compares_normalised_forms():
    assert name_similarity("Zoë", "zoe") == 1.0
    assert 0.9 < name_similarity("Jayden", "Jaden") < 1.0
    assert name_similarity("Liam", "Oliver") < 0.7
    assert name_similarity("", "Liam") == 0.0


@given(st.text(max_size=30), st.text(max_size=30))
def test_name_similarity_is_a_symmetric_fraction(a, b):
    assert 0.0 <= name_similarity(a, b) <= 1.0
    assert name_similarity(a, b) == pytest.approx(name_similarity(b, a))


def test_exact_name_and_date_of_birth_rank_first():
    result = rank_candidates(
        MatchQuery("Jayden", "Clarke", BORN),
        [person("typo", "Jaden", "Clarke"), person("exact", "Jayden", "Clarke"), person("other", "Maya", "Okafor")],
    )
    assert [scored.candidate.id for scored in result] == ["exact", "typo"]
    assert result[0].score == 1.0
    assert result[0].reasons == ["exact name", "same date of birth"]


def test_a_one_letter_typo_stays_above_the_threshold():
    score, reasons = ranked("Tyler", "Brown", BORN, person("p", "Tylor", "Brown"))["p"]
    assert POSSIBLE_MATCH <= score < 1.0
    assert reasons == ["similar name", "same date of birth"]


def test_sounds_alike_names_are_similar_despite_spelling():
    score, reasons = ranked("Catherine", "Shaw", None, person("p", "Kathryn", "Shaw"))["p"]
    assert score >= POSSIBLE_MATCH
    assert reasons == ["similar name"]


def test_swapped_given_and_family_names_are_found_and_said_so():
    score, reasons = ranked("Chen", "Wei", BORN, person("p", "Wei", "Chen"))["p"]
    assert score >= POSSIBLE_MATCH
    assert reasons == ["names swapped", "same date of birth"]


def test_an_alias_counts_as_either_name():
    known = person("p", "Marcus", "Reid", aliases=["Tiny", "Jay Smith"])
    assert ranked("Tiny", "Reid", BORN, known)["p"][1] == ["alias", "same date of birth"]
    assert ranked("Jay", "Smith", None, known)["p"] == (1.0, ["alias"])
    assert ranked(None, "Tiny", None, known)["p"][1] == ["alias"]


def test_an_unrelated_person_is_dropped_even_with_the_same_birthday():
    assert ranked("Oliver", "Green", BORN, person("p", "Liam", "Brown")) == {}


def test_a_sibling_sharing_only_the_family_name_is_not_a_match():
    assert ranked("Jayden", "Clarke", None, person("p", "Maya", "Clarke")) == {}


def test_the_same_name_with_a_clearly_different_birth_date_is_another_child():
    assert ranked("Jayden", "Clarke", date(2014, 8, 1), person("p", "Jayden", "Clarke")) == {}


@pytest.mark.parametrize(
    ("asked", "held", "estimated", "credit"),
    [
        (date(2010, 3, 4), date(2010, 4, 3), False, 0.8),  # day and month swapped
        (BORN, date(2010, 3, 15), False, 0.8),  # one digit wrong
        (BORN, date(2012, 3, 14), False, 0.8),  # one digit of the year wrong
        (BORN, date(2009, 9, 30), False, 0.5),  # within a year
        (BORN, BORN, True, 0.8),  # the estimate hits the date
        (BORN, date(2009, 9, 30), True, 0.6),
        (BORN, date(2008, 6, 1), True, 0.4),  # an estimate two years out still counts a little
    ],
)
def test_near_dates_of_birth_earn_partial_credit_enough_to_keep_an_exact_name(asked, held, estimated, credit):
    score, reasons = ranked("Ava", "Khan", asked, person("p", "Ava", "Khan", held, estimated=estimated))["p"]
    assert score == pytest.approx(0.7 + 0.3 * credit)
    assert reasons == ["exact name", "date of birth close"]


def test_a_date_of_birth_alone_finds_exact_and_close_dates():
    people = [
        person("same", "A", "B"),
        person("typo", "C", "D", date(2010, 3, 15)),
        person("year", "E", "F", date(2009, 9, 30)),
    ]
    found = ranked(None, None, BORN, *people)
    assert found == {"same": (1.0, ["same date of birth"]), "typo": (0.8, ["date of birth close"])}


def test_an_unknown_date_of_birth_is_no_evidence_against():
    assert ranked("Jayden", "Clarke", BORN, person("p", "Jayden", "Clarke", None))["p"] == (1.0, ["exact name"])


def test_results_come_best_first_and_never_below_the_threshold():
    people = [person(str(i), name, "Clarke") for i, name in enumerate(["Jaden", "Jayden", "Jaiden", "Maya", "Jade"])]
    result = rank_candidates(MatchQuery("Jayden", "Clarke"), people)
    scores = [scored.score for scored in result]
    assert scores == sorted(scores, reverse=True)
    assert all(POSSIBLE_MATCH <= score <= 1.0 for score in scores)
    assert result[0].candidate.id == "1" and "3" not in {scored.candidate.id for scored in result}


def test_namesakes_score_alike_and_no_decrypted_name_outlives_the_ranking():
    namesakes = [person(f"p{i}", "Jayden", "Clarke", date(2010, 3, 14 + i % 2)) for i in range(6)]
    result = ranked("Jayden", "Clarke", BORN, *namesakes, person("alias", "Marcus", "Reid", aliases=["Jayden Clarke"]))
    assert [result[f"p{i}"] for i in range(0, 6, 2)] == [(1.0, ["exact name", "same date of birth"])] * 3
    assert result["p1"][1] == ["exact name", "date of birth close"]
    assert result["alias"] == (1.0, ["alias", "same date of birth"])
    assert matching._name_score.cache_info().currsize == 0
    assert matching.phonetic_key.cache_info().currsize == 0


@given(st.dates(date(1990, 1, 1), date(2025, 12, 31)), st.dates(date(1990, 1, 1), date(2025, 12, 31)), st.booleans())
@example(BORN, BORN, False)
@example(BORN, date(2010, 3, 4), False)
@example(BORN, date(2016, 3, 14), False)
@example(BORN, date(2011, 3, 1), False)
@example(BORN, date(2011, 12, 1), True)
@example(BORN, date(2012, 6, 1), True)
def test_a_date_of_birth_rules_a_candidate_out_exactly_when_even_the_same_name_would_not_be_a_possible_match(
    asked, held, estimated
):
    namesake = person("p", "Jayden", "Clarke", held, estimated=estimated)
    assert matching.birth_date_rules_out(asked, held, estimated) == (
        "p" not in ranked("Jayden", "Clarke", asked, namesake)
    )


def test_an_unknown_date_of_birth_on_either_side_rules_no_one_out():
    assert not matching.birth_date_rules_out(None, BORN, False)
    assert not matching.birth_date_rules_out(BORN, None, False)
