"""People: record, read, change, flag. Every read and write checks the policy and is audited."""

from datetime import date

from sqlalchemy import delete
from sqlalchemy.orm import Session

import audit
from models.base import utcnow
from models.crypto import current_keyring
from models.person import SEXES, Person, PersonFlag, PersonIndexToken
from safeguarding import policy
from safeguarding.access import load_person, load_person_to_record_on, record_read, require_person_access
from safeguarding.blind_index import person_tokens
from safeguarding.disclosure import plain_value
from safeguarding.errors import Conflict, PermissionDenied, ValidationFailed
from safeguarding.runtime import current as runtime
from safeguarding.validation import boolean, choice, clean_text, collect, parse_date, text_list, version_of

TEXT_FIELDS = {
    # field: (label, max length)
    "ethnicity": ("ethnicity", 100),
    "first_language": ("first language", 100),
    "special_needs": ("special educational needs", 1000),
    "address": ("address", 500),
    "phone": ("phone number", 40),
    "notes": ("notes", 10_000),
}
EDITABLE = (
    "given_name",
    "family_name",
    "date_of_birth",
    "dob_estimated",
    "sex",
    "aliases",
    "identifiers",
    *TEXT_FIELDS,
)


def validate_person(data: dict, *, partial: bool = False, today: date | None = None) -> dict:
    """Check a person's fields; returns clean values for the keys given (all required ones when not partial)."""
    checks = {
        "given_name": lambda v: clean_text(v, field="$.given_name", label="the given name", max_length=100),
        "family_name": lambda v: clean_text(v, field="$.family_name", label="the family name", max_length=100),
        "date_of_birth": lambda v: parse_date(
            v, field="$.date_of_birth", label="the date of birth", not_future=True, today=today
        ),
        "dob_estimated": lambda v: boolean(v, field="$.dob_estimated", label="Estimated date of birth"),
        "sex": lambda v: v if v is None else choice(v, field="$.sex", label="sex", options=SEXES),
        "aliases": lambda v: text_list(v, field="$.aliases", label="aliases", max_items=20, max_length=100),
        "identifiers": _identifiers,
        **{
            key: lambda v, key=key, label=label, length=length: clean_text(
                v, field=f"$.{key}", label=f"the {label}", max_length=length, required=False
            )
            for key, (label, length) in TEXT_FIELDS.items()
        },
        "flags": _flags,
    }
    return collect(checks, data, partial=partial)


def _identifiers(value) -> dict:
    if value is None:
        return {}
    if not isinstance(value, dict) or len(value) > 20:
        raise ValidationFailed({"$.identifiers": "Identifiers must be an object of up to 20 names and values"})
    return {
        clean_text(k, field="$.identifiers", label="an identifier name", max_length=40): clean_text(
            v, field=f"$.identifiers.{k}", label="the identifier", max_length=100
        )
        for k, v in value.items()
    }


def _flags(value) -> list[str]:
    flags = runtime().person_flags
    names = text_list(value, field="$.flags", label="flags", max_items=len(flags), max_length=40)
    unknown = [n for n in names if n not in flags]
    if unknown:
        raise ValidationFailed({"$.flags": f"Unknown flag {unknown[0]!r}: use one of {', '.join(flags)}"})
    return list(dict.fromkeys(names))


def record_person(session: Session, actor, data: dict) -> Person:
    """Record a new person; the recorder may see them for 30 days (rule 0) until a case or referral exists."""
    if not policy.may_record_people(actor):
        raise PermissionDenied("Only practitioners record people")
    clean = validate_person(data)
    flags = clean.pop("flags", [])
    key = current_keyring().create_data_key(session)
    person = Person(data_key_id=key.id, recorded_by_id=actor.id, recorded_by_agency_id=actor.agency_id)
    session.add(person)
    _apply(person, clean)
    for flag in flags:
        person.flags.append(PersonFlag(flag=flag, set_by_id=actor.id))
    session.flush()
    reindex(session, person)
    audit.record(
        session, action="create", actor=actor, object_type="person", object_id=person.id, person_ids=[person.id]
    )
    session.commit()
    return person


def _apply(person: Person, clean: dict) -> None:
    for key, value in clean.items():
        setattr(person, key, value)


def reindex(session: Session, person: Person) -> None:
    """Replace the person's blind-index tokens (names, aliases, date of birth, phonetic keys)."""
    session.execute(delete(PersonIndexToken).where(PersonIndexToken.person_id == person.id))
    tokens = person_tokens(
        runtime().indexer, person.given_name, person.family_name, person.date_of_birth, person.aliases or []
    )
    session.add_all(PersonIndexToken(person_id=person.id, index_name=name, token=token) for name, token in set(tokens))


PURPOSE_MAX = 500  # the most a stated purpose of an access (SPEC 5) may hold: a sentence, not a case note


def view_person(session: Session, actor, person_id: str, purpose: str | None = None):
    """Read a person: full or limited as the policy decides; audited before the data is returned."""
    person = load_person(session, person_id)
    access = require_person_access(session, actor, person, need="visible")
    record_read(
        session,
        actor,
        action="view",
        object_type="person",
        object_id=person.id,
        person_ids=[person.id],
        access=access,
        purpose=purpose,
    )
    return person, access


def update_person(session: Session, actor, person_id: str, data: dict) -> Person:
    """Change a person's fields; refused (409) when the given version is stale."""
    person = load_person_to_record_on(session, person_id)
    require_person_access(session, actor, person)
    version = version_of(data.get("version"), field="$.version")
    unknown = sorted(set(data) - set(EDITABLE) - {"version", "flags"})
    if unknown:
        raise ValidationFailed({f"$.{unknown[0]}": "This field cannot be changed here"})
    clean = validate_person(data, partial=True)
    if version != person.version:
        raise Conflict(f"This record was changed by someone else (now version {person.version}). Reload and try again")
    flags = clean.pop("flags", None)
    _apply(person, clean)
    if flags is not None:
        _set_flags(person, flags, actor)
    if {"given_name", "family_name", "date_of_birth", "aliases"} & set(clean):
        reindex(session, person)
    person.updated_at = utcnow()
    audit.record(
        session,
        action="update",
        actor=actor,
        object_type="person",
        object_id=person.id,
        person_ids=[person.id],
        detail={"fields": sorted([*clean, *(["flags"] if flags is not None else [])])},
    )
    session.commit()
    return person


def current_values(person: Person) -> dict:
    """The person's editable fields and flags as update_person takes them; an unreadable value as none."""
    values = {name: plain_value(getattr(person, name)) for name in EDITABLE}
    values["flags"] = sorted(f.flag for f in person.active_flags)
    return values


def changed_values(person: Person, data: dict) -> dict:
    """The fields of `data` whose values differ from the stored ones (blank text counts as none, lists as sets), so
    that an edit page saves, reindexes and audits only what its user changed."""
    stored = current_values(person)
    return {name: value for name, value in data.items() if _comparable(value) != _comparable(stored[name])}


def _comparable(value):
    if isinstance(value, dict):
        return value or None
    if isinstance(value, list):
        return sorted(value)
    if isinstance(value, str):
        return value.strip() or None
    return value


def _set_flags(person: Person, wanted: list[str], actor) -> None:
    current = {f.flag: f for f in person.active_flags}
    for flag in set(current) - set(wanted):
        current[flag].cleared_at = utcnow()
        current[flag].cleared_by_id = actor.id
    for flag in wanted:
        if flag not in current:
            person.flags.append(PersonFlag(flag=flag, set_by_id=actor.id))
