"""The fixed audit action and outcome names (SPEC section 5) and who acted."""

from dataclasses import dataclass
from typing import Any

ACTIONS: frozenset[str] = frozenset(
    {
        "sign_in",
        "sign_in_failed",
        "sign_out",
        "view",
        "list",
        "search",
        "create",
        "update",
        "delete",
        "export",
        "map_view",
        "referral_transition",
        "break_glass",
        "denied",
        "audit_view",
        "key_operation",
        "retention",
        "import",
    }
)

OUTCOMES: frozenset[str] = frozenset({"success", "denied", "failure"})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acted: a user of an agency in a role (fields may be None for system work)."""

    user_id: str | None
    agency_id: str | None
    role: str | None


def as_actor(actor: Any) -> Actor | None:
    """An Actor from an Actor, None (anonymous), or any object with user_id (or id), agency_id and role."""
    if actor is None or isinstance(actor, Actor):
        return actor
    try:
        user_id = actor.user_id if hasattr(actor, "user_id") else actor.id
        agency_id, role = actor.agency_id, actor.role
    except AttributeError as exc:
        raise TypeError(f"an audit actor needs user_id (or id), agency_id and role: {exc}") from None
    return Actor(*(None if v is None else str(v) for v in (user_id, agency_id, role)))


def check_action(action: str, outcome: str) -> None:
    """ValueError unless the action and outcome are among the fixed names."""
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r}; the fixed names are {sorted(ACTIONS)}")
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown audit outcome {outcome!r}; expected one of {sorted(OUTCOMES)}")
