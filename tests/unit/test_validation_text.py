"""clean_text: what a text field may hold, and the message that says what to fix."""

import pytest

from safeguarding.errors import ValidationFailed
from safeguarding.validation import clean_text


def cleaned(value, required=True):
    return clean_text(value, field="$.name", label="a name", max_length=50, required=required)


def refusal(value, required=True) -> str:
    with pytest.raises(ValidationFailed) as refused:
        cleaned(value, required)
    return refused.value.fields["$.name"]


@pytest.mark.parametrize("value", ["\u200b", " \u200b\u200c ", "\ufeff", "\u00ad\u2060", "\u200e"])
def test_text_of_only_invisible_characters_counts_as_blank(value):
    assert refusal(value) == "Enter a name: it holds only characters that do not show"
    assert cleaned(value, required=False) is None


@pytest.mark.parametrize("value", ["Ellie\u202e", "\u202dAmara", "Tobi \u2067Reed\u2069", "\u202aX\u202c"])
def test_characters_that_reorder_text_are_refused(value):
    assert "reorder text" in refusal(value)


@pytest.mark.parametrize("value", ["A\x7fB", "A\x85B", "A\x9fB", "A\x00B"])
def test_control_characters_including_del_and_c1_are_refused(value):
    assert "control characters" in refusal(value)


@pytest.mark.parametrize(
    "value",
    ["Zoë Ní Bhriain", "محمد", "\u200fمحمد", "می\u200cخواهم", "क्षत्रिय\u200d", "O'Brien-Smith", "Line one\nLine two"],
)
def test_names_in_any_script_with_their_joiners_and_marks_are_kept(value):
    assert cleaned(value) == value
