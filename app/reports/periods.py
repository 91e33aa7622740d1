"""Report periods from a query string: ISO start and end (exclusive, as the service takes them), by default the
last full quarter."""

from datetime import date

from safeguarding.reports import Period
from safeguarding.validation import uk_today


def last_full_quarter(today: date) -> Period:
    """The last complete calendar quarter before today (quarters start in January, April, July and October)."""
    end = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = date(end.year - 1, end.month + 9, 1) if end.month == 1 else date(end.year, end.month - 3, 1)
    return Period(start, end)


def requested_period(args) -> Period:
    """The ISO period of the CSV and the API (end exclusive, as the service's); none given: the last full quarter."""
    if "start" not in args and "end" not in args:
        return last_full_quarter(uk_today())
    return Period.parse(args.get("start"), args.get("end"))
