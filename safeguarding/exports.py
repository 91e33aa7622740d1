"""Exports of a case's merged chronology (CSV and a page for print): the chronology's own policy, audited as export.

Withheld entries stay withheld and hidden ones stay out: an export is the chronology the viewer may already read.
"""

from collections.abc import Iterable

from sqlalchemy.orm import Session

from models.base import parse_id
from models.case import CHRONOLOGY_CATEGORIES, SENSITIVITIES, Case
from safeguarding import case_chronology, disclosure
from safeguarding.csv_export import csv_text
from safeguarding.errors import ValidationFailed
from safeguarding.validation import choice, collect, parse_date

FORMATS = ("csv", "print")
WITHHELD = "Content withheld"
UNREADABLE = "This entry could not be read"
CHRONOLOGY_HEADER = (
    "occurred_on",
    "agency",
    "recorded_by",
    "category",
    "sensitivity",
    "summary",
    "withheld",
    "from_referral",
    "recorded_at",
)


def validate_filters(args: dict) -> dict:
    """The export's filters from a query string: the case page's filters plus an optional period (inclusive)."""
    clean = collect(
        {
            "agency_id": lambda v: _agency(v),
            "category": lambda v: (
                choice(v, field="category", label="a category", options=CHRONOLOGY_CATEGORIES) if v else None
            ),
            "sensitivity": lambda v: (
                choice(v, field="sensitivity", label="a sensitivity", options=SENSITIVITIES) if v else None
            ),
            "since": lambda v: parse_date(v, field="from", label="the first date", required=False),
            "until": lambda v: parse_date(v, field="to", label="the last date", required=False),
        },
        {
            "agency_id": args.get("agency"),
            "category": args.get("category"),
            "sensitivity": args.get("sensitivity"),
            "since": args.get("from"),
            "until": args.get("to"),
        },
    )
    if clean["since"] and clean["until"] and clean["until"] < clean["since"]:
        raise ValidationFailed({"to": "The last date must be the same as or after the first date"})
    return clean


def _agency(value) -> str | None:
    if not value:
        return None
    return parse_id(value) or _bad_agency()


def _bad_agency():
    raise ValidationFailed({"agency": "Choose an agency by its id"})


def export_chronology(session: Session, actor, case_id: str, fmt: str, filters: dict) -> tuple[Case, list]:
    """The chronology the actor may read, filtered, for download or print; audited as `export`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    detail = {"format": fmt} | {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in filters.items() if v}
    return case_chronology.chronology(session, actor, case_id, action="export", detail=detail, **filters)


def chronology_rows(entries: Iterable) -> list[dict]:
    """Each entry as the API shows it (disclosure decides what of it the viewer sees)."""
    return [disclosure.entry_view(entry, view) for entry, view in entries]


def chronology_csv(entries: Iterable) -> str:
    """One line per entry, every cell neutralised; a withheld entry says so and carries no content."""
    lines = []
    for row in chronology_rows(entries):
        readable = row["summary"] if isinstance(row["summary"], str) else UNREADABLE
        summary = WITHHELD if row["withheld"] else readable
        lines.append(
            (
                row["occurred_on"],
                row["agency"]["name"],
                row["author"],
                row["category"],
                row["sensitivity"],
                summary,
                row["withheld"],
                row["derived"],
                row["recorded_at"],
            )
        )
    return csv_text(CHRONOLOGY_HEADER, lines)
