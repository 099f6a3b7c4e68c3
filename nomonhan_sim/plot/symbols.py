"""Unit symbols in the manner of NATO APP-6, drawn with matplotlib patches in data units.

Simplified, for legibility on a schematic battle map:

* frame by side: side 0 a rectangle (APP-6 "friendly"), side 1 a diamond (APP-6
  "hostile"); edge in the side's colour from :data:`.style.SIDE_COLOURS`, fill a
  pale tint of it (the palette is the project's, not APP-6's blue/red);
* type glyph inside the frame: infantry, rifle, border guard X; tank oval;
  motor rifle (mechanised infantry) X and oval; motor-armoured oval and slash;
  cavalry and reconnaissance one diagonal slash; artillery a filled dot;
  machine gun X with a bar below; airborne X with a parachute arc; engineer the
  APP-6 bridge-like sign (a bar with three legs);
* echelon above the frame: company I, battalion II, regiment III, brigade X,
  division XX, corps XXX, army XXXX (drawn as strokes, so it scales with the map);
* optional strength bar under the frame (share of the initial men still there);
  a broken unit has a dashed frame, a destroyed one is drawn faint and grey.

Everything is in data units (km on the map), so symbols scale with the map.
"""

from __future__ import annotations

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.lines import Line2D
from matplotlib.patches import Circle, Ellipse, Polygon, Rectangle

from .style import SIDE_COLOURS

#: unit type -> glyph parts drawn inside the frame
GLYPHS: dict[str, tuple[str, ...]] = {
    "infantry": ("x",), "rifle": ("x",), "border_guard": ("x",),
    "tank": ("oval",), "motor_rifle": ("x", "oval"), "motor_armoured": ("oval", "slash"),
    "cavalry": ("slash",), "reconnaissance": ("slash",), "artillery": ("dot",),
    "machine_gun": ("x", "bar"), "airborne": ("x", "arc"), "engineer": ("engineer",),
}

#: echelon -> (kind of stroke, how many)
ECHELON_MARKS: dict[str, tuple[str, int]] = {
    "company": ("I", 1), "battalion": ("I", 2), "regiment": ("I", 3), "brigade": ("X", 1),
    "division": ("X", 2), "corps": ("X", 3), "army": ("X", 4),
}

FRAME_HEIGHT = 0.7  # rectangle height / width


def side_colour(side: int) -> str:
    """The colour of side index ``side`` (from the palette ``style.SIDE_COLOURS``)."""
    return SIDE_COLOURS[side % len(SIDE_COLOURS)]


def tint(colour: str, share: float = 0.78) -> tuple:
    """``colour`` mixed with ``share`` of white."""
    r, g, b = mcolors.to_rgb(colour)
    return (r + (1 - r) * share, g + (1 - g) * share, b + (1 - b) * share)


def frame_extent(side: int, size_km: float) -> tuple[float, float]:
    """Half width and half height of the frame of ``side`` for a symbol ``size_km`` wide."""
    if side % 2 == 0:
        return size_km / 2, size_km * FRAME_HEIGHT / 2
    a = size_km * 0.62
    return a, a


def symbol_extent(side: int, size_km: float, strength: bool = True) -> tuple[float, float, float]:
    """(half width, height above the centre incl. echelon mark, depth below incl. strength bar)."""
    hw, hh = frame_extent(side, size_km)
    return hw, hh + 0.33 * size_km, hh + (0.2 * size_km if strength else 0.0)


def draw_unit(ax, x: float, y: float, side: int, unit_type: str, echelon: str | None = None,
              size_km: float = 2.5, alpha: float = 1.0, strength: float | None = None,
              status: str = "ok", zorder: float = 6.0) -> list:
    """Draw one unit symbol centred at (x, y) km; returns the artists added.

    ``side`` 0 or 1 (frame shape and colour), ``unit_type`` a scenario unit type,
    ``echelon`` a scenario echelon (None: no mark), ``size_km`` the frame width,
    ``strength`` the share 0-1 of men left (None: no bar), ``status`` "ok",
    "broken" (dashed frame) or "destroyed" (faint, grey).
    """
    col = side_colour(side)
    fill = tint(col)
    ink = "black"
    ls = "-"
    if status == "broken":
        ls = (0, (2, 1.2))
    elif status == "destroyed":
        col, fill, ink = "#777777", "#DDDDDD", "#777777"
        alpha = min(alpha, 0.55)
    lw_frame = 1.1
    lw_glyph = 0.8
    arts: list = []

    def add(p):
        p.set_alpha(alpha)
        p.set_zorder(zorder)
        (ax.add_line if isinstance(p, Line2D) else ax.add_patch)(p)
        arts.append(p)

    fw, fh = frame_extent(side, size_km)
    if side % 2 == 0:
        add(Rectangle((x - fw, y - fh), 2 * fw, 2 * fh, facecolor=fill, edgecolor=col, lw=lw_frame, ls=ls))
        gw, gh = fw, fh  # glyph box: the frame
    else:
        add(Polygon([(x, y + fh), (x + fw, y), (x, y - fh), (x - fw, y)], closed=True,
                    facecolor=fill, edgecolor=col, lw=lw_frame, ls=ls))
        gw, gh = fw * 0.5, fw * 0.36  # box inscribed in the diamond

    def line(xs, ys, lw=lw_glyph):
        add(Line2D(np.asarray(xs) + x, np.asarray(ys) + y, color=ink, lw=lw, solid_capstyle="butt"))

    for part in GLYPHS.get(unit_type, ()):
        if part == "x":
            line([-gw, gw], [-gh, gh])
            line([-gw, gw], [gh, -gh])
        elif part == "oval":
            add(Ellipse((x, y), 1.25 * gw, 1.05 * gh, facecolor="none", edgecolor=ink, lw=lw_glyph))
        elif part == "slash":
            line([-gw, gw], [-gh, gh])
        elif part == "dot":
            add(Circle((x, y), 0.32 * gh, facecolor=ink, edgecolor=ink, lw=0.5))
        elif part == "bar":
            line([-0.3 * gw, 0.3 * gw], [-0.72 * gh, -0.72 * gh], lw=lw_glyph * 1.6)
        elif part == "arc":
            t = np.linspace(0, np.pi, 20)
            add(Line2D(x + 0.35 * gw * np.cos(t), y - gh + 0.35 * gh * np.sin(t) * 1.2, color=ink, lw=lw_glyph))
        elif part == "engineer":
            w2, top, bot = 0.55 * gw, 0.3 * gh, -0.3 * gh
            line([-w2, w2], [top, top])
            for xx in (-w2, 0.0, w2):
                line([xx, xx], [top, bot])

    if echelon in ECHELON_MARKS:
        kind, n = ECHELON_MARKS[echelon]
        base = y + fh + 0.06 * size_km
        mh = 0.22 * size_km
        if kind == "I":
            step = 0.11 * size_km
            for i in range(n):
                xx = x + (i - (n - 1) / 2) * step
                add(Line2D([xx, xx], [base, base + mh], color=ink, lw=lw_glyph))
        else:
            cw, step = 0.09 * size_km, 0.22 * size_km
            for i in range(n):
                xx = x + (i - (n - 1) / 2) * step
                add(Line2D([xx - cw, xx + cw], [base, base + mh], color=ink, lw=lw_glyph))
                add(Line2D([xx - cw, xx + cw], [base + mh, base], color=ink, lw=lw_glyph))

    if strength is not None:
        s = float(np.clip(strength, 0.0, 1.0))
        bw, bh = 2 * frame_extent(0, size_km)[0] * 0.9, 0.1 * size_km
        by = y - fh - 0.06 * size_km - bh
        add(Rectangle((x - bw / 2, by), bw, bh, facecolor="white", edgecolor="#555555", lw=0.4))
        if s > 0:
            add(Rectangle((x - bw / 2, by), bw * s, bh, facecolor=col, edgecolor="none"))
    return arts
