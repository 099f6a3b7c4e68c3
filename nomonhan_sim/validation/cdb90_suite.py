"""The attrition core on CDB90 engagements it was not built for.

Each usable CDB90 battle (``nomonhan_sim.record.cdb90``) becomes an
:class:`~nomonhan_sim.engagement.Engagement` (mapping below) and is simulated with the
package's current default parameters through the ordinary engine path; its simulated
casualties are scored against the recorded ones beside the CDB90 loss-rate baseline
(``nomonhan_sim.record.scores``: attacker 1.39 %/day, defender 4.03 %/day of strength).

Mapping of a CDB90 row (``_a`` attacker, ``_d`` defender), every choice stated:

* men = ``strength`` (CDB90's total strength, whatever its strength code); tanks =
  ``tanks``, guns = ``artillery`` (unknown → 0); aircraft are not modelled (CDB90 has
  close-air-support sorties, recorded in the scenario description only);
* defender posture from ``post1``: HD → hasty, PD → prepared, FD → fortified; DL (delay),
  WD (withdrawal) and unknown → hasty;
* terrain from ``terrain1`` (relief G rugged / R rolling / F flat, cover W wooded / M mixed /
  B bare / D desert, special U urban / M marsh / D dunes): special U → urban, M →
  swamp_mixed, D → rolling_dunes; otherwise RB → rolling_bare, RM and RW → rolling_mixed,
  RD → rolling_dunes, FB → flat_bare_hard, FM and FW → flat_mixed, FD → flat_desert, GB →
  rugged_bare, GM and GW → rugged_mixed (the QJM table here has no wooded classes: wooded
  is read as mixed); unknown → rolling_mixed;
* duration = ``duration_days`` (sum of the active periods), at least one combat step of
  one hour; both sides in contact from hour 0.

Winner rule (the same for the model and the baseline, so the two are comparable): the
side whose median casualties are the smaller share of its strength wins. The QJM's
published 93 % winner rate used Dupuy's own outcome rule (mission accomplishment), so the
two are not the same measure.

A third predictor stands beside the two: the regression reference of
:mod:`nomonhan_sim.validation.reference_fit` (ridge regressions of log casualties and a
logistic regression of the winner on the engagement inputs, fitted on the calibration
battles of the scored era). It is scored the same way (the scores are in
:mod:`nomonhan_sim.validation.cdb90_scores`) and says how much of the casualty scatter
any predictor fitted to the inputs explains: a model far below it leaves skill on the
table; a target above it is out of reach of the inputs.

Seeds: battle ``isqno`` of a suite seeded with ``seed`` runs with
``engagement_seed(seed, isqno)``, so a battle's samples do not depend on which other
battles are run, in what order, or on how many workers.
"""

from __future__ import annotations

import concurrent.futures as cf
import datetime as _dt
import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from ..engagement import Engagement, Force, engagement_seed, run_engagement
from ..record import cdb90
from .cdb90_scores import (DURATION_BINS, DURATION_LABELS, SIDES, by_group, format_scores, pooled, scores,
                           winner_scores)
from .nationality import nationality_parameters
from .reference_fit import ReferenceFit, fit_reference
from ..record import scores as sc

POSTURE = {"HD": "hasty", "PD": "prepared", "FD": "fortified"}
_RELIEF_COVER = {
    "RB": "rolling_bare", "RM": "rolling_mixed", "RW": "rolling_mixed", "RD": "rolling_dunes",
    "FB": "flat_bare_hard", "FM": "flat_mixed", "FW": "flat_mixed", "FD": "flat_desert",
    "GB": "rugged_bare", "GM": "rugged_mixed", "GW": "rugged_mixed",
}
_SPECIAL = {"U": "urban", "M": "swamp_mixed", "D": "rolling_dunes"}
DEFAULT_TERRAIN = "rolling_mixed"
#: Default scope of the suite: the era the model's August 1939 scenario belongs to.
DEFAULT_ERA = "1939-1945"


def terrain_of(code) -> str:
    """The QJM terrain class of a CDB90 ``terrain1`` code (see the module docstring)."""
    if not isinstance(code, str) or len(code) < 2:
        return DEFAULT_TERRAIN
    if len(code) >= 3 and code[2] in _SPECIAL:
        return _SPECIAL[code[2]]
    return _RELIEF_COVER.get(code[:2], DEFAULT_TERRAIN)


def _count(v) -> float:
    return float(v) if isinstance(v, (int, float, np.floating)) and math.isfinite(v) and v > 0 else 0.0


def engagement_from_cdb90(isqno: int, row: pd.Series, parameters: dict | None = None) -> Engagement:
    """The engagement of CDB90 battle ``isqno`` (a row of ``cdb90.load_engagements()``);
    ``parameters``: a ``[parameters]`` table for it (default: the package defaults).

    Conditions: ``weather`` = WX1 as given (QJM weather and season rows by
    :func:`nomonhan_sim.engagement.qjm_weather` / ``qjm_season``; unknown → neutral),
    ``surprise`` = SURPA, ``air_superiority`` = AEROA (unknown → 0, none). Both sides have
    CEV 1: CDB90's CEA (attacker's relative combat effectiveness) is judged from the
    battle's outcome, so using it as an input would put the result into the prediction."""
    def force(side: str, label: str) -> Force:
        name = row.get(label)
        return Force(name=str(name) if isinstance(name, str) else label, men=float(row[f"strength_{side}"]),
                     tanks=_count(row.get(f"tanks_{side}")), guns=_count(row.get(f"artillery_{side}")),
                     aircraft=_count(row.get(f"air_sorties_{side}")))

    year = int(row["year"]) if math.isfinite(float(row["year"])) else 1940
    return Engagement(
        name=f"CDB90 {isqno} {row['name']}",
        attacker=force("a", "attacker"), defender=force("d", "defender"),
        duration_days=max(float(row["duration_days"]), 1.0 / 24.0),
        posture=POSTURE.get(row.get("post1"), "hasty"), terrain=terrain_of(row.get("terrain1")),
        start=_dt.datetime(max(year, 1), 1, 1, 6, 0),
        weather=str(row["weather"]) if isinstance(row.get("weather"), str) else "",
        surprise=float(row["surpa"]) if math.isfinite(float(row["surpa"])) else 0.0,
        air_superiority=float(row["aeroa"]) if math.isfinite(float(row["aeroa"])) else 0.0,
        front_km=float(row["front_km_d"]) if math.isfinite(float(row["front_km_d"])) else None,
        source=f"CDB90 isqno {isqno} (CDB90-orig.csv, nomonhan_sim/data/cdb90)",
        parameters=dict(parameters or {}),
    )


def _simulate(isqno: int, row: pd.Series, replicates: int, seed: int,
              parameters: dict | None = None) -> tuple[int, np.ndarray, np.ndarray]:
    parameters = {**nationality_parameters(row), **(parameters or {})}
    out = run_engagement(engagement_from_cdb90(isqno, row, parameters), replicates=replicates,
                         seed=engagement_seed(seed, isqno))
    return isqno, out["casualties.attacker"].to_numpy(float), out["casualties.defender"].to_numpy(float)


def select(era: str | None = DEFAULT_ERA, split: str = "holdout") -> pd.DataFrame:
    """Usable CDB90 battles of ``split`` ("calibration", "holdout", "reference" or "all";
    the reference battles 256–260 only when asked for by name or with "all") and ``era``
    (None = every era)."""
    df = cdb90.usable(cdb90.load_engagements())
    if split != "all":
        df = df[df["split"] == split]
    if era is not None:
        df = df[df["era"] == era]
    return df


def simulate(df: pd.DataFrame, replicates: int = 200, seed: int = 0, workers: int | None = None,
             progress: Callable[[int], None] | None = None,
             parameters: dict | None = None, force_workers: bool = False) -> dict[str, np.ndarray]:
    """Simulated casualties of every battle of ``df``: {"a": (n, R), "d": (n, R)} in the
    order of ``df.index``. ``workers``: processes (1 = serial; default: the CPUs; more
    than the CPUs this process may use is refused unless ``force_workers``);
    ``parameters``: a ``[parameters]`` table for every battle (default: package defaults)."""
    from ..experiment.runner import check_pool, usable_cpus

    check_pool(workers, None, force_workers=force_workers)
    workers = workers or min(usable_cpus(), max(len(df), 1))
    res: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    rows = list(df.iterrows())
    if workers <= 1:
        for isq, row in rows:
            _, a, d = _simulate(int(isq), row, replicates, seed, parameters)
            res[int(isq)] = (a, d)
            if progress:
                progress(1)
    else:
        with cf.ProcessPoolExecutor(max_workers=workers) as ex:
            futs = [ex.submit(_simulate, int(isq), row, replicates, seed, parameters) for isq, row in rows]
            for fut in cf.as_completed(futs):
                isq, a, d = fut.result()
                res[isq] = (a, d)
                if progress:
                    progress(1)
    order = [int(i) for i in df.index]
    return {"a": np.array([res[i][0] for i in order]).reshape(len(order), replicates),
            "d": np.array([res[i][1] for i in order]).reshape(len(order), replicates)}


def _winner(share_a: np.ndarray, share_d: np.ndarray) -> np.ndarray:
    return np.where(share_a <= share_d, 1.0, -1.0)


def predictions(df: pd.DataFrame, model: dict[str, np.ndarray], baseline_sigma: dict[str, float],
                seed: int = 0, reference: ReferenceFit | None = None) -> pd.DataFrame:
    """One row per battle: observed casualties, the model's and the baseline's median and
    90 % interval, CRPS on log(1 + casualties) of each, their PIT, the predicted winners and
    WINA; with ``reference`` (:func:`~nomonhan_sim.validation.reference_fit.fit_reference`)
    also the regression's median, CRPS, PIT and winner. Men; CRPS in log units."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 90]))
    base = sc.baseline_ensemble(df, baseline_sigma, model["a"].shape[1], rng)
    reg = None
    if reference is not None:
        reg_rng = np.random.default_rng(np.random.SeedSequence([seed, 92]))  # its own stream: the
        reg = reference.ensemble(df, model["a"].shape[1], reg_rng)         # model's PIT is unchanged
        reg_median = reference.median(df)
    base_point = sc.baseline_casualties(df)
    out = pd.DataFrame(index=df.index)
    for col in ("name", "year", "era", "split", "post1", "terrain1", "duration_days", "wina"):
        out[col] = df[col]
    for s, col in (("a", "attacker"), ("d", "defender")):  # the designation prefix: US, GER, SOV, JAP ...
        out[f"nation_{s}"] = df[col].astype("string").str.split().str[0].fillna("unknown").astype(str)
    out["duration_class"] = pd.cut(df["duration_days"].astype(float), DURATION_BINS,
                                   labels=DURATION_LABELS).astype(str)
    shares = {}
    for s, label in SIDES.items():
        obs = df[f"casualties_{s}"].to_numpy(float)
        strength = df[f"strength_{s}"].to_numpy(float)
        m = model[s]
        out[f"strength_{s}"] = strength
        out[f"observed_{s}"] = obs
        out[f"model_median_{s}"] = np.median(m, axis=1)
        out[f"model_q05_{s}"] = np.quantile(m, 0.05, axis=1)
        out[f"model_q95_{s}"] = np.quantile(m, 0.95, axis=1)
        out[f"baseline_{s}"] = base_point[f"casualties_{s}"].to_numpy(float)
        out[f"crps_model_{s}"] = sc.crps_log(m, obs)
        out[f"crps_baseline_{s}"] = sc.crps_log(base[s], obs)
        out[f"pit_model_{s}"] = sc.pit(m, obs, rng)
        out[f"pit_baseline_{s}"] = sc.pit(base[s], obs, rng)
        if reg is not None:
            out[f"regression_median_{s}"] = reg_median[s]
            out[f"crps_regression_{s}"] = sc.crps_log(reg[s], obs)
            out[f"pit_regression_{s}"] = sc.pit(reg[s], obs, reg_rng)
        shares[s] = out[f"model_median_{s}"].to_numpy(float) / strength
    out["winner_model"] = _winner(shares["a"], shares["d"])
    out["winner_baseline"] = sc.baseline_winner(df)
    if reference is not None:
        out["winner_regression"] = reference.predicted_winner(df)
    return out


@dataclass
class SuiteResult:
    """Per-battle predictions of the scored battles (``pred``) and of the reference
    battles 256–260 (``reference``), with the settings that produced them."""

    pred: pd.DataFrame
    reference: pd.DataFrame
    settings: dict

    def text(self) -> str:
        """The summary tables: the scored set, then the reference battles one by one."""
        st = self.settings
        scope = f"era {st['era'] or 'all'}, {st['split']} battles"
        parts = [format_scores(self.pred, f"CDB90 {scope}: model ({st.get('parameters', 'default')} parameters) "
                                          f"vs loss-rate baseline "
                                          f"({st['replicates']} worlds per battle, seed {st['seed']})")]
        r = self.reference
        reg = "regression_median_a" in r
        lines = ["", "Reference battles (isqno 256-260; never calibrated on): observed / model median "
                     f"(90% interval) / {'regression / ' if reg else ''}baseline, men"]
        for isq, row in r.iterrows():
            lines.append(f"  {isq} {row['name'][:44]:44} WINA {row['wina']:+.0f} model winner "
                         f"{row['winner_model']:+.0f}")
            for s, label in SIDES.items():
                lines.append(f"      {label:9} {row[f'observed_{s}']:>8,.0f} / {row[f'model_median_{s}']:>8,.0f} "
                             f"({row[f'model_q05_{s}']:,.0f}-{row[f'model_q95_{s}']:,.0f}) / "
                             + (f"{row[f'regression_median_{s}']:>8,.0f} / " if reg else "")
                             + f"{row[f'baseline_{s}']:>8,.0f}  PIT {row[f'pit_model_{s}']:.2f}")
        return "\n".join(parts + lines)

    def figures(self) -> dict:
        """The suite's figures by file stem."""
        from ..plot.validation import error_by_group, pit_histograms, predicted_vs_observed

        st = self.settings
        scope = f"CDB90 {st['split']} battles, era {st['era'] or 'all'} (n = {len(self.pred)})"
        groups = {"defender posture (post1)": by_group(self.pred, "post1"),
                  "duration": by_group(self.pred, "duration_class"),
                  "attacker's nationality": by_group(pooled(self.pred, "nation_a"), "nation_a"),
                  "defender's nationality": by_group(pooled(self.pred, "nation_d"), "nation_d")}
        if st["era"] is None:
            groups = {"era": by_group(self.pred, "era"), **groups}
        return {
            "predicted_vs_observed": predicted_vs_observed(self.pred, f"Predicted against recorded casualties: {scope}"),
            "pit": pit_histograms(self.pred, f"Calibration of the predicted distributions (PIT): {scope}"),
            "error_by_group": error_by_group(groups, f"Where the casualty error lies: {scope}"),
        }


def parameter_table(name: str) -> dict:
    """A ``[parameters]`` table for the suite: ``"default"`` or ``"calibrated"`` (the
    package defaults, whose attrition parameters are the fit in
    ``nomonhan_sim/data/calibrated_attrition.toml``: an empty table), ``"prior"`` (the
    published values and ranges those fitted parameters replace, from
    ``default_parameters.toml``) or the path of a TOML parameter table."""
    import tomllib
    from pathlib import Path

    from ..scenario.loader import _calibrated_parameters, _prior_parameters

    if name in ("default", "calibrated"):
        return {}
    if name == "prior":
        prior = _prior_parameters()
        return {k: prior[k] for k in _calibrated_parameters()}
    try:
        return tomllib.loads(Path(name).read_text())
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ValueError(f"{name}: not a parameter table ({exc})") from None


def run_suite(era: str | None = DEFAULT_ERA, split: str = "holdout", replicates: int = 200, seed: int = 0,
              workers: int | None = None, progress: Callable[[int], None] | None = None,
              parameters: str = "default") -> SuiteResult:
    """Simulate and score the usable CDB90 battles of ``split`` and ``era``, and the
    reference battles 256–260, with the parameter table ``parameters`` (see
    :func:`parameter_table`). The baseline's spread is fitted on the calibration half; the
    regression reference (:mod:`~nomonhan_sim.validation.reference_fit`) on the calibration
    battles of ``era`` (all eras when ``era`` is None)."""
    all_usable = cdb90.usable(cdb90.load_engagements())
    cal = cdb90.calibration(all_usable)
    sigma = sc.baseline_dispersion(cal)
    reference = fit_reference(cal if era is None else cal[cal["era"] == era])
    scored = select(era, split)
    ref = all_usable[all_usable["split"] == "reference"]
    both = pd.concat([scored, ref[~ref.index.isin(scored.index)]])
    model = simulate(both, replicates, seed, workers, progress, parameters=parameter_table(parameters))
    pred = predictions(both, model, sigma, seed, reference=reference)
    return SuiteResult(pred=pred.loc[scored.index], reference=pred.loc[ref.index],
                       settings={"era": era, "split": split, "replicates": replicates, "seed": seed,
                                 "parameters": parameters, "baseline_sigma": sigma,
                                 "regression": {"fitted_on": f"calibration battles of era {era or 'all'}",
                                                "n_fitted": len(reference.fitted_on), "sigma": reference.sigma,
                                                "ridge_alpha": reference.alphas()},
                                 "n_battles": int(len(scored))})


def write_suite(result: SuiteResult, out_dir, force: bool = False) -> list[str]:
    """Write ``predictions.parquet`` (scored battles), ``reference.parquet`` (256–260),
    ``summary.txt``, ``settings.json`` and the figures (PNG) into ``out_dir``, atomically
    (a temporary folder moved into place file by file). Refuses a non-empty folder unless
    ``force`` (``StoreError``, one line). Returns the file names written."""
    import json
    from pathlib import Path

    import matplotlib.pyplot as plt

    from ..experiment.store import check_target, staging_folder

    out = Path(out_dir)
    check_target(out, force)
    with staging_folder(out, "CDB90 results") as tmp:
        result.pred.to_parquet(tmp / "predictions.parquet")
        result.reference.to_parquet(tmp / "reference.parquet")
        (tmp / "summary.txt").write_text(result.text() + "\n")
        (tmp / "settings.json").write_text(json.dumps(result.settings, indent=2, default=str) + "\n")
        for stem, fig in result.figures().items():
            fig.savefig(tmp / f"{stem}.png", dpi=110)
            plt.close(fig)
        names = sorted(p.name for p in tmp.iterdir())
        for name in names:
            (tmp / name).replace(out / name)
    return names
