"""Plots for people: outcome distributions against the record, timelines (matplotlib)."""

from .distributions import plot_outcome, scenario_page
from .timelines import supply_timeline

__all__ = ["plot_outcome", "scenario_page", "supply_timeline"]
