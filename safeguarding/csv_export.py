"""CSV that is safe to open in a spreadsheet: one implementation for every export (audit, reports, chronology).

A cell a spreadsheet would read as a formula (=, +, -, @, or a leading tab or carriage return; OWASP's CSV
injection list, plus the full-width forms some spreadsheets also accept), also after leading spaces (an import
that trims them would run it), gets a leading apostrophe, which spreadsheets show as text. Names, user agents,
ids and free text come from outside, so every text cell is treated.
"""

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
SPACES = " \u00a0\u3000"  # ordinary, no-break and ideographic: what a spreadsheet's import may trim


def neutralise(value: object) -> object:
    """A cell that cannot run as a formula: text starting with a formula character gets a leading apostrophe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, int | float):
        return value
    text = str(value)
    return "'" + text if text.lstrip(SPACES).startswith(FORMULA_PREFIXES) else text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """RFC 4180 CSV (CRLF line ends), every cell neutralised, the header too."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralise(cell) for cell in header])
    for row in rows:
        writer.writerow([neutralise(cell) for cell in row])
    return out.getvalue()
