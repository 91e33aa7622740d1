"""Benchmark: verify an audit log of N events (default 1,000,000), on SQLite and on PostgreSQL when reachable.

    .venv/bin/python bench/audit_verify.py [--events N] [--url SQLALCHEMY_URL] [--no-postgres]

Generates the events directly (bulk inserts of what record() would write), seals them (which writes their person
index), then times verify() (full and quick) and prints seconds and events/s; on PostgreSQL, again after VACUUM
ANALYZE, as autovacuum leaves the table. SQLite uses a temporary file and PostgreSQL a scratch database, both dropped
afterwards; a --url must name an empty scratch database (the audit tables are created and dropped).
"""

import argparse
import os
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from audit import append_only_ddl, drop_append_only_ddl, seal, verify  # noqa: E402
from audit.canonical import canonical_bytes, json_text  # noqa: E402
from audit.derived_columns import insertable  # noqa: E402
from audit.models import AuditCheckpoint, AuditEvent, AuditEventPerson  # noqa: E402
from models.base import Base, configure_sqlite  # noqa: E402

TABLES = [AuditEvent.__table__, AuditEventPerson.__table__, AuditCheckpoint.__table__]
CHUNK = 20_000
ACTIONS = ("view", "list", "search", "map_view", "update")


def generate(engine: sa.Engine, n: int) -> None:
    """Insert n unsealed events as record() would have written them."""
    start = datetime.now(UTC) - timedelta(days=30)
    users = [str(uuid.uuid4()) for _ in range(200)]
    people = [str(uuid.uuid4()) for _ in range(5000)]
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # A large page cache for the bulk load only: this connection is closed before anything is timed.
            conn.exec_driver_sql("PRAGMA cache_size = -1000000")
        for base in range(0, n, CHUNK):
            events = []
            for i in range(base, min(base + CHUNK, n)):
                person_ids = sorted({people[i % 5000], people[(i * 7) % 5000]})
                fields = {
                    "id": str(uuid.uuid4()),
                    "at": start + timedelta(microseconds=2 * i),
                    "actor_user_id": users[i % 200],
                    "actor_agency_id": "agency-" + str(i % 9),
                    "actor_role": "social_worker",
                    "action": ACTIONS[i % 5],
                    "object_type": "person",
                    "object_id": person_ids[0],
                    "person_ids": person_ids,
                    "outcome": "success",
                    "reason": None,
                    "purpose": None,
                    "detail": {"fields": ["summary"], "count": i % 13},
                    "flagged": i % 97 == 0,
                    "request_id": uuid.uuid4().hex,
                    "client_addr": "10.0.0." + str(i % 250),
                    "user_agent": "Mozilla/5.0 (bench)",
                }
                canonical = canonical_bytes(fields)
                row = {**fields, "person_ids": json_text(person_ids), "detail": json_text(fields["detail"])}
                events.append(insertable({**row, "canonical": canonical}, conn.dialect.name))
            conn.execute(sa.insert(AuditEvent.__table__), events)


def measure(url: str, events: int) -> None:
    """Generate, seal and verify `events` events in the empty database at `url`; print one line per mode."""
    engine = sa.create_engine(url)
    configure_sqlite(engine)
    key = os.urandom(32)
    try:
        Base.metadata.create_all(engine, tables=TABLES)
        with engine.begin() as conn:
            for statement in append_only_ddl(engine.dialect.name, sqlite_fields_derived=True):
                conn.exec_driver_sql(statement)
        began = time.perf_counter()
        generate(engine, events)
        engine.dispose()  # verify() gets fresh connections with default settings
        generated = time.perf_counter()
        seal(engine, key)
        sealed = time.perf_counter()
        print(f"{engine.dialect.name}: generate {generated - began:.1f} s, seal {sealed - generated:.1f} s", flush=True)
        time_verify(engine, key, events, "")
        if engine.dialect.name == "postgresql":
            # The bulk seal leaves a dead version of every event; a server's autovacuum clears them, and sets the
            # visibility map, long before a log grows to a million events, as the sealer seals a second at a time.
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.exec_driver_sql("VACUUM ANALYZE")
            time_verify(engine, key, events, ", vacuumed")
    finally:
        with engine.begin() as conn:
            for statement in drop_append_only_ddl(engine.dialect.name):
                conn.exec_driver_sql(statement)
        Base.metadata.drop_all(engine, tables=TABLES)
        engine.dispose()


def time_verify(engine: sa.Engine, key: bytes, events: int, state: str) -> None:
    """Time verify() full and quick; print one line for each."""
    for full, label in ((True, "full"), (False, "quick: leaves and tree only")):
        started = time.perf_counter()
        result = verify(engine, key, full=full)
        seconds = time.perf_counter() - started
        assert result.ok and result.events == events, result
        print(f"{engine.dialect.name:>10} {events:>10,} {label + state:<38} {seconds:>8.2f} {events / seconds:>12,.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty scratch database (default: SQLite, then PostgreSQL)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    print(f"{'engine':>10} {'events':>10} {'verify':<38} {'seconds':>8} {'events/s':>12}")
    if args.url:
        measure(args.url, args.events)
        return
    with tempfile.TemporaryDirectory(prefix="audit-bench-") as folder:
        measure(f"sqlite:///{folder}/audit.sqlite3", args.events)
    from audited_reads import scratch_postgres  # it imports this module: import late
    from borough_db import postgres_reachable

    if args.no_postgres:
        return
    if not postgres_reachable():
        print("PostgreSQL not reachable: skipped")
        return
    with scratch_postgres() as url:
        measure(url, args.events)


if __name__ == "__main__":
    main()
