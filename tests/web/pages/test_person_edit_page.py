"""Changing a person's details and flags from their page: only what changed is saved and audited, and a change
saved by someone else first is shown, never overwritten."""

import json

import pytest

from app.extensions import db
from models.person import Person
from safeguarding import people
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, dob, error_summary, post_form


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def child(social_worker, make_person):
    return make_person(
        social_worker,
        given_name="Amara",
        family_name="Bell",
        aliases=["Mara"],
        address="3 Linden Walk",
        flags=["looked_after"],
    )


def stored(person) -> Person:
    db.session.expire_all()
    return db.session.get(Person, person.id)


def edit(client, person, **changes):
    return post_form(client, f"/people/{person.id}/edit", changes, prefilled=True)


def test_the_page_is_filled_in_with_the_stored_details_and_linked_from_the_record(login, social_worker, child):
    client = login(social_worker)
    assert page(client.get(f"/people/{child.id}")).select_one(f'a[href="/people/{child.id}/edit"]')
    soup = assert_good_page(client.get(f"/people/{child.id}/edit"))
    assert soup.select_one("#given_name")["value"] == "Amara" and "3 Linden Walk" in soup.select_one("#address").text
    assert soup.select_one("#aliases").text.strip() == "Mara"
    assert soup.select_one('input[name="flags"][value="looked_after"]').has_attr("checked")
    assert soup.select_one('input[name="version"]')["value"] == str(child.version)


def test_a_changed_address_and_flag_are_saved_and_only_they_are_audited(login, social_worker, child):
    version = child.version
    response = edit(login(social_worker), child, address="Flat 2, 9 Elm Road", flags=["looked_after", "child_in_need"])
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{child.id}"
    person = stored(child)
    assert person.address == "Flat 2, 9 Elm Road" and person.given_name == "Amara" and person.aliases == ["Mara"]
    assert sorted(f.flag for f in person.active_flags) == ["child_in_need", "looked_after"]
    assert person.version == version + 1
    event = audit_events("update")[-1]
    assert (event.object_id, json.loads(event.detail)) == (child.id, {"fields": ["address", "flags"]})


def test_clearing_a_flag_and_an_optional_field_saves_them_as_cleared(login, social_worker, child):
    edit(login(social_worker), child, address="", flags=[])
    person = stored(child)
    assert person.address is None and not person.active_flags


def test_saving_without_a_change_writes_nothing(login, social_worker, child):
    before, version = len(audit_events("update")), child.version
    response = edit(login(social_worker), child)
    assert response.status_code == 302 and stored(child).version == version
    assert len(audit_events("update")) == before


def test_a_change_saved_by_someone_else_first_is_shown_and_not_overwritten(
    login, social_worker, make_user, make_case, child
):
    officer = make_user("police_officer")
    make_case(social_worker, child, members=[officer])
    client = login(social_worker)
    form_page = f"/people/{child.id}/edit"
    hidden_version = page(client.get(form_page)).select_one('input[name="version"]')["value"]
    people.update_person(db.session, officer, child.id, {"version": child.version, "phone": "07700 900123"})
    response = post_form(client, form_page, {"version": hidden_version, "address": "Elsewhere"}, prefilled=True)
    assert response.status_code == 409 and "changed by someone else" in error_summary(response)
    assert page(response).select_one(f'.govuk-error-summary a[href="{form_page}"]')
    person = stored(child)
    assert (person.address, person.phone) == ("3 Linden Walk", "07700 900123")


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"given_name": ""}, "given_name", "Enter the person's given name"),
        ({"date_of_birth": dob(31, 2, 2012)}, "date_of_birth", "real date"),
        ({"phone": "0" * 41}, "phone", "40 characters or fewer"),
        ({"flags": ["not_a_flag"]}, "flags", "Select flags from the list"),
    ],
)
def test_bad_input_is_a_form_error_and_nothing_is_saved(login, social_worker, child, changes, field, message):
    response = edit(login(social_worker), child, **changes)
    assert response.status_code == 422 and message in error_summary(response)
    assert_error_links_resolve(response)
    assert stored(child).version == child.version


def test_a_context_neighbour_with_a_limited_view_may_not_edit(
    login, make_user, make_person, make_case, relate, child, social_worker
):
    neighbour_worker = make_user("youth_worker")
    friend = make_person(social_worker)
    relate(social_worker, child, friend, "friend")
    make_case(social_worker, friend, members=[neighbour_worker])
    client = login(neighbour_worker)
    assert client.get(f"/people/{child.id}/edit").status_code == 403
    assert client.post(f"/people/{child.id}/edit", data={"given_name": "X"}).status_code in (400, 403)
    assert stored(child).given_name == "Amara"
