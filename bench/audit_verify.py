"""Benchmark: verify an audit log of N events (default 1,000,000).

    .venv/bin/python bench/audit_verify.py [--events N] [--url SQLALCHEMY_URL]

Generates the events directly (bulk inserts of what record() would write), seals them, then times verify()
and prints events/s and seconds. Without --url it uses a temporary SQLite file, deleted afterwards; a
PostgreSQL --url must name an empty scratch database (the audit tables are created and dropped in it).
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
from audit.models import AuditCheckpoint, AuditEvent, AuditEventPerson  # noqa: E402
from models.base import Base, configure_sqlite  # noqa: E402

TABLES = [AuditEvent.__table__, AuditEventPerson.__table__, AuditCheckpoint.__table__]
CHUNK = 20_000
ACTIONS = ("view", "list", "search", "map_view", "update")


def generate(engine: sa.Engine, n: int) -> None:
    """Insert n unsealed events (with their person index rows) as record() would have written them."""
    start = datetime.now(UTC) - timedelta(days=30)
    users = [str(uuid.uuid4()) for _ in range(200)]
    people = [str(uuid.uuid4()) for _ in range(5000)]
    with engine.begin() as conn:
        if conn.dialect.name == "sqlite":
            # A large page cache for the bulk load only: this connection is closed before anything is timed.
            conn.exec_driver_sql("PRAGMA cache_size = -1000000")
        for base in range(0, n, CHUNK):
            events, links = [], []
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
                events.append(
                    {
                        **fields,
                        "person_ids": json_text(person_ids),
                        "detail": json_text(fields["detail"]),
                        "canonical": canonical,
                    }  # fmt: skip
                )
                links += [{"event_id": fields["id"], "person_id": p} for p in person_ids]
            conn.execute(sa.insert(AuditEvent.__table__), events)
            conn.execute(sa.insert(AuditEventPerson.__table__), links)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--url", help="SQLAlchemy URL of an empty scratch database (default: a temp SQLite file)")
    args = parser.parse_args()
    workdir = tempfile.TemporaryDirectory(prefix="audit-bench-")
    engine = sa.create_engine(args.url or f"sqlite:///{workdir.name}/audit.sqlite3")
    configure_sqlite(engine)
    key = os.urandom(32)
    try:
        Base.metadata.create_all(engine, tables=TABLES)
        with engine.begin() as conn:
            for statement in append_only_ddl(engine.dialect.name):
                conn.exec_driver_sql(statement)
        began = time.perf_counter()
        generate(engine, args.events)
        engine.dispose()  # verify() gets fresh connections with default settings
        generated = time.perf_counter()
        seal(engine, key)
        sealed = time.perf_counter()
        print(f"engine {engine.dialect.name}, {args.events:,} events")
        print(f"generate {generated - began:.1f} s, seal {sealed - generated:.1f} s")
        for full, label in ((True, "verify (full)"), (False, "verify (quick: leaves and tree only)")):
            started = time.perf_counter()
            result = verify(engine, key, full=full)
            seconds = time.perf_counter() - started
            assert result.ok and result.events == args.events, result
            print(f"{label}: {seconds:.2f} s, {args.events / seconds:,.0f} events/s")
    finally:
        if args.url:
            with engine.begin() as conn:
                for statement in drop_append_only_ddl(engine.dialect.name):
                    conn.exec_driver_sql(statement)
            Base.metadata.drop_all(engine, tables=TABLES)
        engine.dispose()
        workdir.cleanup()


if __name__ == "__main__":
    main()
