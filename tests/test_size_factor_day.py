"""The QJM size factor is held for the engagement-day: a force shrinking within the day
does not raise its own loss rate; a new day or a new engagement takes it afresh."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np

from nomonhan_sim.model.combat import ENGAGEMENT_DAY_HOURS, held_size_factor
from nomonhan_sim.model.qjm_tables import size_factor


def _world():
    return SimpleNamespace(extra={})


def test_size_factor_stays_fixed_while_the_force_shrinks_within_the_day():
    w, contested = _world(), np.array([[True]])
    first = held_size_factor(w, 0, 0.0, contested, np.array([[2000.0]]))
    for hour, men in ((1.0, 1500.0), (6.0, 900.0), (23.0, 600.0)):
        assert held_size_factor(w, 0, hour, contested, np.array([[men]])) == first
    assert first == size_factor(2000.0)
    assert size_factor(600.0) > 2 * first  # recomputed hourly, the factor would have more than doubled


def test_a_new_engagement_day_takes_the_factor_from_the_men_then_present():
    w, contested = _world(), np.array([[True]])
    held_size_factor(w, 0, 0.0, contested, np.array([[2000.0]]))
    next_day = held_size_factor(w, 0, ENGAGEMENT_DAY_HOURS, contested, np.array([[900.0]]))
    assert next_day == size_factor(900.0)


def test_a_place_no_longer_contested_ends_its_engagement():
    w = _world()
    held_size_factor(w, 0, 0.0, np.array([[True]]), np.array([[2000.0]]))
    assert held_size_factor(w, 0, 3.0, np.array([[False]]), np.array([[0.0]])) == 1.0
    again = held_size_factor(w, 0, 5.0, np.array([[True]]), np.array([[800.0]]))
    assert again == size_factor(800.0)  # a new engagement the same day starts from its own men


def test_sides_and_worlds_are_held_separately():
    w = _world()
    contested = np.array([[True, False], [True, True]])
    men0 = np.array([[1000.0, 0.0], [4000.0, 6000.0]])
    a = held_size_factor(w, 0, 0.0, contested, men0)
    b = held_size_factor(w, 1, 0.0, contested, men0 * 2)
    np.testing.assert_allclose(a, np.where(contested, size_factor(men0), 1.0))
    np.testing.assert_allclose(b, np.where(contested, size_factor(men0 * 2), 1.0))
