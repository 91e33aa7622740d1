"""No form takes a file: a file part where a form expects text is refused with 400 (never a 500), before and after
signing in, and nothing is written."""

import io

from app.extensions import db
from models.person import Person
from tests.fixtures.accounts import PASSWORD
from tests.web.helpers import audit_events, csrf_token


def multipart(client, path: str, data: dict):
    return client.post(path, data={"csrf_token": csrf_token(client, path), **data}, content_type="multipart/form-data")


def test_a_file_for_the_username_is_refused_at_sign_in(client, make_user):
    user = make_user("social_worker")
    response = multipart(
        client, "/sign-in", {"username": (io.BytesIO(user.username.encode()), "u.txt"), "password": PASSWORD}
    )
    assert response.status_code == 400
    assert "does not take files" in response.get_data(as_text=True)
    assert not audit_events("sign_in")


def test_a_file_in_a_casework_form_is_refused_and_nothing_is_written(login, make_user):
    client = login(make_user("social_worker"))
    data = {
        "given_name": (io.BytesIO(b"Amara"), "name.txt"),
        "family_name": "Bell",
        "date_of_birth": ["1", "2", "2012"],
    }
    response = multipart(client, "/people/new", data)
    assert response.status_code == 400 and "does not take files" in response.get_data(as_text=True)
    assert db.session.query(Person).count() == 0


def test_a_file_sent_to_the_api_is_refused_with_a_json_error(client, api, make_user):
    response = client.post(
        "/api/v1/people",
        data={"given_name": (io.BytesIO(b"Amara"), "name.txt")},
        headers=api(make_user("social_worker")),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400 and "does not take files" in response.get_json()["error"]
