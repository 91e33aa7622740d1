"""Retention purge and erasure: crypto-shredded, gone from search and maps, the audit log still verifies."""

import json
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask import current_app

import audit
from app.extensions import db
from models.case import Case
from models.crypto import KeyDestroyed, current_keyring
from models.person import Person, PersonIndexToken
from safeguarding import cases, contexts, merging, people, retention, search
from safeguarding.errors import NotFound
from safeguarding.runtime import current as runtime
from safeguarding.validation import uk_today
from tests.fixtures.ages import child_birth_date


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


def record(worker, name, born="2001-05-05", **fields):
    return people.record_person(
        db.session, worker, {"given_name": name, "family_name": "Erasable", "date_of_birth": born, **fields}
    )


def cli(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def test_the_schedule_waits_for_the_latest_of_its_three_dates(worker):
    this_year = uk_today().year  # dates from today, so that the test means the same whenever it runs
    young = record(worker, "Young", born=f"{this_year - 10}-01-01")
    adult = record(worker, "Adult", born=f"{this_year - 36}-01-01")
    due = {d.person_id: d for d in retention.due_for_erasure(db.session, date(this_year + 7, 1, 1))}
    assert adult.id in due and young.id not in due  # the young one's 25th birthday is 15 years away
    assert due[adult.id].due_on.year == this_year + 6  # six years after last recorded


def test_an_open_case_keeps_a_person(worker):
    adult = record(worker, "Kept", born="1980-01-01")
    cases.open_case(
        db.session,
        worker,
        {"subject": {"type": "person", "id": adult.id}, "concerns": ["cce"], "risk_level": "low", "summary": "Open"},
    )
    assert retention.due_for_erasure(db.session, date(2090, 1, 1)) == []


def test_dry_run_lists_and_erases_nothing(app, worker):
    person = record(worker, "Listed", born="1980-01-01")
    code, body = cli(app, "retention", "purge", "--dry-run", "--as-of", "2070-01-01", "--json")
    assert code == 0 and [d["person_id"] for d in body["due"]] == [person.id]
    db.session.expire_all()
    assert db.session.get(Person, person.id).erased_at is None


def test_a_dry_run_is_audited_naming_the_people_it_lists(app, worker):
    person = record(worker, "Listed", born="1980-01-01")
    code, body = cli(app, "retention", "purge", "--dry-run", "--as-of", "2070-01-01", "--json")
    assert code == 0 and [d["person_id"] for d in body["due"]] == [person.id]  # each with a date read from the record
    db.session.expire_all()
    [event] = db.session.scalars(sa.select(audit.AuditEvent).where(audit.AuditEvent.action == "retention"))
    assert event.person_id_list == [person.id] and event.detail_dict["dry_run"] is True


def test_purge_crypto_shreds_the_person_and_spares_everyone_else(app, database_url, worker):
    gone = record(worker, "Quillonetta", born="1980-01-01", notes="Marker-erased-notes")
    kept = people.record_person(
        db.session, worker, {"given_name": "Keepme", "family_name": "Other", "date_of_birth": "2015-01-01"}
    )
    park = contexts.create_place(db.session, worker, {"name": "Park", "kind": "park"})
    contexts.add_relationship(
        db.session,
        worker,
        {"source": {"type": "person", "id": gone.id}, "target": {"type": "place", "id": park.id}, "kind": "frequents"},
    )
    search.search_people(db.session, worker, "Quillonetta", "Erasable", None)
    tokens = {
        t
        for (t,) in db.session.execute(
            sa.select(PersonIndexToken.token).where(PersonIndexToken.person_id == gone.id)
        ).all()
    }
    blob, key_id = gone.given_name_enc, gone.data_key_id

    code, body = cli(app, "retention", "purge", "--as-of", "2039-06-01", "--json")
    assert code == 0 and [d["person_id"] for d in body["erased"]] == [gone.id]

    db.session.expire_all()
    with pytest.raises(KeyDestroyed):
        current_keyring().key_for(db.session, key_id)
    assert blob and db.session.get(Person, gone.id).given_name_enc is None
    with pytest.raises(NotFound):
        people.view_person(db.session, worker, gone.id)
    assert db.session.get(Person, kept.id).given_name == "Keepme"
    assert search.search_people(db.session, worker, "Quillonetta", "Erasable", None).matches == []
    assert db.session.query(PersonIndexToken).filter_by(person_id=gone.id).count() == 0
    assert audit.verify(db.engine, runtime().signing_key).ok
    if database_url.startswith("sqlite"):
        db.session.remove()
        db.engine.dispose()
        path = Path(database_url.removeprefix("sqlite:///"))
        raw = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
        assert b"Marker-erased-notes" not in raw
        engine = sa.create_engine(database_url)
        with engine.connect() as conn:
            rows = conn.execute(sa.text("SELECT token FROM person_index_tokens")).all()
        engine.dispose()
        assert not tokens & {t for (t,) in rows}


def test_erase_one_person_on_a_lawful_request(app, worker):
    person = record(worker, "Requested", born="2012-02-02")
    code, body = cli(app, "retention", "erase", person.id, "--reason", "Article 17 request upheld by the DPO", "--json")
    assert code == 0 and body["erased"] == [person.id]
    [event] = [e for e in audit_log() if e.action == "retention"]
    assert event.reason == "Article 17 request upheld by the DPO" and event.person_id_list == [person.id]
    code, body = cli(app, "retention", "erase", person.id, "--reason", "again", "--json")
    assert code == 1 and body["error"]


def test_erase_needs_a_reason_and_a_real_person(app):
    code, body = cli(app, "retention", "erase", "00000000-0000-4000-8000-000000000000", "--reason", "x", "--json")
    assert code == 1 and "error" in body
    code, body = cli(app, "retention", "purge", "--as-of", "not-a-date", "--json")
    assert code == 1 and "as_of" in body["fields"]


def audit_log():
    from audit.models import AuditEvent

    db.session.expire_all()
    return list(db.session.scalars(sa.select(AuditEvent).order_by(AuditEvent.at)))


def test_an_erased_persons_referrals_episodes_and_alerts_go_with_them(worker, make_user):
    from datetime import UTC, datetime, timedelta

    from models.safeguarding_events import MissingEpisode
    from safeguarding import alerts, missing, referral_boxes, referrals

    child = record(worker, "Leaving", born=child_birth_date())
    other = record(worker, "Staying", born=child_birth_date(1))
    police = make_user("police_officer")
    sent = datetime.now(UTC) - timedelta(days=20)
    about = {}
    for person in (child, other):
        for day in range(3):  # three referrals within 90 days: the escalation rule
            body = {"person_id": person.id, "to_agency_id": police.agency_id, "urgency": "amber", "reason": "Worry"}
            about[person.id] = referrals.submit_referral(db.session, worker, body, sent_at=sent + timedelta(days=day))
        returned = datetime.now(UTC) - timedelta(days=10)  # no return interview within 72 hours
        missing.record_episode(
            db.session, worker, person.id, {"reported_at": (returned - timedelta(days=1)).isoformat(),
                                            "returned_at": returned.isoformat()},
        )  # fmt: skip
    lead = make_user("safeguarding_lead")
    fired = {(a.kind, a.person_id) for a in alerts.list_alerts(db.session, lead)}
    assert {("escalation", child.id), ("return_interview", child.id)} <= fired

    retention.erase(db.session, child.id, reason="Lawful request for erasure")

    with pytest.raises(NotFound):
        referrals.load_referral(db.session, about[child.id].id)
    assert referrals.load_referral(db.session, about[other.id].id).person_id == other.id
    inbox = referral_boxes.list_referrals(db.session, police, "inbox").referrals
    assert {r.person_id for r in inbox} == {other.id}
    # A page's total counts the box from its indexes; it leaves them out too, in every box and state.
    assert referral_boxes.list_referrals(db.session, police, "inbox", limit=1).total == 3
    assert referral_boxes.list_referrals(db.session, police, "inbox", limit=1, status="open").total == 3
    assert referral_boxes.list_referrals(db.session, worker, "outbox", limit=1).total == 3
    assert db.session.scalar(sa.select(sa.func.count()).where(MissingEpisode.person_id == child.id)) == 0
    fired = {(a.kind, a.person_id) for a in alerts.list_alerts(db.session, lead)}
    assert {person for _, person in fired} == {other.id}


def test_a_tie_recorded_today_to_someone_recorded_years_ago_keeps_them(worker):
    """The adult of concern was recorded long ago, but a child's tie to them recorded today is a record about them:
    it restarts their six years as it restarts the child's."""
    this_year = uk_today().year
    adult = record(worker, "Adult", born=f"{this_year - 40}-01-01")
    child = record(worker, "Child", born=child_birth_date())
    long_ago = db.session.get(Person, adult.id).updated_at.replace(year=this_year - 7)
    db.session.execute(sa.update(Person).where(Person.id == adult.id).values(updated_at=long_ago))
    db.session.commit()
    assert adult.id in {d.person_id for d in retention.due_for_erasure(db.session, uk_today())}
    link = {"source": {"type": "person", "id": child.id}, "target": {"type": "person", "id": adult.id}}
    contexts.add_relationship(db.session, worker, {**link, "kind": "exploitation_suspected"})
    assert adult.id not in {d.person_id for d in retention.due_for_erasure(db.session, uk_today())}


def test_a_merged_duplicate_is_erased_through_its_survivor_only(app, worker):
    survivor, duplicate = record(worker, "Jaden"), record(worker, "Jayden")
    merging.merge_people(db.session, worker, survivor.id, duplicate.id)
    code, body = cli(app, "retention", "erase", duplicate.id, "--reason", "Article 17 request upheld", "--json")
    assert code == 1 and survivor.id in body["fields"]["person_id"]
    db.session.expire_all()
    assert db.session.get(Person, duplicate.id).erased_at is None
    code, body = cli(app, "retention", "erase", survivor.id, "--reason", "Article 17 request upheld", "--json")
    assert code == 0 and sorted(body["erased"]) == sorted([survivor.id, duplicate.id])


def test_erasing_a_survivor_erases_records_merged_into_it_through_another(app, worker):
    """A was merged into B, then B into C: A's data, still under A's key, went to C with B's."""
    first, second, third = record(worker, "Jaden"), record(worker, "Jayden"), record(worker, "Jaydon")
    merging.merge_people(db.session, worker, second.id, first.id)
    merging.merge_people(db.session, worker, third.id, second.id)
    code, body = cli(app, "retention", "erase", third.id, "--reason", "Article 17 request upheld", "--json")
    assert code == 0 and sorted(body["erased"]) == sorted([first.id, second.id, third.id])


def test_erasing_someone_whose_tie_was_corrected_to_another_keeps_the_correction(app, worker):
    """A tie to one person corrected to another: the corrected tie goes with the person erased, and the correction,
    which is about the people who stay, stays (no longer pointing at a tie that is gone)."""
    child, wrong, right = record(worker, "Child"), record(worker, "Wrong"), record(worker, "Right")
    link = {"source": {"type": "person", "id": child.id}, "kind": "friend"}
    mistaken = contexts.add_relationship(db.session, worker, {**link, "target": {"type": "person", "id": wrong.id}})
    correction = contexts.add_relationship(
        db.session, worker, {**link, "target": {"type": "person", "id": right.id}, "supersedes_id": mistaken.id}
    )
    code, body = cli(app, "retention", "erase", wrong.id, "--reason", "Article 17 request upheld", "--json")
    assert code == 0, body
    from models.context import Relationship

    ties = db.session.execute(sa.select(Relationship.id, Relationship.target_person_id, Relationship.supersedes_id))
    assert ties.all() == [(correction.id, right.id, None)]


def test_a_record_left_under_a_merged_duplicates_id_keeps_its_survivor(worker):
    """An earlier release's merge left context weightings under the duplicate's old id: such a record is still a
    record about the survivor, who is erased with it."""
    from models.context_work import ContextWeighting
    from safeguarding import context_work

    this_year = uk_today().year
    survivor, duplicate = record(worker, "Jaden", born=f"{this_year - 40}-01-01"), record(worker, "Jayden")
    weights = {context: {"harm": 1, "safety": 1} for context in context_work.CONTEXTS}
    context_work.record_weighting(db.session, worker, duplicate.id, {"weights": weights})
    merging.merge_people(db.session, worker, survivor.id, duplicate.id)
    db.session.execute(sa.update(ContextWeighting).values(person_id=duplicate.id))
    long_ago = db.session.get(Person, survivor.id).updated_at.replace(year=this_year - 7)
    db.session.execute(sa.update(Person).values(updated_at=long_ago))
    db.session.commit()
    assert survivor.id not in {d.person_id for d in retention.due_for_erasure(db.session, uk_today())}


def test_an_open_case_left_under_a_merged_duplicates_id_keeps_its_survivor(worker):
    """An earlier release let a case be opened by a merged duplicate's old id: it still keeps the survivor."""
    survivor, duplicate = record(worker, "Jaden", born="1980-01-01"), record(worker, "Jayden", born="1980-01-01")
    about_duplicate = {"subject": {"type": "person", "id": duplicate.id}, "concerns": ["cce"], "risk_level": "low"}
    case = cases.open_case(db.session, worker, {**about_duplicate, "summary": "Opened by the duplicate's old id"})
    merging.merge_people(db.session, worker, survivor.id, duplicate.id)
    db.session.execute(sa.update(Case).where(Case.id == case.id).values(subject_person_id=duplicate.id))
    db.session.commit()
    assert retention.due_for_erasure(db.session, date(2090, 1, 1)) == []


def test_a_date_of_birth_that_fails_its_integrity_check_never_makes_a_child_due(worker):
    """The 25th birthday cannot be known from a tampered date of birth: erasure cannot be undone, so the person is
    kept for someone to put the date right, not erased as if they had none."""
    this_year = uk_today().year
    child = record(worker, "Young", born=f"{this_year - 10}-01-01")
    other = record(worker, "Other", born=f"{this_year - 11}-01-01")
    db.session.execute(
        sa.update(Person.__table__)
        .where(Person.__table__.c.id == child.id)
        .values(date_of_birth=other.date_of_birth_enc)
    )
    db.session.commit()
    db.session.expire_all()
    due = {d.person_id for d in retention.due_for_erasure(db.session, date(this_year + 7, 1, 1))}
    assert child.id not in due


def test_purge_follows_the_configured_schedule(app, worker, monkeypatch):
    this_year = uk_today().year
    adult = record(worker, "Configured", born="1980-01-01")
    for configured in (app, current_app):  # the command runs in the test's own context of a twin app
        monkeypatch.setitem(configured.config, "RETENTION_YEARS_AFTER_ACTIVITY", 10)
    code, body = cli(app, "retention", "purge", "--dry-run", "--as-of", f"{this_year + 7}-01-01", "--json")
    assert code == 0 and body["due"] == []  # six years by default, ten as configured
    code, body = cli(app, "retention", "purge", "--dry-run", "--as-of", f"{this_year + 11}-01-01", "--json")
    assert [(d["person_id"], d["reasons"]) for d in body["due"]] == [
        (adult.id, ["25th birthday", "10 years after last recorded or updated"])
    ]


@pytest.mark.parametrize("value", ["0", "six", "-1"])
def test_a_retention_setting_that_is_no_positive_whole_number_is_refused_at_start(monkeypatch, value):
    from app.config import ConfigurationError, load_config

    assert load_config("test")["RETENTION_AGE"] == 25
    monkeypatch.setenv("SAFECONTEXT_RETENTION_AGE", "30")
    assert retention.RetentionSchedule.configured(load_config("test")) == retention.RetentionSchedule(age=30)
    monkeypatch.setenv("SAFECONTEXT_RETENTION_YEARS_AFTER_CLOSURE", value)
    with pytest.raises(ConfigurationError, match="SAFECONTEXT_RETENTION_YEARS_AFTER_CLOSURE must be a positive whole"):
        load_config("test")
