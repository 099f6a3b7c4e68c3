"""Geometry for the battle map: trace access, map extent, unit layout, pockets, the river.

Coordinates are the scenario's schematic km grid (x east, y north).
"""

from __future__ import annotations

import numpy as np

from ..engine.state import MOVING


# --------------------------------------------------------------------------- trace access
def _traced(res, world: int):
    """(trace, column of ``world`` in the trace) or a ValueError saying how to get one."""
    tr = getattr(res, "trace", None)
    if tr is None or not tr.t:
        raise ValueError(f"battle_map needs a result with a trace: run_batch(..., trace_worlds=[{world}])")
    col = np.flatnonzero(np.asarray(tr.worlds) == world)
    if col.size == 0:
        raise ValueError(f"world {world} was not traced (traced worlds: {list(np.asarray(tr.worlds))}); "
                         f"run_batch(..., trace_worlds=[{world}])")
    return tr, int(col[0])


def _snapshot(t: np.ndarray, hour: float | None) -> int:
    """Index of the last snapshot at or before ``hour`` (None: the last one)."""
    if hour is None:
        return len(t) - 1
    return int(np.clip(np.searchsorted(t, hour + 1e-9, side="right") - 1, 0, len(t) - 1))


def unit_track(res, world: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(hours ``(T,)``, unit positions ``(T, U, 2)`` km) of a traced world.

    A standing unit is at its place; a moving unit is on the straight line from
    the place it left (``loc``) to the end of its leg (``leg_to``), at the share
    ``progress`` of the way.
    """
    tr, j = _traced(res, world)
    xy = res.compiled.xy
    loc = tr.array("loc")[:, j]
    leg = tr.array("leg_to")[:, j]
    prog = tr.array("progress")[:, j]
    mode = tr.array("mode")[:, j]
    pos = xy[loc].copy()
    moving = (mode == MOVING) & (leg >= 0)
    dest = xy[np.where(leg >= 0, leg, loc)]
    pos[moving] += prog[moving][:, None] * (dest[moving] - pos[moving])
    return np.asarray(tr.t, float), pos


# --------------------------------------------------------------------------- geometry helpers
def map_extent(c, margin_km: float | None = None) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the battle area: places within 2.5 median distances of the median place."""
    xy = c.xy
    med = np.median(xy, axis=0)
    d = np.hypot(*(xy - med).T)
    core = xy[d <= 2.5 * max(np.median(d), 1.0)]
    (x0, y0), (x1, y1) = core.min(axis=0), core.max(axis=0)
    span = max(x1 - x0, y1 - y0, 10.0)
    m = margin_km if margin_km is not None else max(3.0, 0.08 * span)
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = max((x1 - x0) / 2, 0.3 * span) + m, max((y1 - y0) / 2, 0.3 * span) + m
    return cx - hx, cx + hx, cy - hy, cy + hy


def _inside(p, ext) -> bool:
    return ext[0] <= p[0] <= ext[1] and ext[2] <= p[1] <= ext[3]


def _clip_segment(a, b, ext):
    """Point where segment a->b (a inside) leaves the extent."""
    d = np.asarray(b, float) - a
    ts = []
    for k, (lo, hi) in enumerate(((ext[0], ext[1]), (ext[2], ext[3]))):
        if d[k] > 0:
            ts.append((hi - a[k]) / d[k])
        elif d[k] < 0:
            ts.append((lo - a[k]) / d[k])
    t = min([1.0] + ts)
    return a + t * d


def _hull(points: np.ndarray) -> np.ndarray:
    """Convex hull (monotone chain), counter-clockwise."""
    pts = sorted(set(map(tuple, np.round(points, 6))))
    if len(pts) < 3:
        return np.array(pts)

    def cross(o, a, b):
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower, upper = [], []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1])


def _clusters(points: np.ndarray, join_km: float) -> list[list[int]]:
    """Single-link groups of points closer than ``join_km``."""
    n = len(points)
    label = list(range(n))

    def find(i):
        while label[i] != i:
            label[i] = label[label[i]]
            i = label[i]
        return i

    for i in range(n):
        for j in range(i + 1, n):
            if np.hypot(*(points[i] - points[j])) <= join_km:
                label[find(i)] = find(j)
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(find(i), []).append(i)
    return list(groups.values())


def _layout(sides: list[int], dx: float, dy: float) -> np.ndarray:
    """Offsets of symbols in a compact grid above their place, one block of rows per side.

    Row 0 is the lowest (it sits just above the place); the grid is centred in x.
    """
    n = len(sides)
    if n == 0:
        return np.zeros((0, 2))
    cols = max(2, int(np.ceil(np.sqrt(n * 2.0)))) if n > 1 else 1
    rows: list[list[int]] = []
    for i, s in enumerate(sides):
        if not rows or len(rows[-1]) >= cols or sides[rows[-1][-1]] != s:
            rows.append([])
        rows[-1].append(i)
    out = np.zeros((n, 2))
    for r, row in enumerate(rows):
        for k, i in enumerate(row):
            out[i] = ((k - (len(row) - 1) / 2) * dx, r * dy)
    return out


def _short_names(places) -> list[str]:
    """Short place labels: the name before any bracket, dash or comma; the id if that is long or repeated."""
    names = [p.name.split(" (")[0].split(" - ")[0].split(",")[0].strip() for p in places]
    out = []
    for p, n in zip(places, names):
        out.append(p.id.replace("_", " ") if len(n) > 18 or names.count(n) > 1 else n)
    return out


#: the crossings' west ends may spread east-west by at most this share of the map for one river
RIVER_LINE_SPREAD = 0.05


def _river(c) -> np.ndarray | None:
    """Schematic river line: through the west end of every river-crossing route, 0.6 km east of it.

    The scenario has no river geometry; its crossing routes start at west-bank
    bridge sites, so the line through them (nudged east) stands for the river.
    None when the scenario has no river crossing, or when the crossings do not
    line up on one north-south river (their west ends spread east-west by more
    than :data:`RIVER_LINE_SPREAD` of the map: a theatre with several rivers, such
    as the Amur, Ussuri and Sungari crossings of the 1941 and 1945 scenarios);
    the map then marks each crossing on its route only.
    """
    a, b = np.nonzero(np.triu(c.crossing))
    if a.size == 0:
        return None
    west = np.where(c.xy[a, 0] <= c.xy[b, 0], a, b)
    pts = c.xy[np.unique(west)] + [0.6, 0.0]
    ext = map_extent(c)
    if np.ptp(pts[:, 0]) > RIVER_LINE_SPREAD * max(ext[1] - ext[0], ext[3] - ext[2]):
        return None
    return pts[np.argsort(pts[:, 1])]


def _river_x(river: np.ndarray, y):
    return np.interp(y, river[:, 1], river[:, 0])


def _side_name(c, s: int) -> str:
    return c.scenario.model.sides[c.side_ids[s]].name.split(" (")[0]
