"""What a re-import's item leaves out, the record it updates keeps (import_writers.OPTIONAL_COLUMNS): checked with
what the item gives, as the record will be stored. A case keeps its closing day, which a moved opening day may not
pass; a relationship keeps its last-seen date, which a first-seen date moved by a correction may not pass."""

import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.case import Case
from models.context import Relationship
from safeguarding.contexts import relationship_between
from safeguarding.import_checks import closing_problem
from safeguarding.import_writers import chunks
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
    found = {}
    for i, item, closed in _kept(session, sound["cases"], known, Case.closed_on):
        if problem := closing_problem(item["opened_on"], closed):
            found[f"$.cases[{i}].opened_on"] = (
                f"{problem}: this one is closed on {day_text(closed)}, which it keeps as closed_on is left out"
            )
    for i, item, last in _kept(session, sound["relationships"], known, Relationship.last_seen):
        if problem := relationship_between({"first_seen": item["first_seen"], "last_seen": last}).get("$.last_seen"):
            found[f"$.relationships[{i}].first_seen"] = (
                f"{problem}: this relationship was last seen on {day_text(last)}, which it keeps as last_seen is "
                "left out"
            )
    return found


def _kept(session: Session, items: list[tuple[int, dict]], known: dict[str, tuple[str, str]], column) -> list:
    """(index, item, stored value) for each item of an earlier import that leaves out the field of `column`, whose
    record has a value for it."""
    by_index = dict(items)
    leaving_out = {
        i: known[item["ref"]][1] for i, item in items if item.get("ref") in known and column.key not in item["given"]
    }
    model, stored = column.class_, {}
    for batch in chunks(sorted(set(leaving_out.values()))):
        stored.update(session.execute(select(model.id, column).where(model.id.in_(batch))).all())
    return [(i, by_index[i], stored[record]) for i, record in leaving_out.items() if stored.get(record) is not None]
