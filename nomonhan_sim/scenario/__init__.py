"""Scenario files: schema, uncertain quantities and the validating loader.

Variants from Python: ``sc.with_changes({...})`` (:mod:`.changes`), ``sc.to_dict()``,
``scaled(q, factor)``; see docs/scenario_api.md.
"""

from .loader import LoadedScenario, ScenarioError, load_scenario, scenario_from_dict
from .quantity import Distribution, scaled

__all__ = ["LoadedScenario", "ScenarioError", "load_scenario", "scenario_from_dict", "Distribution", "scaled"]
