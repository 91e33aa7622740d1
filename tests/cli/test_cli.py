"""The command line contract of SPEC section 10: agencies create, users create, demo seed."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pyotp
import pytest

from app.extensions import db
from models.user import User


def run(app, *args, input=None):
    result = app.test_cli_runner().invoke(args=list(args), input=input, catch_exceptions=False)
    return result, json.loads(result.output.strip().splitlines()[-1]) if "--json" in args else None


def test_agencies_create_prints_id_and_name(app):
    result, body = run(app, "agencies", "create", "Eastmoor Constabulary", "--kind", "police", "--external", "--json")
    assert result.exit_code == 0
    assert body["name"] == "Eastmoor Constabulary" and len(body["id"]) == 36


def test_agencies_create_bad_kind_fails_with_json_error(app):
    result, body = run(app, "agencies", "create", "X", "--kind", "bakery", "--json")
    assert result.exit_code == 1 and "kind" in body["fields"] and body["error"]


def test_users_create_reads_the_password_from_stdin_and_prints_the_totp_secret(app):
    run(app, "agencies", "create", "Northbridge CSC", "--kind", "social_care", "--json")
    result, body = run(
        app,
        "users",
        "create",
        "amara.okafor",
        "--agency",
        "Northbridge CSC",
        "--role",
        "social_worker",
        "--name",
        "Amara Okafor",
        "--json",
        input="a long enough password\nignored line\n",
    )
    assert result.exit_code == 0
    assert body["username"] == "amara.okafor" and pyotp.TOTP(body["totp_secret"]).now().isdigit()
    user = db.session.get(User, body["id"])
    assert user.display_name == "Amara Okafor" and user.totp_secret == body["totp_secret"]


def test_a_user_made_on_the_command_line_gets_an_api_token_with_the_printed_secret(app, client):
    run(app, "agencies", "create", "Northbridge CSC", "--kind", "social_care", "--json")
    password = "a long enough password"
    _, body = run(
        app, "users", "create", "sam.reid", "--agency", "Northbridge CSC", "--role", "social_worker", "--json",
        input=f"{password}\n",
    )  # fmt: skip
    code = pyotp.TOTP(body["totp_secret"]).now()
    response = client.post("/api/v1/tokens", json={"username": "sam.reid", "password": password, "totp": code})
    assert response.status_code == 201
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {response.get_json()['token']}"})
    assert me.get_json()["id"] == body["id"]


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["--agency", "Nowhere", "--role", "social_worker"], None),
        (["--agency", "Northbridge CSC", "--role", "wizard"], "role"),
    ],
)
def test_users_create_failures_exit_1_with_json(app, args, field):
    run(app, "agencies", "create", "Northbridge CSC", "--kind", "social_care", "--json")
    result, body = run(app, "users", "create", "someone", *args, "--json", input="a long enough password\n")
    assert result.exit_code == 1 and body["error"]
    if field:
        assert field in body["fields"]


@pytest.mark.parametrize(
    ("password", "message"),
    [("short", "at least 12 characters"), ("Someone.Else.2026", "must not be the username")],
)
def test_users_create_refuses_a_weak_password(app, password, message):
    run(app, "agencies", "create", "Northbridge CSC", "--kind", "social_care", "--json")
    result, body = run(
        app,
        "users",
        "create",
        "someone.else.2026",
        "--agency",
        "Northbridge CSC",
        "--role",
        "social_worker",
        "--json",
        input=f"{password}\n",
    )
    assert result.exit_code == 1 and message in body["fields"]["password"]


def test_demo_seed_creates_one_user_per_role_and_is_idempotent(app):
    result, body = run(app, "demo", "seed", "--json")
    assert result.exit_code == 0
    roles = sorted(u["role"] for u in body["users"])
    assert roles == sorted(set(roles)) and len(roles) == 8
    again, body_again = run(app, "demo", "seed", "--json")
    assert body_again == body
    assert db.session.query(User).count() == 8


def test_demo_seed_loads_a_synthetic_borough_through_the_import_and_updates_it_when_run_again(app):
    from models.person import Person

    result, body = run(app, "demo", "seed", "--people", "40", "--seed", "7", "--json")
    assert result.exit_code == 0 and body["imported"]["created"]["people"] == 40
    people = db.session.query(Person).count()
    again, body_again = run(app, "demo", "seed", "--people", "40", "--seed", "7", "--json")
    assert body_again["imported"]["updated"]["people"] == 40 and sum(body_again["imported"]["created"].values()) == 0
    assert db.session.query(Person).count() == people


def test_demo_seed_is_refused_in_production(app):
    from flask import current_app

    # Commands run in the test's own app context (see tests/fixtures/application.py).
    current_app.config["DEMO_ALLOWED"] = False
    result, body = run(app, "demo", "seed", "--json")
    assert result.exit_code == 1 and "production" in body["error"]


def test_production_refuses_to_start_without_its_secrets(monkeypatch):
    from app import create_app
    from app.config import ConfigurationError

    for name in ("SECRET_KEY", "DATABASE_URL", "MASTER_KEY", "INDEX_KEY", "SIGNING_KEY"):
        monkeypatch.delenv(f"SAFECONTEXT_{name}", raising=False)
    with pytest.raises(ConfigurationError, match="SAFECONTEXT_MASTER_KEY"):
        create_app("production")


@pytest.mark.parametrize(
    "args",
    [
        ["agencies", "create", "X", "--json"],  # no --kind
        ["users", "create", "--json"],  # no USERNAME
        ["retention", "erase", "5b0c4a84-2f55-4a8e-9d2b-8e0f3c7a1d10", "--json"],  # no --reason
        ["import", "--json"],  # no FILE
        ["keys", "status", "--json", "--colour"],  # an unknown option
    ],
)
def test_usage_errors_under_json_end_as_other_failures_do(app, args):
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert json.loads(result.output.strip().splitlines()[-1])["error"]


def test_usage_errors_without_json_keep_clicks_usage_text(app):
    result = app.test_cli_runner().invoke(args=["agencies", "create", "X"])
    assert result.exit_code == 2 and "Missing option '--kind'" in result.output


@pytest.mark.parametrize(
    "args",
    [["agencies", "create", "X", "--kind", "police", "--json"], ["audit", "verify", "--json"], ["audit", "verify"]],
)
def test_a_database_without_its_schema_gets_an_error_saying_to_upgrade_it(tmp_path, args):
    from app import create_app

    bare = create_app(
        "test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/bare.db", "INSTANCE_PATH": str(tmp_path / "i")}
    )
    result = bare.test_cli_runner().invoke(args=args)
    last = result.output.strip().splitlines()[-1]
    error = json.loads(last)["error"] if "--json" in args else last
    assert result.exit_code == 1 and "no such table" in error and "db upgrade" in error


def test_a_command_that_cannot_start_still_ends_with_a_json_error(tmp_path):
    env = {
        **os.environ,
        "SAFECONTEXT_INSTANCE_PATH": str(tmp_path / "instance"),
        "SAFECONTEXT_DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
        "SAFECONTEXT_MASTER_KEY": "not base64",
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", "keys", "status", "--json"]
    done = subprocess.run(command, env=env, cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert "SAFECONTEXT_MASTER_KEY" in json.loads(done.stdout.strip().splitlines()[-1])["error"]


def _flask(tmp_path, *args, master_key: str | None = None, **options) -> subprocess.CompletedProcess:
    """`flask --app wsgi ARGS` in a process of its own, on a database and keys under tmp_path."""
    env = {
        **os.environ,
        "SAFECONTEXT_INSTANCE_PATH": str(tmp_path / "instance"),
        "SAFECONTEXT_DATABASE_URL": f"sqlite:///{tmp_path}/app.db",
        **({"SAFECONTEXT_MASTER_KEY": master_key} if master_key else {}),
    }
    command = [sys.executable, "-m", "flask", "--app", "wsgi", *args]
    return subprocess.run(
        command, env=env, cwd=Path(__file__).parents[2], capture_output=True, text=True, timeout=120, **options
    )


def test_a_command_that_cannot_start_ends_with_the_reason_not_a_traceback(tmp_path):
    done = _flask(tmp_path, "keys", "status", master_key="not base64")
    assert done.returncode == 1 and done.stdout == ""
    assert "could not start" in done.stderr and "SAFECONTEXT_MASTER_KEY" in done.stderr
    assert "Traceback" not in done.stderr


def test_a_key_missing_halfway_through_a_rotation_is_an_error_not_a_traceback(tmp_path):
    """The master key changed and the old one left out of SAFECONTEXT_PREVIOUS_MASTER_KEYS: data keys wrapped
    under it cannot be read, and each command says so as its answer."""
    import base64

    old, new = (base64.b64encode(os.urandom(32)).decode() for _ in range(2))
    document = tmp_path / "people.json"
    document.write_text(json.dumps({"people": [
        {"ref": "p1", "given_name": "Amara", "family_name": "Okafor", "date_of_birth": "2011-04-02"}
    ]}))  # fmt: skip
    for args in (("db", "upgrade"), ("import", str(document), "--json")):
        assert _flask(tmp_path, *args, master_key=old).returncode == 0
    done = _flask(tmp_path, "retention", "purge", "--dry-run", "--json", master_key=new)
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "not configured" in json.loads(done.stdout.strip().splitlines()[-1])["error"]


def test_users_create_refuses_a_password_that_is_not_utf8_text(app):
    run(app, "agencies", "create", "Northbridge CSC", "--kind", "social_care", "--json")
    result = app.test_cli_runner().invoke(
        args=["users", "create", "someone", "--agency", "Northbridge CSC", "--role", "social_worker", "--json"],
        input=b"\xff\xfenot text at all\n",
    )
    assert result.exit_code == 1 and "password" in json.loads(result.stdout.strip().splitlines()[-1])["fields"]
    assert db.session.query(User).filter_by(username="someone").count() == 0


def test_users_create_with_its_input_closed_is_refused(tmp_path):
    assert _flask(tmp_path, "db", "upgrade").returncode == 0
    assert _flask(tmp_path, "agencies", "create", "Northbridge CSC", "--kind", "social_care").returncode == 0
    done = _flask(
        tmp_path, "users", "create", "someone", "--agency", "Northbridge CSC", "--role", "social_worker", "--json",
        stdin=None, preexec_fn=lambda: os.close(0),
    )  # fmt: skip
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "password" in json.loads(done.stdout.strip().splitlines()[-1])["fields"]


@pytest.mark.parametrize("size", ["0", "-5"])
def test_keys_rotate_refuses_a_batch_size_below_one(app, size):
    result, body = run(app, "keys", "rotate", "--batch-size", size, "--json")
    assert result.exit_code == 1 and "batch-size" in body["error"]
