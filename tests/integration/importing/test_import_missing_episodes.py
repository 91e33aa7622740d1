"""Imported missing episodes are checked as the API checks one: their times in order, as they will be stored."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.safeguarding_events import MissingEpisode
from tests.integration.importing.documents import count, document

FLAGS = pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])


def episode(reported_at: str, returned_at: str | None = None, **more) -> dict:
    """An episode of p1 (Jayden), reported by the police."""
    times = {"reported_at": reported_at} | ({"returned_at": returned_at} if returned_at else {})
    return {"person": "p1", "agency": "ag-pol", **times, **more}


def stored_episodes() -> list[MissingEpisode]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(MissingEpisode).order_by(MissingEpisode.reported_at)))


@FLAGS
@pytest.mark.parametrize("returned", [{}, {"returned_at": None}], ids=["left out", "null"])
def test_an_interview_offered_without_a_return_is_refused_as_the_api_refuses_it(run, flags, returned):
    offered = episode("2024-05-20T22:00:00+01:00", return_interview_offered_at="2024-05-22T10:00:00+01:00")
    code, body = run(document(missing_episodes=[offered | returned]), *flags)
    assert code == 1
    assert body["fields"] == {
        "$.missing_episodes[0].return_interview_offered_at": "Record the return before the interview"
    }
    assert count(MissingEpisode) == 0


def test_a_re_import_may_give_the_interview_offer_and_leave_out_the_return_the_episode_has(run):
    _, first = run(document())
    offer = {"return_interview_offered_at": "2024-05-22T10:00:00+01:00"}
    later = episode("2024-05-20T22:00:00+01:00", **offer)  # returned_at left out: the stored return stands
    code, body = run({"missing_episodes": [later]})
    assert code == 0 and body["updated"]["missing_episodes"] == 1, body
    [stored] = stored_episodes()
    assert stored.returned_at == datetime(2024, 5, 21, 8, 30, tzinfo=UTC)
    assert stored.return_interview_offered_at == datetime(2024, 5, 22, 9, 0, tzinfo=UTC)
    # An episode stored with no return has none to keep.
    assert run({"missing_episodes": [episode("2024-09-01T20:00:00+01:00")]})[0] == 0
    code, body = run({"missing_episodes": [episode("2024-09-01T20:00:00+01:00", **offer)]})
    assert code == 1 and set(body["fields"]) == {"$.missing_episodes[0].return_interview_offered_at"}


def test_a_return_left_out_keeps_the_stored_one_which_must_still_follow_a_moved_report(run):
    doc = document()
    doc["missing_episodes"][0]["ref"] = "m1"
    run(doc)
    moved = {"ref": "m1", **episode("2024-05-21T10:00:00+01:00")}  # after the stored return, 09:30
    code, body = run({"missing_episodes": [moved]})
    assert code == 1
    assert body["fields"] == {
        "$.missing_episodes[0].returned_at": "The return must be after the child was reported missing"
    }
    assert stored_episodes()[0].reported_at == datetime(2024, 5, 20, 21, 0, tzinfo=UTC)


def test_an_episode_with_its_own_bad_time_is_reported_for_that_alone(run):
    doc = document()
    doc["missing_episodes"] += [
        episode("2024-05-21T08:00:00+01:00", "not a time"),
        episode("2024-05-21T09:00:00+01:00", "2024-05-21T08:00:00+01:00"),  # returned before reported
    ]
    code, body = run(doc)
    assert code == 1 and set(body["fields"]) == {
        "$.missing_episodes[1].returned_at",
        "$.missing_episodes[2].returned_at",
    }
    assert (
        body["fields"]["$.missing_episodes[2].returned_at"] == "The return must be after the child was reported missing"
    )
