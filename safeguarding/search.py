"""'Is this child already known?': blind-index candidates, decrypted and ranked, filtered by the policy."""

from dataclasses import dataclass, replace
from functools import lru_cache

from sqlalchemy import Select, and_, bindparam, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from models.crypto import DataKey, EncryptedField, current_keyring
from models.id_lists import among, read_columns
from models.person import Person, PersonIndexToken
from safeguarding import policy
from safeguarding.access import record_read
from safeguarding.blind_index import Tokens, check_sizing, query_tokens
from safeguarding.errors import PermissionDenied, ValidationFailed
from safeguarding.matching import Candidate, MatchQuery, ScoredCandidate, birth_date_rules_out, rank_candidates
from safeguarding.policy import PersonAccess
from safeguarding.runtime import current as runtime
from safeguarding.validation import clean_text, parse_date

MAX_CANDIDATES = 200
MAX_RESULTS = 25
# Hits are weighed and summed to choose the candidates decrypted. The date of birth and the whole name's sound
# single out few people, so they are read in full; a date of birth outweighs a namesake's name hits, as a near name
# with the same date outscores the same name with another date. Every other index weighs 1 a hit.
SELECTIVE_WEIGHTS = {"dob": 4, "full_name_phonetic": 1}
# One name alone may be shared by one person in fifty: only a list of candidates' worth of its rows is read,
# bounding the work for a common name.
BROAD_ROWS = MAX_CANDIDATES
# What ranking needs of a candidate, without loading (or decrypting) the rest of the record.
NAME_COLUMNS = (Person.id, Person.data_key_id, Person.given_name_enc, Person.family_name_enc, Person.aliases_enc)
# Read only when a date of birth is searched for: without one, the candidate's date plays no part in the score.
BIRTH_COLUMNS = (Person.date_of_birth_enc, Person.dob_estimated)


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
    # The limited view comes of a case team's work (rule 3): a caller on no open case has nobody in it.
    as_asked, by_name = _scored(session, query, tokens, limited_possible=bool(policy.case_team_people(session, actor)))
    access = policy.people_access(session, actor, {scored.candidate.id for scored in (*as_asked, *by_name)})
    # Whom the caller sees in the limited view (no date of birth) is judged on their names alone, so that trying
    # dates cannot find theirs. The rest are judged on everything asked: those seen in full, and those only counted,
    # whose count is the answer to "already known?" (a misspelt name with the right date still finds a child known
    # to another agency; the count names nobody).
    ranked = [scored for scored in as_asked if access[scored.candidate.id].level != "limited"]
    ranked += [scored for scored in by_name if access[scored.candidate.id].level == "limited"]
    visible = _as_disclosed(query, [scored for scored in ranked if access[scored.candidate.id].visible], access)
    shown = visible[:MAX_RESULTS]
    people = _people(session, [scored.candidate.id for scored in shown])
    result = SearchResult(
        [Match(people[s.candidate.id], access[s.candidate.id], s.score, tuple(s.reasons)) for s in shown],
        len(ranked) - len(visible),
    )
    # The event keeps blind-index tokens only: never the name or date searched for.
    record_read(
        session,
        actor,
        action="search",
        object_type="person",
        object_id=None,
        person_ids=[m.person.id for m in result.matches],
        detail={"tokens": sorted({f"{name}:{token}" for name, token in tokens}), "other_matches": result.other_matches},
        shown=[m.access for m in result.matches],
    )
    return result


def _as_disclosed(
    query: MatchQuery, visible: list[ScoredCandidate], access: dict[str, PersonAccess]
) -> list[ScoredCandidate]:
    """The visible matches, those of limited view scored on their display name alone, best first.

    A limited view shows no date of birth and no aliases (SPEC 4), so neither may move its score or give a reason
    ("same date of birth" would confirm the date searched for); a limited match that its name alone does not carry
    over the threshold is only counted, like the people the caller may not see.
    """
    limited = [scored.candidate for scored in visible if not access[scored.candidate.id].full]
    full = [scored for scored in visible if access[scored.candidate.id].full]
    if not limited:
        return _best_first(full)
    by_name = rank_candidates(
        replace(query, date_of_birth=None),
        [replace(candidate, aliases=(), date_of_birth=None, dob_estimated=False) for candidate in limited],
    )
    return _best_first(full + by_name)


def _best_first(scored: list[ScoredCandidate]) -> list[ScoredCandidate]:
    # Ties go by id, not by the order rows came in: that order may follow the candidates a date of birth brought.
    return sorted(scored, key=lambda item: (-item.score, item.candidate.id))


def _scored(
    session: Session, query: MatchQuery, tokens: Tokens, *, limited_possible: bool
) -> tuple[list[ScoredCandidate], list[ScoredCandidate]]:
    """The candidates ranked on everything asked, and those met by name ranked on their names alone.

    The second serve the people the caller sees in the limited view, which shows no date of birth (SPEC 4): they
    are chosen by the name tokens alone and scored with no date of birth, so that trying dates moves neither
    whether they are listed nor their score. Without a date of birth asked, both are the same; without anyone
    possibly in the limited view, the second are not needed.
    """
    if query.date_of_birth is None:
        ranked = ranked_candidates(session, query, tokens)
        return ranked, ranked
    if not limited_possible:
        return ranked_candidates(session, query, tokens), []
    ids = _promising_people(session, tokens)
    named_ids = _promising_people(session, [(name, token) for name, token in tokens if name != "dob"])
    as_asked, by_name = _candidates(session, query, ids, named_ids)
    return rank_candidates(query, as_asked), rank_candidates(replace(query, date_of_birth=None), by_name)


def ranked_candidates(session: Session, query: MatchQuery, tokens: Tokens) -> list[ScoredCandidate]:
    """The most promising people by blind-index hits, decrypted and ranked on everything asked: those scoring a
    possible match."""
    as_asked, _ = _candidates(session, query, _promising_people(session, tokens), [])
    return rank_candidates(query, as_asked)


def _candidates(
    session: Session, query: MatchQuery, ids: list[str], named_ids: list[str]
) -> tuple[list[Candidate], list[Candidate]]:
    """The people of `ids` as candidates for everything asked (those their date of birth rules out are left
    sealed), and those of `named_ids` as candidates for their names alone (their date of birth never read)."""
    every = list(dict.fromkeys([*ids, *named_ids]))
    if not every:
        return [], []
    with_birth = query.date_of_birth is not None
    columns = NAME_COLUMNS + (BIRTH_COLUMNS if with_birth else ())
    rows = read_columns(
        session,
        select(*(column.label(column.key) for column in columns), DataKey.master_key_id, DataKey.wrapped_key)
        .join(DataKey, DataKey.id == Person.data_key_id)
        .where(among(Person.id, every), Person.erased_at.is_(None), Person.merged_into_id.is_(None)),
    ).all()
    # The candidates' data keys come with their rows, unwrapped together, not one query per person as names decrypt.
    current_keyring().remember((row.data_key_id, row.master_key_id, row.wrapped_key) for row in rows)
    asked, named = set(ids), set(named_ids)
    by_name_query = replace(query, date_of_birth=None)
    as_asked, by_name = [], []
    for row in rows:
        candidate = _candidate(session, row, query) if row.id in asked else None
        if candidate is not None:
            as_asked.append(candidate)
        if row.id in named:
            if candidate is None:
                by_name.append(_candidate(session, row, by_name_query))
            else:
                by_name.append(replace(candidate, date_of_birth=None, dob_estimated=False))
    return as_asked, by_name


def _promising_people(session: Session, tokens: Tokens) -> list[str]:
    """Up to MAX_CANDIDATES person ids with the most weight of hits."""
    if not tokens:
        return []
    params = {"candidates": MAX_CANDIDATES, "broad_rows": BROAD_ROWS}
    for position, (name, token) in enumerate(tokens):
        params |= {f"index_{position}": name, f"token_{position}": token}
    statement = _hit_count(tuple(SELECTIVE_WEIGHTS.get(name, 0) for name, _ in tokens))
    return list(session.scalars(statement, params))


@lru_cache(maxsize=256)
def _hit_count(weights: tuple[int, ...]) -> Select:
    """The weight of each person's hits, one index lookup per token; built once per pattern of token weights.

    A selective index (weight above 0) is read in full. Of a broad one, the first BROAD_ROWS rows are read, and the
    people the selective ones met are looked up in it too: their broad hits count exactly, so namesakes outrank
    strangers whose whole name merely shares a truncated token.
    """
    token = PersonIndexToken

    def is_token(position: int):
        return and_(token.index_name == bindparam(f"index_{position}"), token.token == bindparam(f"token_{position}"))

    selective = [(position, weight) for position, weight in enumerate(weights) if weight]
    broad = [position for position, weight in enumerate(weights) if not weight]
    weighed = [select(token.person_id, literal(weight).label("weight")).where(is_token(p)) for p, weight in selective]
    if broad:
        read = [select(token.person_id).where(is_token(p)).limit(bindparam("broad_rows")).subquery() for p in broad]
        if not selective:
            lookups = [select(rows) for rows in read]
        else:
            met = union_all(*(select(token.person_id).where(is_token(p)) for p, _ in selective)).cte("met")
            # The people met count their broad hits exactly, from all their tokens found by person (materialised, so
            # that no engine reads the broad indexes' whole ranges to apply the filter instead); the rest, as read.
            held = (
                select(token.person_id, token.index_name, token.token)
                .where(token.person_id.in_(select(met)))
                .cte("held")
                .prefix_with("MATERIALIZED")
            )
            is_held = [
                and_(held.c.index_name == bindparam(f"index_{p}"), held.c.token == bindparam(f"token_{p}"))
                for p in broad
            ]
            lookups = [select(rows).where(rows.c.person_id.not_in(select(met))) for rows in read]
            lookups.append(select(held.c.person_id).where(or_(*is_held)))
        hits = union_all(*lookups).subquery()
        weighed.append(select(hits.c.person_id, literal(1).label("weight")))
    # UNION ALL and a sum, not an OR: a row holds one token, so this counts the same hits without de-duplicating rows.
    matched = union_all(*weighed).subquery()
    return (
        select(matched.c.person_id)
        .group_by(matched.c.person_id)
        .order_by(func.sum(matched.c.weight).desc(), matched.c.person_id)
        .limit(bindparam("candidates"))
    )


def _candidate(session: Session, row, query: MatchQuery) -> Candidate | None:
    """The candidate decrypted, or None when their date of birth alone rules them out: their names stay sealed."""

    def read(field: EncryptedField, blob: bytes | None):
        # A shredded value (None) or one that fails its integrity check (UNREADABLE) ranks as nothing known.
        return field.read_stored(session, row.id, blob) or None

    born = {}
    if query.date_of_birth is not None:
        born = {"date_of_birth": read(Person.date_of_birth, row.date_of_birth_enc), "dob_estimated": row.dob_estimated}
        if birth_date_rules_out(query.date_of_birth, born["date_of_birth"], row.dob_estimated):
            return None
    return Candidate(
        id=row.id,
        given_name=read(Person.given_name, row.given_name_enc) or "",
        family_name=read(Person.family_name, row.family_name_enc) or "",
        aliases=list(read(Person.aliases, row.aliases_enc) or []),
        **born,
    )


def _people(session: Session, ids: list[str]) -> dict[str, Person]:
    """The records shown, loaded whole only now: the candidates were read as bare columns."""
    if not ids:
        return {}
    return {person.id: person for person in session.scalars(select(Person).where(Person.id.in_(ids)))}


def index_sizing_warnings(session: Session) -> list[str]:
    """Check the blind-index width against the people actually held (run at start-up)."""
    rows = session.scalar(select(func.count()).select_from(Person).where(Person.erased_at.is_(None)))
    return check_sizing(runtime().indexer.population, rows or 0)
