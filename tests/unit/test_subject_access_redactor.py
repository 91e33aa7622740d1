"""The subject access redactor on its own: which spellings of a name, address or number it catches."""

from models.crypto import UNREADABLE
from safeguarding.subject_access.redaction import REDACTED, Redactor, _address_terms


def test_names_are_caught_in_any_case_as_whole_words_only():
    redact = Redactor({"Barnabus", "Vexley"}, set())
    assert redact("BARNABUS vexley, and Barnabuses") == f"{REDACTED} {REDACTED}, and Barnabuses"


def test_a_uk_number_is_caught_however_it_is_spaced_or_prefixed():
    redact = Redactor(set(), {"07700900123"})
    for written in ("07700 900123", "07700-900-123", "+44 7700 900123", "+44 (0)7700 900123", "07700900123"):
        assert redact(f"Rang {written} twice") == f"Rang {REDACTED} twice", written
    assert redact("Reference 1077009001234") == "Reference 1077009001234"


def test_an_address_gives_its_numbered_lines_street_and_postcode():
    terms = _address_terms("Flat 3, 9 Hollow Lane\nLeeds LS6 2AB")
    assert {"Flat 3", "9 Hollow Lane", "Hollow Lane", "Leeds LS6 2AB", "LS6 2AB"} <= terms
    assert "Leeds" not in terms


def test_strings_inside_lists_and_objects_are_redacted_and_unreadable_values_are_null():
    redact = Redactor({"Barnabus"}, set())
    value = [{"action": "Call Barnabus", "due_on": "2026-01-01", "count": 3}, "Barnabus"]
    assert redact(value) == [{"action": f"Call {REDACTED}", "due_on": "2026-01-01", "count": 3}, REDACTED]
    assert redact(UNREADABLE) is None and redact(None) is None
