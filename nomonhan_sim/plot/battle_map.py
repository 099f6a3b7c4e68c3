"""Battle map of one traced world: places, routes, river, borders, control, units, movement, pockets.

Needs a result of :func:`~nomonhan_sim.engine.simulation.run_batch` run with
``trace_worlds=[...]`` containing the world drawn. Coordinates are the scenario's
schematic km grid (x east, y north); the map shows the battle area (places far
from the others, such as rail-heads and rear bases, are left off the map and
their routes run out of the frame, labelled with where they lead).
"""

from __future__ import annotations

import datetime as _dt

import numpy as np
from matplotlib import patheffects as pe
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Patch, Polygon

from ..engine.compiled import ROADS
from ..engine.state import MOVING, OUT
from .map_geometry import (
    _clip_segment, _clusters, _hull, _inside, _layout, _river, _river_x, _short_names, _side_name, _snapshot,
    _traced, map_extent, unit_track,
)
from .style import MEDIAN
from .symbols import draw_unit, side_colour, symbol_extent, tint

RIVER = "#3B7DD8"
ROUTE = "#A0A0A0"
RAILWAY = "#555555"
RAIL = ROADS.index("rail")
#: places on the Mongolian-claimed border (the Khalkhin Gol scenarios), south to north by y
MONGOLIAN_CLAIM_PLACES = ("border_north", "ne_exit", "nomonhan", "border_south")
_HALO = [pe.withStroke(linewidth=2.2, foreground="white")]




# --------------------------------------------------------------------------- the map
def battle_map(ax, res, world: int = 0, hour: float | None = None, arrows_hours: float = 6,
               label_places: bool = True, extent=None, symbol_km: float | None = None,
               legend: bool = True, title: str | bool = True, pocket_join_km: float = 15.0) -> dict:
    """Draw the battle in world ``world`` at ``hour`` (hours after H-hour; None: the end) on ``ax``.

    Draws: routes (grey; railways dark grey, dashed; off-map ends labelled with
    where they lead), the river (schematic: a line through the west-bank ends of
    the river-crossing routes, nudged 0.6 km east, held straight north and south
    of the last crossings; it is also the Japanese-claimed border; when the
    crossings do not line up on one north-south river, as in a theatre, only
    each crossing is marked, half-way along its route), the Mongolian-claimed border (dashed,
    through the places ``border_north``, ``ne_exit``, ``nomonhan``,
    ``border_south`` when the scenario has them), places (dots and names), who
    controls each place (a disc tinted in the holder's colour), the units as
    APP-6-style symbols (:mod:`.symbols`) with a strength bar (men left / men at
    start), units sharing a place set out in a small grid around it, moving
    units on their leg at the share of it done, movement over the last
    ``arrows_hours`` hours as arrows, and encircled pockets (hatched hull around
    the encircled units, places closer than ``pocket_join_km`` joined).

    Units that have left the battle at their side's rear (withdrawn) are not
    drawn; units destroyed in a pocket are drawn faint grey; broken units have a
    dashed frame; units beyond the map edge are drawn at the edge.

    The result must come from ``run_batch(..., trace_worlds=[..., world, ...])``;
    otherwise ValueError. The map shows the last combat-step snapshot at or
    before ``hour``.

    Returns a dict: ``hour`` (of the snapshot shown), ``units`` {unit id: (x, y)
    km, its position on the ground}, ``drawn`` {unit id: (x, y) centre of its
    symbol, after spreading units that share a place}, ``withdrawn`` [unit ids
    not drawn], ``encircled`` [unit ids], ``extent``.
    """
    c = res.compiled
    m = c.scenario.model
    tr, j = _traced(res, world)
    t, track = unit_track(res, world)
    k = _snapshot(t, hour)
    now = float(t[k])
    ext = tuple(extent) if extent is not None else map_extent(c)
    span = max(ext[1] - ext[0], ext[3] - ext[2])
    size = symbol_km if symbol_km is not None else 0.034 * span
    xy = c.xy
    on_map = np.array([_inside(p, ext) for p in xy])

    loc = tr.array("loc")[k, j]
    mode = tr.array("mode")[k, j]
    leg = tr.array("leg_to")[k, j]
    pers = tr.array("pers")[:, j]
    enc = tr.array("encircled")[k, j]
    broken = tr.array("broken")[k, j]
    control = tr.array("control")[k, j]
    pers0 = res.world.pers0[world]

    # routes, with off-map ends labelled
    river = _river(c)
    for a, b in zip(*np.nonzero(np.triu(c.adj))):
        rc = c.road_class[a, b]
        if rc == RAIL:
            ax.plot(xy[[a, b], 0], xy[[a, b], 1], color=RAILWAY, lw=1.4, ls=(0, (6, 2)), zorder=1)
        else:
            style = {0: "-", 1: "-", 2: ":"}.get(rc, "-")
            ax.plot(xy[[a, b], 0], xy[[a, b], 1], color=ROUTE, lw=1.6 if rc == 0 else 0.9, ls=style, zorder=1)
        if on_map[a] != on_map[b]:
            inner, outer = (a, b) if on_map[a] else (b, a)
            e = _clip_segment(xy[inner], xy[outer], ext)
            d = xy[outer] - xy[inner]
            e = e - 0.05 * span * d / np.hypot(*d) - [0.0, 0.025 * span]
            ax.text(e[0], e[1], f"to {_short_names(m.places)[outer]}\n({c.km[a, b]:g} km)", fontsize=5.5,
                    color="#555555", ha="center", va="center", zorder=2, path_effects=_HALO)
        if c.crossing[a, b]:  # on the river line, or (no one river: a theatre) half-way along the route
            s = np.linspace(0, 1, 201)
            seg = xy[a] + s[:, None] * (xy[b] - xy[a])
            i = int(np.argmin(np.abs(seg[:, 0] - _river_x(river, seg[:, 1])))) if river is not None else 100
            ax.plot(*seg[i], marker="s", ms=3.5, mfc="white", mec=RIVER, mew=1.0, zorder=3)

    # river (= Japanese-claimed border) and the Mongolian-claimed border
    ids = {p: i for i, p in enumerate(c.place_ids)}
    claim = [ids[p] for p in MONGOLIAN_CLAIM_PLACES if p in ids]
    handles = []
    if river is not None:
        ry = np.concatenate([[ext[2]], river[:, 1], [ext[3]]])
        rx = np.concatenate([[river[0, 0]], river[:, 0], [river[-1, 0]]])
        ax.plot(rx, ry, color=RIVER, lw=2.6, alpha=0.8, zorder=1.5, solid_capstyle="butt")
        lab = "river (Khalkhin Gol): Japanese-claimed border" if claim else "river"
        handles.append(Line2D([], [], color=RIVER, lw=2.6, alpha=0.8, label=lab))
        ax.text(river[0, 0] - 0.01 * span, ext[2] + 0.02 * span, "Khalkhin Gol" if claim else "river",
                color=RIVER, fontsize=6.5, rotation=90, ha="right", va="bottom", style="italic", zorder=2,
                path_effects=_HALO)
    if len(claim) >= 2:
        pts = xy[claim]
        pts = pts[np.argsort(pts[:, 1])]
        pts = np.vstack([[pts[0, 0], ext[2]], pts, [pts[-1, 0], ext[3]]])
        ax.plot(pts[:, 0], pts[:, 1], color="#6B3FA0", lw=1.3, ls=(0, (5, 3)), zorder=1.6)
        handles.append(Line2D([], [], color="#6B3FA0", lw=1.3, ls=(0, (5, 3)), label="Mongolian-claimed border"))

    # where each unit stands, and the spread of symbols around shared places
    pos = track[k]
    withdrawn = (mode == OUT) & ((loc == c.rear[c.unit_side]) | ~on_map[loc])
    shown = np.flatnonzero(~withdrawn)
    destroyed = (mode == OUT) & ~withdrawn
    draw_pos = np.clip(pos, [ext[0] + size, ext[2] + size], [ext[1] - size, ext[3] - size])
    standing = (mode != MOVING) | (leg < 0)
    groups: dict[int, list[int]] = {}
    for u in shown:
        if standing[u]:
            groups.setdefault(int(loc[u]), []).append(int(u))
    hw, up, down = symbol_extent(0, size)
    dx, dy = 2 * hw * 1.18, (up + down) * 1.08
    disc = 0.55 * size  # radius of the control disc under a place
    for p, us in groups.items():
        us.sort(key=lambda u: (c.unit_side[u], u))
        off = _layout([int(c.unit_side[u]) for u in us], dx, dy)
        off[:, 1] += disc + down + 0.1 * size  # the stack stands just above its place
        for u, o in zip(us, off):
            draw_pos[u] = draw_pos[u] + o

    # control: a disc in the holder's colour under each place; place names below
    labels = _short_names(m.places)
    per_pt = _data_per_point(ax, ext)
    placed: list[tuple[float, float, float, float]] = []  # label boxes drawn so far (x0, x1, y0, y1)
    for p in np.flatnonzero(on_map):
        h = control[p]
        if h >= 0:
            ax.add_patch(Circle(xy[p], disc, facecolor=tint(side_colour(h), 0.55), edgecolor=side_colour(h),
                                lw=1.0, alpha=0.8, zorder=2))
        ax.plot(*xy[p], "o", ms=2.5, color=MEDIAN, zorder=2.5)
        if label_places:
            # neighbours in the same row push the label aside: the west one left, the east one right,
            # one in between a line lower
            near = [q for q in np.flatnonzero(on_map) if q != p and abs(xy[q, 1] - xy[p, 1]) < 0.05 * span
                    and abs(xy[q, 0] - xy[p, 0]) < 0.12 * span]
            west = any(xy[q, 0] < xy[p, 0] for q in near)
            east = any(xy[q, 0] > xy[p, 0] for q in near)
            lx, ly, ha = xy[p, 0], xy[p, 1] - disc - 0.15 * size, "center"
            if near and not west:
                lx, ha = xy[p, 0] + disc * 0.3, "right"
            elif near and not east:
                lx, ha = xy[p, 0] - disc * 0.3, "left"
            elif near:
                ly -= 0.03 * span
            w, hgt = len(labels[p]) * 3.1 * per_pt, 6.5 * per_pt  # 6 pt text: ~3.1 pt a character
            x0 = {"center": lx - w / 2, "right": lx - w, "left": lx}[ha]
            for drop in (0.0, hgt):  # over another place's name: a line lower, or left off
                box = (x0, x0 + w, ly - drop - hgt, ly - drop)
                if not any(box[0] < b[1] and b[0] < box[1] and box[2] < b[3] and b[2] < box[3] for b in placed):
                    break
            else:
                continue  # a crowded theatre map: the name would be written over others
            ly -= drop
            placed.append(box)
            ax.text(lx, ly, labels[p], fontsize=6, ha=ha, va="top", zorder=8, color="#222222",
                    path_effects=_HALO)

    # movement over the last hours
    k0 = _snapshot(t, now - arrows_hours) if arrows_hours else k
    if t[k0] < now - arrows_hours - 1e-9 and k0 < k:
        k0 += 1
    for u in shown:
        if destroyed[u] or k0 >= k:
            continue
        path = np.clip(track[k0:k + 1, u], [ext[0], ext[2]], [ext[1], ext[3]])
        steps = np.hypot(*np.diff(path, axis=0).T)
        if steps.sum() < 0.3:
            continue
        col = side_colour(c.unit_side[u])
        ax.plot(path[:, 0], path[:, 1], color=col, lw=1.3, alpha=0.7, zorder=4, solid_capstyle="round")
        last = np.flatnonzero(steps > 1e-6)[-1]
        ax.annotate("", xy=path[last + 1], xytext=path[last], zorder=4,
                    arrowprops={"arrowstyle": "-|>", "color": col, "lw": 1.3, "alpha": 0.8, "mutation_scale": 9,
                                    "shrinkA": 0, "shrinkB": 0})

    # encircled pockets
    enc_units = [u for u in shown if enc[u] and not destroyed[u]]
    if enc_units:
        places = sorted({int(loc[u]) for u in enc_units})
        for grp in _clusters(xy[places], pocket_join_km):
            members = [u for u in enc_units if int(loc[u]) in {places[i] for i in grp}]
            ang = np.linspace(0, 2 * np.pi, 24, endpoint=False)
            ring = np.c_[np.cos(ang), np.sin(ang)] * 1.1 * size
            pts = np.vstack([draw_pos[u] + ring for u in members] + [xy[places[i]] + ring for i in grp])
            hull = _hull(pts)
            ax.add_patch(Polygon(hull, closed=True, facecolor="#00000008", edgecolor="#333333", lw=1.0,
                                 ls="--", hatch="//", zorder=3))
    # units
    for u in shown:
        ut = m.units[u]
        status = "destroyed" if destroyed[u] else ("broken" if broken[u] else "ok")
        alpha = 1.0 if _inside(pos[u], ext) else 0.6
        draw_unit(ax, draw_pos[u, 0], draw_pos[u, 1], int(c.unit_side[u]), ut.type, ut.echelon, size_km=size,
                  alpha=alpha, strength=float(pers[k, u] / pers0[u]) if pers0[u] > 0 else None, status=status,
                  zorder=6 + 0.001 * u)

    ax.set_xlim(ext[0], ext[1])
    ax.set_ylim(ext[2], ext[3])
    ax.set_aspect("equal", adjustable="box")
    ax.set_xlabel("east (km)")
    ax.set_ylabel("north (km)")
    ax.tick_params(labelsize=7)
    ax.set_facecolor("#FBFAF5")
    if title:
        when = m.engine.start + _dt.timedelta(hours=now)
        stamp = f"{when:%d %b %Y %H:%M} (hour {now:g})"
        if isinstance(title, str):
            ax.set_title(f"{title}: {stamp}", fontsize=9)
        else:
            ax.set_title(f"{m.scenario.name}, world {world}\nD+{now / 24:.1f}: {stamp}", fontsize=9)
    if legend:
        ax.legend(handles=legend_handles(c, arrows_hours, bool(enc_units)) + handles,
                  loc="lower right", fontsize=6, framealpha=0.85)
    return {
        "hour": now,
        "units": {c.unit_ids[u]: (float(pos[u, 0]), float(pos[u, 1])) for u in shown},
        "drawn": {c.unit_ids[u]: (float(draw_pos[u, 0]), float(draw_pos[u, 1])) for u in shown},
        "withdrawn": [c.unit_ids[u] for u in np.flatnonzero(withdrawn)],
        "encircled": [c.unit_ids[u] for u in enc_units],
        "extent": ext,
    }


def _data_per_point(ax, ext) -> float:
    """Map km per typographic point on ``ax`` (equal aspect: the tighter of width and height)."""
    fig = ax.figure
    pos = ax.get_position()
    w_in, h_in = pos.width * fig.get_figwidth(), pos.height * fig.get_figheight()
    return max((ext[1] - ext[0]) / max(w_in, 1e-6), (ext[3] - ext[2]) / max(h_in, 1e-6)) / 72.0


def legend_handles(c, arrows_hours: float = 6, pocket: bool = True) -> list:
    """Legend entries for sides, routes, crossings, movement, control and pockets."""
    hs = []
    for s in range(c.S):
        col = side_colour(s)
        hs.append(Line2D([], [], ls="none", marker="s" if s % 2 == 0 else "D", ms=7, mfc=tint(col), mec=col,
                         mew=1.2, label=_side_name(c, s)))
    hs.append(Line2D([], [], color=ROUTE, lw=0.9, label="route"))
    if (c.road_class == RAIL).any():
        hs.append(Line2D([], [], color=RAILWAY, lw=1.4, ls=(0, (6, 2)), label="railway"))
    if c.crossing.any():
        hs.append(Line2D([], [], ls="none", marker="s", ms=3.5, mfc="white", mec=RIVER, label="river crossing"))
    if arrows_hours:
        hs.append(Line2D([], [], color=MEDIAN, lw=1.3, marker=">", ms=4, label=f"moved in the last {arrows_hours:g} h"))
    hs.append(Patch(facecolor=tint(MEDIAN, 0.7), edgecolor=MEDIAN, alpha=0.6, label="place held (holder's colour)"))
    hs.append(Patch(facecolor="#00000010", edgecolor="#222222", hatch="//", ls="--", label="encircled units (pocket)"))
    return hs
