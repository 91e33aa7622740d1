"""Whole-graph analyses are stored with the stamp and time they were computed from, and read back per viewer."""

from sqlalchemy import update

from app.extensions import db
from models.base import utcnow
from models.graph_state import GraphAnalysis, graph_stamp
from models.person import Person
from safeguarding import context_insights, graph_analyses, people
from tests.web.helpers import audit_events


def test_the_job_stores_every_analysis_dated_and_a_person_erased_since_drops_out(make_user):
    worker = make_user("social_worker")
    child = people.record_person(
        db.session, worker, {"given_name": "Jayden", "family_name": "Test", "date_of_birth": "2010-04-04"}
    )
    stamp = graph_stamp(db.session)
    assert graph_analyses.run(db.session) == {"peer_groups": 0, "connectors": 0, "hotspots": 0}
    rows = {row.name: row for row in db.session.query(GraphAnalysis)}
    assert set(rows) == set(graph_analyses.ANALYSES)
    assert {row.graph_stamp for row in rows.values()} == {stamp}
    # A connector stored before the person was erased is not shown after it.
    rows["connectors"].result = [[child.id, 0.5]]
    db.session.commit()
    assert [c["person"]["label"] for c in context_insights.connectors(db.session, worker)["results"]] == ["Jayden Test"]
    db.session.execute(update(Person).where(Person.id == child.id).values(erased_at=utcnow()))
    db.session.commit()
    shown = context_insights.connectors(db.session, worker)
    assert shown["results"] == [] and shown["up_to_date"] is False


def test_an_analysis_naming_someone_seen_without_a_case_assignment_is_flagged_as_a_map_is(make_user):
    worker = make_user("social_worker")
    child = people.record_person(
        db.session, worker, {"given_name": "Jayden", "family_name": "Test", "date_of_birth": "2010-04-04"}
    )
    graph_analyses.run(db.session)
    row = db.session.query(GraphAnalysis).filter_by(name="connectors").one()
    row.result = [[child.id, 0.5]]
    db.session.commit()
    assert [c["person"]["label"] for c in context_insights.connectors(db.session, worker)["results"]] == ["Jayden Test"]
    event = audit_events("map_view")[-1]
    assert event.person_id_list == [child.id] and event.flagged  # seen as its recorder: no case assignment in force
