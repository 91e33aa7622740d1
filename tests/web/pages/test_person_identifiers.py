"""Reference numbers on the person forms: an NHS number, PNC ID and unique pupil number are checked as typed,
stored as they are written, shown by name, and any other stored identifier is kept as it is."""

import json

import pytest

from app.extensions import db
from models.person import Person
from tests.web.helpers import audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, dob, error_summary, main_text, post_form


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def client(login, social_worker):
    return login(social_worker)


@pytest.fixture
def child(social_worker, make_person):
    return make_person(
        social_worker,
        given_name="Amara",
        family_name="Bell",
        identifiers={"custody_ref": "NB/2291", "upn": "A123456789012"},
    )


def stored(person_id) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person_id)


def edit(client, person, **changes):
    return post_form(client, f"/people/{person.id}/edit", changes, prefilled=True)


def test_a_new_person_is_recorded_with_their_nhs_number_written_as_the_nhs_writes_it(client):
    sent = {"given_name": "Jayden", "family_name": "Okafor", "date_of_birth": dob(27, 3, 2011)}
    response = post_form(client, "/people/new", {**sent, "nhs_number": "9434765919", "pnc": " 12/345678a "})
    assert response.status_code == 302
    person_id = response.headers["Location"].rsplit("/", 1)[-1]
    assert stored(person_id).identifiers == {"nhs_number": "943 476 5919", "pnc": "12/345678A"}
    text = main_text(client.get(f"/people/{person_id}"))
    assert "NHS number 943 476 5919" in text and "Police National Computer (PNC) ID 12/345678A" in text


def test_the_edit_page_shows_the_numbers_and_keeps_others_it_does_not_offer(client, child):
    soup = page(client.get(f"/people/{child.id}/edit"))
    assert soup.select_one("#upn")["value"] == "A123456789012" and soup.select_one("#nhs_number")["value"] == ""
    assert "Custody ref NB/2291" in soup.select_one("#other-identifiers").get_text(" ", strip=True)
    assert edit(client, child, nhs_number="943 476 5919", upn="").status_code == 302
    assert stored(child.id).identifiers == {"custody_ref": "NB/2291", "nhs_number": "943 476 5919"}
    assert json.loads(audit_events("update")[-1].detail) == {"fields": ["identifiers"]}


def test_an_unchanged_form_changes_no_identifier(client, child):
    version = stored(child.id).version
    response = edit(client, child)
    assert response.status_code == 302 and stored(child.id).version == version


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("nhs_number", "943 476 5918", "Enter a valid NHS number"),
        ("nhs_number", "94347659", "Enter an NHS number of 10 digits"),
        ("pnc", "12-345678", "Enter a PNC ID as the police write it"),
        ("upn", "1234567890123", "Enter a unique pupil number of 13 characters"),
    ],
)
def test_a_mistyped_number_is_explained_and_nothing_is_saved(client, child, field, value, message):
    version = stored(child.id).version
    response = edit(client, child, **{field: value})
    assert response.status_code == 422 and message in error_summary(response)
    assert_error_links_resolve(response)
    assert stored(child.id).version == version
    assert page(response).select_one(f"#{field}")["value"] == value
