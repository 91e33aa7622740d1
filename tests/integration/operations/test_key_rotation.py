"""Rotating the master key: re-wrap every data key, drop the old key, and everything still decrypts."""

import base64
import json
import os

import pytest

from app import create_app
from app.extensions import db
from models.person import Person
from models.user import User
from safeguarding import key_operations, people


def key() -> str:
    return base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def app_with():
    """app_with(database_url, instance, **ENV) -> an app with these key settings; engines disposed afterwards."""
    made = []

    def make(database_url, instance, **env):
        made.append(
            create_app(
                "test",
                {
                    "SQLALCHEMY_DATABASE_URI": database_url,
                    "INSTANCE_PATH": str(instance),
                    **{f"{name}_ENV": value for name, value in env.items()},
                },
            )
        )
        return made[-1]

    yield make
    for application in made:
        with application.app_context():
            db.engine.dispose()


def run_cli(application, *args):
    result = application.test_cli_runner().invoke(args=list(args))
    return result.exit_code, json.loads(result.output.strip().splitlines()[-1])


def seed(application):
    from safeguarding import accounts

    with application.app_context():
        agency = accounts.create_agency(db.session, None, name="Northbridge CSC", kind="social_care")
        user, _ = accounts.create_user(
            db.session,
            None,
            username="sw.one",
            agency=agency,
            role="social_worker",
            given_name="Sam",
            family_name="One",
            password="a long enough password",
        )
        db.session.commit()
        for name in ("Amira", "Jayden", "Zoë"):
            people.record_person(
                db.session,
                user,
                {
                    "given_name": name,
                    "family_name": "Test",
                    "date_of_birth": "2011-01-01",
                    "notes": f"notes about {name}",
                },
            )
        db.session.remove()


def read_everything(application) -> list[tuple]:
    with application.app_context():
        rows = [(p.given_name, p.notes) for p in db.session.query(Person).order_by(Person.created_at)]
        secrets = [u.totp_secret for u in db.session.query(User)]
        db.session.remove()
        return rows + [(s,) for s in secrets]


def test_rotation_rewraps_every_key_and_the_old_key_can_be_dropped(database_url, tmp_path, app_with):
    first, second = key(), key()
    seed(app_with(database_url, tmp_path / "i1", MASTER_KEY=first))
    before = read_everything(app_with(database_url, tmp_path / "i1", MASTER_KEY=first))
    rotating = app_with(database_url, tmp_path / "i2", MASTER_KEY=second, PREVIOUS_MASTER_KEYS=first)
    code, body = run_cli(rotating, "keys", "rotate", "--json")
    # One data key per person, and the system key that protects the users' TOTP secrets.
    assert code == 0 and body == {"rewrapped": 4, "remaining_under_previous": 0}
    after = read_everything(app_with(database_url, tmp_path / "i3", MASTER_KEY=second))
    assert after == before and ("Zoë", "notes about Zoë") in after
    code, status = run_cli(app_with(database_url, tmp_path / "i3", MASTER_KEY=second), "keys", "status", "--json")
    assert status["remaining_under_previous"] == 0 and status["under_active"] == status["data_keys"]


def test_an_interrupted_rotation_resumes(database_url, tmp_path, app_with):
    first, second = key(), key()
    seed(app_with(database_url, tmp_path / "i1", MASTER_KEY=first))
    rotating = app_with(database_url, tmp_path / "i2", MASTER_KEY=second, PREVIOUS_MASTER_KEYS=first)

    def crash(done, total):
        raise RuntimeError("power cut")

    with rotating.app_context():
        with pytest.raises(RuntimeError):
            key_operations.rotate_master_key(db.session, progress=crash, batch_size=2)
        db.session.remove()
    with rotating.app_context():
        assert key_operations.key_status(db.session)["remaining_under_previous"] > 0
        db.session.remove()
    code, body = run_cli(rotating, "keys", "rotate", "--json")
    assert code == 0 and body["remaining_under_previous"] == 0 and body["rewrapped"] > 0
    assert [row[0] for row in read_everything(app_with(database_url, tmp_path / "i3", MASTER_KEY=second))][:3] == [
        "Amira",
        "Jayden",
        "Zoë",
    ]


def test_index_key_rotation_rebuilds_the_blind_indexes(database_url, tmp_path, app_with):
    from safeguarding import search

    master = key()
    seed(app_with(database_url, tmp_path / "i1", MASTER_KEY=master, INDEX_KEY=key()))
    new_index = app_with(database_url, tmp_path / "i2", MASTER_KEY=master, INDEX_KEY=key())
    with new_index.app_context():
        actor = db.session.query(User).one()
        assert search.search_people(db.session, actor, "Jayden", "Test", None).matches == []
        db.session.remove()
    code, body = run_cli(new_index, "keys", "reindex", "--json")
    assert code == 0 and body == {"reindexed": 3}
    with new_index.app_context():
        actor = db.session.query(User).one()
        [match] = search.search_people(db.session, actor, "Jayden", "Test", None).matches
        assert match.person.given_name == "Jayden"
        db.session.remove()


def test_a_rotation_that_cannot_re_wrap_every_key_fails_and_says_what_to_give(database_url, tmp_path, app_with):
    first, second = key(), key()
    seed(app_with(database_url, tmp_path / "i1", MASTER_KEY=first))
    without_old_key = app_with(database_url, tmp_path / "i2", MASTER_KEY=second)
    code, body = run_cli(without_old_key, "keys", "rotate", "--json")
    assert code == 1 and "4 remain" in body["error"] and "SAFECONTEXT_PREVIOUS_MASTER_KEYS" in body["error"]
    rotating = app_with(database_url, tmp_path / "i3", MASTER_KEY=second, PREVIOUS_MASTER_KEYS=first)
    assert run_cli(rotating, "keys", "rotate", "--json") == (0, {"rewrapped": 4, "remaining_under_previous": 0})
