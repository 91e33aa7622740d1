"""Import from an existing case-management system (SPEC section 10): validate everything, then write it all.

The document's refs are remembered, so importing it again updates the same records instead of duplicating them;
items without a ref match on their natural key. Original dates are kept, everything is encrypted as it is
written, and the import is audited as one event with its counts.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

import audit
from models.import_ref import ImportRef
from models.user import User
from safeguarding import import_writers as writers
from safeguarding.errors import ValidationFailed
from safeguarding.import_checks import SECTIONS, check_document

Progress = Callable[[str, int, int], None] | None


@dataclass
class ImportResult:
    created: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    updated: dict[str, int] = field(default_factory=lambda: dict.fromkeys(SECTIONS, 0))
    ids: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"created": self.created, "updated": self.updated, "ids": self.ids}


def import_document(session: Session, document, *, dry_run: bool = False, progress: Progress = None) -> ImportResult:
    """Check the whole document first (every bad item reported by path); then write it in one transaction."""
    known = {row.ref: (row.kind, row.record_id) for row in session.scalars(select(ImportRef))}
    usernames = {u.username: u.id for u in session.scalars(select(User))}
    clean = check_document(document, known, usernames)
    result = ImportResult()
    context = writers.Context(session=session, known=known, ids=result.ids, users=usernames)
    if dry_run:
        for section, items in clean.items():
            for item in items:
                (result.updated if context.existing_id(section, item) else result.created)[section] += 1
        return result
    for section in SECTIONS:
        items = clean[section]
        for index, item in enumerate(items, start=1):
            created = writers.write(context, section, item)
            (result.created if created else result.updated)[section] += 1
            if progress is not None and (index % 500 == 0 or index == len(items)):
                progress(section, index, len(items))
        session.flush()
    audit.record(
        session,
        action="import",
        actor=None,
        object_type="import",
        object_id=None,
        detail={"created": result.created, "updated": result.updated},
    )
    session.commit()
    return result


def import_failure(failure: ValidationFailed) -> dict:
    return {"error": failure.message, "errors": [{"path": p, "message": m} for p, m in failure.fields.items()]}
