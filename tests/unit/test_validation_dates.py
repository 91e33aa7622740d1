"""Dates and times in the contract's forms only (SPEC section 10): YYYY-MM-DD, and ISO 8601 times with an offset.

Python's fromisoformat reads more (20110327, 2011-W12-7, digits of other scripts); none of those is taken.
"""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from safeguarding.errors import ValidationFailed
from safeguarding.validation import LONDON, parse_date, parse_datetime


@pytest.mark.parametrize("value", ["2011-03-27", " 2011-03-27 ", date(2011, 3, 27)])
def test_a_date_in_the_contract_form_is_read(value):
    assert parse_date(value, field="$.d", label="the date") == date(2011, 3, 27)


@pytest.mark.parametrize(
    "value", ["20110327", "2011-W12-7", "2011-086", "２０１１-03-27", "2011-3-27", "2011-02-30", "27/03/2011", 20110327]
)
def test_any_other_form_of_date_is_refused_by_its_field(value):
    with pytest.raises(ValidationFailed) as refused:
        parse_date(value, field="$.d", label="the date")
    assert set(refused.value.fields) == {"$.d"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-01T18:30:00+00:00", datetime(2026, 3, 1, 18, 30, tzinfo=UTC)),
        ("2026-03-01T18:30:00.250Z", datetime(2026, 3, 1, 18, 30, 0, 250_000, tzinfo=UTC)),
        ("2026-07-01 09:00+01:00", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        ("2026-07-01T09:00:00+0100", datetime(2026, 7, 1, 8, 0, tzinfo=UTC)),
        ("2026-07-01", datetime(2026, 7, 1, 0, 0, tzinfo=LONDON)),  # a bare date: 00:00 UK time
    ],
)
def test_a_time_in_iso_8601_extended_form_is_read(value, expected):
    parsed = parse_datetime(value, field="$.t", label="the time")
    assert parsed == expected and parsed.utcoffset() is not None


@pytest.mark.parametrize(
    "value", ["2024-W01-1", "2024-W01-1T10:00:00+00:00", "20240101T100000Z", "2024-01-01T10", "2024-01-01T10:00:00"]
)
def test_any_other_form_of_time_is_refused_by_its_field(value):
    with pytest.raises(ValidationFailed) as refused:
        parse_datetime(value, field="$.t", label="the time")
    assert set(refused.value.fields) == {"$.t"}


def test_an_offset_other_than_utc_keeps_its_instant():
    parsed = parse_datetime("2026-03-01T18:30:00-05:00", field="$.t", label="the time")
    assert parsed.utcoffset() == timedelta(hours=-5) and parsed == datetime(
        2026, 3, 1, 18, 30, tzinfo=timezone(timedelta(hours=-5))
    )
