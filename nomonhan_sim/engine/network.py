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


class Neighbours:
    """Sparse neighbour lists of a fixed ``(P, P)`` bool adjacency (routes, not all pairs).

    Each place's neighbours are one segment of ``flat`` (starting at ``start``), followed by
    a dummy index ``P`` (a column that is always False / ``inf`` / the sentinel), so every
    segment is non-empty; work per call grows with routes, not with ``P**2``. ``km``:
    each entry's km (``inf`` for the dummy), for :func:`distance_to`.
    """

    def __init__(self, adj: np.ndarray, km: np.ndarray | None = None):
        P = adj.shape[0]
        a, b = np.nonzero(adj)                                   # row after row
        size = np.bincount(a, minlength=P) + 1                   # + the dummy
        self.P = P
        self.flat = np.insert(b, np.cumsum(size - 1), P)         # the dummy ends each segment
        self.start = np.cumsum(size) - size
        # without the dummies, when no place is isolated (the usual case: less copying)
        self.connected = bool((size > 1).all())
        self.b, self.b_start = b, self.start - np.arange(P)
        self.dense = adj.astype(np.float32) if P <= DENSE_MAX_PLACES else None
        if km is not None:
            kx = np.concatenate([km, np.full((P, 1), np.inf)], axis=1)
            self.km = kx[np.repeat(np.arange(P), size), self.flat]

    def any(self, x: np.ndarray) -> np.ndarray:
        """``(n, P)`` bool: some neighbour of the place is True in ``x`` (``(n, P)`` bool);
        the same as ``(x.astype(float32) @ adj) > 0``."""
        if x.shape[0] == 0 or self.P == 0:
            return np.zeros(x.shape, bool)
        if self.dense is not None:  # few places: small products are quicker (0/1 counts: exact)
            f = x.astype(np.float32)  # blocks of rows: a large product would start BLAS threads
            return np.concatenate([f[i:i + 1000] @ self.dense for i in range(0, f.shape[0], 1000)]) > 0
        if self.connected:  # every place has a route: no dummy column needed
            return np.logical_or.reduceat(x[:, self.b], self.b_start, axis=1)
        ext = np.concatenate([x, np.zeros((x.shape[0], 1), bool)], axis=1)
        return np.logical_or.reduceat(ext[:, self.flat], self.start, axis=1)


#: Most places for which :meth:`Neighbours.any` uses a dense ``(P, P)`` product instead of the
#: lists: quicker when small, and below the size at which BLAS starts threads (P = 130 does).
DENSE_MAX_PLACES = 64

_NEIGHBOURS: dict[tuple[int, int], tuple[np.ndarray, np.ndarray | None, Neighbours]] = {}


def neighbours(adj: np.ndarray | None, km: np.ndarray | None = None) -> Neighbours:
    """:class:`Neighbours` of ``adj`` (None: the routes of ``km``, ``isfinite(km)``), with
    ``km``; cached per array while it lives (the scenario's arrays do not change)."""
    key = (id(adj), id(km))
    hit = _NEIGHBOURS.get(key)
    if hit is None or hit[0] is not adj or hit[1] is not km:
        if len(_NEIGHBOURS) > 64:
            _NEIGHBOURS.clear()
        hit = _NEIGHBOURS[key] = (adj, km, Neighbours(np.isfinite(km) if adj is None else adj, km))
    return hit[2]


def reachable(adj: np.ndarray, sources: np.ndarray, passable: np.ndarray) -> np.ndarray:
    """Places reachable from ``sources`` through ``passable`` places, per world.

    ``adj``: ``(P, P)`` bool adjacency; ``sources``: ``(P,)`` bool; ``passable``:
    ``(n, P)`` bool. A source that is not passable (held by the enemy) reaches
    nothing. Returns ``(n, P)`` bool.
    """
    nb = neighbours(adj)
    reach = passable & sources[None, :]
    while True:
        grown = passable & (reach | nb.any(reach))
        if np.array_equal(grown, reach):
            return reach
        reach = grown


def component_labels(adj: np.ndarray, passable: np.ndarray) -> np.ndarray:
    """``(n, P)`` int: per world, the lowest place index of each passable place's connected
    component of the passable places (``adj`` symmetric); ``P`` for impassable places. Place
    ``q`` is :func:`reachable` from a passable source ``p`` exactly when ``labels[q] ==
    labels[p] < P``."""
    nb = neighbours(adj)
    n, P = passable.shape
    lab = np.where(passable, np.arange(P)[None, :], P)
    while True:
        ext = np.concatenate([lab, np.full((n, 1), P)], axis=1)
        low = np.minimum.reduceat(ext[:, nb.flat], nb.start, axis=1) if n and P else lab
        new = np.where(passable, np.minimum(lab, low), P)
        if np.array_equal(new, lab):
            return lab
        lab = new


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


class ComponentCache:
    """:func:`component_labels` over a fixed graph, remembered per world: each call recomputes
    only the worlds whose ``passable`` row changed (as :class:`ReachCache`). Returns the
    ``(n, P)`` labels it keeps: read them, do not write them."""

    def __init__(self, adj: np.ndarray):
        self.adj = adj
        self._passable: np.ndarray | None = None
        self._labels: np.ndarray | None = None

    def __call__(self, passable: np.ndarray) -> np.ndarray:
        if self._passable is None or self._passable.shape != passable.shape:
            self._labels = component_labels(self.adj, passable)
        else:
            changed = (passable != self._passable).any(axis=1)
            if changed.any():
                self._labels[changed] = component_labels(self.adj, passable[changed])
        self._passable = passable.copy()
        return self._labels


class NearestTarget:
    """Per world and unit, the nearest of fixed target places (depots) that the unit's place
    can reach through passable places.

    ``places``: ``(D,)`` target places; ``dist``: ``(P, D)`` km from each place to each target
    (``inf``: no path). A call with ``labels`` (:func:`component_labels`, ``(n, P)``) and
    ``loc`` (``(n, m)`` places) returns ``(n, m)``: the index (0..D-1) of the target with the
    least km among those in the place's passable component (ties: the lowest index; an
    infinite km is never chosen), or -1. Targets are tried nearest first, so a unit whose
    nearest target is reachable costs one step, not ``D``.
    """

    def __init__(self, places: np.ndarray, dist: np.ndarray):
        self.places = np.asarray(places, int)
        self.order = np.argsort(dist, axis=1, kind="stable")                       # (P, D)
        self.finite = np.isfinite(np.take_along_axis(dist, self.order, axis=1))    # (P, D)

    def __call__(self, labels: np.ndarray, loc: np.ndarray) -> np.ndarray:
        n, P = labels.shape
        out = np.full(loc.shape, -1)
        if self.places.size == 0 or loc.size == 0:
            return out
        rows = np.arange(n)[:, None]
        lab_loc = labels[rows, loc]                                   # (n, m); P: impassable
        lab_t = labels[:, self.places]                                # (n, D)
        has = np.zeros((n, P + 1), bool)                              # a target in the component
        has[rows, lab_t] = True
        has[:, P] = False
        r, j = np.nonzero(has[rows, lab_loc])
        here, want = loc[r, j], lab_loc[r, j]
        for rank in range(self.places.size):
            cand = self.order[here, rank]
            hit = self.finite[here, rank] & (lab_t[r, cand] == want)
            out[r[hit], j[hit]] = cand[hit]
            keep = ~hit
            if not keep.any():
                break
            r, j, here, want = r[keep], j[keep], here[keep], want[keep]
        return out


def distance_to(km: np.ndarray, target: int, passable: np.ndarray) -> np.ndarray:
    """Shortest distance (km) from every place to ``target`` through passable places.

    Bellman–Ford over ``n`` worlds at once; ``passable`` is ``(n, P)``. The target
    itself is always admitted; impassable places get ``inf``.
    """
    n, P = passable.shape
    nb = neighbours(None, km) if n and P else None
    dist = np.full((n, P), np.inf)
    dist[:, target] = 0.0
    ok = passable.copy()
    ok[:, target] = True
    for _ in range(P):
        # min over routes only (the same minimum as over all places: non-routes add inf)
        cand = np.minimum.reduceat(np.concatenate([dist, np.full((n, 1), np.inf)], axis=1)[:, nb.flat] + nb.km,
                                   nb.start, axis=1) if nb is not None else dist
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
