"""Small numbers are suppressed, and so is any cell a shown total would give away."""

from hypothesis import given
from hypothesis import strategies as st

from safeguarding.suppression import HIDDEN, suppress, suppress_table, suppress_total


def test_counts_from_one_to_four_are_hidden_and_zero_and_five_are_shown():
    assert suppress({"a": 0, "b": 1, "c": 4, "d": 5, "e": 9}) == {"a": 0, "b": HIDDEN, "c": HIDDEN, "d": 5, "e": 9}


def test_a_lone_hidden_cell_takes_the_next_smallest_with_it_when_the_total_is_shown():
    assert suppress({"red": 3, "amber": 12, "green": 7}) == {"red": HIDDEN, "amber": 12, "green": HIDDEN}


def test_no_secondary_suppression_without_a_total():
    assert suppress({"red": 3, "amber": 12, "green": 7}, total_shown=False) == {"red": HIDDEN, "amber": 12, "green": 7}


def test_small_totals_are_hidden():
    assert [suppress_total(n) for n in (0, 1, 4, 5)] == [0, HIDDEN, HIDDEN, 5]


def test_two_way_tables_protect_rows_and_columns():
    shown = suppress_table(
        {"cce": {"high": 2, "low": 9}, "cse": {"high": 6, "low": 8}, "missing": {"high": 7, "low": 5}}
    )
    # cce/high is small; its row takes cce/low, and its column takes the next smallest high cell.
    assert shown["cce"] == {"high": HIDDEN, "low": HIDDEN}
    assert shown["cse"]["high"] is HIDDEN and shown["missing"]["high"] == 7


def test_a_table_never_shows_a_lone_hidden_cell_its_grand_total_would_give_away():
    """cce/low is alone in its row and column beside zeros; 11 open cases less the shown 10 would make it 1."""
    shown = suppress_table({"cce": {"low": 1, "high": 0}, "cse": {"low": 0, "high": 10}})
    assert shown == {"cce": {"low": HIDDEN, "high": 0}, "cse": {"low": 0, "high": HIDDEN}}


@given(st.dictionaries(st.sampled_from("abc"), st.dictionaries(st.sampled_from("xyz"), st.integers(0, 12), min_size=1)))
def test_no_table_shows_exactly_one_hidden_cell_beside_a_shown_count(rows):
    cells = [v for cols in suppress_table(rows).values() for v in cols.values()]
    assert cells.count(HIDDEN) != 1 or all(v in (0, HIDDEN) for v in cells)


@given(st.dictionaries(st.sampled_from("abcdef"), st.integers(0, 40), min_size=1))
def test_no_shown_total_ever_reveals_a_single_small_cell(counts):
    shown = suppress(counts)
    assert all(v is HIDDEN or v not in range(1, 5) for v in shown.values())
    hidden = [k for k, v in shown.items() if v is HIDDEN]
    assert len(hidden) != 1 or all(v in (0, HIDDEN) for v in shown.values())
