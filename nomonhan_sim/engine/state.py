"""World state of a batch of R replicate worlds, as numpy arrays (replicate first).

Shapes: ``(R, U)`` per unit, ``(R, U, K)`` per unit and equipment class,
``(R, P)`` per place, ``(R,)`` per world. Personnel in men, equipment in
pieces, times in hours since the scenario start.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np

from ..scenario import quantity as qty
from .compiled import Compiled

# unit activity modes
IDLE, MOVING, HALTED, OUT = 0, 1, 2, 3


@dataclass
class World:
    """The state of R worlds: drawn inputs and the per-unit, per-place and per-world
    arrays (shapes and units as commented on each field). Built by :func:`draw_world`."""

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
    pocket_cas: np.ndarray               # (R, U) men lost in a pocket: killed, wounded, captured there
    killed: np.ndarray                   # (R, U) men killed (combat and pockets)
    wounded: np.ndarray                  # (R, U) men wounded (combat and pockets)
    captured: np.ndarray                 # (R, U) men captured in pockets
    escaped: np.ndarray                  # (R, U) men who got out of a pocket (left the battle, not lost)
    order_idx: np.ndarray                # (R, U) current order (-1: none yet)
    task: np.ndarray                     # (R, U) task index of the current order (-1: none)
    order_done: np.ndarray               # (R, U) bool
    order_start: np.ndarray              # (R, U) hour the current order started (nan: none yet)
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


class InputDraws:
    """Draws uncertain inputs, each from its own random stream named after it.

    The stream of input ``name`` is ``SeedSequence(entropy, spawn_key + (hash(name),))``
    of the batch's input seed sequence, so a value depends only on the seed and its
    own name: adding, removing or reordering other inputs changes nothing, and two
    scenario variants that share an input draw the same values for it (common
    random numbers). Values of uncertain inputs are kept in ``drawn``.
    """

    def __init__(self, ss: np.random.SeedSequence, R: int):
        self.ss, self.R = ss, R
        self.drawn: dict[str, np.ndarray] = {}

    def __call__(self, name: str, q) -> np.ndarray:
        if ":" not in name:  # the ':' marks drawn inputs in outcome tables (kept out of summaries)
            raise ValueError(f"input names look like 'kind:detail', found {name!r}")
        key = int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "little")
        child = np.random.SeedSequence(self.ss.entropy, spawn_key=tuple(self.ss.spawn_key) + (key,))
        v = qty.draw(q, np.random.Generator(np.random.PCG64(child)), self.R)
        if qty.is_uncertain(q):
            self.drawn[name] = v
        return v


def draw_world(c: Compiled, R: int, ss: np.random.SeedSequence) -> World:
    """Draw every uncertain input for ``R`` worlds and set up the initial state."""
    sc = c.scenario
    draw = InputDraws(ss, R)
    params = {name: draw(f"param:{name}", sc.parameters[name].value) for name in sorted(sc.parameters)}

    U, K = c.U, c.K
    pers0 = np.empty((R, U))
    equip0 = np.zeros((R, U, K))
    quality = np.empty((R, U))
    bp = np.empty((R, U))
    for i, u in enumerate(sc.model.units):
        pers0[:, i] = draw(f"unit:{u.id}.personnel", u.personnel)
        quality[:, i] = draw(f"unit:{u.id}.quality", u.quality)
        bp[:, i] = draw(f"unit:{u.id}.breakpoint", u.breakpoint)
        for k, cls in enumerate(c.equipment_classes):
            if cls in u.equipment:
                equip0[:, i, k] = qty.whole_counts(draw(f"unit:{u.id}.{cls}", u.equipment[cls]), u.equipment[cls])
                if f"unit:{u.id}.{cls}" in draw.drawn:
                    draw.drawn[f"unit:{u.id}.{cls}"] = equip0[:, i, k].copy()
    drawn = draw.drawn
    for i, u in enumerate(sc.model.units):
        pers0[:, i] = qty.whole_counts(pers0[:, i], u.personnel)  # whole men inside the declared range
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
        killed=np.zeros((R, U)), wounded=np.zeros((R, U)), captured=np.zeros((R, U)), escaped=np.zeros((R, U)),
        order_idx=np.full((R, U), -1), task=np.full((R, U), -1), order_done=np.ones((R, U), bool),
        order_start=np.full((R, U), np.nan),
        path_pos=np.zeros((R, U), int), visited=visited, control=control,
        ring_closed_t=np.full(R, np.nan), resistance_end_t=np.full(R, np.nan),
        extra={"draw": draw},
    )
