"""Families of the fuzz corpus that break one value: numbers (nan, inf, huge, negative,
true/false, text), true/false fields, distributions, date-times and time zones, ids,
shares, speeds and distances, durations and steps, parameters; whole numbers.

Each family is ``(rng, base) -> Built`` (tests/fuzz/data.py); it raises ``Skip`` when the
base lacks what it breaks.
"""

from __future__ import annotations

import copy
import datetime as dt
import math

from .data import (Built, Path_, Skip, base_data, choice, data_mutant, get, is_number, leaves, matches,
                   pattern, put, quantity_of, set_leaf, set_parameter, show, skip)


# --- the families ----------------------------------------------------------------------
_NONNEG = matches(
    r"units\[\]\.personnel(\.(value|low|high|mode))?", r"units\[\]\.equipment\.\w+(\.(value|low|high))?",
    r"units\[\]\.quality(\.(value|low|high))?", r"routes\[\]\.km", r"places\[\]\.frontage_km",
    r"routes\[\]\.capacity_tons_per_day", r"replacements\[\]\.(men|equipment\.\w+)(\.(value|low|high))?",
    r"logistics\.depots\[\]\.(stock\.\w+|issue_tons_per_day)(\.(value|low|high))?",
    r"logistics\.fleets\[\]\.(km|trucks|payload_tons|speed_loaded_kmh|speed_empty_kmh|load_hours|"
    r"unload_hours|repair_days|columns)(\.(value|low|high))?",
    r"logistics\.consumption\[\]\.((combat|moving|idle)\.\w+|basic_load_days)(\.(value|low|high))?",
    r"logistics\.requirements\[\]\.tons", r"logistics\.unit_stock_days", r"conditions\.cev\.\w+",
    r"engine\.duration_hours", r"engine\.combat_step_hours", r"orders\[\]\.trigger\.(at_hour|after_hours)",
    r"orders\[\]\.hours", r"conditions\.surprise\.(hours|start_hour)")
_CAPPED = matches(
    r"units\[\]\.personnel(\.(value|high))?", r"units\[\]\.equipment\.\w+(\.(value|high))?",
    r"units\[\]\.quality(\.(value|high))?", r"routes\[\]\.km", r"places\[\]\.(x_km|y_km|frontage_km)",
    r"routes\[\]\.capacity_tons_per_day", r"logistics\.depots\[\]\.(stock\.\w+|issue_tons_per_day)(\.(value|high))?",
    r"logistics\.fleets\[\]\.(km|trucks|payload_tons|speed_loaded_kmh|speed_empty_kmh|load_hours|"
    r"unload_hours|repair_days|columns)(\.(value|high))?",
    r"logistics\.consumption\[\]\.((combat|moving|idle)\.\w+|basic_load_days)(\.(value|high))?",
    r"logistics\.requirements\[\]\.tons", r"conditions\.cev\.\w+", r"engine\.duration_hours",
    r"engine\.combat_step_hours", r"orders\[\]\.trigger\.at_hour", r"conditions\.surprise\.hours")
_ANY = matches(r"(?!compare\[\]).*")  # every number (compare targets: any finite number is allowed)


def nonfinite(rng, base):
    return set_leaf(rng, base, "nonfinite", matches(".*"), [math.nan, math.inf, -math.inf])


def huge_number(rng, base):
    return set_leaf(rng, base, "huge", _CAPPED, [1e308, 1e30, 10**20, 1.7e12, 2**63])


def negative_count(rng, base):
    return set_leaf(rng, base, "negative", _NONNEG, [-1, -1.0, -1e6, -0.001])


def bool_as_number(rng, base):
    return set_leaf(rng, base, "bool", _ANY, [True, False])


def number_as_text(rng, base):
    data = base_data(base)
    path = choice(rng, leaves(data, is_number))
    put(data, path, str(get(data, path)))
    return data_mutant(rng, base, data, show(quantity_of(data, path)), f"text: {show(path)}")


def string_as_bool(rng, base):
    data = base_data(base)
    value = choice(rng, ["yes", "no", "true", "false", 1, 0, "1", "on"])
    paths = leaves(data, lambda v: isinstance(v, bool))
    paths = [p for p in paths if not pattern(p).startswith("parameters")]
    if not paths or rng.random() < 0.3:
        data["engine"]["stochastic"] = value
        path: Path_ = ("engine", "stochastic")
    else:
        path = choice(rng, paths)
        put(data, path, value)
    return data_mutant(rng, base, data, show(path), f"string as bool: {show(path)} = {value!r}")


_BAD_DISTS = [
    {"dist": "uniform", "low": 4000.0, "high": 3000.0}, {"dist": "uniform", "low": math.nan, "high": 2000.0},
    {"dist": "uniform", "low": 1000.0, "high": math.inf}, {"dist": "normal", "mean": 3000.0, "sd": math.nan},
    {"dist": "normal", "mean": 3000.0, "sd": -5.0}, {"dist": "normal", "mean": 3000.0, "sd": 10.0},
    {"dist": "lognormal", "median": 3000.0, "sigma": 50.0}, {"dist": "lognormal", "median": 0.0, "sigma": 0.2},
    {"dist": "lognormal", "median": -1.0, "sigma": 0.2}, {"dist": "gamma", "low": 1.0, "high": 2.0},
    {"dist": "triangular", "low": 1000.0, "mode": 5000.0, "high": 3000.0},
    {"dist": "uniform", "low": 1000.0}, {"dist": "uniform", "low": True, "high": 2000.0},
    {"dist": "uniform", "low": "1000", "high": 2000.0}, {"dist": "fixed", "value": math.inf},
    {"dist": "uniform", "low": -1e300, "high": 1e300}, {"low": 1.0, "high": 2.0},
]
_QUANTITIES = matches(r"units\[\]\.(personnel|quality|breakpoint|equipment\.\w+)",
                       r"logistics\.fleets\[\]\.(km|trucks|payload_tons|speed_loaded_kmh|speed_empty_kmh|"
                       r"tanker_share|breakdown_per_1000km|repair_days)", r"logistics\.depots\[\]\.stock\.\w+")


def bad_distribution(rng, base):
    data = base_data(base)
    qs = [p for p in leaves(data, lambda v: True) if _QUANTITIES(pattern(p))]
    qs += [p[:-1] for p in leaves(data, lambda v: True) if p[-1] == "dist" and _QUANTITIES(pattern(p[:-1]))]
    path = choice(rng, sorted(set(qs), key=show))
    bad = copy.deepcopy(_BAD_DISTS[int(rng.integers(len(_BAD_DISTS)))])
    put(data, path, bad)
    return data_mutant(rng, base, data, show(path), f"distribution: {show(path)} = {bad!r}")


def _start(data: dict) -> dt.datetime:
    return data["engine"]["start"]


def bad_date(rng, base):
    data = base_data(base)
    start, hours = _start(data), float(data["engine"]["duration_hours"])
    kind = int(rng.integers(7))
    if kind == 6:  # a clock time of the night given as a number (seconds after midnight to pydantic)
        value = choice(rng, [3600, 68400.0, True, 0, -1])
        data["engine"]["night"] = [value, "05:00"]
        path = ("engine", "night", 0)
        return data_mutant(rng, base, data, show(path), f"date: {show(path)} = {value!r}")
    if kind == 0:
        value = choice(rng, ["tomorrow", 0, 1939, True, 1e12, "1939-13-45T00:00:00"])
        data["engine"]["start"] = value
        path: Path_ = ("engine", "start")
    elif kind == 1:
        value = choice(rng, [dt.datetime(9999, 12, 31), dt.datetime(1, 1, 1), dt.datetime(100, 1, 1)])
        data["engine"]["start"] = value
        path = ("engine", "start")
    elif kind in (2, 3):
        if "logistics" not in data:
            raise Skip
        value = (dt.datetime(1, 1, 1) if kind == 2 else
                 choice(rng, [start + dt.timedelta(days=1), start - dt.timedelta(days=401), start]))
        data["logistics"]["buildup_start"] = value
        path = ("logistics", "buildup_start")
    else:
        i = int(rng.integers(len(data["orders"])))
        value = (start + dt.timedelta(hours=hours + float(rng.integers(1, 1000))) if kind == 4
                 else start - dt.timedelta(hours=float(rng.integers(1, 1000))))
        data["orders"][i]["trigger"] = {"at": value}
        path = ("orders", i, "trigger", "at")
    return data_mutant(rng, base, data, show(path), f"date: {show(path)} = {value!r}")


def _date_fields(data: dict) -> list[Path_]:
    out: list[Path_] = []
    if data.get("logistics", {}).get("buildup_start") is not None:
        out.append(("logistics", "buildup_start"))
    out += [("orders", i, "trigger", "at") for i, o in enumerate(data.get("orders", []))
            if isinstance(o.get("trigger"), dict) and "at" in o["trigger"]]
    out += [("phases", i, "end") for i, ph in enumerate(data.get("phases", []) or []) if "end" in ph]
    return out


def time_zone(rng, base):
    data = base_data(base)
    start = _start(data)
    others = _date_fields(data)
    if not others:  # give the file a second date-time, naive like its start
        if "logistics" in data:
            data["logistics"]["buildup_start"] = start - dt.timedelta(days=5)
            others = [("logistics", "buildup_start")]
        else:
            i = int(rng.integers(len(data["orders"])))
            data["orders"][i]["trigger"] = {"at": start + dt.timedelta(hours=1)}
            others = [("orders", i, "trigger", "at")]
    tz8, tz9 = dt.timezone(dt.timedelta(hours=8)), dt.timezone(dt.timedelta(hours=9))
    kind = int(rng.integers(3))
    if kind == 0:  # an aware start, the rest naive: the first other is reported
        data["engine"]["start"] = start.replace(tzinfo=tz8)
        path = others[0]
    else:  # one other aware (kind 2: the start aware in another zone)
        if kind == 2:
            data["engine"]["start"] = start.replace(tzinfo=tz8)
            for p in others:
                put(data, p, get(data, p).replace(tzinfo=tz8))
        path = choice(rng, others)
        put(data, path, get(data, path).replace(tzinfo=tz9))
    return data_mutant(rng, base, data, show(path), f"time zone: {show(path)} (kind {kind})")


_BAD_IDS = ["sov.iet", "", "Soviet", "so viet", "a:b", "1st", "x-y", "é", "a.b.c", "_x"]


def bad_id(rng, base):
    data = base_data(base)
    bad = choice(rng, _BAD_IDS)
    kind = int(rng.integers(6))
    if kind == 0:
        old = choice(rng, list(data["sides"]))
        data["sides"] = {(bad if k == old else k): v for k, v in data["sides"].items()}
        return data_mutant(rng, base, data, f"sides.{bad}", f"side id {old!r} -> {bad!r}")
    if kind == 1:
        path: Path_ = ("places", int(rng.integers(len(data["places"]))), "id")
    elif kind == 2:
        path = ("units", int(rng.integers(len(data["units"]))), "id")
    elif kind == 3:
        bad = choice(rng, [b for b in _BAD_IDS if b])  # "" is no group: tested as an id above
        path = ("units", int(rng.integers(len(data["units"]))), "group")
    elif kind == 4:
        depots = data.get("logistics", {}).get("depots") or []
        path = ("logistics", "depots", int(rng.integers(len(depots))) if depots else skip(), "id")
    else:
        fleets = data.get("logistics", {}).get("fleets") or []
        path = ("logistics", "fleets", int(rng.integers(len(fleets))) if fleets else skip(), "name")
    put(data, path, bad)
    return data_mutant(rng, base, data, show(path), f"id: {show(path)} = {bad!r}")


_SHARE_PARAMS = ["pocket_breakout_share", "killed_share", "depth_power_share", "armour_destroyed_share",
                 "fuel_slow_share", "fuel_halt_share", "pocket_open_path_escape_share", "dupuy_attacker_rate",
                 "dupuy_defender_rate", "pocket_surrender_rate", "night_march_speed_factor"]
_SHARES = matches(r"units\[\]\.breakpoint", r"engine\.(ring_closed|resistance_ended)_share",
                   r"logistics\.fleets\[\]\.(tanker_share|breakdown_per_1000km)",
                   r"logistics\.interdictions\[\]\.share", r"logistics\.fleets\[\]\.cargo_mix\.\w+")


def share_out_of_range(rng, base):
    values = [3.0, -0.5, 1.0001, 17, -1e-9, 2]
    if rng.random() < 0.5:
        return set_parameter(rng, base, _SHARE_PARAMS, values, "share")
    data = base_data(base)
    path = choice(rng, [p for p in leaves(data, is_number) if _SHARES(pattern(p))]
                   + [("units", i, "breakpoint") for i in range(len(data["units"]))])
    value = choice(rng, values + [0.0] if path[-1] == "breakpoint" else values)
    put(data, path, value)
    return data_mutant(rng, base, data, show(path), f"share: {show(path)} = {value!r}")


_SPEED_PARAMS = ["speed_foot_kmh", "speed_motor_kmh", "speed_cavalry_kmh", "speed_artillery_kmh",
                 "road_factor_road", "road_factor_cross_country", "engaged_men_per_km",
                 "isolation_power_halflife_hours"]


def nonpositive_speed(rng, base):
    values = [0, 0.0, -1, -1e-9, -60.0]
    if rng.random() < 0.35:
        return set_parameter(rng, base, _SPEED_PARAMS, values, "speed parameter")
    return set_leaf(rng, base, "speed/distance", matches(
        r"routes\[\]\.km", r"places\[\]\.frontage_km",
        r"logistics\.fleets\[\]\.(km|payload_tons|speed_loaded_kmh|speed_empty_kmh)(\.(value|low))?"), values)


def huge_duration_tiny_step(rng, base):
    data = base_data(base)
    kind = int(rng.integers(5))
    if kind == 0:
        path: Path_ = ("engine", "duration_hours")
        value = choice(rng, [1e7, 1e5, 8785, 1e300, 24 * 367])
    elif kind == 1:
        path = ("engine", "combat_step_hours")
        value = choice(rng, [1e-6, 0.001, 0.049, 0, -1.0, 25, 1e-300])
    elif kind == 2:
        path = ("orders", int(rng.integers(len(data["orders"]))), "trigger")
        value = {"at_hour": choice(rng, [1e9, 1e300, 9000.0, -1.0])}
        put(data, path, value)
        return data_mutant(rng, base, data, show(path + ("at_hour",)), f"duration: {show(path)} = {value}")
    elif kind == 3:
        pauses = [i for i, o in enumerate(data["orders"]) if o.get("task") == "pause"]
        path = ("orders", pauses[int(rng.integers(len(pauses)))] if pauses else skip(), "hours")
        value = choice(rng, [1e9, 1e300, 9000.0])
    else:
        cond = data.get("conditions") or {}
        if not isinstance(cond.get("surprise"), dict):
            raise Skip
        path = ("conditions", "surprise", choice(rng, ["hours", "start_hour"]))
        value = choice(rng, [1e9, 1e300, 9000.0])
    put(data, path, value)
    return data_mutant(rng, base, data, show(path), f"duration: {show(path)} = {value!r}")


def whole_number(rng, base):
    data = base_data(base)
    fleets = data.get("logistics", {}).get("fleets") or []
    i = int(rng.integers(len(fleets))) if fleets else skip()
    value = choice(rng, [2.5, "20", True, 0, 501, -3])
    data["logistics"]["fleets"][i]["columns"] = value
    path = ("logistics", "fleets", i, "columns")
    return data_mutant(rng, base, data, show(path), f"columns = {value!r}")


def bad_parameter(rng, base):
    kind = int(rng.integers(3))
    if kind == 0:
        return set_parameter(rng, base, ["square_coefficient", "weight_tanks", "weight_guns", "control_min_men",
                                          "tank_loss_multiplier_attacker", "casualty_rate_multiplier",
                                          "armour_repair_hours", "zoc_delay_hours"], [-1.0, -5, -1e-6], "negative")
    if kind == 1:
        return set_parameter(rng, base, ["power_p", "power_q", "march_delay_sigma", "armour_antitank_exponent"],
                              [50.0, 1e6, -1.0], "exponent or sigma")
    return set_parameter(rng, base, ["killed_share", "speed_foot_kmh", "casualty_rate_multiplier"],
                          [math.nan, math.inf, True, "0.3", {"dist": "uniform", "low": 0.5, "high": 0.1},
                           {"dist": "normal", "mean": 0.5, "sd": 0.1}], "wrong value")


#: Every family of mistakes, by name -> its generator ``(rng, base) -> Built``.
