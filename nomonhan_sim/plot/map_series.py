"""Small multiples and animation of the battle map over time."""

from __future__ import annotations

import numpy as np

from matplotlib.lines import Line2D

from .battle_map import MONGOLIAN_CLAIM_PLACES, RIVER, battle_map, legend_handles
from .map_geometry import _river, _traced




def battle_map_series(res, days=(0, 3, 5, 11), world: int = 0, ncols: int = 2, arrows_hours: float = 12):
    """Small multiples of :func:`battle_map` at D+``days`` (hour 24*day, clamped to the run).

    Movement arrows cover the ``arrows_hours`` before each snapshot. Returns the Figure.
    """
    import matplotlib.pyplot as plt

    c = res.compiled
    tr, _ = _traced(res, world)
    t = np.asarray(tr.t, float)
    n = len(days)
    ncols = min(ncols, n)
    nrows = int(np.ceil(n / ncols))
    fig, axes = plt.subplots(nrows, ncols, figsize=(6.2 * ncols, 6.2 * nrows + 0.9), squeeze=False)
    m = c.scenario.model
    for ax, d in zip(axes.flat, days):
        h = float(np.clip(24.0 * d, t[0], t[-1]))
        battle_map(ax, res, world=world, hour=h, arrows_hours=arrows_hours, legend=False, title=f"D+{d:g}")
    for ax in list(axes.flat)[n:]:
        ax.axis("off")
    extra = []
    if _river(c) is not None:
        ids = set(c.place_ids)
        extra.append(Line2D([], [], color=RIVER, lw=2.6, alpha=0.8,
                            label="river: Japanese-claimed border" if "nomonhan" in ids else "river"))
        if any(p in ids for p in MONGOLIAN_CLAIM_PLACES):
            extra.append(Line2D([], [], color="#6B3FA0", lw=1.3, ls=(0, (5, 3)), label="Mongolian-claimed border"))
    fig.legend(handles=legend_handles(c, arrows_hours) + extra, loc="lower center", ncol=5, fontsize=7.5,
               frameon=False)
    fig.suptitle(f"{m.scenario.name}: world {world}, H-hour {m.engine.start:%d %b %Y %H:%M}", fontsize=11)
    fig.tight_layout(rect=(0, 0.05, 1, 0.97))
    return fig


def animate_world(res, path, world: int = 0, step_hours: float = 3, fps: int = 4, arrows_hours: float = 6,
                  dpi: int = 90):
    """Write a GIF of world ``world``, one frame every ``step_hours`` (PillowWriter); returns ``path``."""
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation, PillowWriter

    tr, _ = _traced(res, world)
    t = np.asarray(tr.t, float)
    hours = np.arange(t[0], t[-1] + 1e-9, step_hours)
    fig, ax = plt.subplots(figsize=(7.5, 7.5))

    def frame(h):
        ax.clear()
        battle_map(ax, res, world=world, hour=float(h), arrows_hours=arrows_hours)
        return []

    anim = FuncAnimation(fig, frame, frames=hours, blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    plt.close(fig)
    return path
