"""The indexed adjacency gives exactly the maps ego_map gives over a networkx graph of the same edges."""

import random
from datetime import date, timedelta

import pytest

from safeguarding.graph.adjacency import Adjacency
from safeguarding.graph.build import build_graph, passes_filters
from safeguarding.graph.ego import ego_map
from safeguarding.graph.types import Edge, NodeRef

TODAY = date(2026, 11, 1)
PERSON_KINDS = ("friend", "associate", "sibling", "rival")
PLACE_KINDS = ("attends", "frequents", "seen_at", "guardian_at")


def random_edges(seed: int, people: int = 60, places: int = 6, groups: int = 3, edges: int = 150) -> list[Edge]:
    """A small borough with a hub place, parallel records, undated and ended links, and future records."""
    rng = random.Random(seed)
    found = []
    for number in range(edges):
        source = NodeRef("person", f"p{rng.randrange(people)}")
        roll = rng.random()
        if roll < 0.4:
            # Place 0 is a hub, as a school is.
            target, kind = (
                NodeRef("place", f"pl{min(rng.randrange(places), rng.randrange(places))}"),
                rng.choice(PLACE_KINDS),
            )
        elif roll < 0.55:
            target, kind = NodeRef("group", f"g{rng.randrange(groups)}"), "member_of"
        else:
            target, kind = NodeRef("person", f"p{rng.randrange(people)}"), rng.choice(PERSON_KINDS)
            if target == source:
                continue
        first = TODAY - timedelta(days=rng.randrange(2000)) if rng.random() < 0.9 else None
        found.append(
            Edge(
                id=f"e{number:03}",
                source=source,
                target=target,
                kind=kind,
                agency_id=rng.choice(("police", "health")),
                recorded_by="u1",
                # A few records fall after the as-of date, a few ended before it: neither is on the map.
                recorded_on=TODAY + timedelta(days=rng.choice((-400, -30, -1, 0, 3))),
                first_seen=first,
                last_seen=first + timedelta(days=rng.randrange(300)) if first and rng.random() < 0.5 else None,
                ended_on=TODAY - timedelta(days=rng.randrange(1, 50)) if rng.random() < 0.1 else None,
            )
        )
    return found


def centres(edges: list[Edge]) -> list[NodeRef]:
    return sorted({edge.source for edge in edges[:8]} | {edge.target for edge in edges[:8]}) + [NodeRef("place", "pl0")]


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("depth", [1, 2, 3])
@pytest.mark.parametrize("max_nodes", [1, 4, 15, 1000])
def test_maps_match_ego_map_over_networkx(seed, depth, max_nodes):
    edges = random_edges(seed)
    graph = build_graph([], edges, as_of=TODAY)
    adjacency = Adjacency(edges, TODAY)
    for centre in centres(edges):
        expected = ego_map(graph, centre, depth, max_nodes) if centre in graph else None
        found = adjacency.ego(centre, depth, max_nodes)
        if expected is None:
            assert (found.nodes, found.edges, found.omitted) == ([centre], [], 0)
        else:
            assert found == expected


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize(
    "window, kinds",
    [
        ((TODAY - timedelta(days=600), None), None),
        ((None, TODAY - timedelta(days=900)), None),
        ((None, None), frozenset({"attends", "friend", "member_of"})),
        ((TODAY - timedelta(days=1200), TODAY - timedelta(days=200)), frozenset({"frequents", "seen_at", "rival"})),
    ],
)
def test_filtered_maps_match_ego_map_over_the_filtered_graph(seed, window, kinds):
    edges = random_edges(seed)
    graph = build_graph([], edges, window=window, kinds=kinds, as_of=TODAY)
    adjacency = Adjacency(edges, TODAY)
    for centre in centres(edges):
        for depth in (1, 2):
            found = adjacency.ego(centre, depth, 12, lambda e: passes_filters(e, *window, kinds, None))
            if centre in graph:
                assert found == ego_map(graph, centre, depth, 12)
            else:
                assert found.nodes == [centre] and found.omitted == 0


def test_a_hub_is_capped_with_its_most_recent_links_and_counts_the_rest_exactly():
    school = NodeRef("place", "school")
    centre = NodeRef("person", "centre")
    edges = [Edge("e-centre", centre, school, "attends", "police", "u1", TODAY, first_seen=TODAY)]
    edges += [
        Edge(f"e{n:04}", NodeRef("person", f"pupil{n:04}"), school, "attends", "police", "u1", TODAY,
             first_seen=TODAY - timedelta(days=n))
        for n in range(2000)
    ]  # fmt: skip
    ego = Adjacency(edges, TODAY).ego(centre, depth=2, max_nodes=10)
    assert ego.nodes == [centre, school, *(NodeRef("person", f"pupil{n:04}") for n in range(8))]
    assert ego.omitted == 2000 - 8
    assert ego.edges == ["e-centre", *(f"e{n:04}" for n in range(8))]


def test_limits_are_checked_as_ego_map_checks_them():
    adjacency = Adjacency([], TODAY)
    with pytest.raises(ValueError):
        adjacency.ego(NodeRef("person", "a"), depth=4, max_nodes=10)
    with pytest.raises(ValueError):
        adjacency.ego(NodeRef("person", "a"), depth=1, max_nodes=0)
    assert NodeRef("person", "a") not in adjacency


def internals(adjacency: Adjacency) -> tuple:
    return adjacency.edges, adjacency._links, adjacency._hubs  # noqa: SLF001 - what a fresh build would hold


@pytest.mark.parametrize("seed", range(8))
def test_an_adjacency_changed_by_writes_equals_one_built_afresh_and_leaves_the_old_one_as_it_was(seed, monkeypatch):
    """Relationships recorded, re-dated, ended, moved to another person and deleted, a few at a time: each step
    holds exactly what a build from the relationships as they then stand holds, hubs included."""
    monkeypatch.setattr("safeguarding.graph.adjacency.HUB_LINKS", 8)  # a small borough's busiest nodes are hubs
    rng = random.Random(seed)
    pool = random_edges(seed, edges=300)
    standing = {edge.id: edge for edge in pool[:150]}
    adjacency = Adjacency(standing.values(), TODAY)
    for _ in range(25):
        before, before_internals = internals(adjacency), [dict(part) for part in internals(adjacency)]
        written = set(rng.sample(sorted(standing), min(len(standing), rng.randrange(4))))
        for edge_id in sorted(written):
            if rng.random() < 0.3:
                del standing[edge_id]  # deleted
            else:  # rewritten: another date, end, kind of tie or person at the source
                other = rng.choice(pool)
                standing[edge_id] = Edge(**{**vars(other), "id": edge_id})
        for edge in rng.sample(pool[150:], rng.randrange(4)):
            written.add(edge.id)
            standing[edge.id] = edge
        adjacency = adjacency.changed(written, [standing[i] for i in written if i in standing])
        assert internals(adjacency) == internals(Adjacency(standing.values(), TODAY))
        assert [dict(part) for part in before] == before_internals
    assert adjacency._hubs  # noqa: SLF001 - the writes went through hubs, not only small nodes
