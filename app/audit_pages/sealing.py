"""One background sealer per process, started by the first request (never at import, nor for CLI commands)."""

import atexit
import os
import threading

from flask import Flask

import audit
from app.extensions import db
from safeguarding.runtime import current as runtime

_lock = threading.Lock()
_sealer: audit.BackgroundSealer | None = None
_pid: int | None = None
_atexit_registered = False


def init_background_sealer(app: Flask) -> None:
    """When AUDIT_BACKGROUND_SEALER is on, seal every AUDIT_SEAL_INTERVAL seconds from the first request on."""
    if not app.config["AUDIT_BACKGROUND_SEALER"]:
        return
    interval = float(app.config["AUDIT_SEAL_INTERVAL"])

    @app.before_request
    def _ensure_sealer() -> None:
        if _sealer is None or _pid != os.getpid():
            start_sealer(db.engine, runtime().signing_key, interval)


def start_sealer(engine, signing_key: bytes, interval: float) -> audit.BackgroundSealer:
    """The process's sealer, started if needed; a forked worker starts its own (threads do not survive fork)."""
    global _sealer, _pid, _atexit_registered
    with _lock:
        if _sealer is None or _pid != os.getpid():
            _sealer = audit.BackgroundSealer(engine, signing_key, interval=interval).start()
            _pid = os.getpid()
            if not _atexit_registered:
                atexit.register(stop_sealer)
                _atexit_registered = True
        return _sealer


def stop_sealer() -> None:
    """Stop this process's sealer (at exit); events left unsealed are sealed by the next sealer to run."""
    global _sealer, _pid
    with _lock:
        if _sealer is not None and _pid == os.getpid():
            _sealer.stop()
        _sealer, _pid = None, None


def current_sealer() -> audit.BackgroundSealer | None:
    """This process's running sealer, if any."""
    return _sealer if _pid == os.getpid() else None
