"""Privacy-monitoring rules: each anomaly a safeguarding lead reviews, and the near misses that are not."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audit.monitoring import (
    RULES,
    AccessEvent,
    AgencyHours,
    Finding,
    PersonFacts,
    UserFacts,
    after_deactivation,
    many_people,
    out_of_hours,
    repeated_break_glass,
    restricted_access,
    run_all,
    same_family_name,
)

COUNCIL = AgencyHours.weekdays("council", time(8), time(18))
POLICE = AgencyHours.always("police")
HOURS = {"council": COUNCIL, "police": POLICE}


def utc(year: int, month: int, day: int, hour: int = 12, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def event(seq, at, *, user="u1", agency="council", action="view", people=("p1",), outcome="success"):
    return AccessEvent(seq, at, user, agency, "practitioner", action, tuple(people), outcome)


def views_of(count, at, *, user="u1", start_seq=1, prefix="v"):
    """One view each of `count` distinct people, a minute apart from `at`."""
    return [event(start_seq + n, at + timedelta(minutes=n), user=user, people=(f"{prefix}{n}",)) for n in range(count)]


def history(daily_counts, day, *, user="u1"):
    """Views on the days before `day`: daily_counts[0] is the day before, [1] the day before that, ..."""
    events = []
    for back, count in enumerate(daily_counts, start=1):
        when = datetime.combine(day - timedelta(days=back), time(9), tzinfo=UTC)
        events += views_of(count, when, user=user, start_seq=10_000 * back, prefix=f"h{back}-")
    return events


# --- plain data -------------------------------------------------------------------------------------------------


def test_an_event_with_a_naive_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        AccessEvent(1, datetime(2025, 1, 1, 9), "u1", "council", "practitioner", "view", ("p1",), "success")


def test_a_naive_deactivation_time_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        UserFacts("u1", None, datetime(2025, 1, 1))


def test_agency_hours_need_seven_days_and_a_real_zone():
    with pytest.raises(ValueError, match="seven"):
        AgencyHours("a", ((),) * 5)
    with pytest.raises(ZoneInfoNotFoundError):
        AgencyHours.always("a", tz="Mars/Olympus_Mons")


def test_agency_hours_from_config_lists_stay_hashable():
    hours = AgencyHours("a", [[(time(9), time(17))]] * 7)
    assert hash(hours) == hash(AgencyHours("a", (((time(9), time(17)),),) * 7))


# --- many_people ----------------------------------------------------------------------------------------------

DAY = date(2025, 6, 18)
MORNING = utc(2025, 6, 18, 8)


def test_viewing_more_people_than_the_daily_limit_is_a_finding():
    events = views_of(51, MORNING)
    [finding] = many_people(events, day=DAY)
    assert finding.rule == "many_people"
    assert finding.actor_user_id == "u1"
    assert len(finding.person_ids) == 51
    assert finding.event_seqs == tuple(range(1, 52))
    # Dated at the view that went over the limit, not the first of the day.
    assert finding.at == MORNING + timedelta(minutes=50)
    assert "51 people" in finding.detail


def test_viewing_exactly_the_daily_limit_is_not_a_finding():
    assert many_people(views_of(50, MORNING), day=DAY) == []


def test_the_limit_can_be_configured():
    assert len(many_people(views_of(11, MORNING), day=DAY, per_day_limit=10)) == 1
    assert many_people(views_of(10, MORNING), day=DAY, per_day_limit=10) == []


def test_viewing_the_same_person_many_times_counts_once():
    events = [event(n, MORNING + timedelta(minutes=n)) for n in range(200)]
    assert many_people(events, day=DAY) == []


def test_only_successful_searches_views_map_views_and_exports_count():
    counted = [
        event(n, MORNING, action=action, people=(f"{action}{n}",))
        for action in ("view", "search", "map_view", "export")
        for n in range(13)
    ]
    not_counted = [event(100 + n, MORNING, action="update", people=(f"u{n}",)) for n in range(40)] + [
        event(200 + n, MORNING, outcome="denied", people=(f"d{n}",)) for n in range(40)
    ]
    [finding] = many_people(counted + not_counted, day=DAY)
    assert len(finding.person_ids) == 52
    assert many_people(counted[:50] + not_counted, day=DAY) == []


def test_far_more_people_than_the_users_usual_day_is_a_finding():
    baseline = history([4] * 30, DAY)  # median 4, so 5 x 4 = 20 is the user's own ceiling
    [finding] = many_people(baseline + views_of(21, MORNING), day=DAY)
    assert len(finding.person_ids) == 21
    assert "usual day is 4" in finding.detail
    assert set(finding.event_seqs) == set(range(1, 22))  # only the day's events, not the history


def test_five_times_the_usual_day_exactly_is_not_a_finding():
    baseline = history([4] * 30, DAY)
    assert many_people(baseline + views_of(20, MORNING), day=DAY) == []


def test_days_without_activity_count_as_zero_in_the_baseline():
    busy_16_days = history([6] * 16, DAY)  # 16 of 30 days at 6, 14 at 0: median 6, ceiling 30
    busy_14_days = history([6] * 14, DAY)  # 14 of 30 days at 6: median 0, judged by the absolute limit
    assert len(many_people(busy_16_days + views_of(31, MORNING), day=DAY)) == 1
    assert many_people(busy_14_days + views_of(31, MORNING), day=DAY) == []


def test_a_user_with_a_tiny_baseline_is_judged_by_the_absolute_limit_only():
    baseline = history([1] * 30, DAY)  # 5 x 1 = 5 would flag any ordinary busy day
    assert many_people(baseline + views_of(40, MORNING), day=DAY) == []
    assert len(many_people(baseline + views_of(51, MORNING), day=DAY)) == 1


def test_a_new_user_with_no_history_is_judged_by_the_absolute_limit_only():
    assert many_people(views_of(49, MORNING), day=DAY) == []


def test_activity_before_the_history_window_is_not_in_the_baseline():
    old = history([0] * 30 + [8] * 30, DAY)  # busy, but 31-60 days ago
    assert many_people(old + views_of(21, MORNING), day=DAY) == []
    assert len(many_people(old + views_of(21, MORNING), day=DAY, history_days=60)) == 1


def test_a_busy_other_day_is_not_reported_for_this_day():
    assert many_people(views_of(60, utc(2025, 6, 17, 9)), day=DAY) == []


def test_days_are_london_days():
    late_evening = utc(2025, 6, 17, 23, 30)  # 00:30 BST on 18 June
    [finding] = many_people(views_of(51, late_evening), day=DAY)
    assert finding.at.date() == date(2025, 6, 18)
    assert many_people(views_of(51, late_evening), day=DAY, tz="UTC") == []


def test_each_user_is_judged_separately():
    events = views_of(30, MORNING, user="u1") + views_of(30, MORNING, user="u2", start_seq=100)
    assert many_people(events, day=DAY) == []


# --- out_of_hours ---------------------------------------------------------------------------------------------


def flagged_out_of_hours(*instants, agency="council"):
    events = [event(n, at, agency=agency) for n, at in enumerate(instants, start=1)]
    return out_of_hours(events, HOURS, COUNCIL)


def test_council_access_in_working_hours_is_not_a_finding():
    assert flagged_out_of_hours(utc(2025, 1, 14, 10)) == []  # Tuesday, GMT


def test_council_access_at_night_is_a_finding():
    [finding] = flagged_out_of_hours(utc(2025, 1, 14, 2, 15))
    assert finding.rule == "out_of_hours"
    assert finding.person_ids == ("p1",)
    assert "02:15 GMT" in finding.detail
    assert "Tuesday 14 January 2025" in finding.detail


def test_council_access_at_the_weekend_is_a_finding():
    assert len(flagged_out_of_hours(utc(2025, 1, 18, 11))) == 1  # Saturday


def test_working_hours_include_the_start_and_exclude_the_end():
    assert flagged_out_of_hours(utc(2025, 1, 14, 8, 0), utc(2025, 1, 14, 17, 59)) == []
    assert len(flagged_out_of_hours(utc(2025, 1, 14, 18, 0))) == 1
    assert len(flagged_out_of_hours(utc(2025, 1, 14, 7, 59))) == 1


def test_police_working_round_the_clock_are_never_out_of_hours():
    every_hour = [utc(2025, 3, 28) + timedelta(hours=n) for n in range(24 * 10)]  # spans the March clock change
    fall_back = [utc(2025, 10, 26, 0, 30) + timedelta(minutes=15 * n) for n in range(12)]
    assert flagged_out_of_hours(*every_hour, *fall_back, agency="police") == []


def test_working_hours_follow_british_summer_time_in_late_march():
    # 07:30 UTC is 07:30 GMT on Friday 28 March but 08:30 BST on Monday 31 March.
    assert len(flagged_out_of_hours(utc(2025, 3, 28, 7, 30))) == 1
    assert flagged_out_of_hours(utc(2025, 3, 31, 7, 30)) == []
    # 17:30 UTC is still working time on the Friday, but 18:30 BST on the Monday.
    assert flagged_out_of_hours(utc(2025, 3, 28, 17, 30)) == []
    [finding] = flagged_out_of_hours(utc(2025, 3, 31, 17, 30))
    assert "18:30 BST" in finding.detail


def test_working_hours_follow_the_return_to_greenwich_time_in_late_october():
    # 07:30 UTC is 08:30 BST on Friday 24 October but 07:30 GMT on Monday 27 October.
    assert flagged_out_of_hours(utc(2025, 10, 24, 7, 30)) == []
    assert len(flagged_out_of_hours(utc(2025, 10, 27, 7, 30))) == 1
    assert len(flagged_out_of_hours(utc(2025, 10, 24, 17, 30))) == 1  # 18:30 BST
    assert flagged_out_of_hours(utc(2025, 10, 27, 17, 30)) == []  # 17:30 GMT


def test_an_agency_without_configured_hours_gets_the_default():
    assert len(flagged_out_of_hours(utc(2025, 1, 14, 2), agency="youth-club")) == 1
    assert len(flagged_out_of_hours(utc(2025, 1, 14, 2), agency=None)) == 1
    assert flagged_out_of_hours(utc(2025, 1, 14, 10), agency="youth-club") == []


instants = st.datetimes(datetime(2020, 1, 1), datetime(2030, 12, 31), timezones=st.just(UTC))


@settings(database=None, max_examples=500)
@given(instants)
def test_council_hours_agree_with_the_london_wall_clock_at_any_instant(at):
    local = at.astimezone(ZoneInfo("Europe/London"))
    assert COUNCIL.is_working(at) == (local.weekday() < 5 and 8 <= local.hour < 18)


@settings(database=None)
@given(instants)
def test_round_the_clock_hours_hold_at_any_instant(at):
    assert POLICE.is_working(at)


def test_an_overnight_shift_runs_past_midnight():
    night = (time(20), time(4))
    # Monday night and Tuesday night shifts only.
    hours = {"edt": AgencyHours("edt", ((night,), (night,), (), (), (), (), ()))}
    inside = [utc(2025, 1, 13, 23), utc(2025, 1, 14, 3, 59), utc(2025, 1, 14, 20), utc(2025, 1, 15, 1)]
    outside = [utc(2025, 1, 13, 3), utc(2025, 1, 14, 4), utc(2025, 1, 14, 12), utc(2025, 1, 16, 1)]
    events = [event(n, at, agency="edt") for n, at in enumerate(inside + outside)]
    findings = out_of_hours(events, hours, COUNCIL)
    assert sorted(seq for f in findings for seq in f.event_seqs) == [4, 5, 6, 7]


def test_a_closed_day_such_as_a_bank_holiday_is_out_of_hours():
    council = AgencyHours.weekdays("council", time(8), time(18), closed_on={date(2025, 5, 5)})
    events = [event(1, utc(2025, 5, 5, 10)), event(2, utc(2025, 5, 6, 10))]
    [finding] = out_of_hours(events, {"council": council}, COUNCIL)
    assert finding.event_seqs == (1,)


def test_an_agency_in_another_zone_is_judged_on_its_own_clock():
    new_york = AgencyHours.weekdays("far", time(8), time(18), tz="America/New_York")
    event_at_noon_utc = event(1, utc(2025, 1, 14, 12), agency="far")  # 07:00 in New York
    [finding] = out_of_hours([event_at_noon_utc], {"far": new_york}, COUNCIL)
    assert "07:00 EST" in finding.detail


def test_a_nights_out_of_hours_accesses_make_one_finding_per_user():
    night = utc(2025, 1, 14, 1)
    events = [
        event(1, night, people=("p1",)),
        event(2, night + timedelta(minutes=5), people=("p2", "p1")),
        event(3, night + timedelta(minutes=9), outcome="denied", people=("p3",)),  # attempts count
        event(4, night, user="u2", people=("p1",)),
        event(5, night, action="sign_in", people=()),  # touched no one's record
    ]
    findings = out_of_hours(events, HOURS, COUNCIL)
    assert [(f.actor_user_id, f.event_seqs, f.person_ids) for f in findings] == [
        ("u1", (1, 2, 3), ("p1", "p2", "p3")),
        ("u2", (4,), ("p1",)),
    ]
    assert "3 accesses to 3 people" in findings[0].detail


# --- same_family_name -----------------------------------------------------------------------------------------

USERS = {
    "u1": UserFacts("u1", family_name_token="tok-smith"),
    "u2": UserFacts("u2", family_name_token=None),
}
PEOPLE = {
    "p1": PersonFacts("p1", frozenset({"tok-smith"})),
    "p2": PersonFacts("p2", frozenset({"tok-jones"})),
    "p3": PersonFacts("p3", frozenset({"tok-jones", "tok-smith"}), restricted=True),  # known by two names
}


def test_access_to_a_person_sharing_the_users_family_name_is_a_finding():
    [finding] = same_family_name([event(7, MORNING, people=("p1", "p2"))], USERS, PEOPLE)
    assert finding.rule == "same_family_name"
    assert finding.person_ids == ("p1",)
    assert finding.event_seqs == (7,)
    assert "tok-smith" not in finding.detail  # never echo the token


def test_any_of_a_persons_family_names_can_match():
    [finding] = same_family_name([event(1, MORNING, people=("p3",))], USERS, PEOPLE)
    assert finding.person_ids == ("p3",)


def test_a_different_family_name_token_is_not_a_finding():
    assert same_family_name([event(1, MORNING, people=("p2",))], USERS, PEOPLE) == []


def test_a_user_whose_family_name_is_unknown_is_not_matched():
    assert same_family_name([event(1, MORNING, user="u2", people=("p1",))], USERS, PEOPLE) == []
    assert same_family_name([event(1, MORNING, user="stranger", people=("p1",))], USERS, PEOPLE) == []


def test_a_refused_attempt_on_a_namesake_is_a_finding():
    [finding] = same_family_name([event(1, MORNING, outcome="denied", people=("p1",))], USERS, PEOPLE)
    assert "(denied)" in finding.detail


def test_a_finding_names_the_action_in_words_not_as_its_code():
    [finding] = same_family_name([event(1, MORNING, action="break_glass", people=("p1",))], USERS, PEOPLE)
    assert finding.detail == "break glass of 1 person sharing the user's family name"


# --- restricted_access ----------------------------------------------------------------------------------------


def test_any_access_to_a_restricted_person_is_a_finding():
    events = [event(1, MORNING, people=("p2", "p3")), event(2, MORNING, action="search", people=("p3",))]
    findings = restricted_access(events, PEOPLE)
    assert [(f.rule, f.person_ids, f.event_seqs) for f in findings] == [
        ("restricted_access", ("p3",), (1,)),
        ("restricted_access", ("p3",), (2,)),
    ]


def test_a_refused_attempt_on_a_restricted_person_is_a_finding():
    [finding] = restricted_access([event(1, MORNING, action="denied", outcome="denied", people=("p3",))], PEOPLE)
    assert finding.detail == "denied (denied) of 1 restricted person"


def test_access_to_unrestricted_or_unknown_people_is_not_a_finding():
    assert restricted_access([event(1, MORNING, people=("p1", "p2", "nobody"))], PEOPLE) == []


# --- repeated_break_glass -------------------------------------------------------------------------------------

MONDAY = utc(2025, 2, 3, 9)


def break_glass(*offsets, user="u1", outcome="success"):
    return [
        event(n, MONDAY + offset, user=user, action="break_glass", people=(f"p{n}",), outcome=outcome)
        for n, offset in enumerate(offsets, start=1)
    ]


def test_three_break_glass_uses_within_seven_days_are_a_finding():
    uses = break_glass(timedelta(0), timedelta(days=3), timedelta(days=6, hours=23))
    [finding] = repeated_break_glass(uses)
    assert finding.rule == "repeated_break_glass"
    assert finding.event_seqs == (1, 2, 3)
    assert finding.person_ids == ("p1", "p2", "p3")
    assert finding.at == uses[2].at
    assert "3 times within 7 days" in finding.detail


def test_three_break_glass_uses_across_eight_days_are_not_a_finding():
    assert repeated_break_glass(break_glass(timedelta(0), timedelta(days=4), timedelta(days=7, hours=1))) == []


def test_a_window_is_shorter_than_its_length_so_exactly_seven_days_apart_is_not_a_finding():
    assert repeated_break_glass(break_glass(timedelta(0), timedelta(days=3), timedelta(days=7))) == []


def test_two_uses_are_below_the_threshold():
    assert repeated_break_glass(break_glass(timedelta(0), timedelta(hours=1))) == []


def test_each_further_use_within_the_window_is_another_finding():
    uses = break_glass(*(timedelta(days=n) for n in range(5)))
    findings = repeated_break_glass(uses)
    assert [f.event_seqs for f in findings] == [(1, 2, 3), (1, 2, 3, 4), (1, 2, 3, 4, 5)]


def test_the_window_rolls_forward():
    uses = break_glass(timedelta(0), timedelta(days=5), timedelta(days=8), timedelta(days=11))
    [finding] = repeated_break_glass(uses)
    assert finding.event_seqs == (2, 3, 4)


def test_other_users_break_glass_uses_do_not_add_up():
    events = break_glass(timedelta(0), timedelta(days=1)) + [
        event(9, MONDAY + timedelta(days=2), user="u2", action="break_glass")
    ]
    assert repeated_break_glass(events) == []


def test_refused_break_glass_attempts_count():
    assert len(repeated_break_glass(break_glass(timedelta(0), timedelta(1), timedelta(2), outcome="denied"))) == 1


def test_threshold_and_window_are_configurable_and_must_be_positive():
    assert (
        len(repeated_break_glass(break_glass(timedelta(0), timedelta(days=20)), threshold=2, window=timedelta(days=30)))
        == 1
    )
    with pytest.raises(ValueError):
        repeated_break_glass([], threshold=0)
    with pytest.raises(ValueError):
        repeated_break_glass([], window=timedelta(0))


# --- after_deactivation ---------------------------------------------------------------------------------------

DEACTIVATED = utc(2025, 4, 1, 17)
LEAVER = {"u1": UserFacts("u1", deactivated_at=DEACTIVATED), "u2": UserFacts("u2")}


def test_events_before_deactivation_are_not_a_finding():
    events = [event(1, DEACTIVATED - timedelta(minutes=1)), event(2, utc(2025, 3, 1))]
    assert after_deactivation(events, LEAVER) == []


def test_any_event_after_deactivation_is_a_finding_including_failures_and_denials():
    events = [
        event(1, DEACTIVATED),  # at the instant itself: the account is already closed
        event(2, DEACTIVATED + timedelta(minutes=5), action="sign_in_failed", people=(), outcome="failure"),
        event(3, DEACTIVATED + timedelta(minutes=6), action="sign_in_failed", people=(), outcome="failure"),
        event(4, DEACTIVATED + timedelta(minutes=7), action="denied", people=("p9",), outcome="denied"),
    ]
    [finding] = after_deactivation(events, LEAVER)
    assert finding.rule == "after_deactivation"
    assert finding.event_seqs == (1, 2, 3, 4)
    assert finding.person_ids == ("p1", "p9")
    assert finding.at == DEACTIVATED
    assert "view x1, sign_in_failed x2, denied x1" in finding.detail
    assert "1 April 2025 18:00 BST" in finding.detail


def test_events_after_deactivation_on_different_days_are_separate_findings():
    events = [event(1, DEACTIVATED + timedelta(days=1)), event(2, DEACTIVATED + timedelta(days=3))]
    assert [f.event_seqs for f in after_deactivation(events, LEAVER)] == [(1,), (2,)]


def test_active_and_unknown_users_are_not_a_finding():
    events = [event(1, DEACTIVATED + timedelta(days=1), user=user) for user in ("u2", "stranger", None)]
    assert after_deactivation(events, LEAVER) == []


# --- run_all and the registry ---------------------------------------------------------------------------------


def test_the_registry_describes_every_rule():
    assert set(RULES) == {
        "many_people",
        "out_of_hours",
        "same_family_name",
        "restricted_access",
        "repeated_break_glass",
        "after_deactivation",
    }
    assert all(description and description[0].isupper() for description in RULES.values())


def test_run_all_reports_the_days_findings_from_every_rule_in_time_order():
    day = date(2025, 4, 2)  # a Wednesday, BST
    users = {**USERS, "leaver": UserFacts("leaver", deactivated_at=DEACTIVATED)}
    events = [
        *views_of(51, utc(2025, 4, 2, 10), user="u2", start_seq=100),
        event(1, utc(2025, 4, 2, 22), user="u2", people=("p2",)),  # 23:00 BST: out of hours
        event(2, utc(2025, 4, 2, 9), people=("p1",)),  # namesake
        event(3, utc(2025, 4, 2, 9, 30), user="u2", people=("p3",)),  # restricted
        *[event(10 + n, utc(2025, 3, 31, 11) + timedelta(days=n), action="break_glass", people=()) for n in range(3)],
        event(4, utc(2025, 4, 2, 8), user="leaver", action="sign_in_failed", people=(), outcome="failure"),
        event(5, utc(2025, 4, 1, 3), user="u2", people=("p2",)),  # yesterday, out of hours: not today's report
    ]
    findings = run_all((e for e in events), users=users, people=PEOPLE, hours=HOURS, default_hours=COUNCIL, day=day)
    assert all(isinstance(f, Finding) and f.rule in RULES for f in findings)
    assert [f.at for f in findings] == sorted(f.at for f in findings)
    assert [(f.rule, f.event_seqs[:1]) for f in findings] == [
        ("after_deactivation", (4,)),
        ("same_family_name", (2,)),
        ("restricted_access", (3,)),
        ("many_people", (3,)),  # u2's restricted view is one of the day's views too
        ("repeated_break_glass", (10,)),
        ("out_of_hours", (1,)),
    ]


def test_run_all_passes_thresholds_through():
    findings = run_all(
        views_of(11, utc(2025, 4, 2, 10)),
        users={},
        people={},
        hours=HOURS,
        default_hours=COUNCIL,
        day=date(2025, 4, 2),
        per_day_limit=10,
    )
    assert [f.rule for f in findings] == ["many_people"]


def test_run_all_with_no_events_finds_nothing():
    assert run_all([], users={}, people={}, hours={}, default_hours=COUNCIL, day=date(2025, 4, 2)) == []
