"""Conditions of an engagement: weather, season, air superiority, surprise, combat effectiveness.

The scenario's ``[conditions]`` table (:class:`nomonhan_sim.scenario.schema.Conditions`)
as QJM factors (values and sources in :mod:`.qjm_tables`), applied at two points of
:func:`nomonhan_sim.model.combat.combat_step`.

**Combat power** (:func:`power_factor`, a multiplier of each unit's power, ``(R, U)``).
A unit of side ``s`` with ``men`` and ``n_k`` pieces of class ``k`` (weight ``w_k``
man-equivalents) has the power ``(men + Σ_k w_k·n_k) · quality · …``; the conditions turn
it into ``(men + Σ_k w_k·n_k·g_sk) · quality · … · A_u · CEV_s``, where

* ``g_sk`` is the class factor of the QJM force-strength formula: tanks and armoured cars
  ``h_wt`` (the QJM's armour term ``W_i · h_wi``); guns ``h_wg · z_wg · w_yg(s)`` (its
  artillery term ``(W_g + W_gy) · h_wg · z_wg · w_yg``); 1 for men, machine guns, mortars
  (heavy weapons) and anti-tank guns, which the QJM scales by terrain only;
* ``A_u = h_ua · z_u`` (weather and season attack factors) for an attacking unit — posture
  level 0 (attack or reserve) and not at a place its side holds, the rule by which
  ``combat_step`` decides who defends — and 1 for the others (the QJM's ``h_ud = z_ud = 1``);
* ``CEV_s`` is the side's combat effectiveness value (default 1).

**Casualty rates** (:func:`casualty_factor`, a multiplier of side ``s``'s Dupuy daily rate
at every place):  ``h_c · v_y(s) · S_s(t)`` —

* ``h_c`` the weather casualty factor, the same for both sides (verity 11: "In bad weather,
  casualty rates for both sides decline markedly");
* ``v_y`` the air-superiority vulnerability: 0.9 for the side with superiority, 1.1 for the
  other, 1 at equality;
* ``S_s(t) = 1 + (V − 1)·φ(t)`` the surprise factor, with ``V = V_sur`` (0.9 minor, 0.6
  substantial, 0.4 complete) for the side that achieves surprise and ``V = V_surd`` (1.2,
  2, 3) for the surprised side (verity 9: "Casualty rates of a surprising force are lower
  than those of a surprised force"). ``φ = 1`` during the window ``[t0, t0 + H)`` without
  decay; with the QJM's decay ``φ = 1 − ⌊τ/24⌋ / (H/24)`` for ``τ = t − t0`` (with the
  default ``H = 72`` h: 1, 2/3, 1/3 on the three days, the QJM's "reduce by 1/3 for each
  day"); 0 outside the window.

Choices, and why:

* The vulnerability factors (``v_y``, ``V_sur``, ``V_surd``) act on casualty rates. In the
  QJM they enter the vulnerability ``V`` that lowers a side's power through
  ``v = 1 − (V/S)·(dispersion/3000)``; the model has neither the OLI-based ``V/S`` nor a
  dispersion factor, so they multiply the side's casualty rate instead — which is what the
  third-party transcription's own code does with the surprised side's factor (its defender
  casualty factor ``su_c`` is read from the surprised-vulnerability column).
* The surprise table's "casualties" (``su_c``) and "armour loss" (``su_ct``) columns are not
  used: they rise as surprise weakens (minor 2.5, substantial 2, complete 1.5), the reverse
  of what surprise should do, and the notes flag them as probably inverted; the same code
  ignores them too (see above).
* The surprise factors are not multiplied by the transcription's era factor 1.33 (marked
  "post 1966"); the model's wars are 1939–1945.

Not modelled here: the mobility factors (``h_m``, ``m_y``, ``M_sur`` — the model has no QJM
mobility characteristic; in the QJM ``M_sur`` also raises the surpriser's power through it),
the air factors ``h_wy``, ``z_wy``, ``w_yy`` (no aircraft equipment class), the terrain
factors of guns and tanks (``r_wg``, ``r_wt``; the combat model uses ``r_u`` and ``r_c``
only), and the enemy CEV in the QJM's tank and gun loss rates (equipment losses are
:mod:`.armour`'s).

Cost: the factors depend on the scenario only; they are looked up once per scenario
(memoised on the compiled conditions: the engine layer that compiles a scenario may not
read these model tables). Per step: nothing with neutral conditions; otherwise a few
``(R, U)`` element-wise products, and a scalar per side for the casualty rate.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import get_args

import numpy as np

from ..engine.compiled import ARMOUR_CLASSES, Compiled, CompiledConditions
from ..engine.state import World
from ..scenario.schema import SeasonRow, Surprise, WeatherRow
from .qjm_tables import (AIR_SUPERIORITY_FACTORS, SEASON_FACTORS, SURPRISE_DECAY_DAYS, SURPRISE_FACTORS,
                         WEATHER_FACTORS)

assert set(WEATHER_FACTORS) == set(get_args(WeatherRow))
assert set(SEASON_FACTORS) == set(get_args(SeasonRow))

#: Hours of a QJM day, over which the surprise factor steps down.
DAY_HOURS = 24.0
# the schema's default surprise window is the QJM's three days
assert Surprise.model_fields["hours"].default == SURPRISE_DECAY_DAYS * DAY_HOURS
#: Equipment classes scaled by the QJM's artillery factors (h_wg, z_wg, w_yg).
ARTILLERY_CLASSES = ("guns",)


@dataclass(frozen=True)
class Factors:
    """The QJM factors of one scenario's conditions (see the module docstring).

    ``attack``: h_ua · z_u of attacking units; ``cev``: (S,); ``class_factor``: (S, K)
    multiplier of each equipment class's man-equivalents; ``casualty``: (S,) h_c · v_y;
    ``surprise``: (S,) full-strength surprise vulnerability (1 for both sides without
    surprise); ``surprise_start``, ``surprise_hours`` (h) and ``surprise_decay``: the
    window; ``power``: whether any power factor differs from 1."""

    attack: float
    cev: np.ndarray
    class_factor: np.ndarray
    casualty: np.ndarray
    surprise: np.ndarray
    surprise_start: float
    surprise_hours: float
    surprise_decay: bool
    power: bool


@functools.lru_cache(maxsize=64)
def _factors(cond: CompiledConditions, classes: tuple[str, ...], S: int) -> Factors:
    _hm, h_ua, h_wg, _hwy, h_wt, h_c = WEATHER_FACTORS[cond.weather]
    z_u, z_wg, _zwy = SEASON_FACTORS[cond.season] if cond.season is not None else (1.0, 1.0, 1.0)
    air = ["equality"] * S
    if cond.air_superiority >= 0:
        air = ["inferiority"] * S
        air[cond.air_superiority] = "superiority"
    w_yg = np.array([AIR_SUPERIORITY_FACTORS[a][2] for a in air])
    v_y = np.array([AIR_SUPERIORITY_FACTORS[a][4] for a in air])
    class_factor = np.ones((S, len(classes)))
    for k, cls in enumerate(classes):
        if cls in ARMOUR_CLASSES:
            class_factor[:, k] = h_wt
        elif cls in ARTILLERY_CLASSES:
            class_factor[:, k] = h_wg * z_wg * w_yg
    surprise = np.ones(S)
    if cond.surprise_side >= 0:
        _m, v_sur, v_surd, _suc, _suct = SURPRISE_FACTORS[cond.surprise_level]
        surprise[:] = v_surd
        surprise[cond.surprise_side] = v_sur
    cev = np.array(cond.cev, float) if cond.cev else np.ones(S)
    attack = float(h_ua * z_u)
    for a in (cev, class_factor, surprise):
        a.setflags(write=False)
    return Factors(attack=attack, cev=cev, class_factor=class_factor, casualty=h_c * v_y,
                   surprise=surprise, surprise_start=cond.surprise_start_hour,
                   surprise_hours=cond.surprise_hours, surprise_decay=cond.surprise_decay,
                   power=bool(attack != 1.0 or (cev != 1.0).any() or (class_factor != 1.0).any()))


def factors(c: Compiled) -> Factors:
    """The QJM factors of ``c``'s conditions (looked up once per scenario)."""
    return _factors(c.conditions, tuple(c.equipment_classes), c.S)


def attacking(c: Compiled, w: World) -> np.ndarray:
    """``(R, U)`` units that attack: posture level 0 and not at a place their side holds."""
    holder = np.take_along_axis(w.control, w.loc, axis=1)
    return (w.posture == 0) & (holder != c.unit_side[None, :])


def power_factor(c: Compiled, w: World, now: float) -> np.ndarray | float:
    """``(R, U)`` combat-power multiplier of each unit from the conditions (module
    docstring): CEV × attack factor × the class factors' share of the unit's raw power
    ``men + Σ_k weight_k · pieces_k``; 1.0 (a scalar) when every factor is 1. ``now``: hours
    (unused: the power factors do not change with time)."""
    f = factors(c)
    if not f.power:
        return 1.0
    out = np.broadcast_to(f.cev[c.unit_side][None, :], (w.R, c.U))
    if f.attack != 1.0:
        out = out * np.where(attacking(c, w), f.attack, 1.0)
    changed = np.flatnonzero((f.class_factor != 1.0).any(axis=0))
    if changed.size:
        weights = np.stack([w.params[f"weight_{k}"] for k in c.equipment_classes], axis=1)     # (R, K)
        raw = w.pers + np.einsum("ruk,rk->ru", w.equip, weights)
        excess = (f.class_factor[:, changed] - 1.0)[c.unit_side]                               # (U, K')
        extra = np.einsum("ruk,rk,uk->ru", w.equip[:, :, changed], weights[:, changed], excess)
        with np.errstate(divide="ignore", invalid="ignore"):
            out = out * np.where(raw > 0, 1.0 + extra / raw, 1.0)
    return out


def surprise_weight(f: Factors, now: float) -> float:
    """Share of the full surprise effect at hour ``now`` (0 outside the window; module docstring)."""
    tau = now - f.surprise_start
    if f.surprise_hours <= 0 or tau < 0 or tau >= f.surprise_hours:
        return 0.0
    if not f.surprise_decay:
        return 1.0
    return 1.0 - math.floor(tau / DAY_HOURS + 1e-9) / (f.surprise_hours / DAY_HOURS)


def casualty_factor(c: Compiled, w: World, now: float, side: int) -> float:
    """Multiplier of ``side``'s Dupuy daily casualty rate at every place (a scalar,
    broadcastable to ``(R, P)``): weather h_c × air vulnerability × surprise factor at hour
    ``now`` (module docstring)."""
    f = factors(c)
    m = float(f.casualty[side])
    if f.surprise[side] != 1.0:
        m *= 1.0 + (float(f.surprise[side]) - 1.0) * surprise_weight(f, now)
    return m


__all__ = ["DAY_HOURS", "Factors", "attacking", "casualty_factor", "factors",
           "power_factor", "surprise_weight"]
