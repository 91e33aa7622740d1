"""Plain data the monitoring rules read and write: audit events, facts about users and people, findings."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = "Europe/London"
SUCCESS = "success"
VIEWING_ACTIONS = frozenset({"view", "search", "map_view", "export"})
BREAK_GLASS = "break_glass"


def require_aware(value: datetime | None, name: str) -> None:
    """Refuse naive datetimes: a rule comparing wall clocks must know which clock."""
    if value is not None and value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware")


@dataclass(frozen=True)
class AccessEvent:
    """One audit log row, reduced to what the monitoring rules read."""

    seq: int
    at: datetime
    actor_user_id: str | None
    actor_agency_id: str | None
    actor_role: str | None
    action: str
    person_ids: tuple[str, ...] = ()
    outcome: str = SUCCESS
    flagged: bool = False

    def __post_init__(self) -> None:
        require_aware(self.at, "at")


@dataclass(frozen=True)
class UserFacts:
    """What the rules know about a user; the family name only as its blind-index token."""

    user_id: str
    family_name_token: str | None = None
    deactivated_at: datetime | None = None

    def __post_init__(self) -> None:
        require_aware(self.deactivated_at, "deactivated_at")


@dataclass(frozen=True)
class PersonFacts:
    """What the rules know about a person; every family name they are known by, as blind-index tokens."""

    person_id: str
    family_name_tokens: frozenset[str] = frozenset()
    restricted: bool = False


@dataclass(frozen=True)
class Finding:
    """One anomaly for a safeguarding lead to review."""

    rule: str
    actor_user_id: str
    person_ids: tuple[str, ...]
    event_seqs: tuple[int, ...]
    detail: str
    at: datetime


def in_time_order(events: Iterable[AccessEvent]) -> list[AccessEvent]:
    """Events by time, ties broken by sequence number."""
    return sorted(events, key=lambda event: (event.at, event.seq))


def people_of(events: Iterable[AccessEvent]) -> tuple[str, ...]:
    """Distinct person ids across events, in order of first appearance."""
    return tuple(dict.fromkeys(pid for event in events for pid in event.person_ids))


def seqs_of(events: Iterable[AccessEvent]) -> tuple[int, ...]:
    """Sequence numbers of events."""
    return tuple(event.seq for event in events)


def plural(count: int, noun: str, nouns: str | None = None) -> str:
    """'1 person', '2 people'."""
    return f"{count} {noun if count == 1 else (nouns or noun + 's')}"


def long_date(day: date) -> str:
    """'30 March 2025', without the platform-specific %-d."""
    return f"{day.day} {day:%B %Y}"


def wall_clock(at: datetime, tz: str = LONDON) -> str:
    """'30 March 2025 14:05 BST': an instant as a lead in that zone reads it."""
    local = at.astimezone(ZoneInfo(tz))
    return f"{long_date(local)} {local:%H:%M %Z}"
