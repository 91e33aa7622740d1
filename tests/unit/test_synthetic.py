"""The synthetic borough is a history: nothing in it happens after the day it is generated for."""

from datetime import UTC, date, datetime

from safeguarding.import_checks import check_document
from safeguarding.synthetic import borough

TIME_FIELDS = ("sent_at", "acknowledged_at", "decided_at", "reported_at", "returned_at")
DATE_FIELDS = ("date_of_birth", "first_seen", "last_seen", "opened_on", "closed_on", "occurred_on")


def test_every_date_and_time_is_on_or_before_its_day():
    today = date(2026, 11, 1)
    # Large enough to hold cases opened in the last weeks, whose episodes and entries would run past the day.
    document = borough(20_000, seed=1, today=today)
    end = datetime(2026, 11, 2, tzinfo=UTC)
    items = [item for section in document.values() for item in section]
    times = [datetime.fromisoformat(item[key]) for item in items for key in TIME_FIELDS if item.get(key)]
    dates = [date.fromisoformat(item[key]) for item in items for key in DATE_FIELDS if item.get(key)]
    assert times and dates and document["missing_episodes"] and document["chronology"]
    assert max(times) < end
    assert max(dates) <= today


def test_a_borough_of_the_recent_past_passes_the_import_checks(app):
    """Dated the machine's own day, it holds nothing the import refuses as not yet happened. (The checks read the
    deployment's flags from the runtime the app configures.)"""
    document = borough(20_000, seed=1, today=datetime.now(UTC).date())
    _, ignored = check_document(document, {}, {}, {})
    assert ignored == {}  # every field it gives is one the format has
