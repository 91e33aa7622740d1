"""How report figures read on the page and in the CSV: suppressed counts say so, never a number."""

from datetime import datetime, timedelta

from markupsafe import Markup

from app.people.labels import date_time, long_date
from app.reports.tables import Row, Section
from safeguarding.csv_export import csv_text
from safeguarding.reports import Period
from safeguarding.suppression import display

SUPPRESSION_NOTE = Markup(
    '<p class="govuk-body">To protect children\'s identities, a count from 1 to 4 is \u201cnot shown\u201d '
    "(\u201csuppressed\u201d in the spreadsheet). Where a total would let someone work out a hidden count, the next "
    "smallest count beside it is not shown either, so a count not shown may be 5 or more. Timeliness is shown only "
    "when at least 5 referrals were decided and neither those decided in time nor those decided late number 1 to 4; "
    "the median time to decision only when at least 5 were decided.</p>"
    '<p class="govuk-body">Open cases are those open on the last day of each period; referrals and missing '
    "episodes are those sent or reported during it. Figures are aggregates: no child is named.</p>"
)
NOT_SHOWN = "not shown: too few decided to show safely"
CSV_HIDDEN = "suppressed"
CSV_NOT_SHOWN = "suppressed"


def figure(value, kind: str = "count") -> str:
    """A figure as the page shows it: 'not shown' for a hidden count, '87%' or '6.5 hours' otherwise."""
    if kind == "count":
        return display(value)
    if value is None:
        return NOT_SHOWN
    return f"{value}%" if kind == "percent" else f"{value:,} hours"


def change(row: Row) -> Markup:
    """The change from the previous period; a dash (read out as 'cannot be shown') where either side is hidden."""
    value = row.change
    if value is None:
        return _dash("cannot be shown")
    if value == 0:
        return Markup("no change")
    unit = {"percent": " points", "hours": " hours"}.get(row.kind, "")
    sign = "+" if value > 0 else "\u2212"
    return Markup("{}{:,}{}").format(sign, abs(value), unit)


def share(value: int | None) -> Markup:
    """A category's share of the period's total; a dash where the count or the total is hidden (or nothing)."""
    return _dash("not available") if value is None else Markup("{}%").format(value)


def _dash(meaning: str) -> Markup:
    return Markup('<span aria-hidden="true">\u2013</span><span class="govuk-visually-hidden">{}</span>').format(meaning)


CSV_HEADER = (
    "section",
    "figure",
    "category",
    "this_period",
    "previous_period",
    "this_period_share_percent",
    "previous_period_share_percent",
)


def _csv_value(value, kind: str):
    if value is None:
        return CSV_HIDDEN if kind == "count" else CSV_NOT_SHOWN
    return value


def report_csv(period: Period, sections: list[Section]) -> str:
    """The report as one table; hidden counts read '<5' and every cell is neutralised against formulas."""
    previous = period.previous()
    rows = [
        ("Period", "First day", "", period.start.isoformat(), previous.start.isoformat(), "", ""),
        ("Period", "Last day", "", _last(period), _last(previous), "", ""),
    ]
    for section in sections:
        for concern, risk_rows in section.concern_table or []:
            for row in risk_rows:
                rows.append(
                    (section.title, "Open cases by concern and risk level", f"{concern}: {row.label.lower()} risk",
                     _csv_value(row.current, "count"), _csv_value(row.previous, "count"), "", "")
                )  # fmt: skip
        for group in section.groups:
            for row in group.rows:
                rows.append(
                    (section.title, group.title, row.label, _csv_value(row.current, row.kind),
                     _csv_value(row.previous, row.kind), row.current_share, row.previous_share)
                )  # fmt: skip
    return csv_text(CSV_HEADER, rows)


def _last(period: Period) -> str:
    return (period.end - timedelta(days=1)).isoformat()


def when(value: str | None) -> str:
    """An ISO date or time from a bundle, as GOV.UK writes it; a missing one says so."""
    if not value:
        return "Not recorded"
    if len(value) == 10:
        return long_date(value)
    return date_time(datetime.fromisoformat(value))
