"""The running app seals the log in the background: one sealer per process, started by the first request,
never at import or for a CLI command, and off under the test configuration."""

import time

import pytest
from sqlalchemy import select

import audit
from app import create_app
from app.audit_pages import sealing
from app.extensions import db
from audit.models import AuditEvent


@pytest.fixture
def sealing_app(database_url, tmp_path):
    app = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": database_url,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "AUDIT_BACKGROUND_SEALER": True,
            "AUDIT_SEAL_INTERVAL": 0.05,
        },
    )
    yield app
    sealing.stop_sealer()
    with app.app_context():
        db.engine.dispose()


def test_the_sealer_starts_with_the_first_request_and_seals_what_is_committed(sealing_app):
    assert sealing.current_sealer() is None, "not at start-up"
    client = sealing_app.test_client()
    assert client.get("/healthz").status_code == 200
    sealer = sealing.current_sealer()
    assert sealer is not None
    client.get("/healthz")
    assert sealing.current_sealer() is sealer, "one per process"
    with sealing_app.app_context():
        event = audit.record(db.session, action="sign_in_failed", actor=None, outcome="failure")
        db.session.commit()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            db.session.expire_all()
            if db.session.scalar(select(AuditEvent.seq).where(AuditEvent.id == event.id)) is not None:
                break
            time.sleep(0.05)
        assert db.session.scalar(select(AuditEvent.seq).where(AuditEvent.id == event.id)) is not None
        db.session.remove()
    sealing.stop_sealer()
    assert sealing.current_sealer() is None


def test_a_cli_command_does_not_start_the_sealer(sealing_app):
    result = sealing_app.test_cli_runner().invoke(args=["audit", "verify", "--quick"])
    assert result.exit_code == 0, result.output
    assert sealing.current_sealer() is None


def test_the_test_configuration_has_no_background_sealer(app, client):
    client.get("/healthz")
    assert sealing.current_sealer() is None
