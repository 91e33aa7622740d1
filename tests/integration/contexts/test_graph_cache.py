"""The graph's change stamp moves with every write to the graph tables, so cached maps never go stale."""

import gc
from datetime import timedelta

import pytest
from sqlalchemy import delete, select, update

from app.extensions import db
from models.base import utcnow
from models.context import Place, Relationship
from models.graph_state import GraphChange, LinkChange, graph_stamp, links_stamp, prune_link_changes
from models.person import PersonFlag
from safeguarding import cases, context_maps, contexts, graph_analyses, graph_cache, people
from safeguarding.validation import uk_today
from tests.integration.relationships import link


def person(actor, name):
    return people.record_person(
        db.session, actor, {"given_name": name, "family_name": "Test", "date_of_birth": "2010-04-04"}
    )


@pytest.fixture
def social_worker(make_user):
    return make_user("social_worker")


def test_every_kind_of_write_to_the_graph_changes_the_stamp_in_its_own_transaction(app, social_worker):
    stamps = [graph_stamp(db.session)]

    def changed():
        db.session.commit()
        stamps.append(graph_stamp(db.session))
        return stamps[-1] not in stamps[:-1]

    child = person(social_worker, "Jayden")
    assert changed()
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    assert changed()
    crew = contexts.create_group(db.session, social_worker, {"name": "Eastside crew"})
    assert changed()
    edge = link(social_worker, child, "place", park, "frequents")
    assert changed()
    link(social_worker, child, "group", crew, "member_of")
    assert changed()
    contexts.end_relationship(db.session, social_worker, edge.id)
    assert changed()
    people.update_person(
        db.session, social_worker, child.id, {"flags": ["missing_from_home"], "version": child.version}
    )
    assert changed()
    # Writes that bypass the ORM (bulk import, plain SQL) are caught by the triggers too.
    db.session.execute(update(Place).where(Place.id == park.id).values(name="Riverside Gardens"))
    assert changed()
    db.session.execute(update(PersonFlag).where(PersonFlag.person_id == child.id).values(cleared_at=utcnow()))
    assert changed()
    assert db.session.scalar(select(GraphChange.counter)) >= len(stamps) - 1


def test_editing_people_places_and_groups_keeps_the_cached_adjacency(app, social_worker):
    child, peer = person(social_worker, "Jayden"), person(social_worker, "Kai")
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    edge = link(social_worker, child, "place", park, "frequents")
    db.session.commit()
    cached, before = graph_cache.adjacency(db.session), links_stamp(db.session)
    people.update_person(
        db.session, social_worker, child.id, {"flags": ["missing_from_home"], "version": child.version}
    )
    db.session.execute(update(Place).where(Place.id == park.id).values(name="Riverside Gardens"))
    db.session.commit()
    assert links_stamp(db.session) == before and graph_cache.adjacency(db.session) is cached
    link(social_worker, peer, "place", park, "frequents")
    db.session.commit()
    assert links_stamp(db.session) != before and graph_cache.adjacency(db.session) is not cached
    moved = links_stamp(db.session)
    contexts.end_relationship(db.session, social_worker, edge.id)
    db.session.commit()
    assert links_stamp(db.session) != moved


@pytest.mark.parametrize("person_first", [True, False])
def test_a_transaction_writing_a_person_and_a_relationship_moves_both_stamps(app, social_worker, person_first):
    child = person(social_worker, "Jayden")
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    db.session.commit()
    before = (graph_stamp(db.session), links_stamp(db.session))
    writes = [
        lambda: db.session.execute(update(Place).where(Place.id == park.id).values(name="Riverside Gardens")),
        lambda: link(social_worker, child, "place", park, "frequents"),
    ]
    for write in writes if person_first else reversed(writes):
        write()
        db.session.flush()
    db.session.commit()
    graph, links = graph_stamp(db.session), links_stamp(db.session)
    assert graph != before[0] and links != before[1]


def test_a_transaction_of_many_writes_moves_the_stamp_once_on_postgresql(app, social_worker):
    parks = [contexts.create_place(db.session, social_worker, {"name": f"Park {n}", "kind": "park"}) for n in range(20)]
    counter, stamp = db.session.execute(select(GraphChange.counter, GraphChange.stamp)).one()
    for park in parks:
        db.session.execute(update(Place).where(Place.id == park.id).values(area="Eastgate"))
    db.session.commit()
    after_counter, after_stamp = db.session.execute(select(GraphChange.counter, GraphChange.stamp)).one()
    assert after_stamp != stamp
    # PostgreSQL bumps once per transaction (each bump would add a row version); SQLite updates the row in place.
    assert after_counter - counter == (1 if db.engine.dialect.name == "postgresql" else len(parks))


def test_a_rolled_back_write_leaves_the_stamp_as_it_was(app, social_worker):
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    before = graph_stamp(db.session)
    db.session.execute(update(Place).where(Place.id == park.id).values(name="Riverside Gardens"))
    assert graph_stamp(db.session) != before
    db.session.rollback()
    assert graph_stamp(db.session) == before


def test_a_map_shows_a_relationship_recorded_after_it_was_cached(app, social_worker):
    child, peer = person(social_worker, "Jayden"), person(social_worker, "Kai")
    cases.open_case(
        db.session,
        social_worker,
        {"subject": {"type": "person", "id": child.id}, "concerns": ["cce"], "risk_level": "high", "summary": "CCE"},
    )
    options = context_maps.parse_filter(1)
    first = context_maps.person_map(db.session, social_worker, child.id, options)
    assert [n["id"] for n in first["nodes"]] == [f"person:{child.id}"]
    link(social_worker, child, "person", peer, "friend")
    db.session.commit()
    second = context_maps.person_map(db.session, social_worker, child.id, options)
    assert [n["id"] for n in second["nodes"]] == [f"person:{child.id}", f"person:{peer.id}"]


def test_without_a_stamp_row_nothing_is_cached_until_a_write_brings_it_back(app, social_worker):
    db.session.execute(GraphChange.__table__.delete())
    db.session.commit()
    assert graph_cache.cache_key(db.session, uk_today()) is None
    assert graph_cache.adjacency(db.session) is not graph_cache.adjacency(db.session)
    person(social_worker, "Jayden")
    db.session.commit()
    assert graph_cache.cache_key(db.session, uk_today()) is not None
    assert graph_cache.adjacency(db.session) is graph_cache.adjacency(db.session)


@pytest.mark.parametrize("settle_edges, frozen", [(1, True), (3, False)])
def test_an_adjacency_of_settle_edges_or_more_is_frozen_out_of_collections(
    app, social_worker, monkeypatch, settle_edges, frozen
):
    monkeypatch.setattr(graph_cache, "SETTLE_EDGES", settle_edges)
    child, peer = person(social_worker, "Jayden"), person(social_worker, "Kai")
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    link(social_worker, child, "place", park, "frequents")
    link(social_worker, peer, "place", park, "frequents")
    db.session.commit()
    graph_cache.forget()  # built here, not taken from an earlier test's cache
    try:
        built = graph_cache.adjacency(db.session)
        traversed = [o for o in gc.get_objects() if o is built or o is built.edges]
        assert len(built.edges) == 2 and gc.isenabled()
        assert traversed == ([] if frozen else [built, built.edges])
    finally:
        gc.unfreeze()


def internals(adjacency) -> tuple:
    return adjacency.edges, adjacency._links, adjacency._hubs  # noqa: SLF001 - what a fresh build holds


@pytest.fixture
def borough(app, social_worker):
    """Three people and a park, two of them linked to it, and the adjacency cached since a logged write."""
    children = [person(social_worker, name) for name in ("Jayden", "Kai", "Leon")]
    park = contexts.create_place(db.session, social_worker, {"name": "Riverside Park", "kind": "park"})
    edges = [link(social_worker, child, "place", park, "frequents") for child in children[:2]]
    db.session.commit()
    graph_cache.forget()
    graph_cache.adjacency(db.session)
    return children, park, edges


@pytest.fixture
def no_rebuild(monkeypatch):
    """graph_cache.load refused from here on: a write must be applied, not read with every other; the real load
    is returned, to build what the cache must equal."""
    fresh = graph_cache.load

    def refused(*_args):
        raise AssertionError("every relationship read again")

    monkeypatch.setattr(graph_cache, "load", refused)
    return fresh


def test_each_kind_of_write_to_relationships_is_applied_to_the_held_adjacency_as_a_rebuild_would(
    borough, social_worker, no_rebuild
):
    (jayden, kai, leon), park, (first, second) = borough
    writes = [
        lambda: link(social_worker, leon, "person", jayden, "friend"),  # recorded
        lambda: contexts.end_relationship(db.session, social_worker, first.id),  # ended: off the map
        # Moved to another person (as a merge does) and deleted (as an erasure does), bypassing the ORM.
        lambda: db.session.execute(
            update(Relationship).where(Relationship.id == second.id).values(source_person_id=leon.id)
        ),
        lambda: db.session.execute(delete(Relationship).where(Relationship.id == second.id)),
    ]
    for write in writes:
        held = graph_cache.adjacency(db.session)
        write()
        db.session.commit()
        applied = graph_cache.adjacency(db.session)
        assert applied is not held and internals(applied) == internals(no_rebuild(db.session, uk_today()))
    assert graph_cache.adjacency(db.session) is applied and second.id not in applied.edges


def test_a_write_is_applied_once_committed_and_not_before(borough, no_rebuild):
    _, _, (first, _) = borough
    with db.engine.connect() as writer:
        ended = uk_today() - timedelta(days=1)
        writer.execute(update(Relationship).where(Relationship.id == first.id).values(ended_on=ended))
        held = graph_cache.adjacency(db.session)
        assert first.id in held.edges and internals(held) == internals(no_rebuild(db.session, uk_today()))
        writer.commit()
    applied = graph_cache.adjacency(db.session)
    assert first.id not in applied.edges and internals(applied) == internals(no_rebuild(db.session, uk_today()))


def test_a_stamp_the_log_does_not_hold_or_too_many_writes_build_the_adjacency_afresh(
    borough, social_worker, monkeypatch
):
    (jayden, kai, leon), park, _ = borough
    built, load = [], graph_cache.load
    monkeypatch.setattr(graph_cache, "load", lambda *args: built.append(args) or load(*args))
    db.session.execute(delete(LinkChange))  # the log pruned, or emptied by a TRUNCATE
    link(social_worker, leon, "person", jayden, "friend")
    db.session.commit()
    graph_cache.adjacency(db.session)
    assert len(built) == 1
    link(social_worker, kai, "person", jayden, "friend")
    db.session.commit()
    graph_cache.adjacency(db.session)
    assert len(built) == 1  # the log holds the write behind the stamp now held
    monkeypatch.setattr(graph_cache, "DELTA_EDGES", 1)
    link(social_worker, leon, "person", kai, "friend")
    link(
        social_worker,
        leon,
        "group",
        contexts.create_group(db.session, social_worker, {"name": "Eastside"}),
        "member_of",
    )
    db.session.commit()
    assert len(graph_cache.adjacency(db.session).edges) == 6 and len(built) == 2


def test_the_analysis_job_prunes_log_entries_older_than_two_days(borough, social_worker):
    (jayden, _, leon), _, _ = borough
    link(social_worker, leon, "person", jayden, "friend")
    db.session.commit()
    logged = db.session.scalars(select(LinkChange.seq).order_by(LinkChange.seq)).all()
    old = logged[:-1]
    db.session.execute(
        update(LinkChange).where(LinkChange.seq.in_(old)).values(changed_at=utcnow() - timedelta(days=2, minutes=1))
    )
    db.session.commit()
    graph_analyses.run(db.session)
    assert db.session.scalars(select(LinkChange.seq)).all() == logged[-1:]
    assert prune_link_changes(db.session, utcnow() + timedelta(seconds=1)) == 1
