"""Rule: a user reaching for break-glass again and again."""

from collections import defaultdict
from collections.abc import Iterable
from datetime import timedelta

from audit.monitoring.facts import (
    BREAK_GLASS,
    AccessEvent,
    Finding,
    in_time_order,
    people_of,
    plural,
    seqs_of,
    wall_clock,
)

RULE = "repeated_break_glass"
THRESHOLD = 3
WINDOW = timedelta(days=7)


def repeated_break_glass(
    events: Iterable[AccessEvent], *, threshold: int = THRESHOLD, window: timedelta = WINDOW
) -> list[Finding]:
    """Each break-glass use that brings a user's uses within the last `window` (span < window) to `threshold`+."""
    if threshold < 1 or window <= timedelta(0):
        raise ValueError("threshold and window must be positive")
    uses: dict[str, list[AccessEvent]] = defaultdict(list)
    # Refused attempts count too: the pattern of reaching for the override is what a lead reviews.
    for event in in_time_order(events):
        if event.action == BREAK_GLASS and event.actor_user_id is not None:
            uses[event.actor_user_id].append(event)

    findings = []
    for user_id, user_uses in uses.items():
        start = 0
        for end, event in enumerate(user_uses):
            while event.at - user_uses[start].at >= window:
                start += 1
            recent = user_uses[start : end + 1]
            if len(recent) >= threshold:
                detail = (
                    f"Used break-glass {plural(len(recent), 'time')} within {_duration(window)} "
                    f"({wall_clock(recent[0].at)} to {wall_clock(event.at)})"
                )
                findings.append(Finding(RULE, user_id, people_of(recent), seqs_of(recent), detail, event.at))
    return findings


def _duration(window: timedelta) -> str:
    """'7 days' for whole days, else the timedelta as written."""
    if window % timedelta(days=1):
        return str(window)
    return plural(window.days, "day")
