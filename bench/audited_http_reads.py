"""Benchmark: the audited person read through a real server, as a deployment serves it: gunicorn, HTTP, a token.

    .venv/bin/python bench/audited_http_reads.py [--reads N] [--clients N] [--workers N] [--threads N]
                                                 [--no-postgres]

Two gunicorn servers on loopback serve one database with the development configuration (background sealer and
group-committing audit writer included): one as shipped, and one whose workers replace the audit write with a
no-op (bench/noop_audit_gunicorn.py). --clients client threads (default 16), each on its own keep-alive
connection, GET /api/v1/people/<id> with a bearer token: the policy, every field decrypted, and on the first server
the audit event committed before the answer. The servers are measured in alternating rounds, so that drift hits
both alike and the ratio is of one run. SQLite uses a temporary file, PostgreSQL a scratch database.
"""

import argparse
import http.client
import logging
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

from audited_reads import database, report_reads, seed_reader  # noqa: E402
from borough_db import engines_to_measure  # noqa: E402

from tests.robustness.conftest import GUNICORN, free_port, server_environment  # noqa: E402
from tests.robustness.http import call  # noqa: E402

ROUND = 400  # reads per mode per round, shared among the clients
START_TIMEOUT = 60


@contextmanager
def gunicorn(database_url: str, instance: str, workers: int, threads: int, noop_audit: bool):
    """A running server's port; stopped afterwards."""
    port = free_port()
    command = [str(GUNICORN), "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}"]
    if noop_audit:
        command += ["--config", str(ROOT / "bench" / "noop_audit_gunicorn.py")]
    process = subprocess.Popen(
        [*command, "wsgi:app"],
        cwd=ROOT,
        env=server_environment(database_url, instance),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                if call(f"http://127.0.0.1:{port}", "GET", "/healthz", timeout=5, prefix="").status == 200:
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn did not start: {' '.join(command)}") from None
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def read_round(port: int, clients: int, per_client: int, path: str, token: str) -> tuple[float, list[float]]:
    """Wall-clock seconds for the clients to make their reads, and each read's seconds."""
    latencies: list[float] = []
    failures: list[str] = []
    ready = threading.Barrier(clients + 1)
    headers = {"Authorization": f"Bearer {token}"}

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.connect()
        ready.wait()
        try:
            for _ in range(per_client):
                started = time.perf_counter()
                connection.request("GET", path, headers=headers)
                response = connection.getresponse()
                body = response.read()
                latencies.append(time.perf_counter() - started)
                if response.status != 200 or b"Okafor" not in body:
                    failures.append(f"{response.status}: {body[:200]!r}")
        finally:
            connection.close()

    workers = [threading.Thread(target=client) for _ in range(clients)]
    for worker in workers:
        worker.start()
    ready.wait()
    started = time.perf_counter()
    for worker in workers:
        worker.join()
    if failures:
        raise SystemExit(f"{len(failures)} reads failed, the first: {failures[0]}")
    return time.perf_counter() - started, latencies


def measure(url: str, reads: int, clients: int, workers: int, threads: int) -> dict[str, dict]:
    """Per mode: total wall-clock seconds and every read's seconds."""
    from flask_migrate import upgrade

    from app import create_app
    from app.extensions import db
    from models.user import User
    from safeguarding import accounts

    with tempfile.TemporaryDirectory(prefix="sc-bench-instance-") as instance, ExitStack() as servers:
        # The development configuration writes its keys into the instance folder, where the servers find them.
        app = create_app("development", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance})
        with app.app_context():
            upgrade()
            user_id, person_id = seed_reader(db.session)
            token, _ = accounts.issue_token(db.session, db.session.get(User, user_id))
            db.session.commit()
            db.session.remove()
            db.engine.dispose()
        ports = {
            mode: servers.enter_context(gunicorn(url, instance, workers, threads, noop_audit=mode == "no-op audit"))
            for mode in ("audited", "no-op audit")
        }
        path = f"/api/v1/people/{person_id}"
        timings: dict[str, dict] = {mode: {"wall": 0.0, "reads": []} for mode in ports}
        per_client = max(1, ROUND // clients)
        for port in ports.values():
            read_round(port, clients, per_client, path, token)  # warm workers, pools and key caches
        while len(timings["audited"]["reads"]) < reads:
            for mode, port in ports.items():
                wall, latencies = read_round(port, clients, per_client, path, token)
                timings[mode]["wall"] += wall
                timings[mode]["reads"] += latencies
    return timings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reads", type=int, default=12000, help="reads per mode (default 12,000)")
    parser.add_argument("--clients", type=int, default=16, help="concurrent clients (default 16)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes (default 2, one per core)")
    parser.add_argument("--threads", type=int, default=8, help="threads per worker (default 8)")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    args = parser.parse_args()
    logging.disable(logging.WARNING)  # development keys are generated into the temporary instance folder
    engines = engines_to_measure(args.no_postgres)
    print(
        f"GET /api/v1/people/<id> through gunicorn ({args.workers} workers x {args.threads} threads), "
        f"{args.clients} keep-alive clients; ms per read"
    )
    print(f"{'engine':<11} {'mode':<12} {'reads':>7} {'reads/s':>10} {'p50 ms':>9} {'p99 ms':>9}")
    for engine_name in engines:
        with database(engine_name) as url:
            timings = measure(url, args.reads, args.clients, args.workers, args.threads)
        report_reads(engine_name, timings)


if __name__ == "__main__":
    main()
