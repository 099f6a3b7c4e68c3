"""Scenario files: schema, uncertain quantities and the validating loader."""

from .loader import LoadedScenario, ScenarioError, load_scenario, scenario_from_dict
from .quantity import Distribution

__all__ = ["LoadedScenario", "ScenarioError", "load_scenario", "scenario_from_dict", "Distribution"]
