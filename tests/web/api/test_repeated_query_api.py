"""A query parameter read as one value and given more than once gets 422 naming it: which one was meant cannot be
known, and taking the first would answer a question the caller did not ask."""

import re
import uuid

import pytest

import app.api  # noqa: F401  (the API modules register their operations in the document on import)
from app.api.openapi import PATHS

LEAD_PREFIXES = ("/audit", "/reports")


def documented_query_parameters() -> list:
    found = {
        (path, param["name"])
        for path, item in PATHS.items()
        for operation in item.values()
        for param in operation.get("parameters", [])
        if param["in"] == "query"
    }
    return [pytest.param(path, name, id=f"{path}?{name}") for path, name in sorted(found)]


def concrete(path: str) -> str:
    """The path with an id in every id slot (the repeat is refused before any record is looked up)."""
    return re.sub(r"{([^}]+)}", lambda slot: "json" if slot[1] == "fmt" else str(uuid.uuid4()), path)


@pytest.mark.parametrize(("path", "name"), documented_query_parameters())
def test_every_query_parameter_given_twice_gets_422_naming_it(as_user, make_user, path, name):
    role = "safeguarding_lead" if path.startswith(LEAD_PREFIXES) else "social_worker"
    response = as_user(make_user(role)).get(concrete(path), **{name: ["1", "1"]})
    assert response.status_code == 422, response.get_json()
    assert response.get_json()["fields"] == {name: f"Give {name} once: it was given more than once"}


def test_every_repeated_audit_filter_is_named_at_once(as_user, make_user):
    response = as_user(make_user("safeguarding_lead")).get("/audit/events", action=["create", "read"], limit=[1, 2])
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"action", "limit"}


def test_map_depth_given_twice_gets_422_and_is_not_read_as_the_first(as_user, make_user, make_person):
    worker = make_user("social_worker")
    person = make_person(worker)
    caller = as_user(worker)
    assert caller.get(f"/people/{person['id']}/context", depth="1").status_code == 200
    response = caller.get(f"/people/{person['id']}/context", depth=["1", "2"])
    assert response.status_code == 422 and set(response.get_json()["fields"]) == {"depth"}
