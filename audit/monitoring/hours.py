"""Agency working hours, judged on the agency's own wall clock so that summer time moves them with it."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from audit.monitoring.facts import LONDON

Span = tuple[time, time]
MIDNIGHT = time(0)
ALL_DAY: Span = (MIDNIGHT, MIDNIGHT)


@dataclass(frozen=True)
class AgencyHours:
    """Per-weekday (start, end) working ranges, Monday first; a range whose end <= start runs past midnight."""

    agency_id: str | None
    working: tuple[tuple[Span, ...], ...]
    tz: str = LONDON
    # Whole local days off (bank holidays): the app fills these, e.g. from govuk-bank-holidays, to keep rules pure.
    closed_on: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        if len(self.working) != 7:
            raise ValueError("working needs seven entries, Monday first")
        # Lists from config become tuples so the value stays hashable and immutable.
        object.__setattr__(self, "working", tuple(tuple((start, end) for start, end in day) for day in self.working))
        object.__setattr__(self, "closed_on", frozenset(self.closed_on))
        ZoneInfo(self.tz)  # fail on an unknown zone now, not at report time

    @classmethod
    def always(cls, agency_id: str | None, *, tz: str = LONDON) -> "AgencyHours":
        """Round the clock, every day: police and emergency duty teams."""
        return cls(agency_id, ((ALL_DAY,),) * 7, tz)

    @classmethod
    def weekdays(
        cls, agency_id: str | None, start: time, end: time, *, tz: str = LONDON, closed_on: Iterable[date] = ()
    ) -> "AgencyHours":
        """The same hours Monday to Friday, closed at weekends."""
        return cls(agency_id, (((start, end),),) * 5 + ((),) * 2, tz, frozenset(closed_on))

    def local(self, at: datetime) -> datetime:
        """The agency's wall-clock time at an instant."""
        if at.utcoffset() is None:
            raise ValueError("at must be timezone-aware")
        return at.astimezone(ZoneInfo(self.tz))

    def is_working(self, at: datetime) -> bool:
        """Whether the instant falls in the agency's working hours."""
        local = self.local(at)
        today, clock = local.date(), local.time()
        yesterday = today - timedelta(days=1)
        started_today = today not in self.closed_on and any(
            start <= clock and (clock < end or end <= start) for start, end in self.working[today.weekday()]
        )
        # The after-midnight part of last night's overnight shift.
        carried_over = yesterday not in self.closed_on and any(
            end <= start and clock < end for start, end in self.working[yesterday.weekday()]
        )
        return started_today or carried_over
