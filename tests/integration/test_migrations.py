"""The migrations build exactly the schema the models describe, and run down and up again."""

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from app.extensions import db


def test_the_migrated_schema_matches_the_models(app):
    with db.engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), db.metadata)
    assert differences == []


def test_migrations_downgrade_to_nothing_and_upgrade_again(app):
    import sqlalchemy as sa

    with app.app_context():
        downgrade(revision="base")
        assert set(sa.inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert "audit_events" in sa.inspect(db.engine).get_table_names()


def test_the_text_migration_0011_encrypts_what_0010_held_as_plain_text_and_back(app, make_user):
    """A referral's reasons and history notes and a case's closing reason: plain text before 0011, encrypted after,
    and the same text read back through the models either way."""
    from safeguarding import cases, people, referral_boxes
    from tests.integration.records.test_encryption_at_rest import CLOSED_MARKER, REFERRAL_MARKERS, refer_and_decline

    worker, police = make_user("social_worker"), make_user("police_officer")
    child = people.record_person(
        db.session, worker, {"given_name": "Ada", "family_name": "Okafor", "date_of_birth": "2012-04-01"}
    )
    subject = {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "low"}
    case = cases.open_case(db.session, worker, subject | {"summary": "Seen with older boys"})
    case.closed_reason = CLOSED_MARKER
    referral = refer_and_decline(worker, police, child)
    db.session.commit()
    texts = "SELECT r.lawful_basis_reason, r.decline_reason, c.closed_reason FROM referrals r, cases c"
    counts = "SELECT (SELECT count(*) FROM referral_transitions), (SELECT count(*) FROM case_members)"
    with db.engine.connect() as conn:
        kept = conn.exec_driver_sql(counts).one()
    with app.app_context():
        downgrade(revision="7f3b1c9e2a48")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(texts).one() == (*REFERRAL_MARKERS.values(), CLOSED_MARKER)
            notes = conn.exec_driver_sql("SELECT note FROM referral_transitions WHERE note IS NOT NULL").scalars()
            assert list(notes) == [REFERRAL_MARKERS["decline_reason"]]
            assert conn.exec_driver_sql(counts).one() == kept  # a rebuilt table would have cascaded to these
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(counts).one() == kept
            assert all(isinstance(value, bytes | memoryview) for value in conn.exec_driver_sql(texts).one())
    db.session.expire_all()
    assert [referral.lawful_basis_reason, referral.decline_reason] == list(REFERRAL_MARKERS.values())
    assert db.session.get(type(case), case.id).closed_reason == CLOSED_MARKER
    assert [step.note for step in referral_boxes.history(db.session, referral)] == [
        None,
        REFERRAL_MARKERS["decline_reason"],
    ]


def test_the_migration_0013_takes_the_birthday_out_of_stored_transition_alerts(app, make_user):
    """A transition alert stored before 0013 named the 18th birthday: that date of birth in plain text goes."""
    from datetime import date

    from safeguarding.alert_store import fire
    from safeguarding.alerts import TRANSITION_DETAIL

    with app.app_context():
        downgrade(revision="9e4f2a6b8c13")
        fire(db.session, "transition", fired_on=date(2026, 9, 1), detail="Turns 18 on 2027-03-01: plan the transition")
        fire(db.session, "escalation", fired_on=date(2026, 9, 1), detail="3 referrals within 90 days")
        db.session.commit()
        upgrade()
        with db.engine.connect() as conn:
            details = dict(conn.exec_driver_sql("SELECT kind, detail FROM alerts").all())
    assert details == {"transition": TRANSITION_DETAIL, "escalation": "3 referrals within 90 days"}


def test_the_migration_0016_leaves_every_existing_user_free_of_a_password_change(app, make_user):
    """Accounts made before 0016 keep their password: none is sent to choose a new one at its next sign-in."""
    user = make_user("social_worker")
    with app.app_context():
        downgrade(revision="6c2a9d4e1f37")
        upgrade()
    db.session.expire_all()
    assert db.session.get(type(user), user.id).must_change_password is False


def test_the_migration_0020_reads_sqlite_audit_fields_out_of_the_bytes_and_mends_no_edited_log(app, make_user, caplog):
    """Every field reads as before; a stored field that disagrees with its bytes stops the upgrade, changing nothing."""
    from audit.derived_columns import derived_on_sqlite
    from audit.schema import append_only_ddl, drop_append_only_ddl

    make_user("social_worker")  # its creation is audited
    fields = "SELECT id, at, actor_user_id, action, object_id, person_ids, outcome, detail, flagged FROM audit_events"
    with app.app_context():
        with db.engine.connect() as conn:
            before = conn.exec_driver_sql(f"{fields} ORDER BY id").all()
        downgrade(revision="5a7c2e9d4b61")
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(f"{fields} ORDER BY id").all() == before
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(f"{fields} ORDER BY id").all() == before
            if conn.dialect.name != "sqlite":
                return
            assert derived_on_sqlite(conn.connection.driver_connection.cursor())
        downgrade(revision="5a7c2e9d4b61")
        edit = "UPDATE audit_events SET action = {} WHERE id = (SELECT min(id) FROM audit_events)"
        with db.engine.begin() as conn:
            for statement in [*drop_append_only_ddl("sqlite"), edit.format("'list'"), *append_only_ddl("sqlite")]:
                conn.exec_driver_sql(statement)
        with pytest.raises(SystemExit):  # Flask-Migrate logs the error and exits 1, as `flask db upgrade` does
            upgrade()
        assert "its stored fields disagree with its canonical bytes" in caplog.text
        with db.engine.begin() as conn:
            assert not derived_on_sqlite(conn.connection.driver_connection.cursor())
            original = f"'{before[0].action}'"
            for statement in [*drop_append_only_ddl("sqlite"), edit.format(original), *append_only_ddl("sqlite")]:
                conn.exec_driver_sql(statement)
        upgrade()
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(f"{fields} ORDER BY id").all() == before
