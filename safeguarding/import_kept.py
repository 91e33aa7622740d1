"""What a re-import's item leaves out, the record it updates keeps (import_writers.OPTIONAL_COLUMNS): checked with
what the item gives, as the record will be stored. A case keeps its closing day, which a moved opening day may not
pass; a relationship keeps its last-seen date, which a first-seen date moved by a correction may not pass, and a
correction made on the record, which the import may not make a second of; and a referral keeps the progress made on
the record since, with which the times the item gives must fall in order."""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.case import Case
from models.context import Relationship
from models.referral import Referral
from safeguarding.contexts import relationship_between
from safeguarding.import_checks import closing_problem
from safeguarding.import_referrals import progress_problems
from safeguarding.import_rows import chunks, stored_columns
from safeguarding.import_writers import EDGE_IDENTITY, corrects
from safeguarding.validation import day_text

_ITEM = re.compile(r"\$\.\w+\[\d+\]")


def kept_conflicts(
    session: Session, clean: dict[str, list[dict]], known: dict[str, tuple[str, str]], problems: dict[str, str]
) -> dict[str, str]:
    """By path, what an item of an earlier import gives that the value its record keeps refuses. Items with a
    problem of their own (in `problems`) are left to it."""
    bad = {found.group() for path in problems if (found := _ITEM.match(path))}
    sound = {
        section: [(i, item) for i, item in enumerate(items) if f"$.{section}[{i}]" not in bad]
        for section, items in clean.items()
    }
    return (
        _closing_days(session, sound["cases"], known)
        | _last_seen(session, sound["relationships"], known)
        | _corrected(session, sound["relationships"], known)
        | _progress(session, sound["referrals"], known)
    )


def _closing_days(session: Session, items: list[tuple[int, dict]], known: dict[str, tuple[str, str]]) -> dict:
    found = {}
    for i, item, closed in _kept(session, items, known, Case.closed_on):
        if problem := closing_problem(item["opened_on"], closed):
            found[f"$.cases[{i}].opened_on"] = (
                f"{problem}: this one is closed on {day_text(closed)}, which it keeps as closed_on is left out"
            )
    return found


def _last_seen(session: Session, items: list[tuple[int, dict]], known: dict[str, tuple[str, str]]) -> dict:
    found = {}
    for i, item, last in _kept(session, items, known, Relationship.last_seen):
        if problem := relationship_between({"first_seen": item["first_seen"], "last_seen": last}).get("$.last_seen"):
            found[f"$.relationships[{i}].first_seen"] = (
                f"{problem}: this relationship was last seen on {day_text(last)}, which it keeps as last_seen is "
                "left out"
            )
    return found


def _corrected(session: Session, items: list[tuple[int, dict]], known: dict[str, tuple[str, str]]) -> dict:
    """An edge corrected on the record has its correction: the service refuses a second (it would leave two edges
    in its place), and so does an import that would correct it again."""
    earlier = {i: known[item["ref"]][1] for i, item in items if item.get("ref") in known}
    stored, by_index = stored_columns(session, Relationship, earlier.values(), *EDGE_IDENTITY), dict(items)
    replaced = set()
    for batch in chunks(sorted(set(earlier.values()))):
        replaced.update(
            session.scalars(select(Relationship.supersedes_id).where(Relationship.supersedes_id.in_(batch)))
        )
    return {
        f"$.relationships[{i}].ref": "This relationship was corrected on the record since it was imported, and one "
        "correction replaces it: correct the relationship that replaced it there"
        for i, record in earlier.items()
        if record in replaced and corrects(by_index[i], known.get(by_index[i]["target"], ("", None))[1], stored[record])
    }


def _progress(session: Session, items: list[tuple[int, dict]], known: dict[str, tuple[str, str]]) -> dict:
    earlier = {i: known[item["ref"]][1] for i, item in items if item.get("ref") in known}
    columns = (Referral.status, Referral.acknowledged_at, Referral.decided_at, Referral.withdrawn_at)
    stored, by_index, found = stored_columns(session, Referral, earlier.values(), *columns), dict(items), {}
    for i, record in earlier.items():
        if record in stored:
            before, *times = stored[record]
            on_record = dict(zip(("acknowledged_at", "decided_at", "withdrawn_at"), times, strict=True))
            found |= progress_problems(i, by_index[i], before, on_record)
    return found


def _kept(session: Session, items: list[tuple[int, dict]], known: dict[str, tuple[str, str]], column) -> list:
    """(index, item, stored value) for each item of an earlier import that leaves out the field of `column`, whose
    record has a value for it."""
    by_index = dict(items)
    leaving_out = {
        i: known[item["ref"]][1] for i, item in items if item.get("ref") in known and column.key not in item["given"]
    }
    stored = stored_columns(session, column.class_, leaving_out.values(), column)
    return [
        (i, by_index[i], stored[record][0])
        for i, record in leaving_out.items()
        if stored.get(record, (None,))[0] is not None
    ]
