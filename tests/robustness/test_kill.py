"""kill -9 of the whole server (master and every worker) in the middle of a load: after a restart on the same
database, every request that had completed with its expected status still has its record and its audit event,
the service answers again without error, and the audit log still verifies."""

import threading
import time

import pytest

from app.extensions import db
from tests.robustness.workload import Workload, problems_with_what_was_kept

pytestmark = pytest.mark.db

SECONDS_BEFORE_KILL = 8
SECONDS_AFTER_RESTART = 4


def test_kill_9_mid_load_loses_no_completed_write_and_no_audit_event_of_a_completed_request(
    serve, load_clients, verify_audit_log
):
    server = serve()
    workload = Workload(server.url, *load_clients)
    running = threading.Thread(target=workload.run, args=(10 * SECONDS_BEFORE_KILL,))
    running.start()
    time.sleep(SECONDS_BEFORE_KILL)
    killed_at = time.monotonic()
    server.kill()
    workload.stop()
    running.join()
    ledger = workload.ledger

    before = [f for f in ledger.failed if f.at < killed_at]
    assert before == [], before[:5]
    assert [f for f in ledger.failed if f.at >= killed_at], "no request was in flight: the kill was not mid-load"
    assert ledger.of("create_person") and ledger.of("read_person") and ledger.of("refer")

    restarted = serve()
    after = Workload(restarted.url, *load_clients).run(SECONDS_AFTER_RESTART)
    assert after.failed == [], after.failed[:5]
    db.session.remove()
    assert problems_with_what_was_kept(db.session, ledger) == []
    assert problems_with_what_was_kept(db.session, after) == []
    verified = verify_audit_log()
    assert verified["ok"] and verified["events"] >= len(ledger.completed) + len(after.completed), verified
