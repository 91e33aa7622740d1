"""Benchmark: what the audit log costs a read, and how fast the log verifies.

    .venv/bin/python bench/audited_reads.py [--reads N] [--clients N] [--processes N] [--events N] [--no-sealer]
                                            [--no-postgres]

In one run, on a temporary SQLite database (and on PostgreSQL when reachable, in a scratch database dropped
afterwards):
1. an audited person read through the service, as a request makes it (load the user, policy, decrypt every
   field, audit event committed before the data is returned), against the same read with record_durably replaced
   by a no-op, each made by --clients concurrent clients (default 16) spread over --processes worker processes
   (default 2, one per core), as the threads of a gunicorn server's workers make them: the threads of a process
   share its group-committing audit writer. The two modes are interleaved in rounds so that drift hits both
   alike. The background sealer runs during both, as in the app (--no-sealer to leave it out).
2. verification of a log of --events events (default 100,000; bench/audit_verify.py does 1,000,000).
"""

import argparse
import logging
import multiprocessing
import os
import statistics
import sys
import tempfile
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from unittest import mock

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from audit_verify import TABLES, generate  # noqa: E402
from borough_db import POSTGRES_ADMIN_URL, engines_to_measure  # noqa: E402

import audit  # noqa: E402
from models.base import Base, configure_sqlite  # noqa: E402

ROUND = 100


@contextmanager
def scratch_postgres():
    """A fresh PostgreSQL database, dropped afterwards."""
    name = f"sc_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def database(engine_name: str):
    """A URL of an empty database of that engine."""
    if engine_name == "postgresql":
        with scratch_postgres() as url:
            yield url
        return
    with tempfile.TemporaryDirectory(prefix="sc-bench-") as folder:
        yield f"sqlite:///{folder}/bench.sqlite3"


def seed_reader(session) -> tuple[str, str]:
    """A social worker with an open case on a young person whose record has every field filled: (user id, person
    id). The read decrypts them all."""
    from safeguarding import accounts, cases, people

    agency = accounts.create_agency(session, None, name="Northbridge CSC", kind="social_care")
    user, _ = accounts.create_user(
        session, None, username="bench.worker", agency=agency, role="social_worker",
        given_name="Bench", family_name="Worker", password="a long bench password",
    )  # fmt: skip
    session.commit()
    data = {"given_name": "Jayden", "family_name": "Okafor", "date_of_birth": "2010-04-12",
            "address": "1 Rowan Court", "notes": "Seen near the station late at night " * 10}  # fmt: skip
    person = people.record_person(session, user, data)
    subject = {"type": "person", "id": person.id}
    cases.open_case(session, user, {"subject": subject, "concerns": ["cce"], "risk_level": "high",
                                    "summary": "Exploitation concerns"})  # fmt: skip
    return user.id, person.id


def read_once(user_id: str, person_id: str) -> float:
    """One read as a request makes it; seconds taken."""
    from app.extensions import db
    from models.user import User
    from safeguarding import disclosure, people

    started = time.perf_counter()
    user = db.session.get(User, user_id)  # the request's user loader
    person, access = people.view_person(db.session, user, person_id)
    view = disclosure.person_view(db.session, person, access, date.today())
    assert view["family_name"] == "Okafor"
    db.session.remove()  # the end of the request
    return time.perf_counter() - started


def read_round(
    app, clients: int, reads_per_client: int, user_id: str, person_id: str, go=None
) -> tuple[float, list[float]]:
    """Wall-clock seconds for `clients` concurrent clients to make their reads, and each read's seconds; with `go`
    (a barrier shared with other processes) the clients start when every process is ready."""
    latencies: list[float] = []
    ready = threading.Barrier(clients + 1)

    def client() -> None:
        with app.app_context():
            ready.wait()
            latencies.extend(read_once(user_id, person_id) for _ in range(reads_per_client))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    if go is not None:
        go.wait()
    ready.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    return time.perf_counter() - started, latencies


def worker(app, threads: int, per_client: int, user_id: str, person_id: str, commands, start, results) -> None:
    """A server worker process: on each command, its threads make their reads in that mode; None ends it."""
    read_round(app, threads, 5, user_id, person_id)  # warm caches, pools and the data-key cache
    while (mode := commands.get()) is not None:
        if mode == "no-op audit":
            with mock.patch("safeguarding.access.audit.record_durably", lambda *a, **k: None):
                _, latencies = read_round(app, threads, per_client, user_id, person_id, start)
        else:
            _, latencies = read_round(app, threads, per_client, user_id, person_id, start)
        results.put(latencies)


def measure_reads(url: str, reads: int, clients: int, processes: int, with_sealer: bool) -> dict[str, dict]:
    """Per mode: total wall-clock seconds and per-read seconds, audited and no-op audit interleaved in rounds."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from safeguarding.runtime import current as runtime

    # Every client holds a connection, and the audit writer and sealer one each.
    engine_options = {"pool_pre_ping": True, "pool_size": clients + 4}
    with tempfile.TemporaryDirectory(prefix="sc-bench-instance-") as instance:
        app = create_app(
            "test",
            {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance, "SQLALCHEMY_ENGINE_OPTIONS": engine_options},
        )
        with app.app_context():
            upgrade()
            user_id, person_id = seed_reader(db.session)
            db.session.remove()
            db.engine.dispose()  # the workers are forked next: each opens its own connections
            fork = multiprocessing.get_context("fork")
            start, results = fork.Barrier(processes + 1), fork.Queue()
            commands = [fork.Queue() for _ in range(processes)]
            threads = max(1, clients // processes)
            per_client = max(1, ROUND // clients)
            workers = [
                fork.Process(target=worker, args=(app, threads, per_client, user_id, person_id, queue, start, results))
                for queue in commands
            ]
            for process in workers:
                process.start()
            # Started after the fork, so that no worker inherits a lock the sealer's thread held at that moment.
            sealer = audit.BackgroundSealer(db.engine, runtime().signing_key, interval=1.0) if with_sealer else None
            if sealer:
                sealer.start()
            timings: dict[str, dict] = {mode: {"wall": 0.0, "reads": []} for mode in ("audited", "no-op audit")}

            def run(mode: str) -> None:
                for queue in commands:
                    queue.put(mode)
                start.wait()
                started = time.perf_counter()
                for _ in workers:
                    timings[mode]["reads"].extend(results.get())
                timings[mode]["wall"] += time.perf_counter() - started

            try:
                while len(timings["audited"]["reads"]) < reads:
                    run("audited")
                    run("no-op audit")
            finally:
                for queue in commands:
                    queue.put(None)
                for process in workers:
                    process.join()
                if sealer:
                    sealer.stop()
                verified = audit.verify(db.engine, runtime().signing_key, full=False)
                assert verified.ok, verified
                db.session.remove()
                db.engine.dispose()
    return timings


def measure_verify(url: str, events: int) -> dict[str, float]:
    """Seconds to verify a log of `events` events, full and quick."""
    engine = sa.create_engine(url)
    configure_sqlite(engine)
    key = os.urandom(32)
    try:
        Base.metadata.create_all(engine, tables=TABLES)
        with engine.begin() as conn:
            for statement in audit.append_only_ddl(engine.dialect.name, sqlite_fields_derived=True):
                conn.exec_driver_sql(statement)
        generate(engine, events)
        engine.dispose()
        audit.seal(engine, key)
        seconds = {}
        for full, label in ((True, "full"), (False, "quick")):
            started = time.perf_counter()
            result = audit.verify(engine, key, full=full)
            seconds[label] = time.perf_counter() - started
            assert result.ok and result.events == events, result
        return seconds
    finally:
        engine.dispose()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def report_reads(engine_name: str, timings: dict[str, dict]) -> None:
    rates = {}
    for mode, measured in timings.items():
        seconds = measured["reads"]
        rates[mode] = len(seconds) / measured["wall"]
        p50, p99 = statistics.median(seconds) * 1000, percentile(seconds, 0.99) * 1000
        print(f"{engine_name:<11} {mode:<12} {len(seconds):>7,} {rates[mode]:>10,.0f} {p50:>9.2f} {p99:>9.2f}")
    ratio = rates["audited"] / rates["no-op audit"]
    print(f"{engine_name:<11} audited reads run at {ratio:.2f}x the no-op rate")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=2000, help="reads per mode (default 2,000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes they are spread over (default 2)")
    parser.add_argument("--events", type=int, default=100_000, help="events in the verified log (default 100,000)")
    parser.add_argument("--no-sealer", action="store_true", help="leave the background sealer out")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # development keys are generated into the temporary instance folders
    engines = engines_to_measure(args.no_postgres)

    sealer = "with" if not args.no_sealer else "without"
    print(
        f"Audited person reads, {args.clients} concurrent clients in {args.processes} worker processes "
        f"({sealer} the background sealer; ms per read)"
    )
    print(f"{'engine':<11} {'mode':<12} {'reads':>7} {'reads/s':>10} {'p50 ms':>9} {'p99 ms':>9}")
    for engine_name in engines:
        with database(engine_name) as url:
            report_reads(engine_name, measure_reads(url, args.reads, args.clients, args.processes, not args.no_sealer))

    print(f"\nVerification of {args.events:,} events")
    print(f"{'engine':<11} {'check':<7} {'seconds':>8} {'events/s':>12}")
    for engine_name in engines:
        with database(engine_name) as url:
            for label, seconds in measure_verify(url, args.events).items():
                print(f"{engine_name:<11} {label:<7} {seconds:>8.2f} {args.events / seconds:>12,.0f}")


if __name__ == "__main__":
    main()
