"""The blind-index width is checked against the number of people held every time the app starts.

(check_sizing itself, in both directions, is tested in tests/unit/test_blind_index.py.)
"""

import logging

from app import create_app
from app.extensions import db


def test_start_up_warns_when_the_planned_population_does_not_fit(database_url, tmp_path, record_child, caplog):
    record_child()
    with caplog.at_level(logging.WARNING, logger="safecontext.startup"):
        started = create_app(
            "test",
            {
                "SQLALCHEMY_DATABASE_URI": database_url,
                "INSTANCE_PATH": str(tmp_path / "instance"),
                "PERSON_POPULATION": 1_000_000,
            },
        )
    with started.app_context():
        db.engine.dispose()
    [warning] = [r for r in caplog.records if r.name == "safecontext.startup"]
    assert "hold 1:" in warning.getMessage() and "single a person out" in warning.getMessage()
