"""Privacy-monitoring rules for safeguarding leads: pure functions from audit events and plain facts to findings.

The app maps audit rows to `AccessEvent`, users and people to `UserFacts`/`PersonFacts` (family names only as
blind-index tokens) and agency settings to `AgencyHours`; nothing here touches Flask or the database.
"""

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from types import MappingProxyType
from zoneinfo import ZoneInfo

from audit.monitoring.access import after_deactivation, out_of_hours, restricted_access, same_family_name
from audit.monitoring.break_glass import THRESHOLD, WINDOW, repeated_break_glass
from audit.monitoring.facts import LONDON, AccessEvent, Finding, PersonFacts, UserFacts
from audit.monitoring.hours import ALL_DAY, AgencyHours
from audit.monitoring.volume import HISTORY_DAYS, MEDIAN_FACTOR, MIN_MEDIAN, PER_DAY_LIMIT, many_people

__all__ = [
    "ALL_DAY",
    "RULES",
    "AccessEvent",
    "AgencyHours",
    "Finding",
    "PersonFacts",
    "UserFacts",
    "after_deactivation",
    "many_people",
    "out_of_hours",
    "repeated_break_glass",
    "restricted_access",
    "run_all",
    "same_family_name",
]

RULES: Mapping[str, str] = MappingProxyType(
    {
        "many_people": "A user viewed far more distinct people in a day than the daily limit or their usual day",
        "out_of_hours": "A user accessed people's records outside their agency's working hours",
        "same_family_name": "A user accessed the record of a person who shares their family name",
        "restricted_access": "A user accessed the record of a restricted person",
        "repeated_break_glass": "A user used break-glass repeatedly within a short period",
        "after_deactivation": "A user's account was used, or tried, after it was deactivated",
    }
)


def run_all(
    events: Iterable[AccessEvent],
    *,
    users: Mapping[str, UserFacts],
    people: Mapping[str, PersonFacts],
    hours: Mapping[str, AgencyHours],
    default_hours: AgencyHours,
    day: date,
    tz: str = LONDON,
    per_day_limit: int = PER_DAY_LIMIT,
    median_factor: float = MEDIAN_FACTOR,
    history_days: int = HISTORY_DAYS,
    min_median: float = MIN_MEDIAN,
    break_glass_threshold: int = THRESHOLD,
    break_glass_window: timedelta = WINDOW,
) -> list[Finding]:
    """Every rule's findings dated `day` (local to `tz`), by time; pass the day's events plus enough history."""
    events = list(events)
    findings = [
        *many_people(
            events,
            day=day,
            per_day_limit=per_day_limit,
            median_factor=median_factor,
            history_days=history_days,
            min_median=min_median,
            tz=tz,
        ),
        *out_of_hours(events, hours, default_hours),
        *same_family_name(events, users, people),
        *restricted_access(events, people),
        *repeated_break_glass(events, threshold=break_glass_threshold, window=break_glass_window),
        *after_deactivation(events, users, tz=tz),
    ]
    zone = ZoneInfo(tz)
    # Dating each finding by its own `at` means a daily report never repeats yesterday's findings.
    todays = (finding for finding in findings if finding.at.astimezone(zone).date() == day)
    return sorted(todays, key=lambda f: (f.at, f.rule, f.actor_user_id, f.event_seqs))
