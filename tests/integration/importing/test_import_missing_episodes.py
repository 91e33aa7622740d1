"""Imported missing episodes are checked as the API checks one: in order, and a child missing once at a time."""

from datetime import UTC, datetime

import pytest
import sqlalchemy as sa

from app.extensions import db
from models.safeguarding_events import MissingEpisode
from models.user import User
from safeguarding import missing
from safeguarding.errors import ValidationFailed
from tests.integration.importing.documents import count, document

FLAGS = pytest.mark.parametrize("flags", [(), ("--dry-run",)], ids=["import", "dry run"])


def episode(reported_at: str, returned_at: str | None = None, **more) -> dict:
    """An episode of p1 (Jayden), reported by the police."""
    times = {"reported_at": reported_at} | ({"returned_at": returned_at} if returned_at else {})
    return {"person": "p1", "agency": "ag-pol", **times, **more}


def importer_sw() -> User:
    """The social worker the document puts on p1's case (c1): the API lets them record p1's episodes."""
    return db.session.scalar(sa.select(User).where(User.username == "importer.sw"))


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


@FLAGS
def test_episodes_of_one_child_that_overlap_in_the_document_are_refused_naming_the_other(run, flags):
    still_missing = episode("2024-06-01T20:00:00+01:00")
    during = episode("2024-06-03T08:00:00+01:00", "2024-06-03T18:00:00+01:00")
    around = episode("2024-05-20T12:00:00+01:00", "2024-05-21T12:00:00+01:00")  # around the document's first
    next_one = episode("2024-05-21T12:00:00+01:00", "2024-05-21T13:00:00+01:00")  # reported as `around` ended
    kai = episode("2024-05-20T23:00:00+01:00", person="p2")  # another child
    doc = document()
    doc["missing_episodes"] += [still_missing, during, around, next_one, kai]
    code, body = run(doc, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.missing_episodes[2].reported_at": "This child was already missing from 1 June 2024 20:00 and has not been "
        "recorded as returned (UK time): correct the episode at $.missing_episodes[1], or these times",
        "$.missing_episodes[3].reported_at": "This child was already missing from 20 May 2024 22:00 until 21 May 2024 "
        "09:30 (UK time): correct the episode at $.missing_episodes[0], or these times",
    }
    assert count(MissingEpisode) == 0


@FLAGS
def test_an_episode_overlapping_one_already_stored_is_refused(run, flags):
    _, first = run(document())
    missing.record_episode(db.session, importer_sw(), first["ids"]["p1"], {"reported_at": "2024-07-01T18:00:00+01:00"})
    during_imported = episode("2024-05-21T08:00:00+01:00", "2024-05-21T20:00:00+01:00")
    during_recorded = episode("2024-07-04T08:00:00+01:00", "2024-07-04T20:00:00+01:00")
    code, body = run({"missing_episodes": [during_imported, during_recorded]}, *flags)
    assert code == 1
    assert body["fields"] == {
        "$.missing_episodes[0].reported_at": "This child was already missing from 20 May 2024 22:00 until 21 May 2024 "
        "09:30 (UK time): correct the episode on record, or these times",
        "$.missing_episodes[1].reported_at": "This child was already missing from 1 July 2024 18:00 and has not been "
        "recorded as returned (UK time): correct the episode on record, or these times",
    }
    # With the stored episode it clashes with in the document too, it names that item.
    code, body = run(document(missing_episodes=[*document()["missing_episodes"], during_imported]), *flags)
    assert (
        code == 1
        and "correct the episode at $.missing_episodes[0]" in body["fields"]["$.missing_episodes[1].reported_at"]
    )
    assert count(MissingEpisode) == 2


def test_a_re_import_of_the_same_episodes_updates_them_and_is_no_clash_with_itself(run):
    doc = document()
    doc["missing_episodes"][0]["ref"] = "m1"
    doc["missing_episodes"] += [
        episode("2024-06-01T20:00:00+01:00"),  # still missing when exported
        episode("2024-05-21T09:30:00+01:00", "2024-05-21T12:00:00+01:00"),  # reported as the first ended
    ]
    code, first = run(doc)
    assert code == 0 and first["created"]["missing_episodes"] == 3, first
    code, again = run(doc)
    assert code == 0 and again["updated"]["missing_episodes"] == 3 and again["created"]["missing_episodes"] == 0
    # A later export: the first return moved later, the open episode closed, the report of the ref'd one moved.
    doc["missing_episodes"][0] |= {
        "reported_at": "2024-05-20T21:00:00+01:00",
        "returned_at": "2024-05-21T09:00:00+01:00",
    }
    doc["missing_episodes"][1]["returned_at"] = "2024-06-05T10:00:00+01:00"
    code, later = run(doc)
    assert code == 0 and later["updated"]["missing_episodes"] == 3 and later["created"]["missing_episodes"] == 0
    assert [(e.reported_at.isoformat(), e.returned_at.isoformat()) for e in stored_episodes()] == [
        ("2024-05-20T20:00:00+00:00", "2024-05-21T08:00:00+00:00"),
        ("2024-05-21T08:30:00+00:00", "2024-05-21T11:00:00+00:00"),
        ("2024-06-01T19:00:00+00:00", "2024-06-05T09:00:00+00:00"),
    ]
    # The API then sees the same episodes, and refuses what the import refused.
    clash = {"reported_at": "2024-06-02T10:00:00+01:00"}
    with pytest.raises(ValidationFailed):
        missing.record_episode(db.session, importer_sw(), first["ids"]["p1"], clash)


def test_a_second_item_for_the_same_episode_is_the_same_episode_not_a_clash(run):
    report = "2024-05-20T22:00:00+01:00"
    doc = document(missing_episodes=[episode(report), episode(report, "2024-05-21T09:30:00+01:00")])
    code, body = run(doc)
    assert code == 0 and (body["created"]["missing_episodes"], body["updated"]["missing_episodes"]) == (1, 1), body
    assert [e.returned_at for e in stored_episodes()] == [datetime(2024, 5, 21, 8, 30, tzinfo=UTC)]


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
