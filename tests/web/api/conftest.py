"""Factories for API tests: a client per user, and people, cases and contexts made through the API."""

import pytest

from tests.web.api.client import ApiClient, case_body, person_body


@pytest.fixture
def as_user(client, api):
    """as_user(user) -> an ApiClient calling /api/v1 with a fresh token for that user."""
    return lambda user: ApiClient(client, api(user))


@pytest.fixture
def make_person(as_user):
    """make_person(user, **fields) -> the created person's JSON (recorded by that user)."""

    def make(user, **fields):
        response = as_user(user).post("/people", json=person_body(**fields))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def make_case(as_user):
    """make_case(user, person_id, **fields) -> the opened case's JSON (the user is lead and member)."""

    def make(user, person_id, **fields):
        response = as_user(user).post("/cases", json=case_body(person_id, **fields))
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make


@pytest.fixture
def add_member(as_user):
    def add(lead, case_id, user):
        response = as_user(lead).post(f"/cases/{case_id}/members", json={"user_id": user.id})
        assert response.status_code == 201, response.get_json()

    return add


@pytest.fixture
def link(as_user):
    """link(user, person_id, target_type, target_id, kind) -> the relationship's JSON."""

    def make(user, person_id, target_type, target_id, kind):
        body = {"source": {"type": "person", "id": person_id}, "target": {"type": target_type, "id": target_id}}
        response = as_user(user).post("/relationships", json={**body, "kind": kind})
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return make
