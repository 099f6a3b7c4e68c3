"""Names of the classes the scenario format and the model share.

Terrain classes (Dupuy's QJM terrain table rows), fortification and posture
levels (0 = meeting engagement .. 3 = fortified), equipment classes (pieces)
and supply classes (tons).
"""

from __future__ import annotations

from typing import Literal, get_args

Terrain = Literal[
    "rolling_bare", "rolling_mixed", "flat_bare_hard", "flat_mixed", "flat_desert",
    "rolling_dunes", "rugged_bare", "rugged_mixed", "swamp_mixed", "urban",
]
TERRAINS: tuple[str, ...] = get_args(Terrain)

Fortification = Literal["none", "hasty", "prepared", "fortified"]
Posture = Literal["attack", "hasty", "prepared", "fortified", "reserve"]

#: Posture -> level 0..3 (meeting, hasty, prepared, fortified). "attack" and
#: "reserve" get the meeting-engagement level when such a unit ends up defending.
POSTURE_LEVEL = {"attack": 0, "reserve": 0, "hasty": 1, "prepared": 2, "fortified": 3}
#: Fortification of a place -> the same levels.
FORTIFICATION_LEVEL = {"none": 0, "hasty": 1, "prepared": 2, "fortified": 3}

EquipmentClass = Literal[
    "tanks", "armoured_cars", "guns", "anti_tank_guns", "mortars", "machine_guns", "trucks",
]
EQUIPMENT_CLASSES: tuple[str, ...] = get_args(EquipmentClass)

SupplyClass = Literal["ammunition", "fuel", "food_water", "other"]
SUPPLY_CLASSES: tuple[str, ...] = get_args(SupplyClass)
