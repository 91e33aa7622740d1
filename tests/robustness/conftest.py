"""A real server for the robustness tests: gunicorn from the virtualenv, on 127.0.0.1 only, serving the test's
migrated database (tests/fixtures/database.py) with the keys the test's app generated in its instance folder."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.robustness.http import call

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
FLASK = Path(sys.executable).with_name("flask")
START_TIMEOUT = 60  # seconds; generous, as the suite shares a small machine
SENDERS, RECEIVERS = 12, 4  # clients of the load: social workers who refer, police officers who receive


@dataclass
class Server:
    """One gunicorn master and its workers, in a process group of their own so that they can be killed together."""

    url: str
    process: subprocess.Popen
    log: Path

    def kill(self) -> None:
        """kill -9 of the master and every worker at once: no shutdown code runs anywhere."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGINT)  # gunicorn's quick shutdown: nothing waits on keep-alives
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])


def server_environment(database_url: str, instance_path: str) -> dict:
    """The development configuration: the production code paths (background sealer included) without the HTTPS
    redirect, which needs a TLS proxy in front; keys come from the instance folder the test's app wrote them to."""
    environment = {key: value for key, value in os.environ.items() if not key.startswith("SAFECONTEXT_")}
    environment.update(
        SAFECONTEXT_CONFIG="development",
        SAFECONTEXT_DATABASE_URL=database_url,
        SAFECONTEXT_INSTANCE_PATH=instance_path,
        PYTHONUNBUFFERED="1",
    )
    return environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_ready(server: Server) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            pytest.fail(f"the server exited with status {server.process.returncode}:\n{server.log_tail()}")
        try:
            if call(server.url, "GET", "/healthz", timeout=5, prefix="").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.2)
    server.kill()
    pytest.fail(f"the server did not answer within {START_TIMEOUT} s:\n{server.log_tail()}")


@pytest.fixture
def serve(app, tmp_path):
    """serve(database_url=None, workers=3, threads=4) -> a running Server on the test's database (or the URL
    given); every server started is stopped at the end of the test."""
    started: list[Server] = []
    instance = app.config["INSTANCE_PATH"]

    def start(database_url: str | None = None, workers: int = 3, threads: int = 4) -> Server:
        port = free_port()
        log = tmp_path / f"server-{len(started) + 1}.log"
        command = [str(GUNICORN), "--workers", str(workers), "--threads", str(threads), "--bind", f"127.0.0.1:{port}"]
        command += ["--timeout", "120", "--graceful-timeout", "2", "wsgi:app"]
        with log.open("wb") as output:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=server_environment(database_url or app.config["SQLALCHEMY_DATABASE_URI"], instance),
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        server = Server(f"http://127.0.0.1:{port}", process, log)
        started.append(server)
        wait_until_ready(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def verify_audit_log(app):
    """verify_audit_log() -> the JSON of `flask audit verify --json`, run as an operator would, on the test's
    database; fails the test unless the command succeeds."""

    def verify() -> dict:
        environment = server_environment(app.config["SQLALCHEMY_DATABASE_URI"], app.config["INSTANCE_PATH"])
        result = subprocess.run(
            [str(FLASK), "--app", "wsgi", "audit", "verify", "--json"],
            cwd=ROOT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return json.loads(result.stdout.strip().splitlines()[-1])

    return verify


@pytest.fixture
def load_clients(make_user, api):
    """The 16 clients of a load: token headers of 12 social workers and of 4 police officers, and the police
    agency's id (where the social workers refer)."""
    officers = [make_user("police_officer") for _ in range(RECEIVERS)]
    senders = [api(make_user("social_worker")) for _ in range(SENDERS)]
    return senders, [api(officer) for officer in officers], officers[0].agency_id
