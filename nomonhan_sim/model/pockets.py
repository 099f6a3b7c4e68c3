"""Pockets: broken encircled units are reduced over time, and casualties are counted by kind.

A broken unit that is encircled (``w.broken & w.encircled``, not out of the battle) is the
collapsing part of a pocket. It is not erased when it breaks; every combat step of ``dt``
hours (:func:`reduce_pockets`):

1. **Break-out.** If a path leads from its place to one of its side's supply sources
   through places where no active enemy unit stands (presence, not control: the ring has
   a hole), ``pocket_open_path_escape_share`` of its men get out at once, the first time
   (they leave the battle: ``escaped``, not casualties), and the unit withdraws
   (:meth:`Movement.plan`, retried every step while the path is open).
2. **Hazards** (rates per hour) move men out of the unit, as competing risks over the step
   (share out = ``1 - exp(-(h_c + h_d + h_f)·dt)``, split in proportion to the rates):

   * surrender ``h_c = pocket_surrender_rate · τ · (1 + pocket_shortage_surrender_multiplier · s) · π``
     -> ``captured``;
   * destruction under pressure ``h_d = pocket_destruction_rate · τ · π`` -> ``killed``
     (share ``killed_share``) and ``wounded``;
   * filtering out ``h_f = pocket_filter_rate`` when there is no open path -> ``escaped``.

   Time encircled: ``τ = 1 + pocket_hazard_growth_per_day · days encircled``.
   Shortage inside the pocket ``s`` (0 supplied … 1 out of everything): with the supply
   model, ``max(1 - firepower_factor, 2·(1 - cohesion_factor))`` (ammunition; hunger, whose
   factor runs 1 … 0.5); without it, a function of time encircled only,
   ``1 - 0.5^(hours encircled / isolation_power_halflife_hours)`` (the stand-in
   :mod:`nomonhan_sim.model.combat` uses for running dry). Pressure ``π = 2·E / (E + M)``
   (0 … 2; 1 at parity): ``E`` enemy men of active units standing at the unit's place or at
   a place adjacent to it, ``M`` the men of the unit's side (not out) at its place. No enemy
   near, no surrender and no destruction: the pocket only filters out.
3. **Destruction.** Below ``ineffective_share`` of its initial men the unit is destroyed:
   of the men left, ``pocket_breakout_share`` escape and the others are captured; its
   equipment is abandoned, it is out of the battle.

Casualties by kind: combat losses (the increase of ``w.cas`` since the last step) are split
into killed (``killed_share``, per side ``killed_share.<side>`` when the scenario sets it)
and wounded at the step they happen, so ``killed + wounded + captured == cas + pocket_cas``
exactly. ``pocket_cas`` = men lost in pockets (killed, wounded, captured there);
conservation: ``pers0 == pers + cas + pocket_cas + escaped`` for every unit at every step.

Stochastic mode (``rng`` given): whole men, by binomial draws from ``rng`` (conditional
binomials for the competing risks = a multinomial). Deterministic mode: expected values.
Shapes ``(R, U)``; men, hours.
"""

from __future__ import annotations

import numpy as np

from ..engine.compiled import Compiled
from ..engine.eventlog import EventLog
from ..engine.network import neighbours, reachable
from ..engine.state import MOVING, OUT, World
from .movement import presence

HOURS_PER_DAY = 24.0


def killed_share(c: Compiled, w: World) -> np.ndarray:
    """``(R, U)`` share of a unit's killed and wounded who are killed (its side's value)."""
    per_side = np.stack([w.params.get(f"killed_share.{sid}", w.params["killed_share"])
                         for sid in c.side_ids], axis=1)                       # (R, S)
    return per_side[:, c.unit_side]


def _draw(rng: np.random.Generator | None, n: np.ndarray, p: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Men out of ``n`` with probability ``p`` where ``mask``: ``Binomial(n, p)`` with ``rng``,
    ``n · p`` without; zero elsewhere. ``p`` broadcasts to ``n``."""
    out = np.zeros_like(n, dtype=float)
    if not mask.any():
        return out
    pm = np.clip(np.broadcast_to(p, n.shape)[mask], 0.0, 1.0)  # only where drawn
    if rng is None:
        out[mask] = n[mask] * pm
    else:
        out[mask] = rng.binomial(np.rint(n[mask]).astype(np.int64), pm)
    return out


def _split(rng, n: np.ndarray, probs: list[np.ndarray], mask: np.ndarray) -> list[np.ndarray]:
    """Multinomial split of ``n`` over categories with probabilities ``probs`` (summing to at
    most 1; the rest stay), as conditional binomials; expected values without ``rng``."""
    left, rest, out = n.astype(float), np.ones_like(n, dtype=float), []
    for p in probs:
        with np.errstate(divide="ignore", invalid="ignore"):
            q = np.where(rest > 1e-12, p / rest, 0.0)
        k = _draw(rng, left, q, mask)
        out.append(k)
        left = left - k
        rest = rest - p
    return out


def split_combat_losses(c: Compiled, w: World, rng) -> None:
    """Split the combat losses since the last call (the increase of ``w.cas``) into killed
    and wounded. Called once per combat step, right after combat."""
    seen = w.extra.setdefault("cas_split", np.zeros_like(w.cas))
    inc = w.cas - seen
    new = inc > 0
    if new.any():
        k = _draw(rng, inc, killed_share(c, w), new)
        w.killed += k
        w.wounded += np.where(new, inc - k, 0.0)
    seen[...] = w.cas


def escape_open(c: Compiled, w: World, pres: np.ndarray, rows: np.ndarray | None = None) -> np.ndarray:
    """``(R, U)`` bool: a path leads from the unit's place to its side's supply sources through
    places where no active enemy unit stands (its own place admitted). ``pres``: ``(R, S, P)``.
    ``rows``: only these worlds (``(len(rows), U)``)."""
    rows = np.arange(w.R) if rows is None else rows
    loc = w.loc[rows]
    n = np.arange(rows.size)[:, None]
    out = np.zeros(loc.shape, bool)
    for s in range(c.S):
        reach = reachable(c.adj, c.sources[s], pres[rows, 1 - s, :] == 0)     # (n, P)
        near = reach | neighbours(c.adj).any(reach)
        out |= (c.unit_side == s)[None, :] & near[n, loc]
    return out


def _men_by_side_place(c: Compiled, w: World, where: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``(n, S, P)`` men of the units ``where`` (``(n, U)``) of the worlds ``rows``."""
    n = rows.size
    idx = (np.arange(n)[:, None] * c.S + c.unit_side[None, :]) * c.P + w.loc[rows]
    return np.bincount(idx[where], weights=w.pers[rows][where], minlength=n * c.S * c.P).reshape(n, c.S, c.P)


def pressure(c: Compiled, w: World, rows: np.ndarray | None = None) -> np.ndarray:
    """``(R, U)`` pressure on each unit's place, ``2·E/(E + M)`` (0 … 2, 1 at parity).
    ``rows``: only these worlds (``(len(rows), U)``)."""
    rows = np.arange(w.R) if rows is None else rows
    r, side, loc = np.arange(rows.size)[:, None], c.unit_side[None, :], w.loc[rows]
    mode = w.mode[rows]
    fighting = _men_by_side_place(c, w, (mode != OUT) & ~w.broken[rows] & (mode != MOVING), rows)
    near = fighting + fighting @ c.adj.astype(float)                             # place + neighbours
    E = near[r, 1 - side, loc]
    M = _men_by_side_place(c, w, mode != OUT, rows)[r, side, loc]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(E + M > 0, 2.0 * E / (E + M), 0.0)


def shortage(w: World, now: float, rows: np.ndarray | None = None) -> np.ndarray:
    """``(R, U)`` shortage inside the pocket, 0 (supplied) … 1 (out of everything).
    ``rows``: only these worlds (``(len(rows), U)``)."""
    rows = np.arange(w.R) if rows is None else rows
    if "firepower_factor" in w.extra:
        ammo = 1.0 - w.extra["firepower_factor"][rows]
        hunger = 2.0 * (1.0 - np.broadcast_to(w.extra.get("cohesion_factor", 1.0), w.pers.shape)[rows])
        s = np.maximum(ammo, hunger)
    else:
        hours = np.nan_to_num(now - w.encircled_since[rows])
        s = 1.0 - 0.5 ** (np.maximum(hours, 0.0) / w.params["isolation_power_halflife_hours"][rows, None])
    return np.clip(np.broadcast_to(s, (rows.size, w.pers.shape[1])), 0.0, 1.0)


def hazards(c: Compiled, w: World, now: float, open_path: np.ndarray,
            rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(h_c, h_d, h_f)`` hourly rates of surrender, destruction and filtering out, ``(R, U)``.
    ``rows``: only these worlds (``open_path`` and the rates ``(len(rows), U)``)."""
    rows = np.arange(w.R) if rows is None else rows
    def param(name):
        return w.params[name][rows, None]

    days = np.maximum(np.nan_to_num(now - w.encircled_since[rows]), 0.0) / HOURS_PER_DAY
    tau = 1.0 + param("pocket_hazard_growth_per_day") * days
    press = pressure(c, w, rows)
    h_c = (param("pocket_surrender_rate") * tau
           * (1.0 + param("pocket_shortage_surrender_multiplier") * shortage(w, now, rows)) * press)
    h_d = param("pocket_destruction_rate") * tau * press
    h_f = np.where(open_path, 0.0, param("pocket_filter_rate"))
    return h_c, h_d, h_f


def _leave(w: World, mask: np.ndarray, men: np.ndarray, kind: str) -> None:
    men = np.where(mask, np.minimum(men, w.pers), 0.0)
    w.pers -= men
    getattr(w, kind)[...] += men
    if kind != "escaped":
        w.pocket_cas += men


def reduce_pockets(c: Compiled, w: World, now: float, dt: float, rng, log: EventLog, move,
                   ineffective_share: float) -> np.ndarray:
    """One combat step of ``dt`` hours for the pockets (module docstring), in place.

    Call once per combat step, after combat and breakpoints. ``move``: the
    :class:`~nomonhan_sim.model.movement.Movement` (withdrawals, cancelling legs);
    ``ineffective_share``: share of its initial men below which a unit is destroyed.
    Returns the ``(R, U)`` mask of the collapsing units (broken, encircled, not out at the
    start of the step): their movement is this module's business.
    """
    split_combat_losses(c, w, rng)
    coll = w.broken & w.encircled & (w.mode != OUT)
    ws = np.nonzero(coll.any(axis=1))[0]  # the worlds with a pocket: the others have nothing to do
    if ws.size == 0:
        return coll
    p = w.params
    open_path = np.zeros_like(coll)
    open_path[ws] = escape_open(c, w, presence(c, w, ws), ws) & coll[ws]

    # 1. break-out along an open path: a share gets out at once, the unit withdraws
    done = w.extra.setdefault("pocket_broke_out", np.zeros(w.pers.shape, bool))
    first = open_path & ~done
    if first.any():
        _leave(w, first, _draw(rng, w.pers, p["pocket_open_path_escape_share"][:, None], first), "escaped")
        done |= first
    if open_path.any():
        move.plan(open_path, now)

    # 2. hazards over the step, as competing risks (the draws: world by world, unit by unit)
    alive = coll & (w.pers >= ineffective_share * w.pers0)
    h_c, h_d, h_f = hazards(c, w, now, open_path[ws], ws)
    H = h_c + h_d + h_f
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(H > 0, -np.expm1(-H * dt) / H, 0.0)
    ks = killed_share(c, w)[ws]
    parts = _split(rng, w.pers[ws], [h_c * scale, h_d * ks * scale, h_d * (1 - ks) * scale,
                                     h_f * scale], alive[ws])
    for men, kind in zip(parts, ("captured", "killed", "wounded", "escaped")):
        full = np.zeros(w.pers.shape)
        full[ws] = men
        _leave(w, alive, full, kind)

    # 3. below the combat-ineffective share: destroyed; the remnant escapes or is captured
    doomed = coll & (w.pers < ineffective_share * w.pers0)
    if doomed.any():
        esc = _draw(rng, w.pers, p["pocket_breakout_share"][:, None], doomed)
        _leave(w, doomed, esc, "escaped")
        _leave(w, doomed, w.pers.copy(), "captured")
        w.equip[doomed] = 0.0  # abandoned in the pocket
        w.destroyed |= doomed
        w.mode[doomed] = OUT
        move.clock.cancel(doomed)
        log.add_mask(now, doomed, "destroyed", w.loc)
    return coll
