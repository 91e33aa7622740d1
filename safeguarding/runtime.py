"""Process-wide keys and settings the services need, set once at start-up (by the app factory or a CLI)."""

from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher

from safeguarding.blind_index import BlindIndexer


@dataclass(frozen=True)
class AuthSettings:
    lockout_threshold: int = 5
    lockout_period: timedelta = timedelta(minutes=15)
    token_lifetime: timedelta = timedelta(hours=8)


@dataclass(frozen=True)
class Runtime:
    indexer: BlindIndexer
    signing_key: bytes
    password_hasher: PasswordHasher
    auth: AuthSettings


_current: Runtime | None = None


def configure(**parts) -> Runtime:
    global _current
    _current = Runtime(**parts)
    return _current


def current() -> Runtime:
    if _current is None:
        raise RuntimeError("safeguarding.runtime is not configured: create the app (or call configure) first")
    return _current
