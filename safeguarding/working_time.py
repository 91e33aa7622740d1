"""Working time: opening hours on working days, in a local zone, without bank holidays."""

from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from govuk_bank_holidays.bank_holidays import BankHolidays


class TimescaleConfigError(ValueError):
    """Configuration for working time or timescales that cannot be used; `problems` maps a key to what to fix."""

    def __init__(self, problems: dict[str, str]):
        super().__init__("; ".join(f"{key}: {text}" for key, text in problems.items()))
        self.problems = problems


@cache
def bundled_bank_holidays() -> frozenset[date]:
    """England and Wales bank holidays shipped inside govuk-bank-holidays (read once, never downloaded)."""
    # use_cached_holidays=True: a request to GOV.UK from a safeguarding system at start-up is a leak and a hang risk
    holidays = BankHolidays(use_cached_holidays=True).get_holidays(division=BankHolidays.ENGLAND_AND_WALES)
    return frozenset(holiday["date"] for holiday in holidays)


@cache
def bank_holidays_of_year(year: int) -> frozenset[date]:
    """England and Wales bank holidays in `year`: GOV.UK's published list for the years it covers, and for the
    years outside it the regular rules (New Year, Easter, May, August, Christmas, with weekend substitutes), so
    that a timescale running past the bundled data never counts Christmas Day as a working day."""
    published = bundled_bank_holidays()
    if min(published).year <= year <= max(published).year:
        return frozenset(day for day in published if day.year == year)
    import holidays  # imported only here: it takes a fifth of a second, and the published years need none of it

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def to_utc(at: datetime, name: str = "datetime") -> datetime:
    """The same instant in UTC; naive datetimes are refused because their zone is a guess."""
    if not isinstance(at, datetime) or at.utcoffset() is None:
        raise ValueError(f"{name} must be a timezone-aware datetime, got {at!r}")
    return at.astimezone(UTC)


def _parse_time(value: time | str, key: str, problems: dict[str, str]) -> time | None:
    if isinstance(value, time):
        return value
    try:
        return time.fromisoformat(value)
    except (TypeError, ValueError):
        problems[key] = f"give a time such as '09:00', not {value!r}"
        return None


def _parse_holidays(values: Iterable[date | str], problems: dict[str, str], key: str) -> frozenset[date]:
    parsed = set()
    for value in values:
        # a datetime is a date subclass; refusing it keeps a zone-dependent day out of the table
        if isinstance(value, date) and not isinstance(value, datetime):
            parsed.add(value)
            continue
        try:
            parsed.add(date.fromisoformat(value))
        except (TypeError, ValueError):
            problems[key] = f"give dates such as '2031-12-25', not {value!r}"
    return frozenset(parsed)


class WorkingCalendar:
    """Opening hours on working days in one zone; computed datetimes are aware and in that zone."""

    def __init__(
        self,
        opening: time | str = time(9),
        closing: time | str = time(17),
        tz: str | ZoneInfo = "Europe/London",
        extra_holidays: Iterable[date | str] = (),
        weekend: Iterable[int] = (5, 6),
        cancelled_holidays: Iterable[date | str] = (),
    ):
        """extra_holidays: closure days beside the bank holidays; cancelled_holidays: bank holidays that are working
        days after all (one moved by proclamation, as 4 May 2020 was to 8 May, which goes in extra_holidays)."""
        problems: dict[str, str] = {}
        opening, closing = _parse_time(opening, "opening", problems), _parse_time(closing, "closing", problems)
        if opening and closing and opening >= closing:
            problems["closing"] = "closing time must be after opening time"
        try:
            self.tz = tz if isinstance(tz, ZoneInfo) else ZoneInfo(tz)
        except (ZoneInfoNotFoundError, TypeError, ValueError):
            problems["tz"] = f"give an IANA time zone such as 'Europe/London', not {tz!r}"
        weekend = frozenset(weekend)
        if not all(isinstance(day, int) and 0 <= day <= 6 for day in weekend) or len(weekend) == 7:
            problems["weekend"] = "give weekday numbers 0 (Monday) to 6 (Sunday), leaving at least one working day"
        extra = _parse_holidays(extra_holidays, problems, "extra_holidays")
        cancelled = _parse_holidays(cancelled_holidays, problems, "cancelled_holidays")
        if problems:
            raise TimescaleConfigError(problems)
        self.opening, self.closing, self.weekend = opening, closing, weekend
        self.extra_holidays, self.cancelled_holidays = extra, cancelled
        self._closed_by_year: dict[int, frozenset[date]] = {}

    @property
    def bundled_until(self) -> date:
        """The last bank holiday in the bundled data; later years follow the regular rules and the extra table."""
        return max(bundled_bank_holidays())

    def closure_days(self, first_year: int, last_year: int) -> frozenset[date]:
        """Bank holidays and extra closure days from the start of first_year to the end of last_year."""
        return frozenset().union(*map(self._closed_in, range(first_year, last_year + 1)))

    def _closed_in(self, year: int) -> frozenset[date]:
        """The one rule for closures: the year's bank holidays, less those cancelled, and the extra days."""
        if year not in self._closed_by_year:
            extra = {day for day in self.extra_holidays if day.year == year}
            self._closed_by_year[year] = (bank_holidays_of_year(year) - self.cancelled_holidays) | extra
        return self._closed_by_year[year]

    def local_date(self, day: date | datetime) -> date:
        """The calendar day in this zone; an aware datetime is converted first."""
        if isinstance(day, datetime):
            return to_utc(day, "day").astimezone(self.tz).date()
        return day

    def is_working_day(self, day: date | datetime) -> bool:
        """Not a weekend day, bank holiday (unless cancelled) or extra holiday."""
        day = self.local_date(day)
        return day.weekday() not in self.weekend and day not in self._closed_in(day.year)

    def next_working_day(self, day: date | datetime) -> date:
        """The first working day strictly after `day`."""
        day = self.local_date(day) + timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day

    def opening_on(self, day: date) -> datetime:
        """Opening time on `day` as an aware datetime in this zone."""
        return datetime.combine(day, self.opening, tzinfo=self.tz)

    def closing_on(self, day: date) -> datetime:
        """Closing time on `day` as an aware datetime in this zone."""
        return datetime.combine(day, self.closing, tzinfo=self.tz)

    def next_opening(self, at: datetime) -> datetime:
        """`at` itself when inside opening hours (opening inclusive, closing exclusive), else the next opening."""
        instant = to_utc(at, "at")
        day = instant.astimezone(self.tz).date()
        if self.is_working_day(day):
            if instant < to_utc(self.opening_on(day)):
                return self.opening_on(day)
            if instant < to_utc(self.closing_on(day)):
                return at
        return self.opening_on(self.next_working_day(day))

    def end_of_working_day(self, day: date | datetime, n: int) -> datetime:
        """Closing time on the n-th working day after `day`; n=0 is `day` itself, or the next working day if closed."""
        if isinstance(n, bool) or not isinstance(n, int) or n < 0:
            raise ValueError(f"n must be a whole number of working days, 0 or more, got {n!r}")
        day = self.local_date(day)
        if n == 0 and not self.is_working_day(day):
            day = self.next_working_day(day)
        for _ in range(n):
            day = self.next_working_day(day)
        return self.closing_on(day)


def working_seconds_between(start: datetime, end: datetime, calendar: WorkingCalendar) -> float:
    """Seconds of opening hours between two instants; negative when `end` is before `start`."""
    first, last = to_utc(start, "start"), to_utc(end, "end")
    if last < first:
        return -working_seconds_between(end, start, calendar)
    total = 0.0
    day, last_day = first.astimezone(calendar.tz).date(), last.astimezone(calendar.tz).date()
    while day <= last_day:
        if calendar.is_working_day(day):
            # intersect in UTC so a DST change never adds or loses an hour
            lo = max(first, to_utc(calendar.opening_on(day)))
            hi = min(last, to_utc(calendar.closing_on(day)))
            total += max((hi - lo).total_seconds(), 0.0)
        day += timedelta(days=1)
    return total
