"""A copy of the database holds no plaintext of any sensitive field, on SQLite and PostgreSQL alike."""

import logging
import subprocess
from pathlib import Path

import sqlalchemy as sa

from app.extensions import db
from models.crypto import UNREADABLE
from models.person import Person
from safeguarding import case_chronology, cases, contexts, people, referrals

MARKERS = {
    "given_name": "Quillonetta",
    "family_name": "Zarbrowicz",
    "date_of_birth": "2009-07-13",
    "address": "77 Wexcombe Crescent",
    "notes": "Marker-notes-Pelargonium",
    "aliases": ["Fizzwick"],
    "phone": "07700 900461",
}
CHRONOLOGY_MARKER = "Marker-chronology-Thistledown"
RELATIONSHIP_MARKER = "Marker-edge-Bramblecote"
PLACE_MARKER = "Marker-place-Larkspur"
# Free text beside a referral and a case: why consent was overridden, why it was declined, why the case closed.
REFERRAL_MARKERS = {"lawful_basis_reason": "Marker-basis-Foxglove", "decline_reason": "Marker-decline-Yarrow"}
CLOSED_MARKER = "Marker-closed-Campion"


def seed_markers(actor, database_url, police):
    person = people.record_person(db.session, actor, dict(MARKERS))
    case = cases.open_case(
        db.session,
        actor,
        {
            "subject": {"type": "person", "id": person.id},
            "concerns": ["cse"],
            "risk_level": "high",
            "summary": "Marker-case-Hollyhock",
        },
    )
    case_chronology.add_chronology_entry(
        db.session,
        actor,
        case.id,
        {"occurred_on": "2026-01-05", "category": "contact", "summary": CHRONOLOGY_MARKER, "sensitivity": "general"},
    )
    place = contexts.create_place(
        db.session, actor, {"name": "Riverside Park", "kind": "park", "description": PLACE_MARKER}
    )
    contexts.add_relationship(
        db.session,
        actor,
        {
            "source": {"type": "person", "id": person.id},
            "target": {"type": "place", "id": place.id},
            "kind": "frequents",
            "notes": RELATIONSHIP_MARKER,
        },
    )
    refer_and_decline(actor, police, person)
    case.closed_reason = CLOSED_MARKER
    db.session.commit()
    return person


def refer_and_decline(actor, police, person):
    data = {"person_id": person.id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Seen at night"}
    basis = {"lawful_basis": "consent_overridden", "lawful_basis_reason": REFERRAL_MARKERS["lawful_basis_reason"]}
    referral = referrals.submit_referral(db.session, actor, data | basis)
    decline = {"reason": REFERRAL_MARKERS["decline_reason"]}
    return referrals.transition(db.session, police, referral.id, "decline", decline)


def database_bytes(database_url: str) -> bytes:
    """Everything a copy of the database would hold: the SQLite files, or a pg_dump of PostgreSQL."""
    db.session.remove()
    db.engine.dispose()
    if database_url.startswith("sqlite"):
        path = Path(database_url.removeprefix("sqlite:///"))
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    url = sa.engine.make_url(database_url)
    dump = subprocess.run(
        ["pg_dump", "-h", url.host, "-p", str(url.port or 5432), "-U", url.username, url.database],
        check=True,
        capture_output=True,
    )
    return dump.stdout


def test_a_copy_of_the_database_holds_no_plaintext(app, database_url, make_user):
    seed_markers(make_user("social_worker"), database_url, make_user("police_officer"))
    raw = database_bytes(database_url)
    assert len(raw) > 10_000
    markers = [m for v in MARKERS.values() for m in (v if isinstance(v, list) else [v])]
    markers += [CHRONOLOGY_MARKER, RELATIONSHIP_MARKER, PLACE_MARKER, "Marker-case-Hollyhock", CLOSED_MARKER]
    markers += REFERRAL_MARKERS.values()
    for marker in markers:
        for encoding in ("utf-8", "utf-16-le"):
            assert marker.encode(encoding) not in raw, marker
        assert marker.lower().encode() not in raw, marker


def test_values_read_back_exactly_in_any_script(app, make_user):
    actor = make_user("social_worker")
    names = [("Zoë", "Ní Bhriain"), ("محمد", "الحسن"), ("Алексей", "Смирнов"), ("李", "雷"), ("D'Arcy 🙂", "O’Neil")]
    ids = [
        people.record_person(db.session, actor, {"given_name": g, "family_name": f, "date_of_birth": "2010-01-01"}).id
        for g, f in names
    ]
    db.session.expire_all()
    assert [(db.session.get(Person, i).given_name, db.session.get(Person, i).family_name) for i in ids] == names


def test_ciphertext_copied_to_another_row_does_not_decrypt_and_is_logged(app, make_user, caplog):
    actor = make_user("social_worker")
    first = people.record_person(
        db.session, actor, {"given_name": "Amira", "family_name": "Hussain", "date_of_birth": "2010-05-01"}
    )
    second = people.record_person(
        db.session, actor, {"given_name": "Keisha", "family_name": "Okoro", "date_of_birth": "2011-06-02"}
    )
    db.session.execute(
        sa.update(Person.__table__).where(Person.__table__.c.id == second.id).values(given_name=first.given_name_enc)
    )
    db.session.commit()
    db.session.expire_all()
    with caplog.at_level(logging.ERROR, logger="safecontext.security"):
        assert db.session.get(Person, second.id).given_name is UNREADABLE
    assert any(second.id in r.getMessage() for r in caplog.records)
    assert "Amira" not in caplog.text


def test_ciphertext_copied_to_another_column_does_not_decrypt(app, make_user):
    actor = make_user("social_worker")
    person = people.record_person(
        db.session, actor, {"given_name": "Tariq", "family_name": "Begum", "date_of_birth": "2010-05-01"}
    )
    db.session.execute(
        sa.update(Person.__table__).where(Person.__table__.c.id == person.id).values(family_name=person.given_name_enc)
    )
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Person, person.id).family_name is UNREADABLE
