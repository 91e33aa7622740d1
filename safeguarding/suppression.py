"""Statistical disclosure control for partnership reports: small numbers (1-4) are never shown.

Primary suppression hides every count from 1 to 4. Secondary suppression then hides the next smallest count in
any group that shows its total and has exactly one hidden cell, because the total would give that cell away.
"""

from collections.abc import Mapping

SMALL = range(1, 5)
HIDDEN = None  # a suppressed cell; pages show "fewer than 5" and CSV "<5"


def suppress(counts: Mapping[str, int], *, total_shown: bool = True) -> dict[str, int | None]:
    """One group of counts (e.g. referrals by urgency) with small numbers hidden, primary and secondary."""
    shown: dict[str, int | None] = {k: (HIDDEN if v in SMALL else v) for k, v in counts.items()}
    hidden = [k for k, v in shown.items() if v is HIDDEN]
    if total_shown and len(hidden) == 1:
        candidates = sorted((v, k) for k, v in shown.items() if v not in (HIDDEN, 0))
        if candidates:
            shown[candidates[0][1]] = HIDDEN
    return shown


def suppress_total(total: int) -> int | None:
    return HIDDEN if total in SMALL else total


def suppress_table(rows: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int | None]]:
    """A two-way table (row -> column -> count): each row and each column is protected as a group."""
    shown = {row: suppress(cols) for row, cols in rows.items()}
    columns = {c for cols in rows.values() for c in cols}
    for column in columns:
        cells = {row: shown[row].get(column) for row in rows}
        hidden = [r for r, v in cells.items() if v is HIDDEN]
        if len(hidden) == 1:
            candidates = sorted((v, r) for r, v in cells.items() if v not in (HIDDEN, 0, None))
            if candidates:
                shown[candidates[0][1]][column] = HIDDEN
    return shown


def display(value: int | None) -> str:
    return "fewer than 5" if value is HIDDEN else f"{value:,}"
