"""A hypothesis strategy of small, valid scenarios, as plain dicts.

``scenarios()`` draws a scenario dict that :func:`nomonhan_sim.scenario.scenario_from_dict`
accepts: two sides (``blue``, ``red``), 2-6 places joined by a connected road graph
(a random spanning tree plus a few extra routes: no isolated place, every supply source
and rear reachable), 2-6 units of either side with fixed or uncertain men, equipment,
quality and breakpoint, 0-3 orders per unit (every task, every trigger kind), optional
replacements, conditions, parameter overrides and logistics (depots, railheads, truck
fleets, consumption, interdictions, a build-up before H-hour), a span of 24-96 hours
with a combat step of 1-12 hours chosen so that a run takes at most ``MAX_STEPS`` combat
steps (the time budget of the tests: a thousand scenarios in under two minutes).

Kept physically sensible, so that it stays valid under stricter validation: finite
numbers, men >= 1, counts >= 0, shares in [0, 1], speeds and distances > 0, naive dates
in one zone. Uncertain counts (men, pieces) have whole-number bounds, so that whole men
and pieces drawn from them can lie inside the declared range.
"""

from __future__ import annotations

import datetime as _dt
import functools

from hypothesis import strategies as st

from nomonhan_sim.scenario.schema import UnitType
from nomonhan_sim.vocabulary.classes import EQUIPMENT_CLASSES, SUPPLY_CLASSES, TERRAINS

START = _dt.datetime(1939, 8, 20, 6, 0, 0)
SIDES = ("blue", "red")
UNIT_TYPES = UnitType.__args__  # type: ignore[attr-defined]
ECHELONS = ("company", "battalion", "regiment", "brigade", "division")
POSTURES = ("attack", "hasty", "prepared", "fortified", "reserve")
ORDER_POSTURES = ("attack", "hasty", "prepared", "fortified")
FORTIFICATIONS = ("none", "hasty", "prepared", "fortified")
LAWS = ("square", "linear", "logarithmic", "power", "dupuy")
WEATHER = ("dry_sunshine_temperate", "dry_overcast_extreme_heat", "wet_light_temperate", "wet_heavy_extreme_cold")
SEASONS = (None, "summer_desert", "winter_temperate", "fall_jungle")
SRC = "generated: tests/invariants/generate.py"
#: Combat steps, hours, and the most combat steps a run may take (the tests' time budget).
STEPS = (6.0, 4.0, 12.0, 3.0, 8.0, 2.0, 1.0)
MAX_STEPS = 24


def _half(x: float) -> float:
    """``x`` rounded to 0.5 (short, exact numbers in shrunk examples)."""
    return round(x * 2) / 2


@functools.lru_cache(maxsize=None)
def count(lo: int, hi: int) -> st.SearchStrategy:
    """A whole-number count in [lo, hi]: a number, or a distribution with whole bounds."""
    @st.composite
    def _dist(draw):
        a = draw(st.integers(lo, hi))
        b = draw(st.integers(lo, hi))
        low, high = min(a, b), max(a, b)
        kind = draw(st.sampled_from(("uniform", "triangular", "normal", "lognormal", "fixed")))
        if kind == "uniform":
            return {"dist": "uniform", "low": low, "high": high}
        if kind == "triangular":
            return {"dist": "triangular", "low": low, "mode": draw(st.integers(low, high)), "high": high}
        if kind == "normal":
            return {"dist": "normal", "mean": (low + high) / 2, "sd": draw(st.integers(0, max(1, high - low))),
                    "low": low, "high": high}
        if kind == "lognormal":
            return {"dist": "lognormal", "median": max(1, (low + high) // 2),
                    "sigma": draw(st.sampled_from((0.0, 0.1, 0.5))), "low": low, "high": high}
        return {"dist": "fixed", "value": low}
    return st.one_of(st.integers(lo, hi), _dist())


@functools.lru_cache(maxsize=None)
def real(lo: float, hi: float, dist: bool = True) -> st.SearchStrategy:
    """A real number in [lo, hi] (to 0.01), or (``dist``) a uniform distribution inside it."""
    num = st.integers(int(round(lo * 100)), int(round(hi * 100))).map(lambda i: i / 100)
    if not dist:
        return num
    return st.one_of(num, st.tuples(num, num).map(lambda ab: {"dist": "uniform", "low": min(ab), "high": max(ab)}))


@st.composite
def _graph(draw):
    """(places, routes, adjacency sets): p0 is Blue's base, the last place Red's."""
    n = draw(st.integers(2, 6))
    ids = [f"p{i}" for i in range(n)]
    places = []
    for i, pid in enumerate(ids):
        holder = "blue" if i == 0 else "red" if i == n - 1 else draw(st.sampled_from((None, "blue", "red")))
        p = {"id": pid, "name": pid.upper(), "x_km": 10.0 * i, "y_km": float(draw(st.integers(-10, 10))),
             "terrain": draw(st.sampled_from(TERRAINS)), "source": SRC}
        if holder is not None:
            p["holder"] = holder
        if draw(st.booleans()):
            p["fortification"] = draw(st.sampled_from(FORTIFICATIONS))
        if 0 < i < n - 1 and draw(st.booleans()):
            p["disputed"] = True
        if draw(st.integers(0, 3)) == 0:
            p["frontage_km"] = draw(st.sampled_from((0.5, 1.0, 3.0)))
        places.append(p)
    edges = [(draw(st.integers(0, i - 1)), i) for i in range(1, n)]  # spanning tree: connected
    extra = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=3))
    for a, b in extra:
        a, b = min(a, b), max(a, b)
        if a != b and (a, b) not in edges:
            edges.append((a, b))
    routes, adj = [], {pid: set() for pid in ids}
    for a, b in edges:
        r = {"from": ids[a], "to": ids[b], "km": _half(draw(st.floats(1.0, 30.0))),
             "road": draw(st.sampled_from(("road", "track", "cross_country"))), "source": SRC}
        if draw(st.integers(0, 4)) == 0:
            r["river_crossing"] = True
        if draw(st.integers(0, 5)) == 0:
            r["capacity_tons_per_day"] = float(draw(st.sampled_from((5, 24, 100))))
        routes.append(r)
        adj[ids[a]].add(ids[b])
        adj[ids[b]].add(ids[a])
    return places, routes, adj


@st.composite
def _units(draw, place_ids):
    nu = draw(st.integers(2, 6))
    units = []
    for i in range(nu):
        side = SIDES[i] if i < 2 else draw(st.sampled_from(SIDES))
        eq_classes = draw(st.lists(st.sampled_from(EQUIPMENT_CLASSES), unique=True, max_size=3))
        u = {"id": f"u{i}", "side": side, "name": f"Unit {i}", "type": draw(st.sampled_from(UNIT_TYPES)),
             "echelon": draw(st.sampled_from(ECHELONS)), "personnel": draw(count(50, 4000)),
             "equipment": {k: draw(count(0, 120)) for k in eq_classes},
             "quality": draw(real(0.5, 1.5)), "posture": draw(st.sampled_from(POSTURES)),
             "breakpoint": draw(real(0.05, 1.0)), "start": draw(st.sampled_from(place_ids)), "source": SRC}
        if draw(st.integers(0, 2)) == 0:
            u["group"] = draw(st.sampled_from(("g0", "g1")))
        if draw(st.booleans()):
            u["front_force"] = True
        units.append(u)
    return units


@st.composite
def _trigger(draw, unit, units, places, duration, has_previous):
    """A valid trigger for an order of ``unit`` (a unit dict), or None."""
    side = unit["side"]
    own_or_free = [p["id"] for p in places if p.get("holder") in (None, side)]
    kinds = ["none", "at_hour", "at", "when_encircled", "when_broken", "when_arrived", "ring_closed",
             "unit_arrived", "enemy_at", "unit_broken"]
    if own_or_free:
        kinds.append("captured")
    if has_previous:
        kinds.append("after_hours")
    kind = draw(st.sampled_from(kinds))
    other = draw(st.sampled_from(units))["id"]
    place = draw(st.sampled_from(places))["id"]
    hour = draw(st.integers(0, int(duration) - 1))
    if kind == "none":
        return None
    if kind == "at_hour":
        return {"at_hour": float(hour)}
    if kind == "at":
        return {"at": (START + _dt.timedelta(hours=hour)).isoformat()}
    if kind == "after_hours":
        return {"after_hours": float(draw(st.integers(1, 24)))}
    if kind == "when_encircled":
        return {"when": f"encircled:{other}"}
    if kind == "when_broken":
        return {"when": f"broken:{other}"}
    if kind == "when_arrived":
        return {"when": f"arrived:{other}:{place}"}
    if kind == "ring_closed":
        return {"when": "ring_closed"}
    if kind == "unit_arrived":
        return {"unit_arrived": other, "place": place}
    if kind == "enemy_at":
        return {"enemy_at": place}
    if kind == "unit_broken":
        return {"unit_broken": other}
    return {"when": f"captured:{draw(st.sampled_from(own_or_free))}"}


@st.composite
def _orders(draw, units, places, adj, duration):
    place_ids = [p["id"] for p in places]
    orders, n_prev = [], {u["id"]: 0 for u in units}
    for u in units:
        for _ in range(draw(st.integers(0, 3))):
            task = draw(st.sampled_from(("move", "attack", "defend", "hold", "withdraw", "pause", "pull_back")))
            o = {"unit": u["id"], "task": task}
            if task in ("move", "attack", "pull_back") or (task in ("defend", "hold") and draw(st.booleans())):
                o["objective"] = draw(st.sampled_from(place_ids))
                if task != "pull_back" and adj[o["objective"]] and draw(st.integers(0, 2)) == 0:
                    o["via"] = [draw(st.sampled_from(sorted(adj[o["objective"]])))]
            if task == "pause":
                o["hours"] = float(draw(st.integers(1, 24)))
            if draw(st.integers(0, 3)) == 0:
                o["posture"] = draw(st.sampled_from(ORDER_POSTURES))
            trig = draw(_trigger(u, units, places, duration, n_prev[u["id"]] > 0))
            if trig is not None:
                o["trigger"] = trig
            orders.append(o)
            n_prev[u["id"]] += 1
    groups = sorted({u["group"] for u in units if "group" in u})
    if groups and draw(st.booleans()):  # an order for a whole group (timed or untriggered)
        o = {"group": draw(st.sampled_from(groups)), "task": draw(st.sampled_from(("attack", "defend", "withdraw"))),
             "objective": draw(st.sampled_from(place_ids))}
        if o["task"] == "withdraw":
            del o["objective"]
        if draw(st.booleans()):
            o["trigger"] = {"at_hour": float(draw(st.integers(0, int(duration) - 1)))}
        orders.append(o)
    return orders


@st.composite
def _replacements(draw, units, duration):
    out = []
    for _ in range(draw(st.integers(0, 2))):
        u = draw(st.sampled_from(units))
        classes = draw(st.lists(st.sampled_from(sorted(u["equipment"])), unique=True, max_size=2)) if u["equipment"] else []
        out.append({"unit": u["id"], "at_hour": float(draw(st.integers(0, int(duration)))),
                    "men": draw(count(0, 800)), "equipment": {k: draw(count(0, 30)) for k in classes},
                    "source": SRC})
    return out


def _rates(draw) -> dict:
    return {k: draw(real(0.0, 40.0)) for k in draw(st.lists(st.sampled_from(SUPPLY_CLASSES), unique=True))}


@st.composite
def _logistics(draw, places, units, duration):
    place_ids = [p["id"] for p in places]
    bases = {"blue": place_ids[0], "red": place_ids[-1]}
    depots, fleets = [], []
    for side in SIDES:
        depots.append({"id": f"{side}_depot", "side": side, "place": bases[side], "kind": "depot",
                       "stock": {k: draw(count(0, 400)) for k in
                                 draw(st.lists(st.sampled_from(SUPPLY_CLASSES), unique=True))},
                       "source": SRC})
        if draw(st.integers(0, 2)) == 0:
            depots[-1]["issue_tons_per_day"] = draw(real(1.0, 200.0))
        own = [p["id"] for p in places if p.get("holder") == side and p["id"] != bases[side]]
        if own and draw(st.integers(0, 2)) == 0:  # a forward depot, away from the supply source
            depots.append({"id": f"{side}_forward", "side": side, "place": draw(st.sampled_from(own)),
                           "kind": "depot", "stock": {"ammunition": draw(count(0, 200))}, "source": SRC})
        if draw(st.booleans()):  # a railhead and its truck fleet
            depots.append({"id": f"{side}_rail", "side": side, "place": bases[side], "kind": "railhead",
                           "source": SRC})
            dest = draw(st.sampled_from([d["id"] for d in depots if d["side"] == side and d["kind"] == "depot"]))
            f = {"side": side, "name": f"{side}_trucks", "origin": f"{side}_rail", "destination": dest,
                 "via": draw(st.lists(st.sampled_from(place_ids), unique=True, max_size=2)),
                 "km": draw(real(5.0, 150.0)), "trucks": draw(count(1, 300)),
                 "tanker_share": draw(real(0.0, 1.0)), "payload_tons": draw(real(0.5, 5.0)),
                 "speed_loaded_kmh": draw(real(5.0, 40.0)), "speed_empty_kmh": draw(real(5.0, 40.0)),
                 "load_hours": draw(real(0.5, 4.0)), "unload_hours": draw(real(0.5, 4.0)),
                 "breakdown_per_1000km": draw(real(0.0, 0.8)), "repair_days": draw(real(0.2, 4.0)),
                 "columns": draw(st.integers(1, 6)), "source": SRC}
            if draw(st.booleans()):
                f["cargo_mix"] = draw(st.sampled_from(({"ammunition": 1.0}, {"ammunition": 0.5, "food_water": 0.5},
                                                       {"ammunition": 0.25, "food_water": 0.25, "other": 0.5})))
            fleets.append(f)
    consumption = [{"unit_types": ["*"], "combat": _rates(draw), "moving": _rates(draw), "idle": _rates(draw),
                    "basic_load_days": draw(real(0.5, 5.0)), "source": SRC}]
    if draw(st.booleans()):
        consumption.append({"unit_types": [units[0]["type"]], "combat": _rates(draw), "idle": _rates(draw),
                            "source": SRC})
    lg = {"unit_stock_days": draw(real(0.0, 3.0)), "depots": depots, "fleets": fleets,
          "consumption": consumption, "source": SRC}
    buildup = draw(st.sampled_from((0, 0, 0, 6, 24)))
    if buildup:
        lg["buildup_start"] = (START - _dt.timedelta(hours=buildup)).isoformat()
    interdictions = []
    for _ in range(draw(st.integers(0, 2))):
        kind = "cut_route" if fleets and draw(st.booleans()) else "destroy_stock"
        x = {"kind": kind, "source": SRC}
        if draw(st.booleans()):
            x["at_hour"] = float(draw(st.integers(-buildup, int(duration))))
        else:
            x["per_day"] = draw(real(0.0, 3.0, dist=False))
        if kind == "destroy_stock":
            x["depot"] = draw(st.sampled_from(depots))["id"]
            x["share"] = draw(real(0.0, 1.0))
        else:
            x["fleet"] = draw(st.sampled_from(fleets))["name"]
            x["hours"] = draw(real(1.0, 48.0))
        interdictions.append(x)
    lg["interdictions"] = interdictions
    return lg


#: Parameter overrides a scenario may draw (name -> strategy of its value), to reach the
#: parts of the model a 1-4 day run seldom reaches with the defaults: quick captures, rallies,
#: pockets that fall within hours.
_PARAMS = {
    "control_min_hours": real(0.0, 4.0),
    "control_min_men": real(10.0, 300.0),
    "rally_hours": real(2.0, 24.0),
    "pocket_breakout_share": real(0.0, 1.0),
    "pocket_open_path_escape_share": real(0.0, 1.0),
    "pocket_destruction_rate": real(0.01, 0.3),
    "pocket_surrender_rate": real(0.0, 0.1),
    "pocket_filter_rate": real(0.0, 0.05),
    "killed_share": real(0.0, 1.0),
    "armour_repair_hours": real(1.0, 48.0),
    "armour_destroyed_share": real(0.0, 1.0),
    "march_delay_sigma": real(0.0, 0.5),
    "casualty_rate_multiplier": real(0.5, 8.0),
    "square_coefficient": real(0.0005, 0.01, dist=False),
}


@st.composite
def scenarios(draw) -> dict:
    """A small valid scenario as a dict (see the module docstring)."""
    places, routes, adj = draw(_graph())
    place_ids = [p["id"] for p in places]
    duration = float(draw(st.integers(24, 96)))
    engine = {"start": START.isoformat(), "duration_hours": duration,
              "combat_step_hours": draw(st.sampled_from([dt for dt in STEPS if duration / dt <= MAX_STEPS])),
              "attrition_law": draw(st.sampled_from(LAWS)), "stochastic": draw(st.booleans()),
              "size_basis": draw(st.sampled_from(("engagement", "side"))),
              "ring_closed_share": draw(real(0.1, 1.0, dist=False)),
              "resistance_ended_share": draw(real(0.1, 1.0, dist=False))}
    if draw(st.integers(0, 3)) == 0:
        engine["night"] = ["19:30", "05:00"]
    units = draw(_units(place_ids))
    d = {
        "scenario": {"name": "generated", "description": "A generated scenario for the invariant tests."},
        "engine": engine,
        "sides": {s: {"name": s.title(), "supply_sources": [place_ids[0] if s == "blue" else place_ids[-1]],
                      "rear": place_ids[0] if s == "blue" else place_ids[-1], "source": SRC} for s in SIDES},
        "places": places, "routes": routes, "units": units,
        "orders": draw(_orders(units, places, adj, duration)),
        "replacements": draw(_replacements(units, duration)),
    }
    names = draw(st.lists(st.sampled_from(sorted(_PARAMS)), unique=True, max_size=5))
    if names:
        d["parameters"] = {n: {"value": draw(_PARAMS[n]), "source": SRC} for n in names}
        if draw(st.booleans()):  # a per-side value
            d["parameters"]["killed_share"] = {s: {"value": draw(real(0.0, 1.0)), "source": SRC} for s in SIDES}
    if draw(st.integers(0, 3)) == 0:
        cond = {"weather": draw(st.sampled_from(WEATHER)), "source": SRC}
        season = draw(st.sampled_from(SEASONS))
        if season:
            cond["season"] = season
        if draw(st.booleans()):
            cond["air_superiority"] = draw(st.sampled_from(SIDES))
        if draw(st.booleans()):
            cond["surprise"] = {"side": draw(st.sampled_from(SIDES)),
                                "level": draw(st.sampled_from(("minor", "substantial", "complete"))),
                                "hours": float(draw(st.integers(6, 72)))}
        if draw(st.booleans()):
            cond["cev"] = {draw(st.sampled_from(SIDES)): draw(real(0.5, 2.0, dist=False))}
        d["conditions"] = cond
    if draw(st.booleans()):
        d["logistics"] = draw(_logistics(places, units, duration))
    return d
