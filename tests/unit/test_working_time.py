"""Working time: London opening hours, weekends, England and Wales bank holidays, DST."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays
import pytest
import requests
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.working_time import (
    TimescaleConfigError,
    WorkingCalendar,
    bundled_bank_holidays,
    working_seconds_between,
)

LONDON = ZoneInfo("Europe/London")
HOUR = 3600


def london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LONDON, fold=fold)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


def test_bundled_holidays_are_read_from_the_package_never_downloaded(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("bank holidays must not be downloaded")

    monkeypatch.setattr(requests, "get", no_network)
    bundled_bank_holidays.cache_clear()
    assert date(2026, 8, 31) in bundled_bank_holidays()


def test_england_and_wales_holidays_apply_but_scottish_ones_do_not(calendar):
    assert not calendar.is_working_day(date(2026, 8, 31))  # summer bank holiday (England and Wales)
    assert not calendar.is_working_day(date(2026, 12, 28))  # Boxing Day substitute
    assert calendar.is_working_day(date(2026, 1, 2))  # 2 January is a holiday in Scotland only


def test_weekends_are_not_working_days_and_weekdays_are(calendar):
    assert [calendar.is_working_day(date(2026, 6, day)) for day in range(8, 15)] == [True] * 5 + [False] * 2


def test_next_opening_inside_hours_returns_the_same_instant(calendar):
    at = datetime(2026, 6, 10, 12, 15, tzinfo=UTC)  # 13:15 in London
    assert calendar.next_opening(at) is at


def test_next_opening_at_exactly_nine_is_open_and_at_exactly_five_is_closed(calendar):
    assert calendar.next_opening(london(2026, 6, 10, 9)) == london(2026, 6, 10, 9)
    assert calendar.next_opening(london(2026, 6, 10, 17)) == london(2026, 6, 11, 9)
    assert calendar.next_opening(london(2026, 6, 10, 16, 59, 59)) == london(2026, 6, 10, 16, 59, 59)


def test_next_opening_before_hours_is_the_same_morning(calendar):
    assert calendar.next_opening(london(2026, 6, 10, 8)) == london(2026, 6, 10, 9)


def test_next_opening_after_friday_close_or_at_weekends_is_monday(calendar):
    monday = london(2026, 6, 15, 9)
    assert calendar.next_opening(london(2026, 6, 12, 18)) == monday
    assert calendar.next_opening(london(2026, 6, 13, 11)) == monday
    assert calendar.next_opening(london(2026, 6, 14, 23, 59)) == monday


def test_next_opening_skips_a_bank_holiday_monday(calendar):
    assert calendar.next_opening(london(2026, 8, 29, 10)) == london(2026, 9, 1, 9)


def test_next_opening_reads_a_utc_input_on_the_london_clock(calendar):
    # 08:30 UTC is 08:30 in winter (closed) but 09:30 in summer (open)
    assert calendar.next_opening(datetime(2026, 1, 14, 8, 30, tzinfo=UTC)) == london(2026, 1, 14, 9)
    assert calendar.next_opening(datetime(2026, 7, 1, 8, 30, tzinfo=UTC)) == datetime(2026, 7, 1, 8, 30, tzinfo=UTC)


def test_naive_datetimes_are_refused(calendar):
    with pytest.raises(ValueError, match="timezone-aware"):
        calendar.next_opening(datetime(2026, 6, 10, 12))


def test_end_of_working_day_zero_is_the_same_day_and_rolls_forward_when_closed(calendar):
    assert calendar.end_of_working_day(date(2026, 6, 10), 0) == london(2026, 6, 10, 17)
    assert calendar.end_of_working_day(date(2026, 6, 13), 0) == london(2026, 6, 15, 17)


def test_end_of_working_day_counts_working_days_after_the_day(calendar):
    assert calendar.end_of_working_day(date(2026, 6, 12), 1) == london(2026, 6, 15, 17)
    assert calendar.end_of_working_day(date(2026, 8, 28), 1) == london(2026, 9, 1, 17)
    assert calendar.end_of_working_day(date(2026, 8, 28), 3) == london(2026, 9, 3, 17)


def test_end_of_working_day_refuses_negative_counts(calendar):
    with pytest.raises(ValueError, match="0 or more"):
        calendar.end_of_working_day(date(2026, 6, 10), -1)


def test_end_of_working_day_is_five_pm_on_the_wall_clock_across_dst(calendar):
    spring = calendar.end_of_working_day(date(2026, 3, 27), 1)  # clocks go forward on Sunday 29 March
    autumn = calendar.end_of_working_day(date(2026, 10, 23), 1)  # clocks go back on Sunday 25 October
    assert spring == datetime(2026, 3, 30, 16, tzinfo=UTC) and spring.utcoffset() == timedelta(hours=1)
    assert autumn == datetime(2026, 10, 26, 17, tzinfo=UTC) and autumn.utcoffset() == timedelta(0)


def test_years_past_the_bundled_data_follow_the_regular_bank_holiday_rules():
    default = WorkingCalendar()
    assert default.bundled_until.year < 2031
    closed = [date(2031, 1, 1), date(2031, 4, 11), date(2031, 4, 14), date(2031, 5, 5), date(2031, 5, 26)]
    closed += [date(2031, 8, 25), date(2031, 12, 25), date(2031, 12, 26), date(2032, 12, 27), date(2032, 12, 28)]
    assert not any(default.is_working_day(day) for day in closed)
    assert default.is_working_day(date(2031, 1, 2)) and default.is_working_day(date(2031, 12, 24))


@pytest.mark.parametrize("year", sorted({day.year for day in bundled_bank_holidays()}))
def test_the_regular_rules_give_the_published_weekday_holidays_of_every_bundled_year(year):
    """What justifies the rules past the published years: in the published ones they give the same closures
    (the rules also list a holiday that falls on a weekend, beside its weekday substitute)."""
    ruled = holidays.country_holidays("GB", subdiv="ENG", years=year)
    assert {day for day in ruled if day.weekday() < 5} == {day for day in bundled_bank_holidays() if day.year == year}


def test_extra_holidays_add_one_off_closures_in_any_year():
    extended = WorkingCalendar(extra_holidays=[date(2031, 6, 12), "2031-06-13"])
    assert WorkingCalendar().is_working_day(date(2031, 6, 12))
    assert not extended.is_working_day(date(2031, 6, 12)) and not extended.is_working_day(date(2031, 6, 13))


def test_a_bank_holiday_moved_by_proclamation_is_cancelled_on_its_old_day_and_added_on_its_new_one():
    moved = WorkingCalendar(extra_holidays=["2031-05-09"], cancelled_holidays=["2031-05-05"])
    assert moved.is_working_day(date(2031, 5, 5)) and not moved.is_working_day(date(2031, 5, 9))
    assert date(2031, 5, 5) not in moved.closure_days(2031, 2031)
    assert not moved.is_working_day(date(2031, 5, 10)), "a weekend day stays a weekend day"


def test_closure_days_list_every_bank_and_extra_holiday_of_the_years_asked_for():
    days = WorkingCalendar(extra_holidays=["2030-06-12", "2032-06-14"]).closure_days(2030, 2031)
    assert date(2030, 6, 12) in days and date(2031, 12, 25) in days and date(2030, 12, 25) in days
    assert date(2032, 6, 14) not in days and date(2029, 12, 25) not in days


def test_extra_holidays_add_local_closure_days_to_the_bundled_ones():
    closed = WorkingCalendar(extra_holidays=["2026-06-12"])
    assert not closed.is_working_day(date(2026, 6, 12))
    assert not closed.is_working_day(date(2026, 8, 31))
    assert closed.next_opening(london(2026, 6, 11, 17, 30)) == london(2026, 6, 15, 9)


def test_hours_and_weekend_are_configurable():
    sunday_off = WorkingCalendar(opening="08:30", closing=time(16), weekend=(6,))
    assert sunday_off.is_working_day(date(2026, 6, 13))
    assert sunday_off.next_opening(london(2026, 6, 12, 16)) == london(2026, 6, 13, 8, 30)


@pytest.mark.parametrize(
    ("settings", "key"),
    [
        ({"opening": time(17), "closing": time(9)}, "closing"),
        ({"opening": "nine"}, "opening"),
        ({"tz": "Europe/Atlantis"}, "tz"),
        ({"weekend": range(7)}, "weekend"),
        ({"weekend": (7,)}, "weekend"),
        ({"extra_holidays": ["25/12/2031"]}, "extra_holidays"),
        ({"extra_holidays": [datetime(2031, 12, 25, tzinfo=UTC)]}, "extra_holidays"),
    ],
)
def test_bad_calendar_settings_are_refused_naming_the_setting(settings, key):
    with pytest.raises(TimescaleConfigError) as refused:
        WorkingCalendar(**settings)
    assert key in refused.value.problems


def test_working_seconds_across_a_weekend_count_only_opening_hours(calendar):
    assert working_seconds_between(london(2026, 6, 12, 16), london(2026, 6, 15, 10), calendar) == 2 * HOUR


def test_working_seconds_across_a_bank_holiday_weekend(calendar):
    assert working_seconds_between(london(2026, 8, 28, 16), london(2026, 9, 1, 10), calendar) == 2 * HOUR


def test_working_seconds_across_the_spring_dst_weekend(calendar):
    assert working_seconds_between(london(2026, 3, 27, 16), london(2026, 3, 30, 10), calendar) == 2 * HOUR


def test_working_seconds_of_a_full_week_and_of_out_of_hours(calendar):
    assert working_seconds_between(london(2026, 6, 8), london(2026, 6, 15), calendar) == 40 * HOUR
    assert working_seconds_between(london(2026, 6, 10, 17), london(2026, 6, 11, 9), calendar) == 0


def test_working_seconds_run_backwards_as_a_negative(calendar):
    assert working_seconds_between(london(2026, 6, 11, 10), london(2026, 6, 10, 16), calendar) == -2 * HOUR


@given(
    start=st.datetimes(datetime(2012, 1, 1), datetime(2028, 12, 1), timezones=st.just(UTC)),
    split=st.timedeltas(timedelta(0), timedelta(days=20)),
    rest=st.timedeltas(timedelta(0), timedelta(days=20)),
)
def test_working_seconds_add_up_over_consecutive_spans(calendar, start, split, rest):
    middle, end = start + split, start + split + rest
    whole = working_seconds_between(start, end, calendar)
    assert whole == pytest.approx(
        working_seconds_between(start, middle, calendar) + working_seconds_between(middle, end, calendar)
    )
    assert 0 <= whole <= (end - start).total_seconds()
