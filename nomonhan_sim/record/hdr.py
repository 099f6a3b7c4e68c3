"""The highest-density region (HDR) of a simulated distribution.

The 90 % HDR is the smallest set of values that holds 90 % of the probability: where the
density is highest. Unlike the 5–95 % interval it leaves out a trough between two modes,
so a record value sitting in that trough is outside it (Hyndman, "Computing and graphing
highest density regions", The American Statistician 50 (1996) 120–126).

How it is estimated from the simulated worlds:

* an outcome with few distinct values (at most ``DISCRETE_MAX`` — shares of a handful of
  places, counts of a few pieces) is treated as discrete: values are taken in order of
  their probability until the mass is reached;
* otherwise the density is a Gaussian kernel estimate (Scott's bandwidth, as
  ``scipy.stats.gaussian_kde``) on a grid of ``GRID`` points over the sample range ± 3
  bandwidths, and the region is the set of grid cells of highest density holding the
  mass, merged into intervals. The estimate is *binned*: the sample is spread linearly
  onto the grid and convolved with the kernel (Wand, "Fast computation of multivariate
  kernel estimators", J. Comp. Graph. Stat. 3 (1994) 433–445), which costs O(GRID²)
  instead of O(n · GRID) and differs from the exact estimate by O((grid step /
  bandwidth)²) — below 1e-3 relative at the grid used here (``tests/test_hdr.py``);
* an outcome that cannot go below (or above) a bound — casualties, pieces, tons and days
  are at least 0, shares at most 1 — gets its density reflected at the bound (the part
  of the kernel that spills past it is folded back inside; Silverman, *Density
  Estimation*, 1986, §2.10), so the region never holds impossible values such as
  negative casualties, and the mass near the bound is not lost;
* a value that many worlds share exactly (an atom: at least ``ATOM_MIN_SHARE`` of the
  worlds, ``ATOM_MIN_WORLDS`` worlds and ``ATOM_FACTOR`` times what the kernel estimate
  expects around it, so the hourly clock's lattice of event times is not one) in an
  otherwise continuous outcome — no losses at
  all, a capped advance, a unit stopped at one place — is a point of probability, not a
  peak of the density: it enters the region as that single value (with the density
  ``p / (bandwidth · sqrt(2π))``, like the "after the end" atom below) and the kernel
  estimate is made of the other worlds only; smoothing it would put values no world
  reached, next to it, inside the region;
* an event that did not happen in some worlds (NaN: "after the end of the run") is an
  atom of probability there; an atom has a higher density than any continuous part, so
  it enters the region first, and the continuous part fills the rest of the mass.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: Outcomes with at most this many distinct simulated values are treated as discrete.
DISCRETE_MAX = 20
#: Grid points of the kernel density estimate.
GRID = 1024
#: A value shared exactly by at least this share of the worlds, and ...
ATOM_MIN_SHARE = 0.05
#: ... by at least this many worlds, and by this many times the worlds the kernel estimate
#: expects around it, is an atom of a continuous outcome.
ATOM_MIN_WORLDS = 5
ATOM_FACTOR = 3.0


@dataclass(frozen=True)
class Region:
    """A highest-density region: closed ``intervals`` (in the outcome's unit, ascending),
    whether it holds the atom "did not happen within the run" (``after_end``), and the
    probability ``mass`` it was built to hold."""

    intervals: tuple[tuple[float, float], ...] = field(default_factory=tuple)
    after_end: bool = False
    mass: float = 0.9

    def overlaps(self, low: float, high: float) -> bool:
        """True if the range [low, high] shares a value with the region."""
        return any(lo <= high and hi >= low for lo, hi in self.intervals)

    def text(self, fmt=lambda x: f"{x:g}") -> str:
        """The region as text, e.g. ``4,600 – 8,100 ∪ 17,000 – 25,000``."""
        parts = [fmt(lo) if lo == hi else f"{fmt(lo)} – {fmt(hi)}" for lo, hi in self.intervals]
        if self.after_end:
            parts.append("after the end")
        return " ∪ ".join(parts) if parts else "-"


def _merge(points: np.ndarray, keep: np.ndarray, half: float) -> list[tuple[float, float]]:
    out, start = [], None
    for i in range(points.size):
        if keep[i] and start is None:
            start = i
        if start is not None and (i == points.size - 1 or not keep[i + 1]):
            out.append((float(points[start] - half), float(points[i] + half)))
            start = None
    return out


def _select(density: np.ndarray, prob: np.ndarray, mass: float) -> np.ndarray:
    """Indices of the highest-``density`` entries whose ``prob`` adds up to ``mass``."""
    order = np.argsort(-density, kind="stable")
    k = int(np.searchsorted(np.cumsum(prob[order]), mass - 1e-12)) + 1
    return order[:k]


def scott_bandwidth(x: np.ndarray) -> float:
    """Scott's rule for one dimension: sample standard deviation × n^(-1/5), in the
    unit of ``x`` (what ``scipy.stats.gaussian_kde`` uses by default)."""
    return float(np.std(x, ddof=1) * x.size ** -0.2)


def binned_kde(x: np.ndarray, grid: np.ndarray, bw: float) -> np.ndarray:
    """Gaussian kernel density of the sample ``x`` (bandwidth ``bw``) at the points of the
    evenly spaced ``grid`` that covers every value of ``x``, per unit of ``x``.

    Linear binning: each value splits its weight between the two grid points around it in
    proportion to its distance, then the binned counts are convolved with the kernel
    sampled at multiples of the grid step."""
    dx = grid[1] - grid[0]
    pos = (x - grid[0]) / dx
    left = np.clip(np.floor(pos).astype(np.int64), 0, grid.size - 2)
    frac = pos - left
    counts = np.bincount(left, 1.0 - frac, grid.size) + np.bincount(left + 1, frac, grid.size)
    reach = min(grid.size - 1, int(np.ceil(8.0 * bw / dx)))  # the kernel beyond 8 bw is < 1e-14
    offsets = np.arange(-reach, reach + 1) * dx
    kernel = np.exp(-0.5 * (offsets / bw) ** 2) / (bw * np.sqrt(2.0 * np.pi))
    return np.convolve(counts, kernel)[reach:reach + grid.size] / x.size


def _reflect(grid: np.ndarray, dens: np.ndarray, bounds: tuple[float, float]) -> np.ndarray:
    """``dens`` on ``grid`` with the density beyond each finite bound folded back inside
    (reflection) and set to 0 outside the bounds."""
    lo, hi = bounds
    out = dens.copy()
    if np.isfinite(lo):
        out += np.interp(2 * lo - grid, grid, dens, left=0.0, right=0.0)
    if np.isfinite(hi):
        out += np.interp(2 * hi - grid, grid, dens, left=0.0, right=0.0)
    out[(grid < lo) | (grid > hi)] = 0.0
    return out


def _atoms(fin: np.ndarray, vals: np.ndarray, counts: np.ndarray, n: int) -> np.ndarray:
    """Which distinct values ``vals`` (of the finite sample ``fin``, ``counts`` each, of ``n``
    worlds) are atoms: shared by at least ``ATOM_MIN_SHARE`` of the worlds and
    ``ATOM_MIN_WORLDS`` worlds, and by at least ``ATOM_FACTOR`` times the worlds the other
    values' kernel estimate puts between it and its neighbouring values. The last
    test keeps a lattice (event times on the hourly clock, where every value is shared by
    many worlds, each about as many as its neighbours) continuous; a spike stands out."""
    cand = counts >= max(ATOM_MIN_WORLDS, ATOM_MIN_SHARE * n)
    if not cand.any() or vals.size < 3:
        return cand
    bw = scott_bandwidth(fin)
    grid = np.linspace(fin.min() - 3 * bw, fin.max() + 3 * bw, GRID)
    dens = binned_kde(fin, grid, bw)
    gaps = np.diff(vals)
    spacing = np.r_[gaps[0], 0.5 * (gaps[:-1] + gaps[1:]), gaps[-1]]  # width each value stands for
    # the density the other worlds put at each value: the whole estimate less the value's own kernel
    others = np.maximum(fin.size * np.interp(vals, grid, dens) - counts / (bw * np.sqrt(2 * np.pi)), 0.0)
    return cand & (counts >= ATOM_FACTOR * others * spacing)


def highest_density_region(values, mass: float = 0.9,
                           bounds: tuple[float, float] = (-np.inf, np.inf)) -> Region:
    """The ``mass`` highest-density region of the simulated ``values`` (NaN or +inf =
    the event did not happen within the run). ``bounds``: the values the outcome can take
    (e.g. ``(0, inf)`` for casualties, ``(0, 1)`` for a share); the density is reflected at
    a finite bound and the region stays inside them.

    The atom "after the end" (share ``p`` of the worlds) competes with the rest at the
    kernel's resolution: its density is taken as ``p / (bandwidth · sqrt(2π))``, the peak
    of the atom smoothed with the same kernel (for a discrete outcome: its probability
    beside the other values' probabilities)."""
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return Region((), False, mass)
    happened = np.isfinite(v)
    q = float(happened.mean())        # share of worlds where it happened
    p_after = 1.0 - q
    fin = v[happened]
    if fin.size == 0:
        return Region((), True, mass)
    if np.unique(fin).size <= DISCRETE_MAX:
        vals, counts = np.unique(fin, return_counts=True)
        prob = np.append(counts / v.size, p_after)
        chosen = _select(prob, prob, mass)
        after = bool(p_after > 0 and vals.size in chosen)
        taken = sorted(float(vals[i]) for i in chosen if i < vals.size)
        return Region(tuple((x, x) for x in taken), after, mass)
    vals, counts = np.unique(fin, return_counts=True)
    is_atom = _atoms(fin, vals, counts, v.size)
    cont = fin[~np.isin(fin, vals[is_atom])]
    if np.unique(cont).size < 2:  # the atoms are (nearly) all there is: a discrete outcome
        cont, is_atom = fin, np.zeros_like(is_atom)
    atoms, p_atoms = vals[is_atom], counts[is_atom] / v.size
    q_cont = cont.size / v.size                           # share of worlds in the continuous part
    bw = scott_bandwidth(cont)
    grid = np.linspace(fin.min() - 3 * bw, fin.max() + 3 * bw, GRID)
    dx = grid[1] - grid[0]
    dens = q_cont * binned_kde(cont, grid, bw)            # per unit of the outcome, all worlds
    lo = bounds[0] if fin.min() >= bounds[0] else -np.inf  # a bound the sample breaks is not one
    hi = bounds[1] if fin.max() <= bounds[1] else np.inf
    if np.isfinite(lo) or np.isfinite(hi):
        dens = _reflect(grid, dens, (lo, hi))
    prob = dens * dx
    prob *= q_cont / prob.sum()                           # the grid holds the continuous share
    peak = 1.0 / (bw * np.sqrt(2 * np.pi))                # an atom's density: its mass smoothed by the kernel
    density = np.concatenate([dens, p_atoms * peak, [p_after * peak]])
    chosen = _select(density, np.concatenate([prob, p_atoms, [p_after]]), mass)
    keep = np.zeros(GRID, bool)
    keep[chosen[chosen < GRID]] = True
    after = bool(p_after > 0 and GRID + atoms.size in chosen)
    parts = [(max(a, lo), min(b, hi)) for a, b in _merge(grid, keep, dx / 2)]  # cells' half-widths end at a bound
    for i in chosen[(chosen >= GRID) & (chosen < GRID + atoms.size)]:
        x = float(atoms[i - GRID])
        near = [k for k, (a, b) in enumerate(parts) if a - dx <= x <= b + dx]
        if near:  # an atom at (or within a grid cell of) a kept interval: the interval reaches it
            a, b = parts[near[0]]
            parts[near[0]] = (min(a, x), max(b, x))
        else:
            parts.append((x, x))
    return Region(tuple(sorted(parts)), after, mass)


__all__ = ["DISCRETE_MAX", "GRID", "Region", "binned_kde", "highest_density_region", "scott_bandwidth"]
