"""The ground as a graph: shortest paths and reachability, vectorised over worlds.

Places are nodes 0..P-1; routes are undirected edges with a length in km.
Reachability and withdrawal paths depend on who holds which place, which can
differ between replicate worlds, so those functions take ``(n, P)`` masks and
work on all ``n`` worlds at once.
"""

from __future__ import annotations

import numpy as np


def all_pairs_next_hop(km: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Floyd–Warshall on a ``(P, P)`` km matrix (``inf`` = no route).

    Returns ``(dist_km, next_hop)``; ``next_hop[a, b]`` is the neighbour of ``a``
    on a shortest path to ``b`` (``a`` itself when ``a == b``, -1 if unreachable).
    """
    P = km.shape[0]
    dist = km.copy()
    np.fill_diagonal(dist, 0.0)
    nxt = np.where(np.isfinite(dist), np.arange(P)[None, :], -1)
    for k in range(P):
        via = dist[:, k:k + 1] + dist[k:k + 1, :]
        better = via < dist
        dist = np.where(better, via, dist)
        nxt = np.where(better, nxt[:, k:k + 1], nxt)
    return dist, nxt


def reachable(adj: np.ndarray, sources: np.ndarray, passable: np.ndarray) -> np.ndarray:
    """Places reachable from ``sources`` through ``passable`` places, per world.

    ``adj``: ``(P, P)`` bool adjacency; ``sources``: ``(P,)`` bool; ``passable``:
    ``(n, P)`` bool. A source that is not passable (held by the enemy) reaches
    nothing. Returns ``(n, P)`` bool.
    """
    a = adj.astype(np.float32)
    reach = passable & sources[None, :]
    while True:
        grown = passable & (reach | ((reach.astype(np.float32) @ a) > 0))
        if np.array_equal(grown, reach):
            return reach
        reach = grown


class ReachCache:
    """:func:`reachable` from fixed ``sources`` over a fixed graph, remembered per world.

    Each call recomputes only the worlds whose ``passable`` row changed since the last
    call (who holds what changes seldom); the others keep their last answer, which is
    the same. Returns the ``(n, P)`` bool array it keeps: read it, do not write it.
    """

    def __init__(self, adj: np.ndarray, sources: np.ndarray):
        self.adj, self.sources = adj, sources
        self._passable: np.ndarray | None = None
        self._reach: np.ndarray | None = None

    def __call__(self, passable: np.ndarray) -> np.ndarray:
        if self._passable is None or self._passable.shape != passable.shape:
            self._reach = reachable(self.adj, self.sources, passable)
        else:
            changed = (passable != self._passable).any(axis=1)
            if changed.any():
                self._reach[changed] = reachable(self.adj, self.sources, passable[changed])
        self._passable = passable.copy()
        return self._reach


def distance_to(km: np.ndarray, target: int, passable: np.ndarray) -> np.ndarray:
    """Shortest distance (km) from every place to ``target`` through passable places.

    Bellman–Ford over ``n`` worlds at once; ``passable`` is ``(n, P)``. The target
    itself is always admitted; impassable places get ``inf``.
    """
    n, P = passable.shape
    dist = np.full((n, P), np.inf)
    dist[:, target] = 0.0
    ok = passable.copy()
    ok[:, target] = True
    for _ in range(P):
        cand = np.min(dist[:, None, :] + km[None, :, :], axis=2)
        new = np.where(ok, np.minimum(dist, cand), np.inf)
        if np.array_equal(new, dist):
            break
        dist = new
    return dist


#: Entries a distance cache of :func:`next_hop_toward` holds before it starts afresh.
DISTANCE_CACHE_ENTRIES = 20_000


def next_hop_toward(km: np.ndarray, here: np.ndarray, target: int, passable: np.ndarray,
                    cache: dict | None = None) -> np.ndarray:
    """Per world, the neighbour of ``here`` on a shortest passable path to ``target``.

    ``here``: ``(n,)`` place indices. Returns ``(n,)``: the next place, ``here``
    when already there, or -1 when no passable path exists. ``cache``: a dict (one per
    ``km``) that keeps :func:`distance_to` per target and passable row, so that a row
    seen before is not computed again (the same numbers: each row is computed alone).
    """
    n = here.shape[0]
    dist = distance_to(km, target, passable) if cache is None else _cached_distance(km, target, passable, cache)
    total = km[here, :] + dist  # (n, P): via each neighbour
    best = np.argmin(total, axis=1)
    ok = np.isfinite(total[np.arange(n), best])
    out = np.where(ok, best, -1)
    return np.where(here == target, here, out)


def _cached_distance(km: np.ndarray, target: int, passable: np.ndarray, cache: dict) -> np.ndarray:
    keys = [(target, row.tobytes()) for row in np.packbits(passable, axis=1)]
    new = {k: i for i, k in enumerate(keys) if k not in cache}
    if new:
        if len(cache) + len(new) > DISTANCE_CACHE_ENTRIES:
            cache.clear()
            new = {k: i for i, k in enumerate(keys)}
        rows = list(new.values())
        for k, d in zip(new, distance_to(km, target, passable[rows])):
            cache[k] = d
    return np.stack([cache[k] for k in keys]) if keys else np.zeros((0, km.shape[0]))
