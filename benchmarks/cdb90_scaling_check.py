"""Would a different casualty scaling pay off on held-out CDB90 battles? A post-hoc check.

The regression reference (``nomonhan_sim.validation.reference_fit``) finds CDB90
casualties growing with duration and own strength to powers of about 0.5–0.7, where a
daily loss rate implies 1 (docs/validation.md). This script asks how much held-out skill
the model would gain if its casualties were rescaled that way, before anyone changes the
loss law:

1. simulate the usable 1939–1945 battles of the calibration and the holdout half with the
   package's defaults (``cdb90_suite.simulate``, 200 worlds, the suite's default seed);
2. per side, fit ``log m = c + γ (log days − 1) + δ (log strength − 9)`` on the
   CALIBRATION half by minimising the mean CRPS of the rescaled ensembles (each world's
   casualties × m, capped at the strength; scipy Nelder–Mead);
3. apply it unchanged to the holdout half and print the CRPS skill against the loss-rate
   baseline before and after.

Not a model change: the rescaling acts on finished simulations. Usage::

    python benchmarks/cdb90_scaling_check.py [--replicates 200] [--workers 2]
"""

from __future__ import annotations

import argparse

import numpy as np
from scipy.optimize import minimize

from nomonhan_sim.record import cdb90
from nomonhan_sim.record import scores as sc
from nomonhan_sim.validation.cdb90_suite import DEFAULT_ERA, simulate

SEED = 19390820


def log_multiplier(df, side: str, p) -> np.ndarray:
    """c + γ (log days − 1) + δ (log strength − 9), per battle."""
    days = np.log(np.maximum(df["duration_days"].to_numpy(float), 1 / 24))
    men = np.log(df[f"strength_{side}"].to_numpy(float))
    return p[0] + p[1] * (days - 1.0) + p[2] * (men - 9.0)


def mean_crps(df, sims, side: str, p) -> float:
    """Mean CRPS on log(1 + casualties) of the rescaled ensembles."""
    m = np.minimum(sims[side] * np.exp(log_multiplier(df, side, p))[:, None],
                   df[f"strength_{side}"].to_numpy(float)[:, None])
    return float(sc.crps_log(m, df[f"casualties_{side}"].to_numpy(float)).mean())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--replicates", type=int, default=200)
    ap.add_argument("--workers", type=int, default=None)
    args = ap.parse_args()
    usable = cdb90.usable(cdb90.load_engagements())
    cal_all = cdb90.calibration(usable)
    cal = cal_all[cal_all["era"] == DEFAULT_ERA]
    hold = usable[(usable["split"] == "holdout") & (usable["era"] == DEFAULT_ERA)]
    sims_cal = simulate(cal, args.replicates, SEED, workers=args.workers)
    sims_hold = simulate(hold, args.replicates, SEED, workers=args.workers)
    base = sc.baseline_ensemble(hold, sc.baseline_dispersion(cal_all), args.replicates,
                                np.random.default_rng(np.random.SeedSequence([SEED, 90])))
    print(f"CDB90 {DEFAULT_ERA}: rescaling fitted on {len(cal)} calibration battles, scored on {len(hold)} holdout "
          f"battles ({args.replicates} worlds, seed {SEED})")
    print(f"{'side':9} {'c':>7} {'gamma':>7} {'delta':>7} {'cal CRPS before':>16} {'after':>7} "
          f"{'holdout skill before':>21} {'after':>7}")
    for s, label in (("a", "attacker"), ("d", "defender")):
        fit = minimize(lambda p: mean_crps(cal, sims_cal, s, p), [0.0, 0.0, 0.0], method="Nelder-Mead")
        b = float(sc.crps_log(base[s], hold[f"casualties_{s}"].to_numpy(float)).mean())
        before, after = mean_crps(hold, sims_hold, s, [0, 0, 0]), mean_crps(hold, sims_hold, s, fit.x)
        print(f"{label:9} {fit.x[0]:>+7.3f} {fit.x[1]:>+7.3f} {fit.x[2]:>+7.3f} "
              f"{mean_crps(cal, sims_cal, s, [0, 0, 0]):>16.3f} {fit.fun:>7.3f} "
              f"{1 - before / b:>+21.3f} {1 - after / b:>+7.3f}")


if __name__ == "__main__":
    main()
