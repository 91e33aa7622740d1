"""The partnership report laid out for reading: groups of figures, each comparing this period with the previous one.

The service has already suppressed every small count (None); this module only labels, orders and compares, and it
never derives a hidden number. Pages, charts and the CSV all read the same groups.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from app.people.labels import CONCERN_LABELS, SEX_LABELS
from app.reports.charts import Bar
from models.case import RISK_LEVELS
from safeguarding.reports import AGE_BANDS

OUTCOMES = ("accepted", "declined", "withdrawn", "awaiting decision")
URGENCIES = ("red", "amber", "green")
DEMOGRAPHICS = ("open_case_subjects_by_age", "open_case_subjects_by_sex", "open_case_subjects_by_ethnicity")


@dataclass(frozen=True)
class Row:
    label: str
    current: int | float | None
    previous: int | float | None
    kind: str = "count"  # count, percent or hours
    current_share: int | None = None  # percent of the group's total, where the total is known
    previous_share: int | None = None

    @property
    def change(self) -> int | float | None:
        if self.current is None or self.previous is None:
            return None
        return round(self.current - self.previous, 1) if self.kind == "hours" else self.current - self.previous


@dataclass
class Group:
    key: str
    title: str
    category: str  # the heading of the first column
    rows: list[Row]
    note: str = ""
    chart: bool = False
    shares: bool = False

    @property
    def bars(self) -> list[Bar]:
        return [Bar(r.label, r.current, r.previous) for r in self.rows]


@dataclass
class Section:
    key: str
    title: str
    groups: list[Group] = field(default_factory=list)
    concern_table: list[tuple[str, list[Row]]] | None = None  # open cases: concern -> a row per risk level


def last_day(end: str) -> date:
    """The service's periods end at midnight before `end`: people read the day before as the last day."""
    return date.fromisoformat(end) - timedelta(days=1)


def sections(report: dict) -> list[Section]:
    now, before = report["current"], report["previous"]
    return [
        _open_cases(now, before),
        _referrals(now, before),
        _missing(now, before),
        _people(now, before),
        _places(now, before),
    ]


def _open_cases(now: dict, before: dict) -> Section:
    key = "open_cases_by_concern_and_risk"
    concerns = sorted(set(now[key]) | set(before[key]), key=lambda c: CONCERN_LABELS.get(c, c))
    table = [
        (
            CONCERN_LABELS.get(concern, concern),
            [
                Row(risk.capitalize(), _cell(now[key], concern, risk), _cell(before[key], concern, risk))
                for risk in RISK_LEVELS
            ],
        )
        for concern in concerns
    ]
    total = Group(
        "open_cases",
        "Open cases",
        "Figure",
        [_row("Open cases on the last day of the period", "open_cases", now, before)],
    )
    return Section("open-cases", "Open cases", [total], concern_table=table)


def _row(label: str, key: str, now: dict, before: dict, kind: str = "count") -> Row:
    return Row(label, now[key], before[key], kind)


def _cell(table: dict, concern: str, risk: str) -> int | None:
    # A concern missing from a period had no open cases in it; a suppressed cell stays None.
    return table.get(concern, {}).get(risk, 0)


def _referrals(now: dict, before: dict) -> Section:
    summary = Group(
        "referrals",
        "How many, and how quickly decided",
        "Figure",
        [
            _row("Referrals sent in the period", "referrals", now, before),
            _row("Decided within the timescale", "referrals_decided_in_time_percent", now, before, "percent"),
            _row("Median time from sending to decision", "median_hours_to_decision", now, before, "hours"),
            _row("People referred again within 12 months", "repeat_referral_people", now, before),
        ],
        note="Timeliness counts referrals to partnership agencies that were decided; external bodies have no "
        "timescales. It is shown only when at least 5 referrals were decided.",
    )
    agencies = sorted(set(now["referrals_by_agency"]) | set(before["referrals_by_agency"]), key=str.casefold)
    return Section(
        "referrals",
        "Referrals",
        [
            summary,
            _group(now, before, "referrals_by_agency", "Referrals by receiving agency", "Agency", agencies),
            _group(now, before, "referrals_by_urgency", "Referrals by urgency", "Urgency", URGENCIES),
            _group(now, before, "referrals_by_outcome", "Referrals by outcome", "Outcome", OUTCOMES),
        ],
    )


def _group(now: dict, before: dict, key: str, title: str, category: str, keys, labels=None, totals=None) -> Group:
    """One breakdown, with each category's share of the period's total where that total is known."""
    totals = totals or (now.get("referrals"), before.get("referrals"))
    rows = []
    for k in keys:
        current, previous = now[key].get(k, 0), before[key].get(k, 0)
        rows.append(
            Row(
                (labels or {}).get(k) or _readable(k),
                current,
                previous,
                current_share=_share(current, totals[0]),
                previous_share=_share(previous, totals[1]),
            )
        )
    return Group(key, title, category, rows, chart=True, shares=True)


def _readable(code: str) -> str:
    return code[:1].upper() + code[1:].replace("_", " ") if code else code


def _share(count: int | None, total: int | None) -> int | None:
    if count is None or not total:
        return None
    return round(100 * count / total)


def _missing(now: dict, before: dict) -> Section:
    rows = [
        _row("Missing episodes reported", "missing_episodes", now, before),
        _row("Children reported missing", "children_missing", now, before),
        _row("Return-home interviews not offered in time", "return_interviews_late", now, before),
    ]
    return Section("missing", "Missing episodes", [Group("missing", "Missing episodes", "Figure", rows)])


def _people(now: dict, before: dict) -> Section:
    """Age, sex and ethnicity of the young people open cases are about: disproportionality shows in the shares."""
    totals = (_subjects(now), _subjects(before))
    ages = [name for name, *_ in AGE_BANDS] + ["unknown"]
    sexes = sorted(set(now["open_case_subjects_by_sex"]) | set(before["open_case_subjects_by_sex"]))
    ethnicities = sorted(
        set(now["open_case_subjects_by_ethnicity"]) | set(before["open_case_subjects_by_ethnicity"]), key=str.casefold
    )
    return Section(
        "people",
        "Who open cases are about",
        [
            _group(now, before, DEMOGRAPHICS[0], "By age on the last day", "Age", ages, totals=totals),
            _group(now, before, DEMOGRAPHICS[1], "By sex", "Sex", sexes, labels=SEX_LABELS, totals=totals),
            _group(now, before, DEMOGRAPHICS[2], "By ethnicity", "Ethnicity", ethnicities, totals=totals),
        ],
    )


def _subjects(figures: dict) -> int | None:
    """How many people the open cases are about, from any breakdown with no hidden cell (each counts everyone once)."""
    for key in DEMOGRAPHICS:
        values = figures[key].values()
        if None not in values:
            return sum(values)
    return None


def _places(now: dict, before: dict) -> Section:
    current = {p["place_id"]: p for p in now["place_hotspots"]}
    previous = {p["place_id"]: p for p in before["place_hotspots"]}
    ids = sorted(
        set(current) | set(previous),
        key=lambda i: (-(current.get(i) or {}).get("young_people", 0), -(previous.get(i) or {}).get("young_people", 0)),
    )
    rows = [
        Row(
            (current.get(i) or previous.get(i))["name"] or "Unnamed place",
            (current.get(i) or {}).get("young_people"),
            (previous.get(i) or {}).get("young_people"),
        )
        for i in ids
    ]
    group = Group(
        "place_hotspots",
        "Places linked to young people with open cases",
        "Place",
        rows,
        note="Places linked to fewer than 5 young people with open cases are not listed, nor are homes.",
        chart=bool(rows),
    )
    return Section("places", "Place hotspots", [group])
