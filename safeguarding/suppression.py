"""Statistical disclosure control for partnership reports: small numbers (1-4) are never shown.

Primary suppression hides every count from 1 to 4. Secondary suppression then hides the next smallest count in
any group that shows its total and has exactly one hidden cell, because the total would give that cell away.
"""

from collections.abc import Mapping

SMALL = range(1, 5)
# A suppressed cell, small or hidden beside one (so possibly 5 or more): pages show "not shown", CSV "suppressed".
HIDDEN = None


def suppress(counts: Mapping[str, int], *, total_shown: bool = True) -> dict[str, int | None]:
    """One group of counts (e.g. referrals by urgency) with small numbers hidden, primary and secondary."""
    shown: dict[str, int | None] = {k: (HIDDEN if v in SMALL else v) for k, v in counts.items()}
    if total_shown and (partner := _lone_partner(shown)) is not None:
        shown[partner] = HIDDEN
    return shown


def suppress_total(total: int) -> int | None:
    return HIDDEN if total in SMALL else total


def suppress_table(rows: Mapping[str, Mapping[str, int]]) -> dict[str, dict[str, int | None]]:
    """A two-way table (row -> column -> count): each row and each column is protected as a group."""
    shown = {row: suppress(cols) for row, cols in rows.items()}
    columns = {c for cols in rows.values() for c in cols}
    for column in columns:
        if (partner := _lone_partner({row: shown[row].get(column) for row in rows})) is not None:
            shown[partner][column] = HIDDEN
    # The table's grand total is shown too (the report's count of open cases): a lone hidden cell whose row and
    # column hold only zeros would still be that total less the shown cells.
    cells = {(row, column): value for row, cols in shown.items() for column, value in cols.items()}
    if (partner := _lone_partner(cells)) is not None:
        row, column = partner
        shown[row][column] = HIDDEN
    return shown


def _lone_partner(cells: Mapping) -> object | None:
    """Where exactly one of these cells is hidden and their total is shown, the key of the cell to hide beside it
    (the smallest shown count but zero); None when none is needed or none is left."""
    if sum(value is HIDDEN for value in cells.values()) != 1:
        return None
    candidates = sorted((value, key) for key, value in cells.items() if value not in (HIDDEN, 0))
    return candidates[0][1] if candidates else None


def display(value: int | None) -> str:
    return "not shown" if value is HIDDEN else f"{value:,}"
