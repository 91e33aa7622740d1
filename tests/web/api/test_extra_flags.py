"""Flags beside SPEC 2's list, "more by configuration": EXTRA_PERSON_FLAGS, or SAFECONTEXT_EXTRA_PERSON_FLAGS."""

import pytest

from app.config import ConfigurationError, load_config
from models.person import FLAGS

PERSON = {"given_name": "Kai", "family_name": "Mensah", "date_of_birth": "2010-05-04"}


def test_a_flag_a_deployment_adds_is_set_shown_and_described(client, as_user, login, make_user, reconfigured):
    worker = make_user("social_worker")
    refused = as_user(worker).post("/people", json={**PERSON, "flags": ["gang_associated"]})
    assert refused.status_code == 422 and "$.flags" in refused.get_json()["fields"]
    reconfigured(EXTRA_PERSON_FLAGS=("gang_associated",))
    response = as_user(worker).post("/people", json={**PERSON, "flags": ["gang_associated", "looked_after"]})
    assert response.status_code == 201
    assert {f["flag"] for f in response.get_json()["flags"]} == {"gang_associated", "looked_after"}
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert schemas["FlagCode"]["enum"] == [*FLAGS, "gang_associated"]
    page = login(worker).get("/people/new").get_data(as_text=True)
    assert 'value="gang_associated"' in page and "Gang associated" in page
    person = login(worker).get(f"/people/{response.get_json()['id']}").get_data(as_text=True)
    assert "Gang associated" in person


@pytest.mark.parametrize(
    "extra",
    [("Gang associated",), ("gang-associated",), ("restricted",), ("gang", "gang"), ("x" * 41,), (7,)],
)
def test_a_flag_code_that_is_not_a_new_lower_case_code_stops_the_start(extra):
    with pytest.raises(ConfigurationError, match="EXTRA_PERSON_FLAGS"):
        load_config("test", {"EXTRA_PERSON_FLAGS": extra})


def test_the_environment_gives_them_comma_separated(monkeypatch):
    monkeypatch.setenv("SAFECONTEXT_EXTRA_PERSON_FLAGS", "gang_associated, county_lines_runner")
    assert load_config("test")["EXTRA_PERSON_FLAGS"] == ("gang_associated", "county_lines_runner")
