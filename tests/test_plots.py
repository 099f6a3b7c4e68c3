"""Plot functions run on small results and label what they show."""

from __future__ import annotations

import copy

import matplotlib

matplotlib.use("Agg")
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from nomonhan_sim.plot import plot_outcome, scenario_page  # noqa: E402
from nomonhan_sim.record.claims import Record  # noqa: E402
from nomonhan_sim.record.compare import compare_outcomes  # noqa: E402
from nomonhan_sim.scenario import scenario_from_dict  # noqa: E402
from conftest import fixture_dict  # noqa: E402


def small_case():
    d = copy.deepcopy(fixture_dict("pocket.toml"))
    d["compare"] = [{"outcome": "casualties.red", "low": 900, "high": 1200, "source": "synthetic record"},
                    {"outcome": "ring_closed_day", "low": 0.5, "high": 2.0, "source": "synthetic record"}]
    sc = scenario_from_dict(d, "pocket")
    rng = np.random.default_rng(1)
    df = pd.DataFrame({"casualties.red": rng.normal(1000, 100, 200),
                       "ring_closed_day": np.where(rng.random(200) < 0.8, rng.uniform(0.2, 1.0, 200), np.nan)})
    return sc, df, compare_outcomes(df, sc, Record(()))


def test_outcome_plot_has_units_band_and_sources():
    import matplotlib.pyplot as plt

    sc, df, rows = small_case()
    fig, ax = plt.subplots()
    plot_outcome(ax, df["casualties.red"].to_numpy(), rows[0])
    assert ax.get_xlabel() == "Casualties, red (men)"
    assert ax.get_ylabel() == "worlds (count)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("record 900 – 1,200") for t in labels)
    assert any("synthetic record" in t for t in labels)
    plt.close(fig)


def test_scenario_page_writes_an_image(tmp_path):
    sc, df, rows = small_case()
    fig = scenario_page(df, rows, "pocket against a synthetic record", end_day=5.0)
    out = tmp_path / "page.png"
    fig.savefig(out)
    assert out.stat().st_size > 20_000
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 2 and "P(range)" in titles[0]
    legend = [t.get_text() for t in fig.axes[1].get_legend().get_texts()]
    assert any("did not happen by the end" in t for t in legend)


def test_supply_timeline_plot_marks_h_hour_and_requirement(tmp_path):
    import matplotlib.pyplot as plt

    from nomonhan_sim.plot import supply_timeline
    from conftest import run

    d = copy.deepcopy(fixture_dict("supply.toml"))
    d["logistics"]["buildup_start"] = "1939-08-15T00:00:00"
    d["logistics"]["requirements"] = [{"side": "blue", "tons": 500, "source": "synthetic"}]
    res = run(scenario_from_dict(d, "supply"), R=20)
    fig, ax = plt.subplots()
    supply_timeline(ax, res)
    assert ax.get_ylabel() == "stock held in depots and units (t)"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "H-hour" in labels and any("requirement 500 t" in t for t in labels)
    fig.savefig(tmp_path / "supply.png")
    assert (tmp_path / "supply.png").stat().st_size > 10_000
    plt.close(fig)


def test_strength_and_ring_timelines_label_what_they_show(tmp_path):
    import matplotlib.pyplot as plt

    from nomonhan_sim.plot import ring_closed_share, strength_timeline
    from conftest import run

    d = copy.deepcopy(fixture_dict("pocket.toml"))
    res = run(scenario_from_dict(d, "pocket"), R=30, trace_worlds=list(range(30)))
    fig, (a1, a2) = plt.subplots(1, 2, figsize=(10, 4))
    strength_timeline(a1, res)
    assert a1.get_ylabel() == "strength in the field (men)"
    days = res.world.ring_closed_t / 24.0
    ring_closed_share(a2, days, record=(0.5, 2.0), end_day=5.0, source="test record")
    line = a2.get_lines()[0]
    assert line.get_ydata()[-1] == np.isfinite(days).mean()
    assert any("test record" in t.get_text() for t in a2.get_legend().get_texts())
    fig.savefig(tmp_path / "t.png")
    assert (tmp_path / "t.png").stat().st_size > 20_000
    plt.close(fig)


def test_paired_plot_labels_both_variants_and_reports_the_median_difference(tmp_path):
    import matplotlib.pyplot as plt

    from nomonhan_sim.plot import paired_summary, plot_paired

    rng = np.random.default_rng(3)
    a = rng.normal(5000, 800, 150)
    b = a + rng.normal(1500, 300, 150)   # variant b costs about 1,500 more in every world
    fig, axes = plt.subplots(1, 2)
    s = plot_paired(axes, a, b, "envelopment", "frontal", "Soviet casualties", "men")
    assert axes[0].get_xlabel() == "Soviet casualties, envelopment (men)"
    assert axes[0].get_ylabel() == "Soviet casualties, frontal (men)"
    assert axes[1].get_xlabel() == "Soviet casualties: frontal minus envelopment (men)"
    assert 1400 < s.median_diff < 1600 and s.ci_low < s.median_diff < s.ci_high
    assert s.share_b_greater > 0.99 and s.wilcoxon_p < 1e-10
    labels = [t.get_text() for t in axes[1].get_legend().get_texts()]
    assert any(t.startswith("median difference 1,") for t in labels)
    fig.savefig(tmp_path / "paired.png")
    assert (tmp_path / "paired.png").stat().st_size > 10_000
    plt.close(fig)
    # no difference at all: the test statistic is undefined, not a false "significant"
    same = paired_summary(a, a)
    assert same.median_diff == 0 and np.isnan(same.wilcoxon_p)
