"""What a re-import keeps of a stored record (a field its item leaves out) is checked with what the item gives, so
that no record is left as the product would never make it."""

from datetime import date

import pytest

from app.extensions import db
from models.case import Case
from models.context import Relationship
from tests.integration.importing.documents import count, document

FLAGS = pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])


@FLAGS
def test_a_case_may_not_open_after_the_closing_day_it_keeps(run, flags):
    _, first = run(document())
    later = document()
    del later["cases"][1]["closed_on"]  # c2 keeps its closing day, 2023-06-30
    later["cases"][1]["opened_on"] = "2023-07-01"
    code, body = run(later, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.cases[1].opened_on": "A case closes on or after the day it opened: this one is closed on 30 June 2023, "
        "which it keeps as closed_on is left out"
    }
    db.session.expire_all()
    assert db.session.get(Case, first["ids"]["c2"]).opened_on == date(2023, 1, 1)
    later["cases"][1]["opened_on"] = "2023-06-30"  # the day it closed: as the item-level check allows
    assert run(later, *flags)[0] == 0


@FLAGS
def test_a_corrected_edge_may_not_be_first_seen_after_the_last_seen_date_it_keeps(run, flags):
    doc = document()
    doc["relationships"][1]["last_seen"] = "2024-06-10"
    run(doc)
    corrected = document()  # r2 first seen later: a correction, which keeps the last-seen date left out
    corrected["relationships"][1]["first_seen"] = "2024-06-15"
    code, body = run(corrected, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.relationships[1].first_seen": "The last-seen date must be on or after the first-seen date: this "
        "relationship was last seen on 10 June 2024, which it keeps as last_seen is left out"
    }
    assert count(Relationship) == 3
    corrected["relationships"][1]["first_seen"] = "2024-06-05"
    code, body = run(corrected, *flags)
    assert code == 0 and body["created"]["relationships"] == 1, body
