"""Rule: a user viewing unusually many distinct people in a day."""

import statistics
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from audit.monitoring.facts import (
    LONDON,
    SUCCESS,
    VIEWING_ACTIONS,
    AccessEvent,
    Finding,
    in_time_order,
    long_date,
    people_of,
    plural,
    seqs_of,
)

RULE = "many_people"
PER_DAY_LIMIT = 50
MEDIAN_FACTOR = 5
HISTORY_DAYS = 30
# Below this usual daily count the relative test is noise (a median of 1 would flag 6 people, an ordinary day of
# new work), so such users, and new users whose zero-filled history has median 0, meet only the absolute limit.
MIN_MEDIAN = 3


def many_people(
    events: Iterable[AccessEvent],
    *,
    day: date,
    per_day_limit: int = PER_DAY_LIMIT,
    median_factor: float = MEDIAN_FACTOR,
    history_days: int = HISTORY_DAYS,
    min_median: float = MIN_MEDIAN,
    tz: str = LONDON,
) -> list[Finding]:
    """Users who viewed more distinct people on `day` (local to `tz`) than the limit or their usual multiple."""
    zone = ZoneInfo(tz)
    first = day - timedelta(days=history_days)
    by_user: dict[str, dict[date, list[AccessEvent]]] = defaultdict(lambda: defaultdict(list))
    # Only successful reads: a denied attempt showed the user nothing, and is reported as a denial.
    for event in in_time_order(events):
        if event.actor_user_id is None or event.action not in VIEWING_ACTIONS or event.outcome != SUCCESS:
            continue
        local_day = event.at.astimezone(zone).date()
        if first <= local_day <= day:
            by_user[event.actor_user_id][local_day].append(event)

    findings = []
    for user_id, days in by_user.items():
        today = days.get(day, [])
        history = [len(people_of(days.get(first + timedelta(days=n), []))) for n in range(history_days)]
        median = statistics.median(history) if history else 0
        threshold: float = per_day_limit
        if median >= min_median:
            threshold = min(threshold, median_factor * median)
        crossing = _crossing(today, threshold)
        if crossing is None:
            continue
        people = people_of(today)
        detail = (
            f"Viewed {plural(len(people), 'person', 'people')} on {long_date(day)}: the daily limit is "
            f"{per_day_limit}; their usual day is {median:g}"
            + (f" (x{median_factor:g} = {median_factor * median:g})" if median >= min_median else "")
        )
        findings.append(Finding(RULE, user_id, people, seqs_of(today), detail, crossing.at))
    return findings


def _crossing(events: list[AccessEvent], threshold: float) -> AccessEvent | None:
    """The event at which the distinct-people count first went over the threshold."""
    seen: set[str] = set()
    for event in events:
        seen.update(event.person_ids)
        if len(seen) > threshold:
            return event
    return None
