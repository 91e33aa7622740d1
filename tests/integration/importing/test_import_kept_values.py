"""What a re-import keeps of a stored record (a field its item leaves out, progress made on the record since) is
checked with what the item gives, so that no record is left as the product would never make it."""

from datetime import UTC, date, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.case import Case
from models.context import Relationship
from models.referral import Referral
from models.user import User
from safeguarding import contexts, referrals
from tests.integration.importing.documents import count, document

FLAGS = pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])


@FLAGS
def test_a_case_may_not_open_after_the_closing_day_it_keeps(run, flags):
    _, first = run(document())
    later = document()
    del later["cases"][1]["closed_on"]  # c2 keeps its closing day, 2023-06-30
    later["cases"][1]["opened_on"] = "2023-07-01"
    code, body = run(later, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.cases[1].opened_on": "A case closes on or after the day it opened: this one is closed on 30 June 2023, "
        "which it keeps as closed_on is left out"
    }
    db.session.expire_all()
    assert db.session.get(Case, first["ids"]["c2"]).opened_on == date(2023, 1, 1)
    later["cases"][1]["opened_on"] = "2023-06-30"  # the day it closed: as the item-level check allows
    assert run(later, *flags)[0] == 0


@FLAGS
def test_a_corrected_edge_may_not_be_first_seen_after_the_last_seen_date_it_keeps(run, flags):
    doc = document()
    doc["relationships"][1]["last_seen"] = "2024-06-10"
    run(doc)
    corrected = document()  # r2 first seen later: a correction, which keeps the last-seen date left out
    corrected["relationships"][1]["first_seen"] = "2024-06-15"
    code, body = run(corrected, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.relationships[1].first_seen": "The last-seen date must be on or after the first-seen date: this "
        "relationship was last seen on 10 June 2024, which it keeps as last_seen is left out"
    }
    assert count(Relationship) == 3
    corrected["relationships"][1]["first_seen"] = "2024-06-05"
    code, body = run(corrected, *flags)
    assert code == 0 and body["created"]["relationships"] == 1, body


@pytest.fixture
def receiver(make_user):
    """A social worker of the receiving agency of the document's referrals, ag-csc (once imported)."""

    def make(imported: dict) -> User:
        user = make_user("social_worker")
        user.agency_id = imported["ids"]["ag-csc"]
        db.session.commit()
        return user

    return make


def submitted(item: dict) -> dict:
    return {key: value for key, value in item.items() if key not in ("acknowledged_at", "decided_at", "outcome")}


@FLAGS
def test_a_decision_may_not_come_before_the_acknowledgement_kept_from_the_record(run, receiver, flags):
    doc = document()
    doc["referrals"][0] = submitted(doc["referrals"][0])
    _, first = run(doc)
    referral_id = first["ids"]["ref1"]
    acknowledged = referrals.transition(
        db.session, receiver(first), referral_id, "acknowledge", at=datetime(2024, 5, 10, 10, 30, tzinfo=UTC)
    ).acknowledged_at
    # The old system's later export: acknowledged earlier, decided before the acknowledgement on the record.
    code, body = run(document(), *flags)
    assert code == 1
    assert body["fields"] == {
        "$.referrals[0].decided_at": "decided at is before the referral was acknowledged on the record, "
        "at 10 May 2024 11:30 (UK time), which the import keeps"
    }
    db.session.expire_all()
    assert (db.session.get(Referral, referral_id).status, db.session.get(Referral, referral_id).acknowledged_at) == (
        "acknowledged",
        acknowledged,
    )
    decided_later = document()
    decided_later["referrals"][0]["decided_at"] = "2024-05-10T12:00:00+01:00"
    assert run(decided_later, *flags)[0] == 0


@FLAGS
def test_a_referral_decided_on_the_record_may_not_be_sent_after_its_kept_acknowledgement(run, receiver, flags):
    doc = document()
    doc["referrals"][0] = submitted(doc["referrals"][0]) | {"acknowledged_at": "2024-05-09T15:00:00+01:00"}
    _, first = run(doc)
    decline = {"reason": "No role for us"}
    at = datetime(2024, 5, 11, 9, 0, tzinfo=UTC)
    referrals.transition(db.session, receiver(first), first["ids"]["ref1"], "decline", decline, at=at)
    # A later export that has it only sent, and later than the acknowledgement the record keeps.
    moved = document()
    moved["referrals"][0] = submitted(moved["referrals"][0]) | {"sent_at": "2024-05-09T16:00:00+01:00"}
    code, body = run(moved, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.referrals[0].sent_at": "sent at is after the referral was acknowledged on the record, "
        "at 9 May 2024 15:00 (UK time), which the import keeps"
    }
    moved["referrals"][0]["sent_at"] = "2024-05-09T14:00:00+01:00"
    assert run(moved, *flags)[0] == 0


@FLAGS
def test_an_edge_corrected_on_the_record_is_not_corrected_again_by_a_re_import(run, flags):
    _, first = run(document())
    importer = db.session.scalar(sa.select(User).where(User.username == "importer.sw"))  # on p1's case, c1
    correction = {
        "source": {"type": "person", "id": first["ids"]["p1"]},
        "target": {"type": "place", "id": first["ids"]["pl1"]},
        "kind": "frequents",
        "first_seen": "2024-06-01",
        "supersedes_id": first["ids"]["r2"],
    }
    contexts.add_relationship(db.session, importer, correction)
    corrected = document()
    corrected["relationships"][1]["kind"] = "associate"  # the old system's own correction of r2
    code, body = run(corrected, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.relationships[1].ref": "This relationship was corrected on the record since it was imported, and one "
        "correction replaces it: correct the relationship that replaced it there"
    }
    assert count(Relationship) == 4
    code, body = run(document(), *flags)  # unchanged, it updates the ended edge and corrects nothing
    assert code == 0 and body["created"]["relationships"] == 0, body
