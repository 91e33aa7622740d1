"""models.base: the one spelling of a public id that reaches a query, and text both engines can store."""

import pytest

from models.base import new_id, parse_id, storable_text


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


@pytest.mark.parametrize(("text", "storable"), [("Zoë Ní Bhriain", True), ("a\x00b", False), ("x\udc80", False)])
def test_storable_text_refuses_nul_and_lone_surrogates(text, storable):
    assert storable_text(text) is storable
