"""Fit the attrition parameters on the calibration half of CDB90 (minimum CRPS).

What is fitted (three numbers, all in the Dupuy attrition law the scenarios use):

* ``dupuy_attacker_rate`` and ``dupuy_defender_rate`` — the base daily casualty rates
  (share of personnel per day at power ratio 1 and size factor 1), one value each instead
  of today's uniform ranges between the QJM's two published values;
* ``model_form_sigma`` — the spread of a model-form multiplier: each world draws one
  ``model_form_multiplier`` from a lognormal with median 1 and this sigma, shared by both
  sides (one correlated rate set per world, not independent per-side noise).

How: the objective is the mean, over the calibration battles and both sides, of the CRPS
of the simulated casualties on log(1 + casualties) (``record.scores.crps_log``), a proper
scoring rule, so minimising it fits both the location and the spread (Gneiting & Raftery
2007, "minimum CRPS estimation"). Every evaluation uses the same seeds (common random
numbers), so the objective is a deterministic function of the parameters; it is minimised
over (log rates, log sigma) with scipy's Nelder–Mead. Why not ABC (pyabc): with three
parameters and a cheap, deterministic-given-seed simulator, a direct fit of a proper
score is simpler to check and to reproduce; ABC would add a tolerance schedule and a
distance to choose, for no gain at this size.

Only calibration battles enter (``record.cdb90.split``); :func:`fit` refuses any other.
The holdout half and the reference battles 256–260 are scored afterwards, never fitted.
"""

from __future__ import annotations

import datetime as _dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from ..record import cdb90
from ..record import scores as sc
from .cdb90_suite import simulate

#: Parameters fitted, in the order of the vector the optimiser sees (each on a log scale).
FITTED = ("dupuy_attacker_rate", "dupuy_defender_rate", "model_form_sigma")
#: Starting point: the midpoints of today's default ranges and a moderate spread.
START = {"dupuy_attacker_rate": 0.034, "dupuy_defender_rate": 0.0275, "model_form_sigma": 0.5}


def parameters_for(values: dict, source: str = "estimate: trial value of the calibration") -> dict:
    """The ``[parameters]`` table that sets the fitted parameters to ``values``."""
    return {
        "dupuy_attacker_rate": {"value": float(values["dupuy_attacker_rate"]),
                                "unit": "share of personnel per day at P/P = 1 and size factor 1", "source": source},
        "dupuy_defender_rate": {"value": float(values["dupuy_defender_rate"]),
                                "unit": "share of personnel per day at P/P = 1 and size factor 1", "source": source},
        "model_form_multiplier": {
            "value": {"dist": "lognormal", "median": 1.0, "sigma": float(values["model_form_sigma"])},
            "unit": "multiplier of both sides' Dupuy casualty rates, drawn once per world (model-form uncertainty)",
            "source": source},
    }


def score(df: pd.DataFrame, values: dict, replicates: int, seed: int, workers: int | None = 1,
          observed: dict[str, np.ndarray] | None = None) -> float:
    """Mean CRPS on log(1 + casualties) over the battles of ``df`` and both sides, with
    the fitted parameters at ``values``. ``observed``: casualties to score against
    ({"a": (n,), "d": (n,)}; default: CDB90's)."""
    model = simulate(df, replicates, seed, workers, parameters=parameters_for(values))
    total = 0.0
    for s in ("a", "d"):
        obs = observed[s] if observed is not None else df[f"casualties_{s}"].to_numpy(float)
        total += float(np.mean(sc.crps_log(model[s], obs)))
    return total / 2


@dataclass
class FitResult:
    """A calibration: the fitted ``values``, the objective at the start and at the end,
    the evaluations made, the battles used, and how it was run."""

    values: dict
    objective: float
    start_objective: float
    n_evaluations: int
    battles: list[int]
    settings: dict = field(default_factory=dict)

    def toml(self) -> str:
        """The fit as a package data file (``[parameters]``-style tables with provenance)."""
        st = self.settings
        src = (f"calibrated: minimum CRPS on log casualties over {len(self.battles)} CDB90 calibration "
               f"battles (era {st.get('era') or 'all'}; split v1), {st.get('replicates')} worlds per battle, "
               f"seed {st.get('seed')}, nomonhan_sim.validation.calibrate ({st.get('date')})")
        lines = ["# Attrition parameters fitted on the calibration half of CDB90 (nomonhan_sim.validation.calibrate).",
                 f"# Objective (mean CRPS, log casualties): {self.start_objective:.4f} at the start, "
                 f"{self.objective:.4f} fitted; {self.n_evaluations} evaluations.",
                 f"# Battles (isqno): {', '.join(str(i) for i in self.battles)}", ""]
        for name, table in parameters_for(self.values, src).items():
            lines.append(f"[{name}]")
            v = table["value"]
            if isinstance(v, dict):
                lines.append("value = { " + ", ".join(f'{k} = {json_value(x)}' for k, x in v.items()) + " }")
            else:
                lines.append(f"value = {v!r}")
            lines.append(f"unit = {json_value(table['unit'])}")
            lines.append(f"source = {json_value(table['source'])}")
            lines.append("")
        return "\n".join(lines)


def json_value(x) -> str:
    """A TOML literal for a number or a string."""
    import json

    return json.dumps(x) if isinstance(x, str) else repr(float(x))


def _check_calibration_only(df: pd.DataFrame) -> None:
    bad = [int(i) for i in df.index if cdb90.split(int(i)) != "calibration"]
    if bad:
        raise ValueError(f"calibration uses calibration battles only; got {bad[:5]} (split: "
                         f"{', '.join(sorted({cdb90.split(i) for i in bad}))})")


def fit(df: pd.DataFrame, replicates: int = 50, seed: int = 0, workers: int | None = 1,
        start: dict | None = None, max_evaluations: int = 80,
        observed: dict[str, np.ndarray] | None = None, check_split: bool = True) -> FitResult:
    """Fit :data:`FITTED` by minimum CRPS on the battles of ``df`` (calibration battles
    only, unless ``check_split`` is False — for synthetic tests)."""
    from scipy.optimize import minimize

    if check_split:
        _check_calibration_only(df)
    x0 = np.log([(start or START)[k] for k in FITTED])
    evaluations = []

    def objective(x):
        values = dict(zip(FITTED, np.exp(x)))
        f = score(df, values, replicates, seed, workers, observed)
        evaluations.append((values, f))
        return f

    f0 = objective(x0)
    res = minimize(objective, x0, method="Nelder-Mead",
                   options={"maxfev": max_evaluations, "xatol": 0.02, "fatol": 1e-4,
                            "initial_simplex": x0 + np.vstack([np.zeros(3), 0.4 * np.eye(3)])})
    best_values, best_f = min(evaluations, key=lambda e: e[1])
    return FitResult(values={k: float(v) for k, v in best_values.items()}, objective=float(best_f),
                     start_objective=float(f0), n_evaluations=len(evaluations),
                     battles=[int(i) for i in df.index],
                     settings={"replicates": replicates, "seed": seed, "optimizer": "Nelder-Mead",
                               "converged": bool(res.success), "date": _dt.date.today().isoformat()})


__all__ = ["FITTED", "START", "FitResult", "fit", "json_value", "parameters_for", "score"]
