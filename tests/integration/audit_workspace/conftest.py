"""The whole app on the run's engine: the CLI, a tamperer with DDL rights, and a small caseload."""

import json

import pytest

from app.extensions import db
from safeguarding import break_glass, people
from safeguarding.errors import PermissionDenied
from safeguarding.runtime import current as runtime
from tests.fixtures.tampering import tamperer

REASON = "Found at the station at 2am; police asked me to check who she is"


@pytest.fixture
def cli(app):
    """cli(*args) -> (exit code, output, the last line as JSON when --json was given)."""

    def run(*args):
        result = app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)
        body = json.loads(result.stdout.strip().splitlines()[-1]) if "--json" in args else None
        return result.exit_code, result.output, body

    return run


@pytest.fixture
def tamper(app):
    """tamper(sql, ...) with the append-only rule off, as an insider with DDL rights would."""
    return tamperer(db.engine)


@pytest.fixture
def signing_key(app) -> bytes:
    return runtime().signing_key


@pytest.fixture
def caseload(make_user):
    """A recorded child, viewed by the recorder, reached by break-glass, refused to a police officer."""
    worker, youth, officer = make_user("social_worker"), make_user("youth_worker"), make_user("police_officer")
    child = people.record_person(
        db.session, worker, {"given_name": "Amara", "family_name": "Bell", "date_of_birth": "2011-03-27"}
    )
    people.view_person(db.session, worker, child.id)
    grant = break_glass.break_glass(db.session, youth, child.id, REASON)
    people.view_person(db.session, youth, child.id)
    with pytest.raises(PermissionDenied):  # refused, and audited as denied
        people.view_person(db.session, officer, child.id)
    return {"worker": worker, "youth": youth, "officer": officer, "child": child, "grant": grant}
