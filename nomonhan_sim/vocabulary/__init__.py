"""Shared vocabulary of the lowest layer: class names, outcome names, number formatting.

Everything here is plain data and pure functions with no dependency on any other
part of the package, so every layer (scenario, engine, model, record, plots) can
import it without climbing.
"""

from .classes import EQUIPMENT_CLASSES, FORTIFICATION_LEVEL, POSTURE_LEVEL, SUPPLY_CLASSES, TERRAINS
from .numbers import fmt, quantiles
from .outcome_names import describe, outcome_names

__all__ = ["EQUIPMENT_CLASSES", "FORTIFICATION_LEVEL", "POSTURE_LEVEL", "SUPPLY_CLASSES", "TERRAINS",
           "describe", "fmt", "outcome_names", "quantiles"]
