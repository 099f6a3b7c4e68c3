"""Equipment losses in combat: armour at formation level, knocked out or destroyed, repairs.

:func:`equipment_losses` runs once per combat step (called by
:func:`nomonhan_sim.model.combat.combat_step` before the men lost are subtracted). For
side s at contested place p it takes the *formation's* personnel loss share of the step,

    λ = L_sp / N_sp          (men the side loses at p this step / its men in the fight there),

the same for every unit of the side at p, and applies it to their equipment:

* **Armour** (``ARMOUR_CLASSES``: tanks, armoured cars). The share ``r`` of each unit's
  serviceable vehicles is knocked out::

      r   = min(1, λ · m · f_AT)
      m   = tank_loss_multiplier_attacker (6) or tank_loss_multiplier_defender (3)
      f_AT = clip((ρ / armour_antitank_reference) ^ armour_antitank_exponent,
                  armour_antitank_factor_min, armour_antitank_factor_max)
      ρ   = A_enemy / V_own
      A_enemy = Σ enemy units in the fight at p of (anti-tank guns + w_guns · guns
                + w_tanks · tanks + w_armoured_cars · armoured cars)   (anti-tank means)
      V_own   = the side's tanks + armoured cars in the fight at p

  — the QJM's "tank loss rate = personnel rate × 6.0 (attacker) or 3.0 (defender) ×
  armour-size factor × enemy CEV" (combat_models.md §3.3) taken at the formation level it
  was measured at, with the enemy's anti-tank means per own armoured vehicle in place
  of the armour-size factor, and the enemy CEV taken as 1. Of the vehicles knocked out,
  the share ``armour_destroyed_share`` is destroyed (irrecoverable); the others are
  damaged and return to their unit ``armour_repair_hours`` later (at the first combat step
  at or after that time). **Damaged vehicles of a unit that is destroyed (a pocket) or
  encircled when they fall due are written off** and counted as destroyed: the
  repair shops and recovery vehicles are behind the ring. Vehicles of a unit that broke
  and withdrew do return — they are serviceable, although the unit no longer fights.
* **Everything else** loses, for good, the share ``min(1, λ · m_k)`` of its pieces:
  ``m_k = gun_loss_multiplier`` for guns, anti-tank guns and mortars (QJM: artillery loss
  rate = personnel rate × enemy CEV, CEV taken as 1), 1 for machine guns and trucks.

Stochastic mode (``rng`` given): knocked out ~ Binomial(vehicles, r), destroyed ~
Binomial(knocked out, destroyed share), other losses ~ Binomial(pieces, share).
Deterministic mode (``rng is None``): the expected values, in fractions of a piece.

Accounting (:class:`ArmourLedger`, kept in ``w.extra["armour"]``), per world, unit with
armour and armour class: knocked out (cumulative) = destroyed + repaired + under repair,
and ``w.equip`` = initial − destroyed − under repair (− serviceable vehicles abandoned
when a pocket is destroyed, which ``simulation`` zeroes). Repairs are processed whenever
this function runs, i.e. at combat steps when some place of some world of the batch is
contested; :func:`serviceable_at_end` and :func:`armour_accounts` also count, at the end
of a run, the repairs that fell due after the last such step. Units: vehicles and pieces,
hours; shares 0-1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..engine.compiled import ARMOUR_CLASSES

#: Enemy classes counted as anti-tank means -> parameter of their weight (anti-tank
#: guns are the unit of anti-tank means: weight 1, no parameter).
ANTITANK_WEIGHT_PARAMS = {"guns": "armour_antitank_weight_guns",
                          "tanks": "armour_antitank_weight_tanks",
                          "armoured_cars": "armour_antitank_weight_armoured_cars"}


@dataclass
class ArmourLedger:
    """Knocked-out armour of a batch, for the units that hold armour in some world, and
    the per-world constants of the loss rule (drawn parameters do not change in a run).

    ``ring[j % L]`` holds the damaged vehicles that fall due at combat step ``j``
    (hour ``j · dt``); ``L`` exceeds the longest repair delay in steps, so a slot is
    emptied before it is reused. Arrays are ``(R, Ua, Ka)`` vehicles unless commented.
    """

    units: np.ndarray        # (Ua,) unit indices
    classes: np.ndarray      # (Ka,) indices of the armour classes in c.equipment_classes
    dt: float                # hours per combat step
    delay_steps: np.ndarray  # (R,) steps from knock-out to return (>= 1)
    ring: np.ndarray         # (L, R, Ua, Ka) damaged vehicles by the step they fall due (mod L)
    last_step: int           # last step whose due repairs have been processed
    knocked_out: np.ndarray  # cumulative
    destroyed: np.ndarray    # cumulative, damaged vehicles written off included
    repaired: np.ndarray     # cumulative, returned to their unit
    at_weight: np.ndarray    # (R, K) anti-tank means per piece of each class (antitank_weights)
    other_m: np.ndarray      # (R, K) loss multiplier of the classes other than armour (0 for armour)
    other_held: np.ndarray   # (R, U, K) bool: the unit started with pieces of a class other than armour

    @property
    def under_repair(self) -> np.ndarray:
        """``(R, Ua, Ka)`` damaged vehicles not yet back."""
        return self.ring.sum(axis=0)


def _step(hours: float, dt: float) -> int:
    return int(np.floor(hours / dt + 1e-6))


def ledger(c, w, now: float = 0.0, dt: float | None = None) -> ArmourLedger:
    """The batch's :class:`ArmourLedger`, created at the first combat step (``now``, ``dt``)."""
    led = w.extra.get("armour")
    if led is None:
        dt = float(c.scenario.model.engine.combat_step_hours if dt is None else dt)
        classes = np.array([k for k, cls in enumerate(c.equipment_classes) if cls in ARMOUR_CLASSES], dtype=np.intp)
        units = np.flatnonzero((w.equip0[:, :, classes] > 0).any(axis=(0, 2))).astype(np.intp)
        delay = np.maximum(1, np.ceil(w.params["armour_repair_hours"] / dt - 1e-9)).astype(np.int64)
        shape = (w.R, units.size, classes.size)
        other_m = np.where(_gun_classes(c)[None, :], w.params["gun_loss_multiplier"][:, None], 1.0)
        other_m[:, classes] = 0.0
        led = ArmourLedger(units=units, classes=classes, dt=dt, delay_steps=delay,
                           ring=np.zeros((int(delay.max()) + 1,) + shape), last_step=_step(now, dt) - 1,
                           knocked_out=np.zeros(shape), destroyed=np.zeros(shape), repaired=np.zeros(shape),
                           at_weight=antitank_weights(c, w), other_m=other_m,
                           other_held=(w.equip0 > 0) & (other_m > 0)[:, None, :])
        w.extra["armour"] = led
    return led


def admit_joined_pieces(w) -> None:
    """Let pieces that joined a unit after the ledger was set up (replacements) share its
    losses: a unit that now has armour joins the ledger, and a class of other pieces it
    now has counts as held (the ledger is set up at the first contested step, from the
    pieces units had then). Nothing to do before that step: the ledger will see them."""
    led = w.extra.get("armour")
    if led is None:
        return
    led.other_held |= (w.equip0 > 0) & (led.other_m > 0)[:, None, :]
    has = np.flatnonzero((w.equip0[:, :, led.classes] > 0).any(axis=(0, 2)))
    if np.isin(has, led.units).all():
        return
    units = np.union1d(led.units, has).astype(np.intp)
    pos = np.searchsorted(units, led.units)

    def widen(a: np.ndarray, axis: int) -> np.ndarray:
        shape = list(a.shape)
        shape[axis] = units.size
        out = np.zeros(shape)
        ix = [slice(None)] * a.ndim
        ix[axis] = pos
        out[tuple(ix)] = a
        return out

    led.ring = widen(led.ring, 2)
    led.knocked_out, led.destroyed, led.repaired = (widen(a, 1) for a in (led.knocked_out, led.destroyed, led.repaired))
    led.units = units


def _gun_classes(c) -> np.ndarray:
    """``(K,)`` bool: classes that lose at ``gun_loss_multiplier`` (guns, anti-tank guns, mortars)."""
    return np.array([cls in ("guns", "anti_tank_guns", "mortars") for cls in c.equipment_classes])


def antitank_weights(c, w) -> np.ndarray:
    """``(R, K)`` anti-tank means per piece of each class (anti-tank guns 1, see
    ``ANTITANK_WEIGHT_PARAMS``; 0 for classes that are no anti-tank means)."""
    weight = np.zeros((w.R, c.K))
    for k, cls in enumerate(c.equipment_classes):
        if cls == "anti_tank_guns":
            weight[:, k] = 1.0
        elif cls in ANTITANK_WEIGHT_PARAMS:
            weight[:, k] = w.params[ANTITANK_WEIGHT_PARAMS[cls]]
    return weight


def _flat_index(c, w, side: np.ndarray) -> np.ndarray:
    """``(R, U)`` index into a flattened ``(R, S, P)`` array: world, ``side`` (R, U) or
    (1, U), each unit's place."""
    return (np.arange(w.R)[:, None] * c.S + side) * c.P + w.loc


def antitank_factor(c, w, in_fight: np.ndarray, units: np.ndarray | None = None,
                    weight: np.ndarray | None = None, own_ix: np.ndarray | None = None) -> np.ndarray:
    """``(R, n)`` factor f_AT of the enemy's anti-tank means per own armoured vehicle at the
    place of each of ``units`` (indices; default all units; own armour is counted over
    them, so they must include every unit that holds armour), see the module docstring;
    1 where the unit's side has no armour in the fight there. ``weight``: (R, K)
    :func:`antitank_weights`, ``own_ix``: ``_flat_index`` of the units' own sides, if
    already at hand."""
    p = w.params
    units = np.arange(c.U) if units is None else units
    weight = antitank_weights(c, w) if weight is None else weight
    armour = np.array([k for k, cls in enumerate(c.equipment_classes) if cls in ARMOUR_CLASSES], dtype=np.intp)
    own_ix = _flat_index(c, w, c.unit_side[None, :]) if own_ix is None else own_ix
    n = w.R * c.S * c.P
    means = np.matmul(w.equip, weight[:, :, None])[:, :, 0] * in_fight               # (R, U) anti-tank means
    means = np.bincount(own_ix.ravel(), means.ravel(), minlength=n)                  # (R*S*P,)
    ix = own_ix[:, units]
    vehicles = w.equip[:, units[:, None], armour[None, :]].sum(axis=2) * in_fight[:, units]   # (R, n)
    own = np.bincount(ix.ravel(), vehicles.ravel(), minlength=n)[ix]
    enemy_ix = ix + ((1 - 2 * c.unit_side[units]) * c.P)[None, :]                # the other side
    rho = means[enemy_ix] / np.where(own > 0, own, 1.0)
    f = (rho / p["armour_antitank_reference"][:, None]) ** p["armour_antitank_exponent"][:, None]
    f = np.clip(f, p["armour_antitank_factor_min"][:, None], p["armour_antitank_factor_max"][:, None])
    return np.where(own > 0, f, 1.0)


def equipment_losses(c, w, unit_loss, defending, rng, **ctx) -> None:
    """Knock out, destroy and return equipment for this combat step, in ``w.equip`` and
    the :class:`ArmourLedger` (rules in the module docstring).

    ``unit_loss``: (R, U) men each unit loses this step — not used: the loss share is the
    formation's, ``side_loss / side_men`` at the unit's place; ``defending``: (R, U) bool;
    ``rng``: None for the deterministic mode; ``ctx``: now (hour), dt (hours per step),
    in_fight (R, U) bool, side_loss and side_men (R, S, P) men, contested (R, P).
    """
    now, dt, in_fight = ctx["now"], ctx["dt"], ctx["in_fight"]
    led = ledger(c, w, now, dt)
    step = _step(now, dt)
    men, lost = ctx["side_men"], ctx["side_loss"]
    sp = (lost / np.maximum(men, 1e-12)).reshape(-1)            # (R*S*P,); no men there: no loss either
    own_ix = _flat_index(c, w, c.unit_side[None, :])
    share = sp[own_ix] * in_fight                                                   # (R, U)
    p = w.params

    # armour of the units that hold it: a dense (R, Ua, Ka) block
    ua = led.units
    if ua.size:
        sh = share[:, ua]
        if (sh > 0).any():
            m = np.where(defending[:, ua], p["tank_loss_multiplier_defender"][:, None],
                         p["tank_loss_multiplier_attacker"][:, None])
            m = m * antitank_factor(c, w, in_fight, ua, led.at_weight, own_ix)
            rate = np.broadcast_to(np.minimum(1.0, sh * m)[:, :, None], led.ring.shape[1:])
            ix = (slice(None), ua[:, None], led.classes[None, :])
            have = w.equip[ix]
            if rng is None:
                ko = have * rate
            else:
                ko = np.zeros_like(have)
                sel = (rate > 0) & (have > 0)
                ko[sel] = rng.binomial(np.round(have[sel]).astype(np.int64), rate[sel])
            w.equip[ix] = have - ko
            _knocked_out(w, led, ko, step, rng)

    # every other class: lost for good, where a unit that lost men has pieces of it
    flat = np.flatnonzero((share > 0)[:, :, None] & led.other_held)    # pieces now 0 lose 0
    if flat.size:
        K = c.K
        ru = flat // K                                                  # world * U + unit
        if not w.equip.flags.c_contiguous:
            w.equip = np.ascontiguousarray(w.equip)
        eq = w.equip.reshape(-1)                                        # a view of w.equip
        n = eq[flat]
        r = np.minimum(1.0, share.reshape(-1)[ru] * led.other_m.reshape(-1)[(ru // c.U) * K + (flat - ru * K)])
        eq[flat] = n - (n * r if rng is None else rng.binomial(np.round(n).astype(np.int64), r))
    if ua.size:
        _return_repaired(w, led, step)


def _knocked_out(w, led: ArmourLedger, ko: np.ndarray, step: int, rng) -> None:
    """Split ``ko`` (R, Ua, Ka) knocked-out vehicles into destroyed and damaged; damaged
    ones fall due ``delay_steps`` after ``step``."""
    if not ko.any():
        return
    share = w.params["armour_destroyed_share"]
    if rng is None:
        gone = ko * share[:, None, None]
    else:
        gone = np.zeros_like(ko)
        sel = ko > 0
        gone[sel] = rng.binomial(ko[sel].astype(np.int64), np.broadcast_to(share[:, None, None], ko.shape)[sel])
    led.knocked_out += ko
    led.destroyed += gone
    slot = (step + led.delay_steps) % led.ring.shape[0]
    led.ring[slot, np.arange(w.R)] += ko - gone


def _due(led: ArmourLedger, step: int) -> np.ndarray:
    """Ring slots of the steps after ``led.last_step`` up to ``step``."""
    first = max(led.last_step + 1, step - led.ring.shape[0] + 1)
    return np.arange(first, step + 1) % led.ring.shape[0]


def _split_due(w, led: ArmourLedger, back: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(returned, written off): damaged vehicles of units destroyed or encircled are written off."""
    lost = (w.destroyed | w.encircled)[:, led.units][:, :, None]
    off = np.where(lost, back, 0.0)
    return back - off, off


def return_repairs_due(w, now: float, dt: float) -> None:
    """Return the vehicles whose repair is due by hour ``now`` (a step with no combat)."""
    led = w.extra.get("armour")
    if led is not None and led.units.size:
        _return_repaired(w, led, _step(now, led.dt))


def _return_repaired(w, led: ArmourLedger, step: int) -> None:
    slots = _due(led, step)
    led.last_step = max(led.last_step, step)
    if slots.size == 0:
        return
    back = led.ring[slots].sum(axis=0)
    if not back.any():
        return
    led.ring[slots] = 0.0
    ret, off = _split_due(w, led, back)
    led.repaired += ret
    led.destroyed += off
    w.equip[:, led.units[:, None], led.classes[None, :]] += ret


def _settled(c, w, hours: float):
    """(ledger, returned, written off) with the repairs due by ``hours`` that no combat
    step has processed yet taken as done at ``hours`` (the state is not changed)."""
    led = w.extra.get("armour")
    if led is None or led.units.size == 0:
        return None, None, None
    slots = _due(led, _step(hours, led.dt))
    back = led.ring[slots].sum(axis=0) if slots.size else np.zeros_like(led.repaired)
    ret, off = _split_due(w, led, back)
    return led, ret, off


def serviceable_at_end(c, w, hours: float) -> np.ndarray:
    """``(R, U, K)`` serviceable equipment at hour ``hours`` (the end of the run): ``w.equip``
    plus the damaged armour due back by then whose return no combat step has processed."""
    led, ret, _ = _settled(c, w, hours)
    out = w.equip.copy()
    if led is not None:
        out[:, led.units[:, None], led.classes[None, :]] += ret
    return out


def armour_accounts(c, w, hours: float) -> dict[str, np.ndarray]:
    """``(R, U, K)`` armour accounts at hour ``hours``: ``knocked_out`` (cumulative),
    ``destroyed`` (damaged vehicles written off included), ``repaired`` and
    ``under_repair``, vehicles; knocked_out = destroyed + repaired + under_repair. Zero
    for classes other than armour and units without it."""
    names = ("knocked_out", "destroyed", "repaired", "under_repair")
    out = {k: np.zeros_like(w.equip) for k in names}
    led, ret, off = _settled(c, w, hours)
    if led is None:
        return out
    ix = (slice(None), led.units[:, None], led.classes[None, :])
    slots = _due(led, _step(hours, led.dt))
    out["knocked_out"][ix] = led.knocked_out
    out["destroyed"][ix] = led.destroyed + off
    out["repaired"][ix] = led.repaired + ret
    out["under_repair"][ix] = led.under_repair - (led.ring[slots].sum(axis=0) if slots.size else 0.0)
    return out
