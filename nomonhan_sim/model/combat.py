"""Combat at contested places, all places of all worlds at once.

A place is contested when active units of both sides stand there. Per side and
place:

* personnel ``N`` (men) and combat power ``P`` (man-equivalents):
  ``P = Σ_units (men + Σ_k weight_k · pieces_k) · quality · isolation · D``, where
  ``D`` = posture strength × terrain defence factor for the side that held the
  place (the defender), 1 otherwise. Posture level is the unit's own, or the
  place's fortification for the side that built it (its initial holder),
  whichever is higher. ``isolation`` is the supply model's ammunition factor
  (:mod:`nomonhan_sim.supply`) or, in scenarios without supply, halves an
  encircled unit's power every ``isolation_power_halflife_hours``. The conditions
  (:mod:`nomonhan_sim.model.conditions`: weather, surprise, air superiority, CEV)
  multiply it. Then :mod:`nomonhan_sim.model.frontage`: beyond the density limit of
  the place's frontage only part of a side's power is engaged (and only part of its
  men exposed to loss), and guns within range of a contested place add their power.
* losses from the chosen attrition law (:mod:`nomonhan_sim.attrition`):
  Lanchester family with ``k · P_opp^p · N^q``; or Dupuy daily rates
  ``base(role) · multiplier(side) · model-form multiplier (one per world) · posture
  casualty factor · terrain casualty factor · size factor(men) · opposition factor(P/P_opp)``, where "men" is
  the side's men at the place (``size_basis = "engagement"``, default) or in
  combat anywhere (``"side"``).
  The Dupuy rate applies to the side's men exposed to loss; the conditions multiply it.
* losses are spread over the side's units at the place in proportion to their
  men; equipment losses follow :mod:`nomonhan_sim.model.armour`.
"""

from __future__ import annotations

import numpy as np

from . import armour, attrition, conditions, frontage
from ..engine.compiled import Compiled
from ..engine.state import MOVING, World
from .qjm_tables import POSTURE_DEFENDER_CASUALTY, POSTURE_STRENGTH, opposition_factor, size_factor, terrain_factors

LANCHESTER_COEF = {"square": "square_coefficient", "linear": "linear_coefficient",
                   "logarithmic": "logarithmic_coefficient", "power": "power_coefficient"}


def equipment_weights(c: Compiled, w: World) -> np.ndarray:
    """``(R, K)`` man-equivalents per piece of each equipment class."""
    return np.stack([w.params[f"weight_{k}"] for k in c.equipment_classes], axis=1)


def _side_sum(c: Compiled, w: World, values: np.ndarray, where: np.ndarray) -> np.ndarray:
    """Sum ``(R, U)`` values over units into ``(R, S, P)`` by side and place."""
    idx = (np.arange(w.R)[:, None] * c.S + c.unit_side[None, :]) * c.P + w.loc
    flat = np.bincount(idx[where], weights=values[where], minlength=w.R * c.S * c.P)
    return flat.reshape(w.R, c.S, c.P)


#: Length of an engagement-day, hours: the QJM size factor is fixed for this long.
ENGAGEMENT_DAY_HOURS = 24.0


def held_size_factor(w: World, side: int, now: float, contested: np.ndarray,
                     men: np.ndarray) -> np.ndarray:
    """The QJM size factor of ``side`` at every place, ``(R, P)``, held for the engagement-day.

    Dupuy's daily casualty rates and their size factor were measured per engagement and
    day, so the factor is taken from the men the side has in the engagement when it
    starts, or at the first combat step of each later engagement-day (days of
    ``ENGAGEMENT_DAY_HOURS`` counted from hour 0), and kept until the day ends: a force
    shrinking within the day does not raise its own loss rate. A place that is no longer
    contested ends its engagement (a new one starts from its own men). ``men``: (R, P) or
    (R, 1) men in combat.
    """
    R, P = contested.shape
    key = f"size_factor_held.{side}"
    if key not in w.extra:
        w.extra[key] = np.full((R, P), np.nan)
        w.extra[f"size_factor_day.{side}"] = np.full((R, P), -1, dtype=np.int64)
    held, day = w.extra[key], w.extra[f"size_factor_day.{side}"]
    today = int(np.floor(now / ENGAGEMENT_DAY_HOURS + 1e-9))
    fresh = contested & (day != today)
    if fresh.any():
        held[fresh] = size_factor(np.broadcast_to(men, (R, P)))[fresh]
        day[fresh] = today
    held[~contested] = np.nan
    day[~contested] = -1
    return np.where(contested, held, 1.0)


def _quiet_step(w: World, now: float, dt: float) -> None:
    """The book-keeping of a step in which no place of any world is contested, done as a
    contested step would do it for each world's quiet places, so that a world's history
    does not depend on whether its batch-mates are fighting: engagements end (the held
    size factors are dropped) and repairs due come back."""
    for side_key in [k for k in w.extra if k.startswith("size_factor_held.")]:
        w.extra[side_key][:] = np.nan
        w.extra[side_key.replace("held", "day")][:] = -1
    armour.return_repairs_due(w, now, dt)


def combat_step(c: Compiled, w: World, now: float, dt: float, law: str,
                rng: np.random.Generator | None, size_basis: str = "engagement") -> np.ndarray:
    """Apply one combat step of ``dt`` hours in place; returns ``(R, P)`` contested mask."""
    R, _U = w.R, c.U
    rows = np.arange(R)[:, None]
    fighting = w.active & (w.mode != MOVING)
    N = _side_sum(c, w, w.pers, fighting)
    contested = (N[:, 0, :] > 0) & (N[:, 1, :] > 0)
    in_fight = fighting & contested[rows, w.loc]
    w.extra["in_combat"] = in_fight  # read by supply consumption
    if not contested.any():
        _quiet_step(w, now, dt)
        return contested

    # --- combat power -----------------------------------------------------
    _, terrain_defence, terrain_casualty = terrain_factors(c.terrain)  # (P,) r_u, r_c
    holder = w.control[rows, w.loc]                             # (R, U)
    defending = holder == c.unit_side[None, :]
    fort = np.where(c.initial_holder[w.loc] == c.unit_side[None, :], c.fort_level[w.loc], 0)
    level = np.maximum(w.posture, fort)
    def_mult = np.where(defending, POSTURE_STRENGTH[level] * terrain_defence[w.loc], 1.0)
    if "firepower_factor" in w.extra:  # the supply model: encircled units simply run dry
        iso = w.extra["firepower_factor"]
    else:  # no supply model: a stand-in decay of encircled units' power
        iso = np.where(w.encircled,
                       0.5 ** (np.nan_to_num(now - w.encircled_since) / w.params["isolation_power_halflife_hours"][:, None]),
                       1.0)
    raw = w.pers + np.einsum("ruk,rk->ru", w.equip, equipment_weights(c, w))
    unit_factor = iso * conditions.power_factor(c, w, now)                         # (R, U)
    power = raw * w.quality * def_mult * unit_factor
    Pw = _side_sum(c, w, power, in_fight)
    N = _side_sum(c, w, w.pers, in_fight)
    Pw, exposed = frontage.engaged(c, w, Pw, N)                                     # density limit
    Pw = Pw + frontage.artillery_support(c, w, contested, fighting, unit_factor)    # guns in range
    n0, n1 = N[:, 0, :], N[:, 1, :]
    p0, p1 = Pw[:, 0, :], Pw[:, 1, :]

    # --- expected losses per side and place ---------------------------------
    if law in LANCHESTER_COEF:
        k = w.params[LANCHESTER_COEF[law]][:, None]
        p, q = attrition.exponents(law, w.params["power_p"][0], w.params["power_q"][0])
        with np.errstate(divide="ignore", invalid="ignore"):
            c0 = np.where(n0 > 0, p0 / n0, 0.0)   # power per man
            c1 = np.where(n1 > 0, p1 / n1, 0.0)
        k0 = k * np.power(c1, p)                  # coefficient of side 0's losses
        k1 = k * np.power(c0, p)
        a, b = attrition.lanchester_step(n0, n1, k0, k1, p, q, dt)
        mean = np.stack([n0 - a, n1 - b], axis=1)
    elif law == "dupuy":
        mean = np.zeros((R, c.S, c.P))
        cas_f = np.where(defending, POSTURE_DEFENDER_CASUALTY[level], 1.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            cas_factor = _side_sum(c, w, w.pers * cas_f, in_fight) / N
        for s in range(c.S):
            own_n, own_p, opp_p = N[:, s, :], Pw[:, s, :], Pw[:, 1 - s, :]
            is_def = w.control == s
            base = np.where(is_def, w.params["dupuy_defender_rate"][:, None],
                            w.params["dupuy_attacker_rate"][:, None])
            mult = (w.params.get(f"casualty_rate_multiplier.{c.side_ids[s]}",
                                 w.params["casualty_rate_multiplier"])
                    * w.params["model_form_multiplier"])[:, None]
            if size_basis == "side":
                men_in_combat = np.where(contested, own_n, 0.0).sum(axis=1, keepdims=True)
            else:
                men_in_combat = own_n
            size = held_size_factor(w, s, now, contested, men_in_combat)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(opp_p > 0, own_p / opp_p, 1.0)
            rate = (base * mult * np.nan_to_num(cas_factor[:, s, :], nan=1.0)
                    * terrain_casualty[None, :] * size * opposition_factor(ratio)
                    * conditions.casualty_factor(c, w, now, s))
            mean[:, s, :] = attrition.dupuy_loss(exposed[:, s, :], rate, dt)
    else:  # pragma: no cover - schema restricts the law names
        raise ValueError(f"unknown attrition law {law!r}")

    mean = np.where(contested[:, None, :], mean, 0.0)
    loss = attrition.realise(mean, N, rng)

    # --- spread over units and equipment -----------------------------------
    side_loss = loss[rows, c.unit_side[None, :], w.loc]
    side_men = N[rows, c.unit_side[None, :], w.loc]
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(in_fight & (side_men > 0), side_loss / side_men, 0.0)
    unit_loss = w.pers * share
    if rng is not None:
        unit_loss = np.round(unit_loss)
    unit_loss = np.minimum(unit_loss, w.pers)
    armour.equipment_losses(c, w, unit_loss, defending, rng, now=now, dt=dt, in_fight=in_fight,
                            side_loss=loss, side_men=N, contested=contested)
    w.pers -= unit_loss
    w.cas += unit_loss
    return contested
