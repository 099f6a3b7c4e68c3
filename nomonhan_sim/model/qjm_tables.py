"""Dupuy QJM factor tables used by the combat model.

Values are Dupuy's (Numbers, Predictions and War; Attrition, 1990) as restated
in the research notes ``combat_models.md`` §3.2–3.3, which took them from a
third-party transcription (HerrTom/OPORD-QJM ``database/tables/``, read only).
The notes flag that the transcription has not been checked against the books.
"""

from __future__ import annotations

import numpy as np

from ..vocabulary.classes import FORTIFICATION_LEVEL, POSTURE_LEVEL, TERRAINS  # noqa: F401  (levels 0..3)

#: By level 0..3 (meeting, hasty, prepared, fortified): defender strength
#: multiplier u_s and defender casualty factor u_cd. [combat_models.md §3.2 PostureFactors]
POSTURE_STRENGTH = np.array([1.0, 1.3, 1.5, 1.6])
POSTURE_DEFENDER_CASUALTY = np.array([1.0, 0.8, 0.85, 0.9])

#: terrain -> (mobility r_m, defence-position r_u, casualty r_c) [combat_models.md §3.2 TerrainFactors]
TERRAIN_FACTORS = {
    "rolling_bare": (1.0, 1.2, 0.8),
    "rolling_mixed": (0.8, 1.3, 0.7),
    "flat_bare_hard": (1.05, 1.05, 1.0),
    "flat_mixed": (0.9, 1.2, 0.8),
    "flat_desert": (0.95, 1.18, 0.9),
    "rolling_dunes": (0.3, 1.4, 0.5),
    "rugged_bare": (0.6, 1.45, 0.5),
    "rugged_mixed": (0.5, 1.55, 0.4),
    "swamp_mixed": (0.4, 1.3, 0.4),
    "urban": (0.7, 1.4, 0.5),
}

assert set(TERRAIN_FACTORS) == set(TERRAINS)
#: (terrain index in TERRAINS, 3): columns r_m, r_u, r_c
TERRAIN_FACTOR_TABLE = np.array([TERRAIN_FACTORS[t] for t in TERRAINS], float)


def terrain_factors(terrain: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(mobility r_m, defence-position r_u, casualty r_c) for places of terrain index ``terrain``."""
    t = TERRAIN_FACTOR_TABLE[np.asarray(terrain, int)]
    return t[..., 0], t[..., 1], t[..., 2]


#: Size factor vs own personnel [combat_models.md §3.3 StrengthSize]
SIZE_MEN = np.array([500, 1000, 2000, 4000, 6000, 10000, 15000, 25000, 45000, 75000, 100000, 120000.0])
SIZE_FACTOR = np.array([21, 8, 5, 2.5, 1.8, 1.2, 1.1, 1.0, 0.8, 0.6, 0.4, 0.3])

#: Opposition factor vs own/enemy combat-power ratio [combat_models.md §3.3 OppositionFactor]
OPP_RATIO = np.array([0.1, 0.54, 0.89, 1.24, 1.99, 2.99, 4.99, 6.0])
OPP_FACTOR = np.array([2.5, 1.3, 1.0, 0.9, 0.75, 0.65, 0.5, 0.4])


def size_factor(men: np.ndarray) -> np.ndarray:
    """QJM casualty size factor, interpolated in log(men); clamped at the table ends."""
    m = np.clip(np.asarray(men, dtype=float), SIZE_MEN[0], SIZE_MEN[-1])
    return np.interp(np.log(m), np.log(SIZE_MEN), SIZE_FACTOR)


def opposition_factor(ratio: np.ndarray) -> np.ndarray:
    """QJM opposition factor of a side's own/enemy power ratio, log-interpolated, clamped."""
    r = np.clip(np.asarray(ratio, dtype=float), OPP_RATIO[0], OPP_RATIO[-1])
    return np.interp(np.log(r), np.log(OPP_RATIO), OPP_FACTOR)


#: QJM/TNDM ammunition supply effect on firepower (share of a full load -> factor)
#: [combat_models.md §5.2, HerrTom/OPORD-QJM database/tables/ASE.csv, third-party transcription]
AMMO_SHARE = np.array([0.0, 0.1, 0.2, 0.3, 0.5, 0.8, 1.0])
AMMO_FACTOR = np.array([0.0, 0.2, 0.65, 0.8, 0.9, 0.96, 1.0])


def ammunition_factor(share: np.ndarray) -> np.ndarray:
    """Firepower multiplier for an ammunition stock of ``share`` of a full load (0 at empty,
    an assumption below the table's first entry of 10 % -> 0.2)."""
    return np.interp(np.clip(share, 0.0, 1.0), AMMO_SHARE, AMMO_FACTOR)


# --- Conditions of an engagement (nomonhan_sim.model.conditions) -----------------------------

#: Weather row -> (mobility h_m, attack h_ua, artillery h_wg, air h_wy, tanks h_wt, casualties h_c).
#: Row ids: precipitation and sky ("dry_sunshine", "dry_overcast", "wet_light" = light
#: precipitation, "wet_heavy" = heavy precipitation) and temperature ("temperate",
#: "extreme_heat", "extreme_cold"). [combat_models.md §3.2 WeatherFactors; HerrTom/OPORD-QJM
#: database/tables/WeatherFactors.csv] third-party transcription, not checked against the book.
WEATHER_FACTORS = {
    "dry_sunshine_extreme_heat": (0.9, 1.0, 1.0, 1.0, 0.9, 0.8),
    "dry_sunshine_temperate": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "dry_sunshine_extreme_cold": (0.9, 0.9, 0.9, 1.0, 0.9, 0.7),
    "dry_overcast_extreme_heat": (1.0, 1.0, 1.0, 0.7, 1.0, 0.9),
    "dry_overcast_temperate": (1.0, 1.0, 1.0, 0.7, 1.0, 1.0),
    "dry_overcast_extreme_cold": (0.9, 0.9, 0.9, 0.7, 0.8, 0.6),
    "wet_light_extreme_heat": (0.9, 0.9, 0.9, 0.5, 0.7, 0.7),
    "wet_light_temperate": (0.8, 0.9, 1.0, 0.5, 0.7, 0.7),
    "wet_light_extreme_cold": (0.8, 0.9, 1.0, 0.5, 0.7, 0.4),
    "wet_heavy_extreme_heat": (0.5, 0.6, 0.9, 0.2, 0.6, 0.5),
    "wet_heavy_temperate": (0.6, 0.7, 0.9, 0.2, 0.5, 0.5),
    "wet_heavy_extreme_cold": (0.5, 0.6, 0.8, 0.2, 0.5, 0.3),
}

#: Season row -> (attack z_u, artillery z_wg, air z_wy). "jungle" is the QJM's tropical
#: climate. [combat_models.md §3.2 SeasonFactors; HerrTom/OPORD-QJM
#: database/tables/SeasonFactors.csv, where the summer-temperate row is spelt "Summer -
#: Temperature"] third-party transcription, not checked against the book.
SEASON_FACTORS = {
    "winter_jungle": (1.1, 0.9, 0.7), "winter_desert": (1.0, 1.0, 1.0), "winter_temperate": (1.0, 1.0, 1.0),
    "spring_jungle": (1.1, 0.9, 0.7), "spring_desert": (1.0, 1.0, 1.0), "spring_temperate": (1.1, 1.0, 0.9),
    "summer_jungle": (1.1, 0.9, 0.7), "summer_desert": (1.0, 1.0, 1.0), "summer_temperate": (1.1, 0.9, 1.0),
    "fall_jungle": (1.1, 0.9, 0.7), "fall_desert": (1.0, 1.0, 1.0), "fall_temperate": (1.1, 1.0, 0.9),
}

#: Air situation of a side -> (mobility m_yd, mobility m_yw, artillery w_yg, air w_yy,
#: vulnerability v_y). [combat_models.md §3.2 AirSuperiorityFactors; HerrTom/OPORD-QJM
#: database/tables/AirSuperiorityFactors.csv] third-party transcription, not checked against the book.
AIR_SUPERIORITY_FACTORS = {
    "superiority": (1.1, 1.0, 1.1, 1.1, 0.9),
    "equality": (1.0, 1.0, 1.0, 1.0, 1.0),
    "inferiority": (0.9, 1.0, 0.9, 0.9, 1.1),
}

#: Surprise level -> (mobility M_sur, vulnerability of the surpriser V_sur, vulnerability of
#: the surprised V_surd, casualties su_c, armour loss su_ct) as transcribed. The su_c and su_ct
#: columns rise as surprise weakens (minor 2.5 > complete 1.5), which the notes flag as
#: probably inverted; the combat model uses the two vulnerability columns (see
#: nomonhan_sim.model.conditions). [combat_models.md §3.2 SurpriseFactors; HerrTom/OPORD-QJM
#: database/tables/SurpriseFactors.csv] third-party transcription, not checked against the book.
SURPRISE_FACTORS = {
    "none": (1.0, 1.0, 1.0, 1.0, 1.0),
    "complete": (5.0, 0.4, 3.0, 1.5, 1.3),
    "substantial": (3.0, 0.6, 2.0, 2.0, 1.5),
    "minor": (1.3, 0.9, 1.2, 2.5, 1.8),
}

#: Days over which the effect of surprise fades in the QJM: the factors "trend to 1.0 and
#: reduce by 1/3 for each day", i.e. f_d = 1 + (f − 1)·(3 − d)/3 on day d = 0, 1, 2 after
#: surprise is achieved, 1 from day 3. [HerrTom/OPORD-QJM qjm/wargame.py, simulate_battle,
#: comment and formula; the same code multiplies the surprise factors by an era factor of
#: 1.33 marked "post 1966", not used for 1939-1945] third-party transcription, not checked
#: against the book.
SURPRISE_DECAY_DAYS = 3
