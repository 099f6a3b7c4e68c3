"""Plots for people: battle maps, outcome distributions against the record, timelines (matplotlib)."""

from .battle_map import battle_map
from .map_series import animate_world, battle_map_series
from .distributions import plot_outcome, scenario_page
from .paired import paired_summary, plot_paired
from .timelines import ring_closed_share, strength_timeline, supply_timeline

__all__ = ["animate_world", "battle_map", "battle_map_series", "paired_summary", "plot_paired", "plot_outcome", "ring_closed_share", "scenario_page",
           "strength_timeline", "supply_timeline"]
