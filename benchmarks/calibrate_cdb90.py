"""Fit the attrition parameters on the calibration half of CDB90 and write them into the
package (``nomonhan_sim/data/calibrated_attrition.toml``).

Minimum-CRPS fit of the Dupuy base rates and a model-form spread
(``nomonhan_sim.validation.calibrate``) on the usable calibration battles of an era.
Not part of the test suite: about five minutes on 2 cores. Usage::

    python benchmarks/calibrate_cdb90.py [--era 1939-1945] [--replicates 50] [--evaluations 80]

The fitted tables replace their priors in the package defaults (``scenario.loader``), so
every scenario then draws from them and ``python -m nomonhan_sim cdb90`` scores the holdout
half with them (nothing is re-fitted there); ``--parameters prior`` scores the priors.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from nomonhan_sim.record import cdb90
from nomonhan_sim.validation import calibrate as cal
from nomonhan_sim.vocabulary.defaults import DEFAULT_SEED

OUT = Path(__file__).resolve().parent.parent / "nomonhan_sim" / "data" / "calibrated_attrition.toml"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--era", default="1939-1945", help="era of the calibration battles, or all")
    ap.add_argument("--replicates", type=int, default=50, help="worlds per battle per evaluation")
    ap.add_argument("--evaluations", type=int, default=80, help="most objective evaluations")
    ap.add_argument("--workers", type=int, default=None)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    df = cdb90.calibration(cdb90.usable(cdb90.load_engagements()))
    if args.era != "all":
        df = df[df["era"] == args.era]
    t0 = time.perf_counter()
    res = cal.fit(df, replicates=args.replicates, seed=DEFAULT_SEED, workers=args.workers,
                  max_evaluations=args.evaluations)
    res.settings["era"] = None if args.era == "all" else args.era
    args.out.write_text(res.toml())
    print(json.dumps({"values": res.values, "objective": res.objective, "start_objective": res.start_objective,
                      "evaluations": res.n_evaluations, "battles": len(res.battles),
                      "seconds": round(time.perf_counter() - t0, 1)}, indent=2))
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
