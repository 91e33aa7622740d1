"""Correcting a place or a group (a misspelt name, the wrong kind or area, a better description): the record keeps
its id and its links, on the version the corrector saw, audited with the fields changed (never their values)."""

from sqlalchemy.orm import Session

import audit
from models.context import Group, Place
from safeguarding.contexts import GROUP_CHECKS, PLACE_CHECKS, load_group, load_visible_place, require_practitioner
from safeguarding.errors import Conflict
from safeguarding.validation import collect_only, version_of


def correct_place(session: Session, actor, place_id: str, data: dict) -> Place:
    """A home may be corrected only by those who may see it; a place made a home is then shown as homes are."""
    require_practitioner(actor)
    return _correct(session, actor, load_visible_place(session, actor, place_id), "place", PLACE_CHECKS, data)


def correct_group(session: Session, actor, group_id: str, data: dict) -> Group:
    require_practitioner(actor)
    return _correct(session, actor, load_group(session, group_id), "group", GROUP_CHECKS, data)


def _correct(session: Session, actor, record, kind: str, checks: dict, data: dict):
    def version_given(_clean: dict) -> dict:  # an edit names the version it saw, whatever else it changes
        return {} if "version" in data else {"$.version": "Give the version of the record you are changing"}

    version = {"version": lambda v: version_of(v, field="$.version")}
    clean = collect_only(version | checks, data, partial=True, between=version_given)
    if clean.pop("version") != record.version:
        raise Conflict(f"This {kind} was changed by someone else (now version {record.version}). Reload and try again")
    changed = sorted(field for field, value in clean.items() if getattr(record, field) != value)
    if not changed:
        return record
    for field in changed:
        setattr(record, field, clean[field])  # through the ORM, which encrypts the description
    audit.record(
        session, action="update", actor=actor, object_type=kind, object_id=record.id, detail={"fields": changed}
    )
    session.commit()
    return record
