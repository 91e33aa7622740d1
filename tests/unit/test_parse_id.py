"""parse_id: the one spelling of a public id that reaches a query."""

import pytest

from models.base import new_id, parse_id


def test_an_id_comes_back_in_its_canonical_form():
    made = new_id()
    assert parse_id(made) == made
    assert parse_id(made.upper()) == made


@pytest.mark.parametrize(
    "value",
    [None, 7, "", "person", "0" * 32, "{" + "0" * 8 + "-0000-0000-0000-" + "0" * 12 + "}", "g" * 8 + "-" + "0" * 27],
)
def test_anything_else_is_no_id(value):
    assert parse_id(value) is None
