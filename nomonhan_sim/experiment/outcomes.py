"""Per-replicate outcomes of a batch, as arrays and as a pandas DataFrame.

See :mod:`nomonhan_sim.outcome_names` for names and units. Times are reported
in days after the scenario start (hour 0 = day 0); casualties in men;
equipment in pieces; shares 0-1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..simulation import BatchResult


def batch_outcomes(res: BatchResult) -> dict[str, np.ndarray]:
    """Outcome name -> ``(R,)`` array for one batch."""
    c, w = res.compiled, res.world
    out: dict[str, np.ndarray] = {}
    lost = w.cas + w.pocket_cas
    for s, sid in enumerate(c.side_ids):
        mine = c.unit_side == s
        out[f"personnel_start.{sid}"] = w.pers0[:, mine].sum(axis=1)
        out[f"casualties.{sid}"] = lost[:, mine].sum(axis=1)
        out[f"casualties_in_pockets.{sid}"] = w.pocket_cas[:, mine].sum(axis=1)
        eq_lost = (w.equip0 - w.equip)[:, mine, :].sum(axis=1)
        for k, cls in enumerate(c.equipment_classes):
            if w.equip0[:, mine, k].any():
                out[f"equipment_lost.{sid}.{cls}"] = eq_lost[:, k]
        if c.disputed.any():
            out[f"disputed_zone_share.{sid}"] = (w.control[:, c.disputed] == s).mean(axis=1)
    front = c.unit_front
    if front.any():
        out["front_force_share_lost"] = lost[:, front].sum(axis=1) / w.pers0[:, front].sum(axis=1)
    out["ring_closed_day"] = w.ring_closed_t / 24.0
    out["resistance_ended_day"] = w.resistance_end_t / 24.0
    sup = w.extra.get("supply")
    if sup is not None:
        for s, sid in enumerate(c.side_ids):
            mine = c.unit_side == s
            out[f"supply_delivered.{sid}"] = sup.delivered[:, s, :].sum(axis=1)
            out[f"stock_at_h_hour.{sid}"] = sup.stock_at_h[:, s]
            out[f"short_unit_hours.{sid}.ammunition"] = sup.short_hours[:, mine, 0].sum(axis=1)
            out[f"short_unit_hours.{sid}.fuel"] = sup.short_hours[:, mine, 1].sum(axis=1)
        for i, uid in enumerate(c.unit_ids):
            out[f"short_hours:{uid}.ammunition"] = sup.short_hours[:, i, 0]
            out[f"short_hours:{uid}.fuel"] = sup.short_hours[:, i, 1]
    return out


def outcomes_frame(res: BatchResult, first_replicate: int = 0, seed: int | None = None,
                   chunk: int = 0) -> pd.DataFrame:
    """DataFrame: one row per replicate, outcomes plus the drawn uncertain inputs.

    Columns ``replicate`` (global index), ``seed``, ``chunk`` identify the world;
    ``param:<name>`` and ``unit:<id>.<field>`` hold the values it drew.
    """
    o = batch_outcomes(res)
    R = res.world.R
    df = pd.DataFrame({"replicate": np.arange(first_replicate, first_replicate + R),
                       "seed": np.full(R, -1 if seed is None else seed), "chunk": np.full(R, chunk),
                       **o})
    drawn = pd.DataFrame(res.world.drawn)
    return pd.concat([df, drawn.reset_index(drop=True)], axis=1)
