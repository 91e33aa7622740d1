"""Words and tag colours for referrals, and the timescale of each urgency in plain English."""

from datetime import timedelta

from markupsafe import Markup, escape

from safeguarding.runtime import current as runtime
from safeguarding.timescales import CLOCK

URGENCY_LABELS = {"red": "Red", "amber": "Amber", "green": "Green"}
URGENCY_MEANINGS = {
    "red": "A child may be at immediate risk of significant harm.",
    "amber": "A child may be at risk of harm and needs a response soon.",
    "green": "A concern that needs a response, but not urgently.",
}
# GOV.UK tag colours: there is no amber, so orange stands in for it.
URGENCY_TAG_CLASSES = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}
STATUS_LABELS = {
    "submitted": "Sent, not acknowledged",
    "acknowledged": "Acknowledged",
    "accepted": "Accepted",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
STATUS_TAG_CLASSES = {
    "submitted": "govuk-tag--yellow",
    "acknowledged": "govuk-tag--light-blue",
    "accepted": "govuk-tag--green",
    "declined": "govuk-tag--pink",
    "withdrawn": "govuk-tag--grey",
}
LAWFUL_BASIS_LABELS = {
    "consent": "Consent given",
    "consent_overridden": "Consent overridden",
    "no_consent_sought": "Consent not sought",
    "not_recorded": "Not recorded",
}
ORDINALS = {1: "next", 2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _duration(value: timedelta) -> str:
    minutes = int(value.total_seconds() // 60)
    if minutes % 60:
        return f"{minutes} minutes"
    hours = minutes // 60
    return "1 hour" if hours == 1 else f"{hours} hours"


def _working_day(days: int, closing: str) -> str:
    if days == 0:
        return f"{closing} on the day it arrives"
    return f"{closing} on the {ORDINALS.get(days, f'{days}th')} working day"


def timescale_hint(urgency: str) -> str:
    """'Acknowledge within 1 hour and decide within 4 hours, day or night', from the configured timescales."""
    rt = runtime()
    basis, acknowledge, decide = rt.timescales.table[urgency]
    if basis == CLOCK:
        when = f"Acknowledge within {_duration(acknowledge)} and decide within {_duration(decide)}, day or night"
    else:
        closing = f"{rt.calendar.closing:%H:%M}"
        if acknowledge == decide:
            when = f"Acknowledge and decide by {_working_day(acknowledge, closing)}"
        else:
            when = f"Acknowledge by {_working_day(acknowledge, closing)} and decide by {_working_day(decide, closing)}"
    return f"{URGENCY_MEANINGS[urgency]} {when}."


def lines(text) -> Markup:
    """Text whose line breaks matter, escaped, with <br> between lines (safe inside indented macro output)."""
    if not isinstance(text, str):
        return Markup("")
    return Markup("<br>").join(escape(line) for line in text.splitlines())
