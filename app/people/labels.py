"""Readable labels for the fixed codes of SPEC section 2, in the words practitioners use."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

from markupsafe import Markup

from app.forms import label_of
from app.people.identifiers import IDENTIFIER_LABELS

LONDON = ZoneInfo("Europe/London")

FLAG_LABELS = {
    "adult_of_concern": "Adult of concern",
    "missing_from_home": "Missing from home",
    "looked_after": "Looked after (child looked after by the local authority)",
    "child_in_need": "Child in need (section 17)",
    "child_protection_plan": "Child protection plan",
    "victim_of_exploitation": "Victim of exploitation",
    "nrm_positive_decision": "NRM positive decision (recognised victim of trafficking or modern slavery)",
    "restricted": "Restricted record",
}
CONCERN_LABELS = {
    "cce": "Child criminal exploitation (CCE)",
    "cse": "Child sexual exploitation (CSE)",
    "county_lines": "County lines",
    "serious_youth_violence": "Serious youth violence",
    "missing": "Missing",
    "online_harm": "Online harm",
    "radicalisation": "Radicalisation",
    "trafficking": "Trafficking",
    "substance_misuse": "Substance misuse",
    "domestic_abuse": "Domestic abuse",
    "mental_health": "Mental health",
    "harmful_sexual_behaviour": "Harmful sexual behaviour",
    "education_exclusion": "Education exclusion",
}
SEX_LABELS = {"female": "Female", "male": "Male", "other": "Other", "unknown": "Not known"}
SENSITIVITY_HINTS = {
    "general": "Every agency on the case team can read it",
    "health": "Only health practitioners and social workers can read it; others do not see it",
    "intelligence": "Police officers and social workers can read it; others see only that an entry exists",
    "restricted": "Only your agency can read it",
}
KIND_LABELS = {
    "found_at": "Found at (after a missing episode)",
    "guardian_at": "Guardian at (makes the place safer)",
    "exploitation_suspected": "Exploitation suspected",
    "trusted_adult": "Trusted adult",
}
# A meeting's kind as its form offers it, its flash and every list of meetings name it.
MEETING_LABELS = {"strategy": "Strategy meeting", "mace": "MACE panel", "context_conference": "Context conference"}
# An alert's kind (SPEC 7 and 10) as the alerts page's filter and list name it.
ALERT_LABELS = {
    "escalation": "Escalation: referred repeatedly",
    "exposure": "Exposure to an adult of concern or rival groups",
    "location_assessment": "Location assessment needed",
    "transition": "Transition to adult services",
    "return_interview": "Return-home interview not offered",
}
RISK_TAG_CLASSES = {"high": "govuk-tag--red", "medium": "govuk-tag--orange", "low": "govuk-tag--green"}
SAFETY_TAG_CLASSES = {"red": "govuk-tag--red", "amber": "govuk-tag--orange", "green": "govuk-tag--green"}
SENSITIVITY_TAG_CLASSES = {
    "general": "govuk-tag--grey",
    "health": "govuk-tag--turquoise",
    "intelligence": "govuk-tag--purple",
    "restricted": "govuk-tag--red",
}
MATCH_REASONS = {
    "exact name": "Same name",
    "similar name": "Similar name",
    "names swapped": "Given and family names swapped",
    "alias": "Matches an alias or street name",
    "same date of birth": "Same date of birth",
    "date of birth close": "Close date of birth",
}

TABLES = {
    "flag": FLAG_LABELS,
    "concern": CONCERN_LABELS,
    "sex": SEX_LABELS,
    "kind": KIND_LABELS,
    "reason": MATCH_REASONS,
    "meeting": MEETING_LABELS,
    "alert": ALERT_LABELS,
    "identifier": IDENTIFIER_LABELS,
}


def label(code: str | None, table: str | None = None) -> str:
    """The readable label of a code from one of the tables, else the code made readable."""
    if code is None:
        return ""
    return TABLES.get(table, {}).get(code) or label_of(code)


def long_date(value: date | datetime | str | None) -> str:
    """'27 March 2011', as GOV.UK writes dates."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    if isinstance(value, datetime):
        value = value.astimezone(LONDON).date()
    return f"{value.day} {value:%B %Y}"


def date_time(value: datetime | None) -> str:
    """'27 March 2026 at 18:30' in UK time."""
    if value is None:
        return ""
    local = value.astimezone(LONDON)
    return f"{long_date(local.date())} at {local:%H:%M}"


def clock(value: datetime) -> str:
    """'18:30' in UK time."""
    return f"{value.astimezone(LONDON):%H:%M}"


def multiline(text) -> Markup:
    """Text whose line breaks matter (notes, addresses), escaped, for a summary list's html value."""
    return Markup('<span class="sc-pre-wrap">%s</span>') % (text if isinstance(text, str) else "")
