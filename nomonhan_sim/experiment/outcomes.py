"""Per-replicate outcomes of a batch, as arrays and as a pandas DataFrame.

See :mod:`nomonhan_sim.vocabulary.outcome_names` for names and units, and
``docs/results.md`` for every column. Times are reported in days after the
scenario start (hour 0 = day 0); casualties in men; equipment in pieces;
shares 0-1.

Column names use one separator, the dot. This module is the one place that
turns the engine's names into column names: drawn inputs (whose engine names,
such as ``unit:mrr_24.personnel``, seed each input's random stream and so never
change) become ``input.<scenario path>`` (:func:`input_column`), per-unit detail
is ``unit.<unit id>.<quantity>.<class>``, and every event time ``<event>_day``
gets a boolean ``<event>_happened`` beside it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..model.armour import armour_accounts, serviceable_at_end
from ..model.control import captured_hours
from ..model.phases import phase_casualties
from ..model.rail import finish_advance
from ..simulation import BatchResult
from ..vocabulary.classes import EQUIPMENT_CLASSES, SUPPLY_CLASSES
from ..vocabulary.outcome_names import (ARMOUR_OUTCOME_CLASSES, INPUT_PREFIX, SUPPLY_SHORT, UNIT_LOSS_KINDS,
                                        advance_column, happened_column, phase_casualties_column,
                                        place_captured_column, shortage_started_column,
                                        unit_shortage_started_column)


def batch_outcomes(res: BatchResult) -> dict[str, np.ndarray]:
    """Outcome name -> ``(R,)`` array for one batch."""
    c, w = res.compiled, res.world
    out: dict[str, np.ndarray] = {}
    lost = w.cas + w.pocket_cas
    # equipment lost = not serviceable at the end: for armour, destroyed (in combat, or
    # written off with an encircled or destroyed unit) + still under repair + abandoned
    # in a pocket (nomonhan_sim.model.armour); other classes have no repair
    serviceable = serviceable_at_end(c, w, res.hours)
    accounts = armour_accounts(c, w, res.hours)
    for s, sid in enumerate(c.side_ids):
        mine = c.unit_side == s
        out[f"personnel_start.{sid}"] = w.pers0[:, mine].sum(axis=1)
        out[f"casualties.{sid}"] = lost[:, mine].sum(axis=1)
        out[f"casualties_in_pockets.{sid}"] = w.pocket_cas[:, mine].sum(axis=1)
        # by kind (nomonhan_sim.model.pockets): killed + wounded + captured = casualties
        out[f"killed.{sid}"] = w.killed[:, mine].sum(axis=1)
        out[f"wounded.{sid}"] = w.wounded[:, mine].sum(axis=1)
        out[f"captured.{sid}"] = w.captured[:, mine].sum(axis=1)
        out[f"escaped_from_pockets.{sid}"] = w.escaped[:, mine].sum(axis=1)
        eq_lost = (w.equip0 - serviceable)[:, mine, :].sum(axis=1)
        for k, cls in enumerate(c.equipment_classes):
            if w.equip0[:, mine, k].any():
                out[f"equipment_lost.{sid}.{cls}"] = eq_lost[:, k]
                if cls in ARMOUR_OUTCOME_CLASSES:
                    for o, acc in (("armour_knocked_out", "knocked_out"), ("armour_destroyed", "destroyed")):
                        out[f"{o}.{sid}.{cls}"] = accounts[acc][:, mine, k].sum(axis=1)
        if c.disputed.any():
            out[f"disputed_zone_share.{sid}"] = (w.control[:, c.disputed] == s).mean(axis=1)
    front = c.unit_front
    if front.any():
        out["front_force_share_lost"] = lost[:, front].sum(axis=1) / w.pers0[:, front].sum(axis=1)
    out["ring_closed_day"] = w.ring_closed_t / 24.0
    out["resistance_ended_day"] = w.resistance_end_t / 24.0
    taken = captured_hours(c, w) / 24.0
    for i in np.flatnonzero(c.disputed & (c.initial_holder >= 0)):
        out[place_captured_column(c.place_ids[i])] = taken[:, i]
    if c.phase_ids:  # casualties by phase ([[phases]]; nomonhan_sim.model.phases)
        by_phase = phase_casualties(c, w)
        for j, ph in enumerate(c.phase_ids):
            for s, sid in enumerate(c.side_ids):
                out[phase_casualties_column(ph, sid)] = by_phase[:, j, s]
    if c.advance_targets:  # advance_km.<unit>.day<d>: only those [[compare]] names (model.rail)
        adv = finish_advance(c, w, res.hours)
        for j, (i, day) in enumerate(c.advance_targets):
            out[advance_column(c.unit_ids[i], day)] = adv[:, j]
    for i, uid in enumerate(c.unit_ids):  # per-unit detail: losses by unit and by kind
        out[f"unit.{uid}.casualties"] = lost[:, i]
        for kind in UNIT_LOSS_KINDS[1:]:  # killed, wounded, captured
            out[f"unit.{uid}.{kind}"] = getattr(w, kind)[:, i]
    sup = w.extra.get("supply")
    if sup is not None:
        started = sup.short_from / 24.0  # (R, U, 2) days after H-hour a unit was first short; NaN never
        for s, sid in enumerate(c.side_ids):
            mine = c.unit_side == s
            out[f"supply_delivered.{sid}"] = sup.delivered[:, s, :].sum(axis=1)
            out[f"stock_at_h_hour.{sid}"] = sup.stock_at_h[:, s]
            out[f"short_unit_hours.{sid}.ammunition"] = sup.short_hours[:, mine, 0].sum(axis=1)
            out[f"short_unit_hours.{sid}.fuel"] = sup.short_hours[:, mine, 1].sum(axis=1)
            first = np.where(np.isnan(started[:, mine]), np.inf, started[:, mine]).min(axis=1, initial=np.inf)
            first = np.where(np.isinf(first), np.nan, first)  # (R, 2): the first of the side's units
            for k, cls in enumerate(SUPPLY_SHORT):
                out[shortage_started_column(sid, cls)] = first[:, k]
        for i, uid in enumerate(c.unit_ids):
            out[f"unit.{uid}.short_hours.ammunition"] = sup.short_hours[:, i, 0]
            out[f"unit.{uid}.short_hours.fuel"] = sup.short_hours[:, i, 1]
            for k, cls in enumerate(SUPPLY_SHORT):
                out[unit_shortage_started_column(uid, cls)] = started[:, i, k]
    return out


def input_column(name: str) -> str:
    """The output column of the drawn input whose random stream is named ``name``.

    ``input.`` + the scenario path of the drawn field, in the dotted grammar of
    :meth:`LoadedScenario.with_changes`::

        param:casualty_rate_multiplier.japanese  -> input.parameters.casualty_rate_multiplier.japanese
        unit:mrr_24.personnel                    -> input.units.mrr_24.personnel
        unit:tb6.tanks                           -> input.units.tb6.equipment.tanks
        depot:tamsag_bulak_depot.ammunition      -> input.logistics.depots.tamsag_bulak_depot.stock.ammunition
        depot:tamsag_bulak_depot.issue_tons_per_day -> input.logistics.depots.tamsag_bulak_depot.issue_tons_per_day
        fleet:soviet_trucks.trucks               -> input.logistics.fleets.soviet_trucks.trucks
        consumption:0.basic_load_days            -> input.logistics.consumption.0.basic_load_days
        interdiction:1.share                     -> input.logistics.interdictions.1.share
        logistics:unit_stock_days                -> input.logistics.unit_stock_days

    Units, depots and fleets are named by id (fleets by name); list entries
    without one (consumption rows, interdictions) by their index in the list.
    """
    kind, sep, detail = name.partition(":")
    if not sep:
        raise ValueError(f"input names look like 'kind:detail', found {name!r}")
    if kind == "param":
        path = f"parameters.{detail}"
    elif kind == "unit":
        uid, _, fld = detail.partition(".")
        path = f"units.{uid}.equipment.{fld}" if fld in EQUIPMENT_CLASSES else f"units.{uid}.{fld}"
    elif kind == "depot":
        did, _, fld = detail.partition(".")
        path = f"logistics.depots.{did}.stock.{fld}" if fld in SUPPLY_CLASSES else f"logistics.depots.{did}.{fld}"
    elif kind == "fleet":
        fleet, _, fld = detail.rpartition(".")
        path = f"logistics.fleets.{fleet}.{fld}"
    elif kind == "consumption":
        path = f"logistics.consumption.{detail}"
    elif kind == "interdiction":
        path = f"logistics.interdictions.{detail}"
    elif kind == "logistics":
        path = f"logistics.{detail}"
    else:  # an input kind this table does not know yet: still dots only
        path = f"{kind}.{detail}".replace(":", ".")
    return INPUT_PREFIX + path


def _with_happened(o: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """``o`` with a boolean ``<event>_happened`` right after each ``<event>_day``."""
    out: dict[str, np.ndarray] = {}
    for name, v in o.items():
        out[name] = v
        if name.endswith("_day"):
            out[happened_column(name)] = np.isfinite(v)
    return out


def outcomes_frame(res: BatchResult, first_replicate: int = 0, seed: int | None = None,
                   chunk: int = 0) -> pd.DataFrame:
    """DataFrame: one row per replicate, outcomes plus the drawn uncertain inputs.

    Columns ``replicate`` (global index), ``seed``, ``chunk`` identify the world;
    then the outcomes (with ``<event>_happened`` beside each ``<event>_day``);
    then ``input.<scenario path>`` (see :func:`input_column`) hold the values it drew.
    """
    o = _with_happened(batch_outcomes(res))
    R = res.world.R
    df = pd.DataFrame({"replicate": np.arange(first_replicate, first_replicate + R),
                       "seed": np.full(R, -1 if seed is None else seed), "chunk": np.full(R, chunk),
                       **o})
    drawn = {input_column(k): v for k, v in res.world.drawn.items()}
    if len(drawn) != len(res.world.drawn):
        raise ValueError("two drawn inputs map to one column name")
    # one block per dtype (copy consolidates): a frame of hundreds of blocks makes every column a
    # user adds raise pandas' PerformanceWarning ("highly fragmented")
    return pd.concat([df, pd.DataFrame(drawn, index=df.index)], axis=1).copy()
