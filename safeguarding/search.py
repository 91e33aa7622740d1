"""'Is this child already known?': blind-index candidates, decrypted and ranked, filtered by the policy."""

from dataclasses import dataclass

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import Session

from models.crypto import current_keyring
from models.person import Person, PersonIndexToken
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.blind_index import check_sizing, query_tokens
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.matching import Candidate, MatchQuery, rank_candidates
from safeguarding.policy import PersonAccess
from safeguarding.runtime import current as runtime
from safeguarding.validation import clean_text, parse_date

MAX_CANDIDATES = 200
MAX_RESULTS = 25


@dataclass(frozen=True)
class Match:
    person: Person
    access: PersonAccess
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class SearchResult:
    matches: list[Match]
    other_matches: int


def validate_query(given_name, family_name, date_of_birth) -> MatchQuery:
    given = clean_text(given_name, field="given_name", label="a given name", max_length=100, required=False)
    family = clean_text(family_name, field="family_name", label="a family name", max_length=100, required=False)
    born = parse_date(date_of_birth, field="date_of_birth", label="the date of birth", required=False)
    if not (given or family or born):
        raise ValidationFailed({"given_name": "Enter a name or a date of birth to search for"})
    return MatchQuery(given_name=given, family_name=family, date_of_birth=born)


def search_people(session: Session, actor, given_name=None, family_name=None, date_of_birth=None) -> SearchResult:
    """Ranked matches the actor may see (full or limited); the rest are only counted."""
    if not policy.may_see_personal_data(actor):
        raise PermissionDenied("Your role does not give access to people's records")
    query = validate_query(given_name, family_name, date_of_birth)
    tokens = query_tokens(runtime().indexer, query.given_name, query.family_name, query.date_of_birth)
    ranked = _ranked_candidates(session, query, tokens)
    access = policy.people_access(session, actor, [m.person.id for m in ranked])
    visible = [Match(m.person, access[m.person.id], m.score, m.reasons) for m in ranked if access[m.person.id].visible]
    result = SearchResult(visible[:MAX_RESULTS], len(ranked) - len(visible))
    # The event keeps blind-index tokens only: never the name or date searched for.
    record_read(
        session,
        actor,
        action="search",
        object_type="person",
        object_id=None,
        person_ids=[m.person.id for m in result.matches],
        detail={"tokens": sorted({f"{name}:{token}" for name, token in tokens}), "other_matches": result.other_matches},
    )
    return result


def _ranked_candidates(session: Session, query: MatchQuery, tokens) -> list[Match]:
    if not tokens:
        return []
    # One index range per token, added up: a row holds one token, so this counts what an OR of them would, without
    # the OR's de-duplication of rows (a third of the time at a million people).
    matched = union_all(
        *(
            select(PersonIndexToken.person_id).where(PersonIndexToken.index_name == n, PersonIndexToken.token == t)
            for n, t in tokens
        )
    ).subquery()
    hits = (
        select(matched.c.person_id, func.count().label("hits"))
        .group_by(matched.c.person_id)
        .order_by(func.count().desc())
        .limit(MAX_CANDIDATES)
    )
    ids = [row.person_id for row in session.execute(hits)]
    people = {
        p.id: p
        for p in session.scalars(
            select(Person).where(Person.id.in_(ids), Person.erased_at.is_(None), Person.merged_into_id.is_(None))
        )
    }
    # One query for the candidates' data keys instead of one per person as each name is decrypted.
    current_keyring().preload(session, [p.data_key_id for p in people.values()])
    candidates = [_candidate(p) for p in people.values()]
    return [
        Match(people[scored.candidate.id], policy.NO_ACCESS, scored.score, tuple(scored.reasons))
        for scored in rank_candidates(query, candidates)
    ]


def _candidate(person: Person) -> Candidate:
    return Candidate(
        id=person.id,
        given_name=person.given_name or "",
        family_name=person.family_name or "",
        aliases=list(person.aliases or []),
        date_of_birth=person.date_of_birth,
        dob_estimated=person.dob_estimated,
    )


def index_sizing_warnings(session: Session) -> list[str]:
    """Check the blind-index width against the people actually held (run at start-up)."""
    rows = session.scalar(select(func.count()).select_from(Person).where(Person.erased_at.is_(None)))
    return check_sizing(runtime().indexer.population, rows or 0)
