"""Shared checks for input from forms, the API and imports: each failure says what to fix."""

import re
import unicodedata
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from models.base import storable_text
from safeguarding.errors import ValidationFailed

LONDON = ZoneInfo("Europe/London")


# Deeper JSON than this is not a record anyone sends; refusing it also keeps the decoder off the recursion limit.
MAX_DEPTH = 20


def unstorable_text(value, path: str) -> dict[str, str]:
    """What in a parsed JSON value no database column can hold, by path: NUL characters (PostgreSQL refuses them),
    lone surrogates (JSON's "\\udc80" decodes to one, and UTF-8 cannot encode it) and absurd nesting. Checked
    before anything reaches a query, so such input is refused with a message instead of failing in the driver."""
    problems: dict[str, str] = {}
    _walk(value, path, 0, problems)
    return problems


def _walk(value, path: str, depth: int, problems: dict) -> None:
    if depth > MAX_DEPTH:
        problems[path or "$"] = f"Nest values at most {MAX_DEPTH} levels deep"
    elif isinstance(value, str):
        if problem := _text_problem(value):
            problems[path or "$"] = f"Remove {problem} from this value"
    elif isinstance(value, dict):
        for key, item in value.items():
            if problem := _text_problem(key):
                problems[path or "$"] = f"Remove {problem} from the field names"
                continue
            _walk(item, f"{path}.{key}" if path else key, depth + 1, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", depth + 1, problems)


def _text_problem(text: str) -> str | None:
    if storable_text(text):
        return None
    return "the NUL character" if "\x00" in text else "the character that is not valid Unicode text"


class DuplicateKey(ValueError):
    """A JSON object names one key twice; which value was meant cannot be known."""


def json_object_without_duplicates(pairs: list[tuple[str, object]]) -> dict:
    """A json.loads object_pairs_hook: the object, or DuplicateKey (json.loads keeps the last value silently)."""
    seen: set[str] = set()
    for key, _ in pairs:
        if key in seen:
            raise DuplicateKey(f'"{key}" appears twice in one object')
        seen.add(key)
    return dict(pairs)


def start_of_day(day: date) -> datetime:
    """00:00 Europe/London on that day: what a bare date means as a time (SPEC section 10), and where a UK day
    starts for reports (23 or 25 hours long on the clock-change days)."""
    return datetime.combine(day, time(0), tzinfo=LONDON)


def london_day(at: datetime) -> date:
    """The UK calendar day of an instant: what dates derived from times show, whatever the server's zone."""
    return at.astimezone(LONDON).date()


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months on (or back), or the month's last day where it has no such day."""
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    for last_day in (day.day, 30, 29, 28):
        try:
            return date(year, month, last_day)
        except ValueError:
            continue
    raise ValueError(day)


def birthday(born: date, years: int) -> date:
    """The day someone born on `born` turns `years` old: a 29 February birthday falls on 1 March in other years,
    as UK law counts it (and as ages are counted here)."""
    try:
        return born.replace(year=born.year + years)
    except ValueError:
        return date(born.year + years, 3, 1)


def day_text(day: date) -> str:
    """A date as messages write it: 30 June 2023."""
    return f"{day.day} {day:%B %Y}"


def uk_time_text(at: datetime) -> str:
    """An instant as UK clocks showed it: 9 May 2024 15:00."""
    local = at.astimezone(LONDON)
    return f"{day_text(local)} {local:%H:%M}"


def uk_today() -> date:
    """Today in the UK: on a server kept on UTC, date.today() is still yesterday for the first hour of a BST day."""
    return datetime.now(LONDON).date()


def collect(checks: dict, data: dict, *, partial: bool = False, between: Callable[[dict], dict] | None = None) -> dict:
    """Run each field's check on its value; report every field's problem at once, not only the first.

    partial: check only the fields given (an edit). between: the problems between fields, found from the values
    that passed their own checks (a field's own problem comes first)."""
    clean, errors = {}, {}
    for key, check in checks.items():
        if partial and key not in data:
            continue
        try:
            clean[key] = check(data.get(key))
        except ValidationFailed as failure:
            errors.update(failure.fields)
    if between is not None:
        errors = between(clean) | errors
    if errors:
        raise ValidationFailed(errors)
    return clean


def collect_only(checks: dict, data: dict, **options) -> dict:
    """collect(), with every key that has no check refused too: every problem at once."""
    unknown = {f"$.{key}": "This field cannot be changed here" for key in sorted(set(data) - set(checks))}
    try:
        clean = collect(checks, data, **options)
    except ValidationFailed as failure:
        raise ValidationFailed(unknown | failure.fields) from None
    if unknown:
        raise ValidationFailed(unknown)
    return clean


# Bidirectional embeddings, overrides and isolates: they make text display in another order than it is stored,
# so "Ellie" could show as another name. Right-to-left names need none of them (the marks U+200E/F stay allowed).
_DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
# C0 controls but tab and line breaks, DEL and C1 controls.
_CONTROLS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def _shows_something(value: str) -> bool:
    """Whether the text has a character that shows: not only spaces and format characters such as U+200B."""
    return any(not ch.isspace() and unicodedata.category(ch) != "Cf" for ch in value)


def clean_text(value, *, field: str, label: str, max_length: int, required: bool = True) -> str | None:
    """Strip, refuse control characters (NUL and friends) and over-long values; say what to fix."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ValidationFailed({field: f"Enter {label}"})
        return None
    if not isinstance(value, str):
        raise ValidationFailed({field: f"{_cap(label)} must be text"})
    value = value.strip()
    if not _shows_something(value):
        if required:
            raise ValidationFailed({field: f"Enter {label}: it holds only characters that do not show"})
        return None
    if _CONTROLS.search(value):
        raise ValidationFailed({field: f"{_cap(label)} must not contain control characters"})
    if _DIRECTION_CONTROLS.search(value):
        raise ValidationFailed(
            {field: f"{_cap(label)} must not contain characters that reorder text (they can disguise a name)"}
        )
    if len(value) > max_length:
        raise ValidationFailed({field: f"{_cap(label)} must be {max_length} characters or fewer"})
    return value


def choice(value, *, field: str, label: str, options) -> str:
    # Only text can name an option; a list or object would not even be hashable for a set or dict of options.
    if not isinstance(value, str) or value not in options:
        raise ValidationFailed({field: f"Select {label}: one of {', '.join(options)}"})
    return value


# Python's fromisoformat also reads 20110327, 2011-W12-7 and other forms of ISO 8601: the contract's are these.
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ISO_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?"
)


def iso_date(text: str) -> date:
    """A date written YYYY-MM-DD, and only so; ValueError otherwise (as date.fromisoformat)."""
    if not isinstance(text, str) or not _ISO_DATE.fullmatch(text):
        raise ValueError(f"not a date in the form YYYY-MM-DD: {text!r}")
    return date.fromisoformat(text)


def iso_datetime(text: str) -> datetime:
    """A date and time in ISO 8601's extended form (an offset optional here); ValueError otherwise."""
    if not isinstance(text, str) or not _ISO_DATETIME.fullmatch(text):
        raise ValueError(f"not a date and time like 2026-03-01T18:30:00+00:00: {text!r}")
    parsed = datetime.fromisoformat(text)
    if parsed.tzinfo is not None:
        try:
            parsed.astimezone(UTC)  # stored as UTC: 9999-12-31T23:00-05:00 is no time a database can hold
        except OverflowError:
            raise ValueError(f"outside the range of times: {text!r}") from None
    return parsed


def parse_date(value, *, field: str, label: str, required: bool = True, not_future: bool = False, today=None):
    """A YYYY-MM-DD date (or a date); impossible dates and, where asked, future dates are refused."""
    if value is None or value == "":
        if required:
            raise ValidationFailed({field: f"Enter {label}"})
        return None
    if isinstance(value, date):
        parsed = value
    elif isinstance(value, str):
        if not _ISO_DATE.fullmatch(value.strip()):
            raise ValidationFailed({field: f"{_cap(label)} must be a date in the form YYYY-MM-DD"})
        try:
            parsed = iso_date(value.strip())
        except ValueError:
            raise ValidationFailed({field: f"{_cap(label)} must be a real date, like 2011-03-27"}) from None
    else:
        raise ValidationFailed({field: f"{_cap(label)} must be a date in the form YYYY-MM-DD"})
    if parsed.year < 1900:
        raise ValidationFailed({field: f"{_cap(label)} must be after 1900"})
    if not_future and parsed > (today or uk_today()):
        raise ValidationFailed({field: f"{_cap(label)} must be today or in the past"})
    return parsed


def parse_datetime(value, *, field: str, label: str, required: bool = True):
    """ISO 8601 with an offset; a bare date means 00:00 Europe/London (SPEC section 10)."""
    if value is None or value == "":
        if required:
            raise ValidationFailed({field: f"Enter {label}"})
        return None
    if not isinstance(value, str):
        raise ValidationFailed({field: f"{_cap(label)} must be a date and time like 2026-03-01T18:30:00+00:00"})
    text = value.strip()
    try:
        if len(text) == 10:
            day = parse_date(text, field=field, label=label)
            return start_of_day(day)
        parsed = iso_datetime(text)
    except ValueError:
        raise ValidationFailed({field: f"{_cap(label)} must be a real date and time with an offset"}) from None
    if parsed.tzinfo is None:
        raise ValidationFailed({field: f"{_cap(label)} needs a time zone offset, like +00:00"})
    if parsed.year < 1900:
        raise ValidationFailed({field: f"{_cap(label)} must be after 1900"})
    return parsed


def text_list(value, *, field: str, label: str, max_items: int, max_length: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValidationFailed({field: f"{_cap(label)} must be a list of text"})
    if len(value) > max_items:
        raise ValidationFailed({field: f"Give at most {max_items} {label}"})
    clean, errors = [], {}
    for i, item in enumerate(value):
        try:
            clean.append(clean_text(item, field=f"{field}[{i}]", label=label, max_length=max_length))
        except ValidationFailed as failure:  # every bad element is reported, not only the first
            errors.update(failure.fields)
    if errors:
        raise ValidationFailed(errors)
    return clean


def boolean(value, *, field: str, label: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise ValidationFailed({field: f"{_cap(label)} must be true or false"})
    return value


def whole_number(value, *, field: str, label: str, low: int, high: int, default: int | None = None) -> int | None:
    """A whole number low..high, given as a number or as text (a query string); default when left out."""
    if value is None or value == "":
        return default
    number = value.strip() if isinstance(value, str) else value
    if isinstance(number, str) and number.isascii() and number.isdigit():
        number = int(number)
    if isinstance(number, bool) or not isinstance(number, int) or not low <= number <= high:
        raise ValidationFailed({field: f"Give {label} between {low:,} and {high:,}"})
    return number


def version_of(value, *, field: str = "version") -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationFailed({field: "Give the record's version (a whole number) so that changes are not lost"})
    return value


def _cap(label: str) -> str:
    return label[0].upper() + label[1:]
