"""CDB90 (CAA Database of Battles, version 1990) as one clean table, and its fixed split.

The data are read from the package (``nomonhan_sim/data/cdb90/``, see its README.md for
provenance, licence and the known bugs of the tidy tables):

* ``original/CDB90-orig.csv`` — one row per battle, the original CAA fields with their
  signed codes (WINA, SURPA, AEROA, CEA, KMDA keep their negative values here; the tidy
  ``battles.csv`` of the same repository blanks every negative value, so it is not used);
* ``active_periods.csv`` — the tidy active periods, used for the duration only (the tidy
  ``battle_durations.csv`` is wrong, e.g. 2 days for isqno 260, so it is not used).

:func:`load_engagements` returns one row per battle (index ``isqno``, 660 rows). Columns,
units and conversions (``_a`` = attacker, ``_d`` = defender; "NaN" = the code book's
"not available"/"unknown" code):

==========================  ===========================================================
column                      meaning, unit, conversion
==========================  ===========================================================
name, war, location,        NAME, WAR, LOCN, CAMPGN as text. The original WAR is used
campaign                    (the tidy ``battles.war`` mislabels isqno 516).
attacker, defender          force designations NAMA, NAMD (text; ``?`` → NaN). CDB90 has
                            no separate nationality field: the designation starts with an
                            abbreviation such as ``SOV``, ``JAP``, ``US``, ``GER``.
attacker_commander,         COA, COD (text; ``?`` → NaN).
defender_commander
year                        year the first active period began (ATPBYR1; int).
era                         ``"pre-1900"`` (year ≤ 1899), ``"1900-1938"``,
                            ``"1939-1945"``, ``"1946-1982"`` (the latest battle is 1982).
strength_a, strength_d      STRA, STRD: total personnel strength, men (float; −1 → NaN).
strength_code_a, _d         CODEA, CODED as text: 1 ``"initial"`` (the total is the initial
                            strength), 2 ``"average"`` (average daily strength), 3
                            ``"total engaged"``; 0 (one battle, isqno 657, strength −1) → NaN.
initial_a, initial_d        INTSTA, INTSTD: initial strength, men (−1 → NaN).
reinforcements_a, _d        RERPA, RERPD: reinforcements/replacements, men (−1 → NaN).
casualties_a, casualties_d  CASA, CASD: personnel battle casualties, men (−1 → NaN).
final_a, final_d            FINSTA, FINSTD: strength at the end, men (−1 → NaN).
tanks_a, tanks_d            TANKA, TANKD: total tanks, number (−1 → NaN).
artillery_a, artillery_d    ARTYA, ARTYD: artillery tubes, number (−1 → NaN).
air_sorties_a, _d           FLYA, FLYD: close-air-support *sorties* (the only aircraft
                            figure of CDB90; it is not a count of aircraft; −1 → NaN).
tank_losses_a, _d           CTANKA, CTANKD: armour losses, number (−1 → NaN).
front_km_a, front_km_d      WOFA1, WOFD1: width of front at the start, km (−1 → NaN).
                            Later widths (WOFA2/3) are not used.
postype                     POSTYPE 0/1/2 (float; 9 unknown → NaN).
post1, post2                defender's primary/secondary posture: ``HD`` hasty, ``PD``
                            prepared, ``FD`` fortified, ``DL`` delay, ``WD`` withdrawal
                            (``OO`` not available → NaN).
terrain1, terrain2          TERRA1, TERRA2: 3-character codes (relief G/R/F, cover
                            W/M/B/D, special U/M/D; ``0`` = other/not available), kept as
                            given; ``000`` → NaN.
weather                     WX1: 5-character code as given (precipitation W/D, sky
                            H/L/O/S, temperature H/T/C, season, climate — the code book
                            lists 4 characters, the data and the tidy ``weather.csv``
                            have 5); ``00000`` → NaN.
surpa                       SURPA, surprise −3 (complete, by defender) … +3 (complete, by
                            attacker) (float; 9 unknown → NaN).
aeroa                       AEROA, theatre air superiority +1 attacker, 0 neither, −1
                            defender (float; 9 unknown → NaN).
cea                         CEA, attacker's relative combat effectiveness −4 … +4
                            (float; −9 unknown → NaN).
wina                        WINA: 1 attacker won, −1 defender won (attacker lost), 0 draw
                            (float; −9 unknown → NaN).
crit                        CRIT: 1 clear-cut, 2 not clear-cut (0 n/a → NaN).
kmda                        KMDA: km the attacker advanced (negative: retreated)
                            (float; −9999 unknown → NaN).
n_active_periods            number of active periods in ``active_periods.csv``.
duration_days               sum of the active periods' ``duration_max``, minutes / 1440
                            (days of fighting; gaps between periods are not counted).
casualties_exceed_strength  True where a side's casualties exceed its strength (three WWI
                            battles: 304, 319, 334), kept but flagged.
==========================  ===========================================================

Why ``duration_max``: where CDB90 gives a day but no hour, the tidy table sets the
period's start/end to an interval of one whole day, so ``duration_min`` counts neither the
first nor the last day (0 minutes for 122 one-day periods, 10 days for isqno 260, fought
20–31 Aug 1939) while ``duration_max`` counts both in full (1 day; 12 days for 260). Where
the hours are known both are equal. Two periods have no duration in the tidy table
(isqno 429 and 435, period 1: the original codes the start hour as 2400, which the tidy
conversion rejected); they are computed here from the original ATP fields with 2400 read
as midnight at the end of that day (780 and 1200 minutes).

The split (:func:`split`) is fixed: see its docstring.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from importlib.resources import files

import pandas as pd

REFERENCE = frozenset({256, 257, 258, 259, 260})
"""The 1938–39 Soviet–Japanese engagements (Changkufeng 1938, Nomonhan 1939) with which the
project's scenarios are compared: never calibration, never holdout."""

ERAS = ("pre-1900", "1900-1938", "1939-1945", "1946-1982")

_SPLIT_SALT = "nomonhan_sim/cdb90/split/v1"

_STRENGTH_CODE = {1: "initial", 2: "average", 3: "total engaged"}

# original column -> (our column, value meaning "not available/unknown")
_COUNTS = {
    "STRA": "strength_a", "STRD": "strength_d", "INTSTA": "initial_a", "INTSTD": "initial_d",
    "RERPA": "reinforcements_a", "RERPD": "reinforcements_d", "CASA": "casualties_a",
    "CASD": "casualties_d", "FINSTA": "final_a", "FINSTD": "final_d", "TANKA": "tanks_a",
    "TANKD": "tanks_d", "ARTYA": "artillery_a", "ARTYD": "artillery_d", "FLYA": "air_sorties_a",
    "FLYD": "air_sorties_d", "CTANKA": "tank_losses_a", "CTANKD": "tank_losses_d",
    "WOFA1": "front_km_a", "WOFD1": "front_km_d",
}
_CODES = {  # signed codes: column -> (our column, unknown codes)
    "SURPA": ("surpa", {9}), "AEROA": ("aeroa", {9}), "CEA": ("cea", {-9}),
    "WINA": ("wina", {-9}), "CRIT": ("crit", {0}), "KMDA": ("kmda", {-9999}),
    "POSTYPE": ("postype", {9}),
}
_TEXT = {"NAME": "name", "WAR": "war", "LOCN": "location", "CAMPGN": "campaign",
         "NAMA": "attacker", "NAMD": "defender", "COA": "attacker_commander",
         "COD": "defender_commander"}
_CATEGORIES = {"POST1": ("post1", {"OO"}), "POST2": ("post2", {"OO"}),
               "TERRA1": ("terrain1", {"000"}), "TERRA2": ("terrain2", {"000"}),
               "WX1": ("weather", {"00000"})}


def _data(name: str):
    return files("nomonhan_sim") / "data" / "cdb90" / name


def _read_original() -> pd.DataFrame:
    with _data("original/CDB90-orig.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh, dtype=str, keep_default_na=False).set_index("ISQNO")


def _read_active_periods() -> pd.DataFrame:
    with _data("active_periods.csv").open("r", encoding="utf-8") as fh:
        return pd.read_csv(fh)


def _atp_time(row: pd.Series, which: str, k: int) -> dt.datetime:
    """Begin (``which="B"``) or end (``"E"``) of active period k from the original fields,
    hour coded HHMM, 2400 = midnight at the end of the day."""
    y, m, d, h = (int(row[f"ATP{which}{f}{k}"]) for f in ("YR", "MN", "DA", "HR"))
    if 9999 in (y, h) or 99 in (m, d):
        raise ValueError(f"active period {k} has an unknown date or hour")
    return dt.datetime(y, m, d) + dt.timedelta(hours=h // 100, minutes=h % 100)


def _durations_minutes(orig: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Sum of ``duration_max`` per battle (minutes) and the number of periods."""
    ap = _read_active_periods()
    missing = ap["duration_max"].isna()
    for i in ap.index[missing]:
        isqno, k = int(ap.at[i, "isqno"]), int(ap.at[i, "atp_number"])
        row = orig.loc[isqno]
        span = _atp_time(row, "E", k) - _atp_time(row, "B", k)
        ap.at[i, "duration_max"] = span.total_seconds() / 60.0
    by = ap.groupby("isqno")
    return by["duration_max"].sum(min_count=1), by.size()


def _era(year: int) -> str:
    if year <= 1899:
        return "pre-1900"
    if year <= 1938:
        return "1900-1938"
    if year <= 1945:
        return "1939-1945"
    return "1946-1982"


def load_engagements() -> pd.DataFrame:
    """All 660 CDB90 battles, one row per battle indexed by ``isqno`` (see the module
    docstring for every column, its unit and its conversion)."""
    orig = _read_original()
    orig.index = orig.index.astype(int)
    out = pd.DataFrame(index=pd.Index(orig.index, name="isqno"))
    for src, col in _TEXT.items():
        s = orig[src].str.strip()
        out[col] = s.where(~s.isin({"", "?"})).astype("string")
    out["year"] = orig["ATPBYR1"].astype(int)
    out["era"] = pd.Categorical(out["year"].map(_era), categories=list(ERAS))
    for src, col in _COUNTS.items():
        v = pd.to_numeric(orig[src]).astype(float)
        out[col] = v.where(v != -1)  # the code book: "-1 IF NOT AVAILABLE"
    for side, src in (("a", "CODEA"), ("d", "CODED")):
        out[f"strength_code_{side}"] = orig[src].astype(int).map(_STRENGTH_CODE).astype("string")
    for src, (col, unknown) in _CODES.items():
        v = pd.to_numeric(orig[src]).astype(float)
        out[col] = v.where(~v.isin(unknown))
    for src, (col, unknown) in _CATEGORIES.items():
        s = orig[src].str.strip()
        out[col] = s.where(~s.isin(unknown | {""})).astype("string")
    minutes, n = _durations_minutes(orig)
    out["n_active_periods"] = n.reindex(out.index).astype(int)
    out["duration_days"] = minutes.reindex(out.index) / 1440.0
    out["casualties_exceed_strength"] = ((out["casualties_a"] > out["strength_a"])
                                         | (out["casualties_d"] > out["strength_d"]))
    out["split"] = pd.Categorical([split(i) for i in out.index],
                                  categories=["calibration", "holdout", "reference"])
    assert not (out.loc[sorted(REFERENCE), "split"] == "calibration").any()
    return out


def split(isqno: int) -> str:
    """The fixed split of CDB90: ``"reference"``, ``"calibration"`` or ``"holdout"``.

    * isqno 256–260 (Changkufeng 1938, Nomonhan 1939) are ``"reference"``: the project's
      scenarios are compared with them, so they are never used to calibrate or to test.
    * Every other battle goes to ``"calibration"`` if the first byte of
      ``sha256("nomonhan_sim/cdb90/split/v1:<isqno>")`` is even, else ``"holdout"``.

    Why a hash of the number alone: the assignment depends on no data value (least of all
    the strengths, casualties, durations or winners a model predicts), it is the same on
    every machine and Python version (``hashlib``, not the salted built-in ``hash``), and it
    does not follow the catalogue's order. Parity of isqno would also be data-free, but
    CDB90 numbers the phases of one operation consecutively (e.g. Okinawa, Italy 1943–44),
    so odd/even would split every operation phase by phase in a regular pattern; the hash
    splits them irregularly. Era balance is not forced; the sizes are checked by the tests
    (about half of each era is calibration).
    """
    isqno = int(isqno)
    if isqno in REFERENCE:
        return "reference"
    digest = hashlib.sha256(f"{_SPLIT_SALT}:{isqno}".encode()).digest()
    result = "calibration" if digest[0] % 2 == 0 else "holdout"
    assert not (isqno in REFERENCE and result == "calibration")
    return result


def usable(df: pd.DataFrame) -> pd.DataFrame:
    """Battles that can be scored on casualties: both sides' strength known and > 0, both
    sides' casualties known and ≥ 0, duration known and > 0.

    Casualties of 0 would be allowed (the scores use log(1 + casualties)); CDB90 has none,
    so in practice every usable battle has casualties > 0 on both sides. The three battles
    whose casualties exceed the strength (``casualties_exceed_strength``) are kept: they
    are data as recorded, and a model is scored on them like on any other.
    """
    ok = ((df["strength_a"] > 0) & (df["strength_d"] > 0)
          & (df["casualties_a"] >= 0) & (df["casualties_d"] >= 0)
          & (df["duration_days"] > 0))
    return df[ok.fillna(False).astype(bool)]


def calibration(df: pd.DataFrame) -> pd.DataFrame:
    """The calibration half of ``df`` (rows whose split is ``"calibration"``)."""
    return df[[split(i) == "calibration" for i in df.index]]


def holdout(df: pd.DataFrame) -> pd.DataFrame:
    """The holdout half of ``df``: never fit anything on it."""
    return df[[split(i) == "holdout" for i in df.index]]


__all__ = ["ERAS", "REFERENCE", "calibration", "holdout", "load_engagements", "split", "usable"]
