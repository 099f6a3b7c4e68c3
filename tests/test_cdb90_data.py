"""CDB90 as loaded from the package: the figures, the signed codes, the durations, the split."""

from __future__ import annotations

import hashlib
import inspect
from importlib.resources import files

import numpy as np
import pytest

from nomonhan_sim.record import cdb90


@pytest.fixture(scope="module")
def df():
    return cdb90.load_engagements()


def test_every_battle_of_cdb90_is_loaded_once(df):
    assert len(df) == 660
    assert df.index.name == "isqno" and df.index.is_unique
    assert list(df.index) == list(range(1, 661))


def test_khalkhin_gol_counteroffensive_has_the_recorded_figures(df):
    b = df.loc[260]
    assert (b.strength_a, b.casualties_a, b.strength_d, b.casualties_d) == (57000, 10000, 30000, 11500)
    assert b.wina == 1 and b.kmda == pytest.approx(21.6)
    assert (b.front_km_a, b.front_km_d) == (50, 60)
    assert b.strength_code_a == "initial" and b.tanks_a == 498 and b.artillery_d == 135
    assert b.post1 == "PD" and b.surpa == 2 and b.aeroa == 1


def test_duration_of_khalkhin_gol_counts_20_to_31_august_inclusive(df):
    assert df.loc[260, "duration_days"] == pytest.approx(12.0)
    assert df.loc[516, "duration_days"] == pytest.approx(8.0)  # 9-16 Aug 1945


def test_periods_with_start_hour_2400_get_a_duration_from_the_original(df):
    assert df.loc[429, "duration_days"] == pytest.approx(780 / 1440)
    assert df.loc[435, "duration_days"] == pytest.approx((1200 + 210) / 1440)
    assert df["duration_days"].notna().all() and (df["duration_days"] > 0).all()


def test_signed_codes_keep_their_sign(df):
    assert (df["wina"] == -1).sum() == 217
    assert (df["wina"] == 1).sum() == 398 and (df["wina"] == 0).sum() == 43
    assert df.loc[516, "wina"] == 1 and df.loc[257, "wina"] == -1
    assert (df["surpa"] < 0).sum() == 15 and (df["aeroa"] == -1).sum() == 57 and (df["cea"] < 0).sum() == 82
    assert (df["kmda"] < 0).any()


def test_unknown_codes_become_nan(df):
    assert df["wina"].isna().sum() == 2  # WINA -9
    assert df["aeroa"].isna().sum() == 35 and not df["aeroa"].isin([9]).any()
    assert df["cea"].isna().sum() == 35 and not (df["cea"] == -9).any()
    assert df["kmda"].isna().sum() == 26 and not (df["kmda"] == -9999).any()
    counts = ["strength_a", "casualties_a", "casualties_d", "tanks_a", "artillery_d", "front_km_d"]
    assert not (df[counts] == -1).any().any()
    assert np.isnan(df.loc[657, "strength_a"]) and df["strength_code_a"].isna().sum() == 1


def test_war_of_mutankiang_comes_from_the_original(df):
    assert df.loc[516, "war"] == "WORLD WAR II, EASTERN FRONT"


def test_eras_cover_every_battle(df):
    assert set(df["era"].unique()) == set(cdb90.ERAS)
    assert df.loc[260, "era"] == "1939-1945" and df.loc[256, "era"] == "1900-1938"
    assert df.loc[1, "era"] == "pre-1900" and df.loc[645, "era"] == "1946-1982"


def test_reference_battles_are_never_calibration_or_holdout(df):
    for i in (256, 257, 258, 259, 260):
        assert cdb90.split(i) == "reference"
    assert set(df.index[df["split"] == "reference"]) == {256, 257, 258, 259, 260}
    assert not set(cdb90.calibration(df).index) & cdb90.REFERENCE
    assert not set(cdb90.holdout(df).index) & cdb90.REFERENCE


def test_split_is_a_fixed_hash_of_the_number_and_about_half(df):
    for i in (1, 100, 516, 660):
        first = hashlib.sha256(f"nomonhan_sim/cdb90/split/v1:{i}".encode()).digest()[0]
        assert cdb90.split(i) == ("calibration" if first % 2 == 0 else "holdout")
    again = [cdb90.split(i) for i in df.index]
    assert again == list(df["split"])
    n_cal, n_hold = (df["split"] == "calibration").sum(), (df["split"] == "holdout").sum()
    assert n_cal + n_hold == 655 and abs(n_cal - n_hold) < 0.1 * 655
    for era, part in df.groupby("era", observed=True):
        share = (part["split"] == "calibration").mean()
        assert 0.35 < share < 0.65, (era, share)


def test_usable_battles_have_strength_casualties_and_duration(df):
    u = cdb90.usable(df)
    assert 600 < len(u) < 660 and 260 in u.index
    assert (u[["strength_a", "strength_d"]] > 0).all().all()
    assert (u[["casualties_a", "casualties_d"]] >= 0).all().all() and (u["duration_days"] > 0).all()
    assert 657 not in u.index  # attacker strength not available


def test_loader_reads_only_the_two_packaged_files_through_importlib_resources(monkeypatch):
    assert 'files("nomonhan_sim") / "data" / "cdb90"' in inspect.getsource(cdb90._data)
    base = files("nomonhan_sim") / "data" / "cdb90"
    opened = []

    def spy(name):
        opened.append(name)
        return base / name

    monkeypatch.setattr(cdb90, "_data", spy)
    assert len(cdb90.load_engagements()) == 660
    assert sorted(set(opened)) == ["active_periods.csv", "original/CDB90-orig.csv"]


def test_data_readme_gives_provenance_licence_and_bugs():
    text = (files("nomonhan_sim") / "data" / "cdb90" / "README.md").read_text(encoding="utf-8")
    for needed in ("jrnold/CDB90", "e0b35ec4d798cec3bb4e6970c0f6bb7aa69e2f4c", "src-data/CDB90/CDB90-orig.csv",
                   "data/active_periods.csv", "public domain", "ODC-By", "battle_durations.csv", "OKINAWA"):
        assert needed in text, needed
