"""Moving a missing episode recorded on the wrong child, from the episode's page."""

from datetime import UTC, datetime

import pytest

from app.extensions import db
from models.safeguarding_events import MissingEpisode
from safeguarding import missing
from tests.web.helpers import assert_good_page, audit_events, page
from tests.web.pages.helpers import assert_error_links_resolve, error_summary, post_form


@pytest.fixture
def worker(make_user):
    return make_user("social_worker")


@pytest.fixture
def children(worker, make_person):
    return make_person(worker, given_name="Ade"), make_person(worker, given_name="Bola")


@pytest.fixture
def episode(worker, children):
    reported = datetime(2026, 1, 10, 22, 0, tzinfo=UTC).isoformat()
    return missing.record_episode(db.session, worker, children[0].id, {"reported_at": reported})


def episode_page(children, episode) -> str:
    return f"/people/{children[0].id}/missing-episodes/{episode.id}"


def move_path(children, episode) -> str:
    return f"{episode_page(children, episode)}/move"


def owner(episode) -> str:
    db.session.expire_all()
    return db.session.get(MissingEpisode, episode.id).person_id


def test_the_episode_page_offers_the_move(login, worker, children, episode):
    soup = assert_good_page(login(worker).get(episode_page(children, episode)))
    form = soup.select_one(f'form[action="{move_path(children, episode)}"]')
    assert form.select_one('input[name="move-to_person"]') and form.select_one('input[name="move-version"]')


def test_an_episode_moves_to_the_record_pasted_as_a_link(login, worker, children, episode):
    client = login(worker)
    link = f"https://sc.example/people/{children[1].id}"
    response = post_form(
        client, episode_page(children, episode), {"move-to_person": link}, move_path(children, episode)
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/people/{children[1].id}#missing"
    assert owner(episode) == children[1].id
    assert [e.detail_dict["change"] for e in audit_events("update") if e.object_type == "missing_episode"] == ["moved"]


@pytest.mark.parametrize(
    ("to", "status", "message"),
    [
        ("", 422, "Enter the link or reference of the right child's record"),
        ("same", 422, "already on this child's record"),
        ("3e1f8c52-6a7b-4c9d-8e0f-1a2b3c4d5e6f", 422, "No person"),
    ],
)
def test_a_move_that_cannot_be_made_is_explained_on_the_page(login, worker, children, episode, to, status, message):
    target = children[0].id if to == "same" else to
    sent = {"move-to_person": target}
    response = post_form(login(worker), episode_page(children, episode), sent, move_path(children, episode))
    assert response.status_code == status and message in error_summary(response)
    assert_error_links_resolve(response)
    assert owner(episode) == children[0].id


def test_a_stale_page_is_refused(login, worker, children, episode):
    client = login(worker)
    shown = page(client.get(episode_page(children, episode)))
    missing.update_episode(db.session, worker, episode.id, {"version": 1, "returned_at": "2026-01-11T09:00:00+00:00"})
    csrf = shown.select_one('input[name="csrf_token"]')["value"]
    sent = {"csrf_token": csrf, "move-version": "1", "move-to_person": children[1].id}
    response = client.post(move_path(children, episode), data=sent)
    assert response.status_code == 409 and "changed by someone else" in error_summary(response)
    assert owner(episode) == children[0].id


def test_a_child_the_mover_may_not_see_is_refused(login, make_user, make_person, worker, children, episode):
    stranger = make_person(make_user("police_officer"), given_name="Cleo")
    sent = {"move-to_person": stranger.id}
    response = post_form(login(worker), episode_page(children, episode), sent, move_path(children, episode))
    assert response.status_code == 422 and "legitimate relationship" in error_summary(response)
    assert owner(episode) == children[0].id
