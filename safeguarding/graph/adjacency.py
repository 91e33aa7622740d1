"""The whole context graph as indexed adjacency lists, for ego maps.

Built once per change of the graph (``safeguarding.graph_cache`` keeps it per process). Each node's links are kept
most recent first, so a map takes its nearest and most recent nodes by merging the sorted lists of the layer
before and stops at its node cap, however many people a school or a busy place links. It gives the same maps as
``ego.ego_map`` over a networkx graph of the same edges (tests compare the two).

Nodes are keyed by plain strings, ``"<id>\\0<type>"``: strings cache their hash, which keeps the unions over hub
neighbourhoods cheap, and they sort by id and then type, the tie-break order of ``ego_map``.
"""

import heapq
import sys
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable
from datetime import date

from safeguarding.graph.build import passes_filters
from safeguarding.graph.ego import EgoMap, check_limits, edge_date
from safeguarding.graph.types import Edge, NodeRef

EdgeFilter = Callable[[Edge], bool]
# One link seen from a node: (minus the ordinal of its date, the node at the other end, the edge id).
Link = tuple[int, str, str]
SEPARATOR = "\0"
# Nodes with this many links (schools, busy places) also keep their neighbours as a set, so that a layer's union
# runs in C rather than through a generator.
HUB_LINKS = 32


def key_of(ref: NodeRef) -> str:
    return f"{ref.id}{SEPARATOR}{ref.type}"


def _key(ref: NodeRef) -> str:
    # Interned: a node's key is made once per edge end, and each copy would otherwise be kept.
    return sys.intern(key_of(ref))


def ref_of(key: str) -> NodeRef:
    node_id, _, node_type = key.partition(SEPARATOR)
    return NodeRef(node_type, node_id)


def _is_person(key: str) -> bool:
    return key.endswith(SEPARATOR + "person")


class Adjacency:
    """Every relationship of the borough as it stands on ``as_of``, each node's links most recent first."""

    def __init__(self, edges: Iterable[Edge], as_of: date):
        self.as_of = as_of
        # What the process cache keyed this adjacency by (graph_cache), so that results derived alongside it in
        # the same request are keyed alike without reading the stamp again; None when it was not cached.
        self.cache_key: tuple | None = None
        # Where the log of relationship writes stood when the rows were read (graph_cache applies what follows).
        self.watermark: int | None = None
        self.edges: dict[str, Edge] = {}
        links: dict[str, list[Link]] = defaultdict(list)
        self._add(edges, links)
        self._hubs: dict[str, frozenset[str]] = {}
        for node, node_links in links.items():
            self._index(node, node_links)
        self._links = dict(links)

    def changed(self, written: Collection[str], current: Iterable[Edge]) -> "Adjacency":
        """A new adjacency with the relationships `written` as they now stand (`current`: those of them that
        still exist), the same as one built afresh from every relationship; this one is left as it is for the
        requests still using it."""
        new = Adjacency((), self.as_of)
        new.edges = dict(self.edges)  # copied whole and then trimmed: a filtering comprehension costs ten times more
        touched: dict[str, list[Link]] = {}
        for edge_id in written:
            if (edge := new.edges.pop(edge_id, None)) is not None:
                for node in (_key(edge.source), _key(edge.target)):
                    touched.setdefault(node, [])
        new._add(current, touched)
        new._links, new._hubs = dict(self._links), dict(self._hubs)
        for node, added in touched.items():
            kept = [link for link in self._links.get(node, ()) if link[2] not in written]
            new._hubs.pop(node, None)
            if kept or added:
                new._links[node] = sorted(kept + added)
                new._index(node, new._links[node])
            else:
                new._links.pop(node, None)
        return new

    def _add(self, edges: Iterable[Edge], links: dict[str, list[Link]]) -> None:
        """Keep the edges that stand on as_of, and put their links on `links` (unsorted)."""
        for edge in edges:
            if not passes_filters(edge, None, None, None, self.as_of):
                continue
            self.edges[edge.id] = edge
            source, target = _key(edge.source), _key(edge.target)
            rank = -edge_date(edge).toordinal()
            links.setdefault(source, []).append((rank, target, edge.id))
            links.setdefault(target, []).append((rank, source, edge.id))

    def _index(self, node: str, node_links: list[Link]) -> None:
        """Sort a node's links, most recent first, and keep a hub's neighbours as a set too."""
        node_links.sort()
        if len(node_links) >= HUB_LINKS:
            self._hubs[node] = frozenset(other for _, other, _ in node_links)

    def __contains__(self, ref: NodeRef) -> bool:
        return key_of(ref) in self._links

    def linked_openly(self, ref: NodeRef, nodes: frozenset[str]) -> bool:
        """Whether a relationship with no end date (as the access policy counts links) joins ``ref`` to one of
        ``nodes``, given as keys (``key_of``)."""
        edges = self.edges
        return any(
            other in nodes and edges[edge_id].ended_on is None for _, other, edge_id in self._links.get(key_of(ref), ())
        )

    def tied_openly(self, place: NodeRef) -> list[NodeRef]:
        """The people tied to a place by a relationship with no end date (as the access policy counts ties)."""
        edges = self.edges
        return [
            edges[edge_id].source
            for _, _, edge_id in self._links.get(key_of(place), ())
            if edges[edge_id].ended_on is None
        ]

    def ego(self, centre: NodeRef, depth: int, max_nodes: int, passes: EdgeFilter | None = None) -> EgoMap:
        """The same map as ``ego_map`` over a networkx graph of these edges (``passes`` filters them first)."""
        check_limits(depth, max_nodes)
        start = key_of(centre)
        layers = self._layers(start, depth, passes)
        kept = [start]
        for distance in range(1, len(layers)):
            room = max_nodes - len(kept)
            if room <= 0:
                break
            kept += self._most_recent(layers[distance - 1], layers[distance], room, passes)
        reachable = sum(len(layer) for layer in layers[1:])
        return EgoMap(
            nodes=[ref_of(k) for k in kept],
            edges=self._edges_among(kept, passes),
            omitted=reachable - (len(kept) - 1),
        )

    def _links_of(self, key: str, passes: EdgeFilter | None) -> Iterable[Link]:
        found = self._links.get(key, ())
        if passes is None:
            return found
        return (link for link in found if passes(self.edges[link[2]]))

    def _neighbours(self, key: str, passes: EdgeFilter | None) -> Iterable[str]:
        if passes is None and key in self._hubs:
            return self._hubs[key]
        return (other for _, other, _ in self._links_of(key, passes))

    def _layers(self, start: str, depth: int, passes: EdgeFilter | None) -> list[set[str]]:
        """Breadth-first layers out to ``depth``: the nodes at each distance from ``start``."""
        layers, seen = [{start}], {start}
        for _ in range(depth):
            layer: set[str] = set()
            for node in layers[-1]:
                layer.update(self._neighbours(node, passes))
            layer -= seen
            if not layer:
                break
            seen |= layer
            layers.append(layer)
        return layers

    def _most_recent(self, nearer: set[str], layer: set[str], room: int, passes: EdgeFilter | None) -> list[str]:
        """Up to ``room`` nodes of ``layer``, latest link from the ``nearer`` layer first, then by id and type."""
        taken: list[str] = []
        seen: set[str] = set()
        # Each list is sorted, so the first time the merge meets a node is through its latest link.
        for _, other, _ in heapq.merge(*(self._links_of(node, passes) for node in nearer)):
            if other in layer and other not in seen:
                seen.add(other)
                taken.append(other)
                if len(taken) == room:
                    break
        return taken

    def _edges_among(self, kept: list[str], passes: EdgeFilter | None) -> list[str]:
        # Every relationship starts at a person, so the kept people's links hold every edge among kept nodes
        # without walking a hub's whole list.
        kept_set = set(kept)
        found = set()
        for node in kept:
            if not _is_person(node):
                continue
            for _, other, edge_id in self._links_of(node, passes):
                if other in kept_set:
                    found.add(edge_id)
        return sorted(found)
