"""Request context (request id, client address, user agent) that record() stamps on every event."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class RequestContext:
    """Where an access came from; the web layer sets it per request, the CLI per command."""

    request_id: str
    client_addr: str | None
    user_agent: str | None


# A contextvar rather than a thread-local, so that async code and thread pools each see their own request.
_current: ContextVar[RequestContext | None] = ContextVar("safecontext_audit_request", default=None)


def set_request_context(
    request_id: str, client_addr: str | None, user_agent: str | None
) -> Token[RequestContext | None]:
    """Make this the current request context; pass the token to reset_request_context when the request ends."""
    return _current.set(RequestContext(request_id, client_addr, user_agent))


def reset_request_context(token: Token[RequestContext | None]) -> None:
    """Restore the context that was current before set_request_context."""
    _current.reset(token)


def current_request_context() -> RequestContext | None:
    """The current request context, or None outside a request (jobs, CLI without one)."""
    return _current.get()


@contextmanager
def request_context(
    request_id: str, client_addr: str | None = None, user_agent: str | None = None
) -> Iterator[RequestContext]:
    """Scope a request context to a with-block (CLI commands, jobs, tests)."""
    token = set_request_context(request_id, client_addr, user_agent)
    try:
        yield _current.get()
    finally:
        reset_request_context(token)
