"""Referral timescales (SPEC section 3): due times per urgency, configuration, breaches and overdue."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from safeguarding.timescales import (
    DEFAULT_TABLE,
    DueTimes,
    TimescalePolicy,
    breaches,
    due_times,
    is_overdue,
)
from safeguarding.working_time import TimescaleConfigError, WorkingCalendar, working_seconds_between

LONDON = ZoneInfo("Europe/London")


def london(*parts: int, fold: int = 0) -> datetime:
    return datetime(*parts, tzinfo=LONDON, fold=fold)


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    return WorkingCalendar()


@pytest.fixture(scope="module")
def policy() -> TimescalePolicy:
    return TimescalePolicy()


def due(urgency, sent_at, policy, calendar, **kwargs) -> tuple[datetime | None, datetime | None]:
    times = due_times(sent_at, urgency, policy, calendar, **kwargs)
    return times.acknowledge_by, times.decide_by


# --- red: on the clock, from the moment it was sent


def test_red_on_friday_afternoon_runs_on_the_clock_past_closing(policy, calendar):
    assert due("red", london(2026, 8, 28, 16, 30), policy, calendar) == (
        london(2026, 8, 28, 17, 30),
        london(2026, 8, 28, 20, 30),
    )


def test_red_at_night_on_a_weekend_is_not_held_until_monday(policy, calendar):
    assert due("red", london(2026, 8, 29, 2), policy, calendar) == (london(2026, 8, 29, 3), london(2026, 8, 29, 6))


def test_red_across_the_spring_change_counts_real_hours(policy, calendar):
    # 00:30 GMT; at 01:00 UTC the clocks jump to 02:00 BST
    acknowledge_by, decide_by = due("red", london(2026, 3, 29, 0, 30), policy, calendar)
    assert acknowledge_by == datetime(2026, 3, 29, 1, 30, tzinfo=UTC) == london(2026, 3, 29, 2, 30)
    assert decide_by == datetime(2026, 3, 29, 4, 30, tzinfo=UTC) == london(2026, 3, 29, 5, 30)


def test_red_across_the_autumn_change_counts_real_hours(policy, calendar):
    # 00:30 BST; 01:30 happens twice, and the acknowledgement is due at the first one
    acknowledge_by, decide_by = due("red", datetime(2026, 10, 24, 23, 30, tzinfo=UTC), policy, calendar)
    # PEP 495: a time in the repeated hour never equals a time in another zone, so compare in UTC
    assert acknowledge_by.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert (acknowledge_by.hour, acknowledge_by.minute, acknowledge_by.fold) == (1, 30, 0)
    assert decide_by == datetime(2026, 10, 25, 3, 30, tzinfo=UTC) == london(2026, 10, 25, 3, 30)


# --- amber and green: working days, counted from the receipt day (day 0)


def test_amber_before_the_summer_bank_holiday_is_due_on_tuesday(policy, calendar):
    friday = london(2026, 8, 28, 15)
    assert due("amber", friday, policy, calendar) == (london(2026, 9, 1, 17), london(2026, 9, 1, 17))
    assert due("green", friday, policy, calendar) == (london(2026, 9, 1, 17), london(2026, 9, 3, 17))


def test_amber_before_the_late_may_bank_holiday_is_due_on_tuesday(policy, calendar):
    assert due("amber", london(2026, 5, 22, 15), policy, calendar)[0] == london(2026, 5, 26, 17)


def test_amber_received_on_saturday_counts_from_monday(policy, calendar):
    # received Monday 09:00 (day 0), so the next working day is Tuesday
    assert due("amber", london(2026, 8, 22, 11), policy, calendar)[0] == london(2026, 8, 25, 17)


def test_amber_received_on_a_bank_holiday_weekend_counts_from_tuesday(policy, calendar):
    assert due("amber", london(2026, 8, 29, 11), policy, calendar)[0] == london(2026, 9, 2, 17)


def test_green_at_eight_on_wednesday_counts_wednesday_as_day_zero(policy, calendar):
    # received Wednesday 09:00 = day 0; Thursday is day 1, Friday day 2, Monday day 3
    assert due("green", london(2026, 6, 10, 8), policy, calendar) == (london(2026, 6, 11, 17), london(2026, 6, 15, 17))


def test_green_counts_the_receipt_day_as_day_zero_whatever_the_hour(policy, calendar):
    expected = (london(2026, 6, 11, 17), london(2026, 6, 15, 17))
    assert due("green", london(2026, 6, 10, 16, 59), policy, calendar) == expected
    assert due("green", london(2026, 6, 9, 17, 30), policy, calendar) == expected  # Tuesday evening: received Wed


def test_amber_on_christmas_eve_afternoon_skips_christmas_and_boxing_day(policy, calendar):
    # Friday 25 and Monday 28 (Boxing Day substitute) are bank holidays
    christmas_eve = london(2026, 12, 24, 15)
    assert due("amber", christmas_eve, policy, calendar) == (london(2026, 12, 29, 17), london(2026, 12, 29, 17))
    assert due("green", christmas_eve, policy, calendar)[1] == london(2026, 12, 31, 17)


def test_amber_on_christmas_eve_evening_is_received_after_boxing_day(policy, calendar):
    assert due("amber", london(2026, 12, 24, 17, 30), policy, calendar)[0] == london(2026, 12, 30, 17)


def test_green_on_new_years_eve_skips_new_years_day(policy, calendar):
    assert due("green", london(2026, 12, 31, 15), policy, calendar) == (london(2027, 1, 4, 17), london(2027, 1, 6, 17))


def test_amber_at_exactly_nine_is_received_that_day(policy, calendar):
    assert due("amber", london(2026, 6, 10, 9), policy, calendar)[0] == london(2026, 6, 11, 17)
    assert due("amber", london(2026, 6, 10, 8, 59, 59), policy, calendar)[0] == london(2026, 6, 11, 17)


def test_amber_at_exactly_five_is_received_the_next_working_day(policy, calendar):
    assert due("amber", london(2026, 6, 10, 16, 59, 59), policy, calendar)[0] == london(2026, 6, 11, 17)
    assert due("amber", london(2026, 6, 10, 17), policy, calendar)[0] == london(2026, 6, 12, 17)


def test_amber_over_the_spring_change_is_due_at_five_pm_bst(policy, calendar):
    acknowledge_by, _ = due("amber", london(2026, 3, 27, 15), policy, calendar)
    assert acknowledge_by == london(2026, 3, 30, 17) == datetime(2026, 3, 30, 16, tzinfo=UTC)


def test_amber_sent_in_the_repeated_autumn_hour_counts_from_monday(policy, calendar):
    sent_at = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)  # 01:30 GMT, the second 01:30 on Sunday
    acknowledge_by, _ = due("amber", sent_at, policy, calendar)
    assert acknowledge_by == london(2026, 10, 27, 17) == datetime(2026, 10, 27, 17, tzinfo=UTC)


def test_due_times_are_on_the_london_clock(policy, calendar):
    acknowledge_by, decide_by = due("red", datetime(2026, 6, 10, 12, tzinfo=UTC), policy, calendar)
    assert acknowledge_by.tzinfo is LONDON and (acknowledge_by.hour, decide_by.hour) == (14, 17)


def test_christmas_is_no_working_day_beyond_the_bundled_years_and_extra_closures_count_too(policy):
    default, extended = WorkingCalendar(), WorkingCalendar(extra_holidays=["2031-12-29"])
    assert default.bundled_until < date(2031, 1, 1)
    christmas_eve = london(2031, 12, 24, 15)
    assert due("amber", christmas_eve, policy, default)[0] == london(2031, 12, 29, 17)
    assert due("amber", christmas_eve, policy, extended)[0] == london(2031, 12, 30, 17)


@given(sent_at=st.datetimes(datetime(2012, 1, 1), datetime(2028, 11, 1), timezones=st.just(UTC)))
def test_amber_acknowledgement_leaves_between_one_and_two_working_days(policy, calendar, sent_at):
    acknowledge_by, _ = due("amber", sent_at, policy, calendar)
    assert 8 * 3600 < working_seconds_between(sent_at, acknowledge_by, calendar) <= 16 * 3600
    assert (acknowledge_by.hour, acknowledge_by.minute) == (17, 0) and calendar.is_working_day(acknowledge_by)


def test_unknown_urgency_and_naive_times_are_refused(policy, calendar):
    with pytest.raises(ValueError, match="unknown urgency"):
        due_times(london(2026, 6, 10, 12), "purple", policy, calendar)
    with pytest.raises(ValueError, match="timezone-aware"):
        due_times(datetime(2026, 6, 10, 12), "red", policy, calendar)


# --- configuration


def test_default_table_is_the_spec():
    assert TimescalePolicy().table == {
        "red": ("clock", timedelta(hours=1), timedelta(hours=4)),
        "amber": ("working", 1, 1),
        "green": ("working", 1, 3),
    }
    assert TimescalePolicy.from_mapping(None).table == DEFAULT_TABLE


def test_policy_overridden_from_a_mapping(calendar):
    policy = TimescalePolicy.from_mapping({"red": {"acknowledge": "30m"}, "green": {"decide": 5}})
    assert due("red", london(2026, 8, 28, 16, 30), policy, calendar) == (
        london(2026, 8, 28, 17),
        london(2026, 8, 28, 20, 30),
    )
    assert due("green", london(2026, 6, 10, 8), policy, calendar) == (london(2026, 6, 11, 17), london(2026, 6, 17, 17))
    assert policy.table["amber"] == DEFAULT_TABLE["amber"]


def test_policy_entry_replaced_whole_and_basis_changed(calendar):
    policy = TimescalePolicy.from_mapping(
        {"amber": ("working", 0, 2), "red": {"basis": "working", "acknowledge": 0, "decide": 0}}
    )
    assert due("amber", london(2026, 6, 10, 8), policy, calendar) == (london(2026, 6, 10, 17), london(2026, 6, 12, 17))
    assert due("red", london(2026, 6, 13, 2), policy, calendar) == (london(2026, 6, 15, 17), london(2026, 6, 15, 17))


@pytest.mark.parametrize(
    ("overrides", "key"),
    [
        ({"purple": ("clock", "1h", "2h")}, "purple"),
        ({"red": {"basis": "lunar", "acknowledge": "1h", "decide": "2h"}}, "red.basis"),
        ({"red": {"acknowledge": 30}}, "red.acknowledge"),  # no unit: minutes or hours?
        ({"red": {"acknowledge": "0m"}}, "red.acknowledge"),
        ({"red": {"decide": "30 minutes"}}, "red.decide"),  # due before the acknowledgement
        ({"green": {"decide": -1}}, "green.decide"),
        ({"green": {"decide": True}}, "green.decide"),
        ({"green": {"decide": "3"}}, "green.decide"),
        ({"green": {"basis": "clock"}}, "green"),  # old working-day rules would be misread as durations
        ({"green": {"deadline": 3}}, "green"),
        ({"green": ("working", 1)}, "green"),
    ],
)
def test_bad_timescale_config_is_refused_naming_the_entry(overrides, key):
    with pytest.raises(TimescaleConfigError) as refused:
        TimescalePolicy.from_mapping(overrides)
    assert key in refused.value.problems


def test_a_table_without_every_urgency_or_not_a_mapping_is_refused():
    with pytest.raises(TimescaleConfigError, match="green"):
        TimescalePolicy({"red": DEFAULT_TABLE["red"], "amber": DEFAULT_TABLE["amber"]})
    with pytest.raises(TimescaleConfigError, match="mapping"):
        TimescalePolicy.from_mapping([("red", "clock", "1h", "2h")])


def test_clock_durations_accept_words_and_timedeltas():
    policy = TimescalePolicy.from_mapping({"red": ("clock", "45 minutes", timedelta(hours=2)), "amber": {"decide": 2}})
    assert policy.table["red"] == ("clock", timedelta(minutes=45), timedelta(hours=2))


# --- breaches and overdue

RED_DUE = DueTimes(acknowledge_by=london(2026, 6, 10, 13), decide_by=london(2026, 6, 10, 16))


def test_steps_taken_in_time_are_not_breached_however_late_now_is():
    later = london(2027, 1, 1)
    assert breaches(RED_DUE, london(2026, 6, 10, 12, 59), london(2026, 6, 10, 16), later) == {
        "acknowledge": False,
        "decide": False,
    }
    assert not is_overdue(RED_DUE, london(2026, 6, 10, 12, 59), london(2026, 6, 10, 16), later)


def test_steps_taken_late_are_breached_but_not_overdue():
    acknowledged, decided = london(2026, 6, 10, 13, 0, 1), london(2026, 6, 10, 17)
    assert breaches(RED_DUE, acknowledged, decided, london(2026, 6, 11)) == {"acknowledge": True, "decide": True}
    assert not is_overdue(RED_DUE, acknowledged, decided, london(2026, 6, 11))


def test_steps_not_taken_breach_once_now_passes_the_due_time():
    assert breaches(RED_DUE, None, None, london(2026, 6, 10, 13)) == {"acknowledge": False, "decide": False}
    assert not is_overdue(RED_DUE, None, None, london(2026, 6, 10, 13))
    assert breaches(RED_DUE, None, None, london(2026, 6, 10, 13, 1)) == {"acknowledge": True, "decide": False}
    assert is_overdue(RED_DUE, None, None, london(2026, 6, 10, 13, 1))


def test_acknowledged_but_undecided_is_overdue_only_after_the_decision_is_due():
    acknowledged = london(2026, 6, 10, 12)
    assert not is_overdue(RED_DUE, acknowledged, None, london(2026, 6, 10, 15))
    assert is_overdue(RED_DUE, acknowledged, None, london(2026, 6, 10, 16, 1))
    assert breaches(RED_DUE, acknowledged, None, london(2026, 6, 10, 16, 1)) == {"acknowledge": False, "decide": True}


def test_a_decision_without_a_separate_acknowledgement_also_acknowledges():
    decided = london(2026, 6, 10, 12, 30)
    assert breaches(RED_DUE, None, decided, london(2026, 6, 11)) == {"acknowledge": False, "decide": False}
    assert not is_overdue(RED_DUE, None, decided, london(2026, 6, 11))


def test_breaches_compare_instants_not_wall_clocks():
    # due at the first 01:30 (BST); acknowledged at 01:10 GMT, which is 40 minutes later
    due_at = due_times(datetime(2026, 10, 24, 23, 30, tzinfo=UTC), "red", TimescalePolicy(), WorkingCalendar())
    acknowledged = london(2026, 10, 25, 1, 10, fold=1)
    assert breaches(due_at, acknowledged, None, acknowledged)["acknowledge"] is True
    assert breaches(due_at, datetime(2026, 10, 25, 0, 29, tzinfo=UTC), None, acknowledged)["acknowledge"] is False


def test_external_recipients_have_no_due_times_and_never_breach(policy, calendar):
    external = due_times(london(2026, 6, 10, 12), "red", policy, calendar, external=True)
    assert external == DueTimes(None, None)
    years_later = london(2030, 1, 1)
    assert breaches(external, None, None, years_later) == {"acknowledge": False, "decide": False}
    assert not is_overdue(external, None, None, years_later)


def test_breach_checks_refuse_a_naive_now():
    with pytest.raises(ValueError, match="timezone-aware"):
        breaches(RED_DUE, None, None, datetime(2026, 6, 10, 12))
    with pytest.raises(ValueError, match="timezone-aware"):
        is_overdue(RED_DUE, None, None, datetime(2026, 6, 10, 12))
