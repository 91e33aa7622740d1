"""The slow whole-graph steps on networkx, igraph and rustworkx, on the same synthetic borough.

    .venv/bin/python bench/graph_engines.py [--people 5000] [--fresh]

Steps: building the borough graph from the database (networkx, as the app does) and converting it to each other
engine; peer groups (Louvain on the people projection); connectors (betweenness on shortest paths between sampled
people and all people); shortest paths (hop counts from 50 people to everyone). Each row also says whether the
engine's answer agrees with networkx's: equal betweenness scores and hop counts, and for Louvain the modularity
of the partition each finds (Louvain is randomised, so partitions differ between implementations).
"""

import argparse
import random
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import igraph as ig  # noqa: E402
import networkx as nx  # noqa: E402
import rustworkx as rx  # noqa: E402
from borough_db import borough_app  # noqa: E402

from app.extensions import db  # noqa: E402
from safeguarding.context_analysis import _build  # noqa: E402
from safeguarding.graph import analysis  # noqa: E402
from safeguarding.graph.engines import connector_scores, routes_graph  # noqa: E402
from safeguarding.graph.kinds import PROTECTIVE_KINDS  # noqa: E402

SAMPLES = 200
PATH_SOURCES = 50


def timed(fn):
    started = time.perf_counter()
    result = fn()
    return result, (time.perf_counter() - started) * 1000


def to_igraph(graph: nx.Graph, weight: str | None = None) -> tuple[ig.Graph, list]:
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    converted = ig.Graph(n=len(nodes), edges=[(index[u], index[v]) for u, v in graph.edges()])
    if weight:
        converted.es["weight"] = [d[weight] for _, _, d in graph.edges(data=True)]
    return converted, nodes


def to_rustworkx(graph: nx.Graph, weight: str | None = None) -> tuple[rx.PyGraph, list]:
    nodes = list(graph)
    index = {node: i for i, node in enumerate(nodes)}
    converted = rx.PyGraph()
    converted.add_nodes_from(range(len(nodes)))
    converted.add_edges_from([(index[u], index[v], d[weight] if weight else 1.0) for u, v, d in graph.edges(data=True)])
    return converted, nodes


def louvain(projection: nx.Graph, rows: list) -> None:
    found, ms = timed(lambda: nx.community.louvain_communities(projection, weight="weight", seed=42))
    rows.append(
        ("peer groups: Louvain", "networkx", ms, f"modularity {nx.community.modularity(projection, found):.3f}")
    )
    (converted, nodes), convert_ms = timed(lambda: to_igraph(projection, "weight"))
    random.seed(42)  # python-igraph draws from the random module
    parts, ms = timed(lambda: converted.community_multilevel(weights="weight"))
    communities = [{nodes[i] for i in part} for part in parts]
    quality = nx.community.modularity(projection, communities)
    rows.append(("peer groups: Louvain", "igraph", ms, f"modularity {quality:.3f}; convert {convert_ms:.0f} ms"))
    rows.append(("peer groups: Louvain", "rustworkx", None, "no community detection"))


def betweenness(graph: nx.MultiGraph, rows: list) -> None:
    simple = routes_graph(graph)
    people = sorted(n for n in simple if n.type == "person")
    sources = sorted(random.Random(42).sample(people, min(SAMPLES, len(people))))
    expected, ms = timed(lambda: nx.betweenness_centrality_subset(simple, sources, people, normalized=False))
    rows.append(("connectors: betweenness", "networkx", ms, f"{len(sources)} sources"))
    found, ms = timed(lambda: connector_scores(simple, sources, people))
    worst = max(abs(found[p] - expected[p]) for p in people)
    rows.append(("connectors: betweenness", "igraph", ms, f"largest difference {worst:.2g} (incl. convert)"))
    converted, convert_ms = timed(lambda: to_rustworkx(simple))
    _, ms = timed(lambda: rx.graph_betweenness_centrality(converted[0], normalized=False, parallel_threshold=10**9))
    rows.append(("connectors: betweenness", "rustworkx", ms, "all pairs only (no subsets): not comparable"))


def shortest_paths(graph: nx.MultiGraph, rows: list) -> None:
    simple = nx.Graph(graph)
    starts = sorted(random.Random(7).sample(sorted(n for n in simple if n.type == "person"), PATH_SOURCES))
    expected, ms = timed(lambda: [nx.single_source_shortest_path_length(simple, s) for s in starts])
    rows.append(("shortest paths: hop counts", "networkx", ms, f"from {PATH_SOURCES} people"))
    (converted, nodes), convert_ms = timed(lambda: to_igraph(simple))
    index = {node: i for i, node in enumerate(nodes)}
    distances, ms = timed(lambda: converted.distances(source=[index[s] for s in starts]))
    same = all(
        distances[row][index[node]] == hops for row, found in enumerate(expected) for node, hops in found.items()
    )
    rows.append(("shortest paths: hop counts", "igraph", ms, f"equal: {same}; convert {convert_ms:.0f} ms"))
    (converted, nodes), convert_ms = timed(lambda: to_rustworkx(simple))
    index = {node: i for i, node in enumerate(nodes)}
    lengths, ms = timed(lambda: [rx.graph_dijkstra_shortest_path_lengths(converted, index[s], float) for s in starts])
    same = all(
        (lengths[row][index[node]] if node != starts[row] else 0) == hops
        for row, found in enumerate(expected)
        for node, hops in found.items()
    )
    rows.append(("shortest paths: hop counts", "rustworkx", ms, f"equal: {same}; convert {convert_ms:.0f} ms"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=5000)
    parser.add_argument("--fresh", action="store_true", help="load the borough again instead of reusing the cache")
    args = parser.parse_args()
    rows: list = []
    with borough_app(args.people, fresh=args.fresh) as (_app, _loaded):
        graph, ms = timed(lambda: _build(db.session, date.today()))
    size = f"{graph.number_of_nodes():,} nodes, {graph.number_of_edges():,} edges"
    rows.append(("build the borough graph", "networkx", ms, size))
    projection, ms = timed(lambda: analysis.person_projection(graph))
    rows.append(("people projection", "networkx", ms, f"{projection.number_of_edges():,} weighted ties"))
    projection.remove_nodes_from([n for n in list(projection) if projection.degree(n) == 0])
    louvain(projection, rows)
    betweenness(graph, rows)
    shortest_paths(graph, rows)
    print(f"borough: {args.people:,} people; protective ties left out of connectors: {', '.join(PROTECTIVE_KINDS)}")
    print(f"{'step':<28} {'engine':<10} {'ms':>9}  notes")
    for step, engine, ms, notes in rows:
        print(f"{step:<28} {engine:<10} {'-' if ms is None else f'{ms:.0f}':>9}  {notes}")


if __name__ == "__main__":
    main()
