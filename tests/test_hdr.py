"""The 90 % highest-density region: a trough between modes is outside it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from nomonhan_sim.record import Record
from nomonhan_sim.record.compare import compare_outcomes
from nomonhan_sim.record.hdr import highest_density_region
from test_record_compare import scenario_with


def _bimodal(n=4000, seed=0):
    rng = np.random.default_rng(seed)
    return np.r_[rng.normal(5000, 600, n // 2), rng.normal(19000, 1500, n // 2)]


def test_the_region_of_a_unimodal_sample_is_one_interval_near_its_quantiles():
    v = np.random.default_rng(1).normal(0, 1, 20000)
    r = highest_density_region(v)
    (lo, hi), = r.intervals
    assert lo == pytest.approx(-1.645, abs=0.08) and hi == pytest.approx(1.645, abs=0.08)


def test_a_trough_between_two_modes_is_left_out():
    r = highest_density_region(_bimodal())
    assert len(r.intervals) == 2
    assert not r.overlaps(11000, 12000)          # the trough
    assert r.overlaps(4800, 5200) and r.overlaps(18000, 20000)


def test_a_record_in_the_trough_is_a_miss_even_inside_the_5_to_95_interval():
    sc = scenario_with([{"outcome": "casualties.red", "low": 10810, "high": 11730, "source": "synthetic"}])
    (c,) = compare_outcomes(pd.DataFrame({"casualties.red": _bimodal()}), sc, Record(()))
    assert c.inside_interval and not c.inside
    assert c.verdict.startswith("outside: in a low-density trough between modes")


def test_discrete_outcomes_keep_their_most_probable_values():
    v = np.array([1.0] * 60 + [0.75] * 35 + [0.5] * 5)
    r = highest_density_region(v)
    assert r.intervals == ((0.75, 0.75), (1.0, 1.0)) and not r.overlaps(0.5, 0.5)


def test_events_that_did_not_happen_are_an_atom_after_the_end():
    v = np.r_[np.random.default_rng(2).normal(5, 0.5, 400), np.full(600, np.nan)]
    r = highest_density_region(v)
    assert r.after_end and r.intervals  # 60 % after the end, the rest of the 90 % from the times
    rare = np.r_[np.random.default_rng(3).normal(5, 0.5, 999), [np.nan]]
    assert not highest_density_region(rare).after_end  # one world in 1,000 is not a region


@pytest.mark.parametrize("sample", ["normal", "bimodal", "lognormal", "small"])
def test_the_binned_density_matches_the_exact_kernel_estimate(sample):
    from scipy.stats import gaussian_kde

    from nomonhan_sim.record.hdr import GRID, binned_kde, scott_bandwidth

    rng = np.random.default_rng(7)
    x = {"normal": rng.normal(0, 1, 1000), "bimodal": _bimodal(1000, seed=8),
         "lognormal": rng.lognormal(8.0, 1.3, 1000), "small": rng.normal(3, 2, 25)}[sample]
    kde = gaussian_kde(x)
    bw = scott_bandwidth(x)
    assert bw == pytest.approx(float(np.sqrt(kde.covariance[0, 0])), rel=1e-12)
    grid = np.linspace(x.min() - 3 * bw, x.max() + 3 * bw, GRID)
    exact, binned = kde(grid), binned_kde(x, grid, bw)
    assert np.max(np.abs(binned - exact)) < 1e-3 * exact.max()


def test_a_bounded_outcome_region_stays_inside_its_bounds():
    rng = np.random.default_rng(4)
    casualties = np.abs(rng.normal(0.0, 1000.0, 2000))  # piled up against 0, as losses of a quiet side
    free = highest_density_region(casualties)
    bounded = highest_density_region(casualties, bounds=(0.0, np.inf))
    assert free.intervals[0][0] < 0 <= bounded.intervals[0][0]  # the kernel spills below 0; the bound folds it back
    share = rng.beta(8.0, 1.0, 2000)  # piled up against 1
    assert highest_density_region(share, bounds=(0.0, 1.0)).intervals[-1][1] <= 1.0


def test_a_bound_far_from_the_sample_leaves_the_region_unchanged():
    x = np.random.default_rng(5).normal(10_000.0, 500.0, 1000)
    assert highest_density_region(x, bounds=(0.0, np.inf)) == highest_density_region(x)


def test_a_bound_the_sample_breaks_is_ignored():
    x = np.random.default_rng(6).normal(0.0, 1.0, 500)
    assert highest_density_region(x, bounds=(0.0, np.inf)) == highest_density_region(x)


def test_compare_bounds_follow_the_outcome_unit():
    from nomonhan_sim.record.compare import outcome_bounds

    assert outcome_bounds("casualties.soviet") == (0.0, np.inf)
    assert outcome_bounds("front_force_share_lost") == (0.0, 1.0)
    assert outcome_bounds("ring_closed_day") == (0.0, np.inf)
    assert outcome_bounds("armour_knocked_out.soviet.tanks") == (0.0, np.inf)


def test_a_value_many_worlds_share_is_an_atom_not_a_smoothed_peak():
    rng = np.random.default_rng(7)
    # 70 % of worlds stop at exactly 473 km, the rest spread beyond it; one in a hundred short of it
    v = np.r_[np.full(700, 473.0), rng.uniform(480.0, 724.0, 290), rng.uniform(280.0, 440.0, 10)]
    r = highest_density_region(v)
    assert r.overlaps(473.0, 473.0)
    assert not r.overlaps(450.0, 450.0)  # no world is near 450: smoothing the atom must not put it inside
    assert (473.0, 473.0) in r.intervals


def test_an_atom_at_zero_enters_the_region_with_the_continuous_rest():
    rng = np.random.default_rng(8)
    v = np.r_[np.zeros(300), rng.lognormal(6.0, 0.5, 700)]  # no losses in 30 % of the worlds
    r = highest_density_region(v, bounds=(0.0, np.inf))
    assert r.intervals[0] == (0.0, 0.0) and not r.overlaps(1.0, 50.0)
