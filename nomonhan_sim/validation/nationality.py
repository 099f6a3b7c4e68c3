"""The QJM nationality rule for CDB90 battles: Russian/Soviet and Japanese casualty rates.

The August 1939 scenario multiplies both sides' Dupuy rates by uniform 1-2 (the QJM rule);
CDB90 battles of the same nationalities and period get the same multiplier, so the rates
fitted on CDB90 belong to the model the scenarios run.
"""

from __future__ import annotations

import math

import pandas as pd

#: CDB90 designation prefixes (first word of NAMA/NAMD) of Russian or Soviet and of Japanese forces.
RUSSIAN_OR_JAPANESE = ("RUS", "RUSS", "SOV", "USSR", "JAP")
#: The QJM nationality rule's multiplier, as the August 1939 scenario has it.
NATIONALITY_RULE = {
    "value": {"dist": "uniform", "low": 1.0, "high": 2.0},
    "unit": "multiplier of the side's Dupuy casualty rate",
    "source": "QJM special attrition condition, Lawrence, International TNDM Newsletter Apr 1997: 'For "
              "period 1900-1945. Russian and Japanese rates are double those calculated' (combat_models.md "
              "§3.3a); low 1.0 = no adjustment (TNDM), high 2.0 = the QJM rule; as in the August 1939 scenario",
    "claims": ["param.qjm.nationality.lawrence1997"],
}


def nationality_parameters(row: pd.Series) -> dict:
    """The ``[parameters]`` entries of the QJM nationality rule for a CDB90 battle: sides whose
    designation starts with a Russian/Soviet or Japanese prefix, in 1900-1945, get the
    multiplier :data:`NATIONALITY_RULE` (the same range the August 1939 scenario uses); others
    none. The rule's second part (all rates doubled in 1914-1941) is applied neither here nor
    in the August scenario."""
    year = float(row["year"]) if math.isfinite(float(row["year"])) else float("nan")
    if not 1900 <= year <= 1945:
        return {}
    sides = {}
    for s, label in (("attacker", "attacker"), ("defender", "defender")):
        name = row.get(label)
        if isinstance(name, str) and name.split() and name.split()[0] in RUSSIAN_OR_JAPANESE:
            sides[s] = dict(NATIONALITY_RULE)
    return {"casualty_rate_multiplier": sides} if sides else {}
