"""Which people the search decrypts and ranks when more share a token than it reads, and what an unreadable field
ranks as (SPEC section 6)."""

import pytest
from sqlalchemy import update

from app.extensions import db
from models.person import Person, PersonIndexToken
from safeguarding import search
from safeguarding.blind_index import query_tokens
from safeguarding.runtime import current as runtime


@pytest.fixture
def few_candidates(monkeypatch):
    """A candidate limit small enough for a handful of records to outnumber it."""
    monkeypatch.setattr(search, "MAX_CANDIDATES", 3)


def test_a_near_name_with_the_same_date_of_birth_outranks_namesakes_born_on_other_days(
    few_candidates, record_child, social_worker
):
    for day in range(1, 6):
        record_child(given_name="Jayden", family_name="Clarke", date_of_birth=f"2011-05-{day:02}")
    # "Clake" sounds unlike "Clarke", so this record shares only the date of birth and the given name.
    misspelt = record_child(given_name="Jayden", family_name="Clake", date_of_birth="2011-03-27")
    found = search.search_people(db.session, social_worker, "Jayden", "Clarke", "2011-03-27")
    assert found.matches[0].person.id == misspelt.id
    assert "same date of birth" in found.matches[0].reasons


def test_people_sharing_only_a_given_name_are_read_no_further_than_the_limit(
    few_candidates, record_child, social_worker
):
    for family in ("Clarke", "Walsh", "Okoro", "Brennan", "Ahmed"):
        record_child(given_name="Jayden", family_name=family)
    found = search.search_people(db.session, social_worker, "Jayden", None, None)
    assert len(found.matches) + found.other_matches == 3


def test_the_whole_name_and_date_of_birth_are_found_among_many_sharing_the_given_name(
    few_candidates, record_child, social_worker
):
    for family in ("Walsh", "Okoro", "Brennan", "Ahmed", "Reid"):
        record_child(given_name="Jayden", family_name=family, date_of_birth="2010-01-20")
    wanted = record_child(given_name="Jayden", family_name="Clarke", date_of_birth="2011-03-27")
    found = search.search_people(db.session, social_worker, "Jayden", "Clarke", "2011-03-27")
    assert [m.person.id for m in found.matches][:1] == [wanted.id]
    assert found.matches[0].score == 1.0


def test_a_date_of_birth_failing_its_integrity_check_counts_as_unknown(record_child, social_worker):
    child = record_child(given_name="Jayden", family_name="Clarke", date_of_birth="2011-03-27")
    tampered = child.date_of_birth_enc[:-1] + bytes([child.date_of_birth_enc[-1] ^ 1])
    db.session.execute(update(Person).where(Person.id == child.id).values({Person.date_of_birth_enc: tampered}))
    db.session.commit()
    [match] = search.search_people(db.session, social_worker, "Jayden", "Clarke", "2011-03-27").matches
    assert (match.person.id, match.score, match.reasons) == (child.id, 1.0, ("exact name",))


def test_strangers_sharing_the_whole_name_token_by_truncation_do_not_crowd_out_a_near_name(
    few_candidates, record_child, social_worker
):
    wanted = record_child(given_name="Yusuf", family_name="Price-Clarke")
    asked = ("Yusu", "Price-Clarke")  # "Yusu" sounds unlike "Yusuf": only the family name's tokens meet the record
    [whole_name] = [t for t in query_tokens(runtime().indexer, *asked) if t[0] == "full_name_phonetic"][:1]
    for index in range(5):
        stranger = record_child(given_name="Amara", family_name=f"Cole{'x' * index}")
        # As if the truncated token of this stranger's whole name were also that of the name asked for.
        db.session.add(PersonIndexToken(person_id=stranger.id, index_name=whole_name[0], token=whole_name[1]))
    db.session.commit()
    found = search.search_people(db.session, social_worker, *asked, None)
    assert [m.person.id for m in found.matches] == [wanted.id]
