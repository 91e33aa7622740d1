"""Deterministic node positions for the browser map, scaled to a fixed box so a map does not jump about."""

import math
import random

import networkx as nx

from safeguarding.graph.types import NodeRef

BOX = 1000.0
MARGIN = 40.0
ITERATIONS = 50


def layout(graph: nx.Graph, seed: int = 42, *, iterations: int = ITERATIONS) -> dict[NodeRef, tuple[float, float]]:
    """Force-directed (Fruchterman-Reingold) positions in [MARGIN, BOX - MARGIN], the same for the same graph.

    networkx's own spring and Kamada-Kawai layouts need numpy/scipy, which the app does not ship; this is the
    same algorithm in plain Python, fast enough for a capped ego map.
    """
    nodes = sorted(graph)
    if not nodes:
        return {}
    if len(nodes) == 1:
        return {nodes[0]: (BOX / 2, BOX / 2)}
    index = {node: i for i, node in enumerate(nodes)}
    # Parallel records pull harder: the number of edges between two nodes is the spring's weight.
    weights: dict[tuple[int, int], int] = {}
    for u, v in graph.edges():
        if u != v:
            pair = (min(index[u], index[v]), max(index[u], index[v]))
            weights[pair] = weights.get(pair, 0) + 1
    rng = random.Random(seed)
    xs = [rng.random() for _ in nodes]
    ys = [rng.random() for _ in nodes]
    _relax(xs, ys, weights, iterations)
    return _scale(nodes, xs, ys)


def _relax(xs: list[float], ys: list[float], weights: dict[tuple[int, int], int], iterations: int) -> None:
    count = len(xs)
    k2 = 1.0 / count
    k = math.sqrt(k2)
    springs: list[dict[int, int]] = [{} for _ in range(count)]
    for (i, j), weight in weights.items():
        springs[i][j] = weight
    temperature = 0.1
    cooling = temperature / (iterations + 1)
    for _ in range(iterations):
        dx = [0.0] * count
        dy = [0.0] * count
        for i in range(count):
            xi, yi, linked = xs[i], ys[i], springs[i]
            for j in range(i + 1, count):
                ddx, ddy = xi - xs[j], yi - ys[j]
                d2 = max(ddx * ddx + ddy * ddy, 1e-4)
                # Every pair repels; linked pairs are also pulled together, in proportion to their weight.
                force = k2 / d2
                if j in linked:
                    force -= linked[j] * math.sqrt(d2) / k
                dx[i] += ddx * force
                dy[i] += ddy * force
                dx[j] -= ddx * force
                dy[j] -= ddy * force
        for i in range(count):
            length = max(math.hypot(dx[i], dy[i]), 0.01)
            xs[i] += dx[i] * temperature / length
            ys[i] += dy[i] * temperature / length
        temperature -= cooling


def _scale(nodes: list[NodeRef], xs: list[float], ys: list[float]) -> dict[NodeRef, tuple[float, float]]:
    """Fit into the box keeping the aspect ratio, centred; rounded so JSON is byte-stable."""
    left, bottom = min(xs), min(ys)
    width, height = max(xs) - left, max(ys) - bottom
    usable = BOX - 2 * MARGIN
    ratio = usable / (max(width, height) or 1.0)
    x_off = MARGIN + (usable - width * ratio) / 2
    y_off = MARGIN + (usable - height * ratio) / 2
    return {
        node: (round(x_off + (x - left) * ratio, 1), round(y_off + (y - bottom) * ratio, 1))
        for node, x, y in zip(nodes, xs, ys, strict=True)
    }
