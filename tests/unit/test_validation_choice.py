"""A choice among named options accepts only one of the names; anything else is a 422, never a crash."""

import pytest

from safeguarding.errors import ValidationFailed
from safeguarding.validation import choice

OPTIONS = {"friend": "person", "frequents": "place"}


def test_a_named_option_is_accepted():
    assert choice("friend", field="$.kind", label="the kind", options=OPTIONS) == "friend"


@pytest.mark.parametrize("value", [{}, ["friend"], {"friend": 1}, 1, None, "enemy"])
def test_anything_but_a_named_option_is_refused_with_the_field_to_fix(value):
    with pytest.raises(ValidationFailed) as refused:
        choice(value, field="$.kind", label="the kind", options=OPTIONS)
    assert refused.value.fields == {"$.kind": "Select the kind: one of friend, frequents"}
