"""Reading API input safely: JSON bodies, ids in paths and query strings, and plain output of dates and times."""

import uuid
from datetime import UTC, date, datetime

from flask import request

from app.api import json_body
from safeguarding.errors import NotFound, ValidationFailed

# Deeper JSON than this is not a record anyone sends; refusing it also keeps the decoder off the recursion limit.
MAX_DEPTH = 20


def body() -> dict:
    """The request's JSON object, with NUL characters refused anywhere (PostgreSQL cannot store them)."""
    data = json_body()
    problems = {}
    _walk(data, "$", 0, problems)
    if problems:
        raise ValidationFailed(problems)
    return data


def optional_body() -> dict:
    """As body(), but an empty body reads as {} (for actions whose fields are all optional)."""
    if not request.get_data(cache=True):
        return {}
    return body()


def _walk(value, path: str, depth: int, problems: dict) -> None:
    if depth > MAX_DEPTH:
        problems[path] = f"Nest values at most {MAX_DEPTH} levels deep"
    elif isinstance(value, str):
        if "\x00" in value:
            problems[path] = "Remove the NUL character from this value"
    elif isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                problems[path] = "Remove the NUL character from the field names"
                continue
            _walk(item, f"{path}.{key}", depth + 1, problems)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _walk(item, f"{path}[{index}]", depth + 1, problems)


def record_id(value: str, what: str) -> str:
    """A public id from the URL: anything that is not a UUID names no record (404), and never reaches the database."""
    try:
        return str(uuid.UUID(value)) if len(value) == 36 else _unknown(what)
    except ValueError:
        return _unknown(what)


def _unknown(what: str):
    raise NotFound(f"No {what} with that id")


def query_id(name: str, label: str) -> str | None:
    """An optional id in the query string; 422 when it is not an id at all."""
    value = request.args.get(name)
    if value is None or value == "":
        return None
    try:
        return str(uuid.UUID(value)) if len(value) == 36 else _bad_query_id(name, label)
    except ValueError:
        return _bad_query_id(name, label)


def _bad_query_id(name: str, label: str):
    raise ValidationFailed({name: f"Choose {label} by its id"})


def query_choice(name: str, label: str, options) -> str | None:
    value = request.args.get(name)
    if value is None or value == "":
        return None
    if value not in options:
        raise ValidationFailed({name: f"Choose {label}: one of {', '.join(options)}"})
    return value


def iso(value: date | datetime | None) -> str | None:
    """Dates as YYYY-MM-DD, times as ISO 8601 in UTC with an offset."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return value.isoformat()
