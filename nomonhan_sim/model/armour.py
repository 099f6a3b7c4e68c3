"""Equipment losses in combat (armour, guns and the rest).

(Being reworked in this session; for now the QJM per-unit rule moved here unchanged:
equipment class k of a unit that lost men loses the share ``min(1, men-loss share × m_k)``.)
"""

from __future__ import annotations

import numpy as np


def equipment_losses(c, w, unit_loss, defending, rng, **ctx) -> None:
    """Remove the equipment lost this combat step from ``w.equip`` in place.

    ``unit_loss``: (R, U) men each unit loses this step (not yet subtracted from
    ``w.pers``); ``defending``: (R, U) bool; ``ctx``: now, dt (hours), in_fight (R, U),
    side_loss and side_men (R, S, P), contested (R, P).
    """
    from .combat import equipment_loss_multiplier

    with np.errstate(divide="ignore", invalid="ignore"):
        men_share = np.where(w.pers > 0, unit_loss / w.pers, 0.0)
    hit = (unit_loss > 0)[:, :, None] & (w.equip > 0)          # only units that lost men
    eq_share = np.minimum(1.0, men_share[:, :, None] * equipment_loss_multiplier(c, w, defending))[hit]
    if rng is None:
        eq_loss = w.equip[hit] * eq_share
    else:
        eq_loss = rng.binomial(np.round(w.equip[hit]).astype(np.int64), eq_share).astype(float)
    w.equip[hit] -= eq_loss
