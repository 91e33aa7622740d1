"""The import writes in chunks: refs, natural keys, encryption and atomicity hold across chunk boundaries."""

from datetime import date

import pytest
import sqlalchemy as sa

from app.extensions import db
from audit.models import AuditEvent
from models.case import CaseMember, ChronologyEntry
from models.context import Relationship
from models.crypto import DecryptionError, current_keyring
from models.import_ref import ImportRef
from models.person import Person, PersonFlag, PersonIndexToken
from models.referral import Referral, ReferralTransition
from models.safeguarding_events import MissingEpisode
from safeguarding import import_rows, import_writers
from safeguarding.blind_index import person_tokens
from safeguarding.importer import import_document
from safeguarding.runtime import current as runtime
from safeguarding.synthetic import borough


@pytest.fixture(autouse=True)
def small_chunks(monkeypatch):
    """Chunks of three items, so that even a small document crosses many chunk boundaries."""
    monkeypatch.setattr(import_rows, "CHUNK", 3)


def count(model, *where) -> int:
    return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))


def people(n: int) -> list[dict]:
    return [
        {"ref": f"p{i}", "given_name": f"Child{i}", "family_name": "Okoro", "date_of_birth": "2011-03-27"}
        for i in range(n)
    ]


def edges(n: int) -> list[dict]:
    """Ref-less edges (matched on their natural key), each person to the next."""
    return [
        {"source": f"p{i}", "target": f"p{i + 1}", "kind": "friend", "agency": "ag", "first_seen": "2024-05-01"}
        for i in range(n - 1)
    ]


AGENCY = [{"ref": "ag", "name": "Chunked CSC", "kind": "social_care"}]


def test_a_borough_imported_twice_is_updated_in_every_chunk_and_never_duplicated(app):
    document = borough(60, seed=3)
    first = import_document(db.session, document)
    totals = {model: count(model) for model in (Person, Relationship, ChronologyEntry, MissingEpisode, Referral)}
    again = import_document(db.session, document)
    assert sum(again.created.values()) == 0
    assert again.updated == {section: first.created[section] for section in first.created}
    assert {model: count(model) for model in totals} == totals
    assert again.ids == first.ids
    assert count(ImportRef) == len(first.ids)


def test_ref_less_duplicates_in_one_document_match_across_chunks(app):
    """The second copy of an edge, chunks later, updates the first instead of adding another."""
    duplicated = edges(8) + [dict(edges(8)[0], last_seen="2024-09-01")]
    result = import_document(db.session, {"agencies": AGENCY, "people": people(8), "relationships": duplicated})
    assert (result.created["relationships"], result.updated["relationships"]) == (7, 1)
    edge = db.session.scalars(sa.select(Relationship).where(Relationship.source_person_id == result.ids["p0"])).one()
    assert edge.last_seen == date(2024, 9, 1)


def test_edges_from_people_of_an_earlier_import_with_and_without_notes(app):
    """A later document's edges need their source's data key only to encrypt notes; without notes there is none."""
    earlier = import_document(db.session, {"agencies": AGENCY, "people": people(3)})
    bare, noted = edges(3)
    noted["notes"] = "Seen together outside the station"
    assert import_document(db.session, {"relationships": [bare]}).created["relationships"] == 1
    assert import_document(db.session, {"relationships": [bare]}).updated["relationships"] == 1
    assert import_document(db.session, {"relationships": [noted]}).created["relationships"] == 1
    stored = {
        edge.target_person_id: edge.notes for edge in db.session.scalars(sa.select(Relationship)).unique()
    }  # fmt: skip
    assert stored == {earlier.ids["p1"]: None, earlier.ids["p2"]: "Seen together outside the station"}


def test_a_dry_run_of_a_reimport_counts_updates_and_writes_nothing(app):
    document = {"agencies": AGENCY, "people": people(7), "relationships": edges(7)}
    import_document(db.session, document)
    document["people"].append({"ref": "p7", "given_name": "New", "family_name": "Okoro", "date_of_birth": "2012-01-01"})
    document["relationships"].append(
        {"source": "p6", "target": "p7", "kind": "friend", "agency": "ag", "first_seen": "2024-05-01"}
    )
    result = import_document(db.session, document, dry_run=True)
    assert (result.created["people"], result.updated["people"]) == (1, 7)
    assert (result.created["relationships"], result.updated["relationships"]) == (1, 6)
    assert (count(Person), count(Relationship)) == (7, 6) and result.ids == {}


def test_every_sensitive_field_is_encrypted_under_its_owners_key_and_bound_to_its_row(app):
    document = borough(30, seed=5)
    result = import_document(db.session, document)
    raw = db.session.execute(sa.text("SELECT given_name, family_name, data_key_id FROM people")).all()
    assert len({key for *_, key in raw}) == len(raw) == 30  # a data key per person
    names = {p[name].encode() for p in document["people"] for name in ("given_name", "family_name")}
    assert not any(name in bytes(blob) for row in raw for blob in row[:2] for name in names)
    person = db.session.get(Person, result.ids["p:0"])
    assert person.given_name == document["people"][0]["given_name"]
    key = current_keyring().key_for(db.session, person.data_key_id)
    assert Person.given_name.unseal(person.given_name_enc, table="people", row_id=person.id, key=key)
    with pytest.raises(DecryptionError):  # the same blob in another row, or another column, does not decrypt
        Person.given_name.unseal(person.given_name_enc, table="people", row_id=result.ids["p:1"], key=key)
    with pytest.raises(DecryptionError):
        Person.family_name.unseal(person.given_name_enc, table="people", row_id=person.id, key=key)
    referral = db.session.scalars(sa.select(Referral)).first()
    assert referral.data_key_id == db.session.get(Person, referral.person_id).data_key_id
    assert referral.reason == "Synthetic concern"
    entry = db.session.scalars(sa.select(ChronologyEntry)).first()
    assert entry.summary.startswith("Synthetic entry")


def test_blind_indexes_follow_a_reimport_and_keep_aliases_added_since(app):
    result = import_document(db.session, {"people": people(5)})
    person = db.session.get(Person, result.ids["p4"])
    person.aliases = ["Tiny"]
    db.session.commit()
    renamed = people(5)
    renamed[4]["given_name"] = "Renamed"
    import_document(db.session, {"people": renamed})
    db.session.expire_all()
    held = set(
        db.session.execute(
            sa.select(PersonIndexToken.index_name, PersonIndexToken.token).where(
                PersonIndexToken.person_id == person.id
            )
        ).all()
    )
    expected = person_tokens(runtime().indexer, "Renamed", "Okoro", date(2011, 3, 27), ["Tiny"])
    assert held == set(expected)


def test_flags_members_and_transitions_are_added_once(app, make_user):
    make_user("social_worker", username="bulk.sw")
    document = {
        "agencies": [*AGENCY, {"ref": "ag-pol", "name": "Chunked Police", "kind": "police"}],
        "people": [dict(p, flags=["looked_after", "looked_after"]) for p in people(4)],
        "cases": [
            {
                "ref": f"c{i}",
                "subject": f"p{i}",
                "agency": "ag",
                "opened_on": "2024-01-01",
                "concerns": ["cce"],
                "risk_level": "low",
                "members": ["bulk.sw", "bulk.sw"],
            }
            for i in range(4)
        ],
        "referrals": [
            {
                "ref": f"r{i}",
                "person": f"p{i}",
                "from_agency": "ag-pol",
                "to_agency": "ag",
                "urgency": "green",
                "reason": "Worried",
                "sent_at": "2024-01-01T09:00:00+00:00",
                "acknowledged_at": "2024-01-01T10:00:00+00:00",
                "decided_at": "2024-01-02T10:00:00+00:00",
                "outcome": "declined",
                "decline_reason": "Threshold not met",
            }
            for i in range(4)
        ],
    }
    import_document(db.session, document)
    import_document(db.session, document)
    assert count(PersonFlag) == 4 and count(CaseMember) == 4
    assert count(ReferralTransition) == 12


def test_a_failure_while_writing_leaves_nothing_behind(app, monkeypatch):
    def broken(self, plan):
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_writers.ImportWriter, "_write_relationships", broken)
    with pytest.raises(RuntimeError):
        import_document(db.session, {"agencies": AGENCY, "people": people(7), "relationships": edges(7)})
    assert (count(Person), count(ImportRef), count(AuditEvent, AuditEvent.action == "import")) == (0, 0, 0)


def test_progress_is_reported_per_chunk(app):
    seen = []
    import_document(db.session, {"people": people(7)}, progress=lambda *report: seen.append(report))
    assert seen == [("people", 3, 7), ("people", 6, 7), ("people", 7, 7)]


def test_a_reimport_over_a_tampered_alias_indexes_the_names_and_logs_the_failure(app, caplog):
    result = import_document(db.session, {"people": people(1)})
    person_id = result.ids["p0"]
    # A blob moved from another column fails its integrity check.
    db.session.execute(sa.text("UPDATE people SET aliases = given_name WHERE id = :id"), {"id": person_id})
    db.session.commit()
    import_document(db.session, {"people": people(1)})
    held = db.session.execute(
        sa.select(PersonIndexToken.index_name, PersonIndexToken.token).where(PersonIndexToken.person_id == person_id)
    ).all()
    assert set(held) == set(person_tokens(runtime().indexer, "Child0", "Okoro", date(2011, 3, 27)))
    assert any("failed its integrity check" in record.getMessage() for record in caplog.records)
