"""Sixteen practitioners at once for 30 seconds against a real server (several processes and threads): not one
error, every write kept, every request audited under its request id, and the audit log still verifies."""

import collections

import pytest

from app.extensions import db
from tests.robustness.workload import EXPECTED_STATUS, Workload, problems_with_what_was_kept

pytestmark = pytest.mark.db

SECONDS = 30


def test_sixteen_clients_for_thirty_seconds_meet_no_error_and_lose_nothing(serve, load_clients, verify_audit_log):
    server = serve()
    ledger = Workload(server.url, *load_clients).run(SECONDS)

    assert ledger.failed == [], f"{len(ledger.failed)} failed, first: {ledger.failed[:5]}\n{server.log_tail()}"
    done = collections.Counter(c.action for c in ledger.completed)
    assert set(done) == set(EXPECTED_STATUS), done  # the mix really mixed
    print(f"\n{len(ledger.completed)} requests in {SECONDS} s ({len(ledger.completed) / SECONDS:.0f}/s): {dict(done)}")
    db.session.remove()
    assert problems_with_what_was_kept(db.session, ledger) == []
    verified = verify_audit_log()
    assert verified["ok"] and verified["events"] >= len(ledger.completed), verified
