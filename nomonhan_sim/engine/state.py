"""World state of a batch of R replicate worlds, as numpy arrays (replicate first).

Shapes: ``(R, U)`` per unit, ``(R, U, K)`` per unit and equipment class,
``(R, P)`` per place, ``(R,)`` per world. Personnel in men, equipment in
pieces, times in hours since the scenario start.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..scenario import quantity as qty
from .compiled import Compiled

# unit activity modes
IDLE, MOVING, HALTED, OUT = 0, 1, 2, 3


@dataclass
class World:
    R: int
    params: dict[str, np.ndarray]        # name -> (R,) drawn parameter values
    drawn: dict[str, np.ndarray]         # output column -> (R,) values of uncertain inputs
    pers0: np.ndarray                    # (R, U) initial personnel, men
    pers: np.ndarray                     # (R, U) current personnel, men
    equip0: np.ndarray                   # (R, U, K) initial equipment, pieces
    equip: np.ndarray                    # (R, U, K)
    quality: np.ndarray                  # (R, U) CEV-like multiplier
    breakpoint: np.ndarray               # (R, U) share of pers0 lost at which the unit breaks
    speed: np.ndarray                    # (R, U) km/h on a track
    loc: np.ndarray                      # (R, U) place index (origin of the leg when moving)
    leg_to: np.ndarray                   # (R, U) destination of the current leg, -1 if none
    mode: np.ndarray                     # (R, U) IDLE / MOVING / HALTED / OUT
    posture: np.ndarray                  # (R, U) posture level 0..3
    reserve: np.ndarray                  # (R, U) bool: not yet committed
    broken: np.ndarray                   # (R, U) bool
    destroyed: np.ndarray                # (R, U) bool: destroyed or surrendered in a pocket
    encircled: np.ndarray                # (R, U) bool
    encircled_since: np.ndarray          # (R, U) hour first encircled (nan: not)
    cas: np.ndarray                      # (R, U) men lost in combat
    pocket_cas: np.ndarray               # (R, U) men lost when the unit was destroyed encircled
    order_idx: np.ndarray                # (R, U) current order (-1: none yet)
    task: np.ndarray                     # (R, U) task index of the current order (-1: none)
    order_done: np.ndarray               # (R, U) bool
    path_pos: np.ndarray                 # (R, U) index of the next waypoint of the order
    visited: np.ndarray                  # (R, U, P) bool: the unit has been at the place
    control: np.ndarray                  # (R, P) side index holding the place, -1 none
    ring_closed_t: np.ndarray            # (R,) hour the ring closed (nan: not)
    resistance_end_t: np.ndarray         # (R,) hour organised resistance ended (nan: not)
    extra: dict = field(default_factory=dict)

    @property
    def active(self) -> np.ndarray:
        """Units still in the fight: not broken, not out of the battle."""
        return (self.mode != OUT) & ~self.broken


def draw_world(c: Compiled, R: int, rng: np.random.Generator) -> World:
    """Draw every uncertain input for ``R`` worlds and set up the initial state.

    Draw order is fixed (parameters by name, then units in file order, fields in
    a fixed order), so two scenarios with the same uncertain inputs get the same
    values from the same seed: common random numbers across variants.
    """
    sc = c.scenario
    params: dict[str, np.ndarray] = {}
    drawn: dict[str, np.ndarray] = {}
    for name in sorted(sc.parameters):
        q = sc.parameters[name].value
        params[name] = qty.draw(q, rng, R)
        if qty.is_uncertain(q):
            drawn[f"param:{name}"] = params[name]

    U, K = c.U, c.K
    pers0 = np.empty((R, U))
    equip0 = np.zeros((R, U, K))
    quality = np.empty((R, U))
    bp = np.empty((R, U))
    for i, u in enumerate(sc.model.units):
        for col, q, target in (("personnel", u.personnel, pers0[:, i]),
                               ("quality", u.quality, quality[:, i]),
                               ("breakpoint", u.breakpoint, bp[:, i])):
            target[:] = qty.draw(q, rng, R)
            if qty.is_uncertain(q):
                drawn[f"unit:{u.id}.{col}"] = target.copy()
        for k, cls in enumerate(c.equipment_classes):
            if cls in u.equipment:
                q = u.equipment[cls]
                equip0[:, i, k] = np.round(qty.draw(q, rng, R))
                if qty.is_uncertain(q):
                    drawn[f"unit:{u.id}.{cls}"] = equip0[:, i, k].copy()
    pers0 = np.round(pers0)  # whole men
    for i, u in enumerate(sc.model.units):
        if f"unit:{u.id}.personnel" in drawn:
            drawn[f"unit:{u.id}.personnel"] = pers0[:, i].copy()

    speed = np.stack([params[c.unit_speed_param[i]] for i in range(U)], axis=1)
    loc = np.broadcast_to(c.unit_start, (R, U)).copy()
    visited = np.zeros((R, U, c.P), bool)
    visited[np.arange(R)[:, None], np.arange(U)[None, :], loc] = True
    control = np.broadcast_to(c.initial_holder, (R, c.P)).copy()

    return World(
        R=R, params=params, drawn=drawn,
        pers0=pers0, pers=pers0.copy(), equip0=equip0, equip=equip0.copy(),
        quality=quality, breakpoint=bp, speed=speed,
        loc=loc, leg_to=np.full((R, U), -1), mode=np.zeros((R, U), np.int8),
        posture=np.broadcast_to(c.unit_posture, (R, U)).copy(),
        reserve=np.broadcast_to(c.unit_reserve, (R, U)).copy(),
        broken=np.zeros((R, U), bool), destroyed=np.zeros((R, U), bool),
        encircled=np.zeros((R, U), bool), encircled_since=np.full((R, U), np.nan),
        cas=np.zeros((R, U)), pocket_cas=np.zeros((R, U)),
        order_idx=np.full((R, U), -1), task=np.full((R, U), -1), order_done=np.ones((R, U), bool),
        path_pos=np.zeros((R, U), int), visited=visited, control=control,
        ring_closed_t=np.full(R, np.nan), resistance_end_t=np.full(R, np.nan),
    )
