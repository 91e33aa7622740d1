"""The report's layout helpers: default period, charts drawn without inline styles, no hidden number derived."""

from datetime import date

from app.reports.charts import Bar, bar_chart
from app.reports.display import change, figure
from app.reports.periods import last_full_quarter
from app.reports.tables import Row, sections
from tests.web.helpers import page


def test_the_last_full_quarter_is_the_calendar_quarter_before_today():
    assert (last_full_quarter(date(2026, 5, 15)).start, last_full_quarter(date(2026, 5, 15)).end) == (
        date(2026, 1, 1),
        date(2026, 4, 1),
    )
    january = last_full_quarter(date(2027, 1, 1))
    assert (january.start, january.end) == (date(2026, 10, 1), date(2027, 1, 1))
    assert last_full_quarter(date(2026, 12, 31)).start == date(2026, 7, 1)


def test_a_chart_scales_its_bars_labels_hidden_ones_and_escapes_names():
    svg = page_of(bar_chart("c", "Referrals <by agency>", [Bar("<b>Police</b>", 10, 5), Bar("Health", None, 0)]))
    assert svg.title.get_text() == "Referrals <by agency>"
    widths = [r["width"] for r in svg.select("rect.sc-chart__bar")]
    assert widths == ["300", "150"]  # 10 fills the span, 5 half of it; hidden and zero draw no bar
    values = [t.get_text() for t in svg.select("text.sc-chart__value")]
    assert values == ["10", "5", "not shown", "0"]
    assert "<b>" not in str(svg.select_one("text.sc-chart__label")) and not svg.select("[style]")


def page_of(markup):
    class Response:
        def get_data(self, as_text=True):
            return str(markup)

    return page(Response()).svg


def test_changes_and_figures_read_in_words_and_never_reveal_a_hidden_count():
    assert figure(None) == "not shown" and figure(1234) == "1,234"
    assert figure(None, "percent") == "not shown: too few decided to show safely" and figure(87, "percent") == "87%"
    assert str(change(Row("x", 7, 9))) == "\u22122" and str(change(Row("x", 75, 70, "percent"))) == "+5 points"
    assert "cannot be shown" in str(change(Row("x", None, 9)))


def test_shares_are_only_given_where_the_total_is_known():
    empty = {"open_cases_by_concern_and_risk": {}, "place_hotspots": [], "referrals_by_agency": {}}
    figures = {
        **empty,
        "open_cases": 12, "referrals": 10, "referrals_decided_in_time_percent": None, "median_hours_to_decision": None,
        "repeat_referral_people": None, "missing_episodes": 0, "children_missing": 0, "return_interviews_late": 0,
        "referrals_by_urgency": {"red": None, "amber": None, "green": 6},
        "referrals_by_outcome": {"accepted": 10},
        "open_case_subjects_by_age": {"16 to 17": None, "14 to 15": None, "unknown": 0},
        "open_case_subjects_by_sex": {"female": 6, "male": 6},
        "open_case_subjects_by_ethnicity": {"White British": 7, "Black Caribbean": None, "Mixed": None},
    }  # fmt: skip
    laid_out = {s.key: s for s in sections({"current": figures, "previous": figures})}
    urgency = laid_out["referrals"].groups[2].rows
    assert [(r.label, r.current_share) for r in urgency] == [("Red", None), ("Amber", None), ("Green", 60)]
    ethnicity = laid_out["people"].groups[2].rows  # the total (12) comes from sex, which hides nothing
    assert [(r.label, r.current_share) for r in ethnicity] == [("Black Caribbean", None), ("Mixed", None),
                                                                ("White British", 58)]  # fmt: skip
