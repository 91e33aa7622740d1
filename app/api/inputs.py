"""Reading API input safely: JSON bodies, ids in paths and query strings, and plain output of dates and times."""

from datetime import UTC, date, datetime

from flask import request

from app.api import json_body
from app.api.fields import unknown_fields
from app.api.openapi import path_of, request_body_schema
from models.base import parse_id
from safeguarding.errors import NotFound, ValidationFailed
from safeguarding.validation import unstorable_text


def body() -> dict:
    """The request's JSON object, refused (422, by path) where it holds text no column can store or a key that the
    route's request body schema does not name, before anything is read from it or written."""
    data = json_body()
    problems = unstorable_text(data, "$") or unknown_fields(data, _body_schema())
    if problems:
        raise ValidationFailed(problems)
    return data


def _body_schema() -> dict:
    """The schema the OpenAPI document gives this route's request body: what the route reads, and all it reads."""
    path, method = path_of(request.url_rule.rule), request.method.lower()
    schema = request_body_schema(path, method)
    if schema is None:  # a fault of the route, never of the input: the document must describe every body read
        raise LookupError(f"The OpenAPI document gives {method.upper()} {path} no request body")
    return schema


def optional_body() -> dict:
    """As body(), but an empty body reads as {} (for actions whose fields are all optional)."""
    if not request.get_data(cache=True):
        return {}
    return body()


def record_id(value: str, what: str) -> str:
    """A public id from the URL: anything that is not a UUID names no record (404), and never reaches the database."""
    return parse_id(value) or _unknown(what)


def _unknown(what: str):
    raise NotFound(f"No {what} with that id")


def query_once(name: str, default: str | None = None) -> str | None:
    """A query parameter read as one value, as given (default when absent); 422 when repeated, since which one was
    meant cannot be known."""
    return query_args(name).get(name, default)


def query_args(*names: str) -> dict[str, str]:
    """The named query parameters that were given, each read as one value; 422 naming every one given more than
    once (for services that take the query string as a mapping)."""
    repeated = {
        name: f"Give {name} once: it was given more than once" for name in names if len(request.args.getlist(name)) > 1
    }
    if repeated:
        raise ValidationFailed(repeated)
    return {name: request.args[name] for name in names if name in request.args}


def query_value(name: str) -> str | None:
    """An optional query parameter given at most once; empty reads as not given."""
    return query_once(name) or None


def query_id(name: str, label: str) -> str | None:
    """An optional id in the query string; 422 when it is not an id at all."""
    value = query_value(name)
    if value is None:
        return None
    return parse_id(value) or _bad_query_id(name, label)


def _bad_query_id(name: str, label: str):
    raise ValidationFailed({name: f"Choose {label} by its id"})


def query_choice(name: str, label: str, options) -> str | None:
    value = query_value(name)
    if value is None:
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
