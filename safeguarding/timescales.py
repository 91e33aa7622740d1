"""Referral timescales (SPEC section 3): when a referral must be acknowledged and decided, and breaches.

Working-time urgencies (amber, green by default) count from receipt, the sender's time moved to the next
opening when out of hours. The receipt day is day 0, whatever time it arrived; day n is the n-th working
day after it, and a rule of n working days is due at closing time (17:00) on day n. So a green referral
received on Wednesday is acknowledged by Thursday 17:00 (day 1) and decided by Monday 17:00 (day 3).
Clock-time urgencies (red) count from the moment it was sent, day or night.
"""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from safeguarding.working_time import TimescaleConfigError, WorkingCalendar, to_utc

URGENCIES = ("red", "amber", "green")
CLOCK, WORKING = "clock", "working"

# urgency -> (basis, acknowledge rule, decide rule); clock rules are durations, working rules whole working days
DEFAULT_TABLE: dict[str, tuple[str, timedelta | int, timedelta | int]] = {
    "red": (CLOCK, timedelta(hours=1), timedelta(hours=4)),
    "amber": (WORKING, 1, 1),
    "green": (WORKING, 1, 3),
}

_DURATION = re.compile(r"^\s*(\d+)\s*(m|mins?|minutes?|h|hrs?|hours?)\s*$", re.IGNORECASE)
_STEPS = ("acknowledge", "decide")


def _clock_rule(value: Any, key: str, problems: dict[str, str]) -> timedelta | None:
    if isinstance(value, str) and (match := _DURATION.match(value)):
        amount, unit = int(match[1]), match[2].lower()
        value = timedelta(hours=amount) if unit.startswith("h") else timedelta(minutes=amount)
    if isinstance(value, timedelta) and value > timedelta(0):
        return value
    problems[key] = f"give a duration above zero such as '30m' or '4h', not {value!r}"
    return None


def _working_rule(value: Any, key: str, problems: dict[str, str]) -> int | None:
    # bool is an int subclass; True working days is a config slip, not 1
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    problems[key] = f"give a whole number of working days, 0 or more, not {value!r}"
    return None


def _validate(table: Any) -> dict[str, tuple[str, timedelta | int, timedelta | int]]:
    problems: dict[str, str] = {}
    if not isinstance(table, Mapping):
        raise TimescaleConfigError({"timescales": "give a mapping of urgency to (basis, acknowledge, decide)"})
    for urgency in set(table) - set(URGENCIES):
        problems[str(urgency)] = f"unknown urgency; use {', '.join(URGENCIES)}"
    normalised = {}
    for urgency in URGENCIES:
        entry = table.get(urgency)
        if not isinstance(entry, tuple | list) or len(entry) != 3:
            problems[urgency] = "give (basis, acknowledge rule, decide rule)"
            continue
        basis, *rules = entry
        if basis not in (CLOCK, WORKING):
            problems[f"{urgency}.basis"] = f"use '{CLOCK}' or '{WORKING}', not {basis!r}"
            continue
        parse = _clock_rule if basis == CLOCK else _working_rule
        acknowledge, decide = (
            parse(rule, f"{urgency}.{step}", problems) for step, rule in zip(_STEPS, rules, strict=True)
        )
        if acknowledge is not None and decide is not None:
            if decide < acknowledge:
                problems[f"{urgency}.decide"] = "a decision cannot be due before the acknowledgement"
            normalised[urgency] = (basis, acknowledge, decide)
    if problems:
        raise TimescaleConfigError(problems)
    return normalised


def _merge(base: tuple, override: Any, urgency: str) -> Any:
    """A per-urgency override: a full (basis, acknowledge, decide) or a mapping of some of those keys."""
    if not isinstance(override, Mapping):
        return override
    unknown = set(override) - {"basis", *_STEPS}
    if unknown:
        raise TimescaleConfigError(
            {urgency: f"unknown keys {sorted(map(str, unknown))}; use basis, acknowledge, decide"}
        )
    basis = override.get("basis", base[0])
    if basis != base[0] and not set(_STEPS) <= set(override):
        # the old rules are in the old basis's units: keeping them would turn 1 working day into 1 of something else
        raise TimescaleConfigError({urgency: "changing the basis needs both acknowledge and decide"})
    return (basis, override.get("acknowledge", base[1]), override.get("decide", base[2]))


@dataclass(frozen=True)
class TimescalePolicy:
    """Which clock each urgency runs on and how long each step may take; validated on creation."""

    table: Mapping[str, tuple[str, timedelta | int, timedelta | int]] = field(default_factory=lambda: DEFAULT_TABLE)

    def __post_init__(self) -> None:
        object.__setattr__(self, "table", _validate(self.table))

    @classmethod
    def from_mapping(cls, overrides: Mapping[str, Any] | None) -> "TimescalePolicy":
        """The SPEC defaults with configuration laid over them, e.g. {"red": {"acknowledge": "30m"}}."""
        if overrides is None:
            return cls()
        if not isinstance(overrides, Mapping):
            raise TimescaleConfigError({"timescales": "give a mapping of urgency to overrides"})
        table: dict[Any, Any] = dict(DEFAULT_TABLE)
        for urgency, override in overrides.items():
            # an unknown urgency goes through untouched so validation names it
            table[urgency] = _merge(DEFAULT_TABLE[urgency], override, urgency) if urgency in URGENCIES else override
        return cls(table)


@dataclass(frozen=True)
class DueTimes:
    """When each step falls due; None where no local timescale applies."""

    acknowledge_by: datetime | None
    decide_by: datetime | None


def due_times(
    sent_at: datetime, urgency: str, policy: TimescalePolicy, calendar: WorkingCalendar, external: bool = False
) -> DueTimes:
    """When a referral sent at `sent_at` must be acknowledged and decided; none for external recipients."""
    if urgency not in policy.table:
        raise ValueError(f"unknown urgency {urgency!r}; use {', '.join(URGENCIES)}")
    sent = to_utc(sent_at, "sent_at")
    if external:
        return DueTimes(None, None)
    basis, acknowledge, decide = policy.table[urgency]
    if basis == CLOCK:
        # add in UTC: wall-clock arithmetic would gain or lose an hour across a DST change
        return DueTimes((sent + acknowledge).astimezone(calendar.tz), (sent + decide).astimezone(calendar.tz))
    receipt_day = calendar.local_date(calendar.next_opening(sent_at))
    return DueTimes(
        calendar.end_of_working_day(receipt_day, acknowledge), calendar.end_of_working_day(receipt_day, decide)
    )


def _late(due: datetime | None, taken_at: datetime | None, now: datetime) -> bool:
    if due is None:
        return False
    return to_utc(taken_at if taken_at is not None else now) > to_utc(due)


def breaches(
    due: DueTimes, acknowledged_at: datetime | None, decided_at: datetime | None, now: datetime
) -> dict[str, bool]:
    """Per step: (time taken, or now if not yet taken) is after the due time; a decision also acknowledges."""
    to_utc(now, "now")
    acknowledged_at = acknowledged_at if acknowledged_at is not None else decided_at
    return {
        "acknowledge": _late(due.acknowledge_by, acknowledged_at, now),
        "decide": _late(due.decide_by, decided_at, now),
    }


def is_overdue(due: DueTimes, acknowledged_at: datetime | None, decided_at: datetime | None, now: datetime) -> bool:
    """A step not yet taken whose due time has passed; derived on read, never stored."""
    to_utc(now, "now")
    if decided_at is not None:
        return False
    pending = [due.decide_by] if acknowledged_at is not None else [due.acknowledge_by, due.decide_by]
    return any(_late(due_by, None, now) for due_by in pending)
