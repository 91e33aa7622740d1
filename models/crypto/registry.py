"""The process-wide keyring and session provider, configured once at start-up without any Flask state."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, object_session

from models.crypto.errors import KeyringNotConfigured

if TYPE_CHECKING:
    from models.crypto.data_keys import KeyRing


@dataclass
class _State:
    keyring: "KeyRing | None" = None
    session_provider: Callable[[], Session] | None = None


_state = _State()


def configure(keyring: "KeyRing", session_provider: Callable[[], Session] | None = None) -> None:
    """Install the keyring (and the session used for objects not yet in one) for this process."""
    _state.keyring = keyring
    _state.session_provider = session_provider


def current_keyring() -> "KeyRing":
    """The configured keyring; raises KeyringNotConfigured before configure() has run."""
    if _state.keyring is None:
        raise KeyringNotConfigured(
            "no keyring configured: call models.crypto.configure(KeyRing(MasterKeys(...))) at start-up"
        )
    return _state.keyring


def session_for(instance: object) -> Session:
    """The session an instance belongs to, else the configured provider's session."""
    session = object_session(instance)
    if session is not None:
        return session
    if _state.session_provider is None:
        raise KeyringNotConfigured(
            f"{type(instance).__name__} is not in a session and no session_provider was given to configure()"
        )
    return _state.session_provider()
