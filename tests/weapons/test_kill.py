"""Engagement outcome draws."""

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.weapons.kill import draw_kills, kill_probability


def test_probability_is_the_product() -> None:
    p = kill_probability([0.8, 0.9], 0.95, [1.0, 0.5])
    np.testing.assert_allclose(p, [0.76, 0.4275])


@pytest.mark.parametrize("bad", [1.5, -0.2, np.nan])
def test_bad_probability(bad: float) -> None:
    with pytest.raises(InputError, match="p_kill"):
        kill_probability(bad)
    with pytest.raises(InputError, match="reliability"):
        kill_probability(0.5, bad)


def test_draw_frequency_matches_p() -> None:
    rng = np.random.default_rng(7)
    n = 200_000
    kills = draw_kills(rng, np.full(n, 0.85), 0.95)
    p = 0.85 * 0.95
    sigma = np.sqrt(p * (1 - p) / n)
    assert abs(kills.mean() - p) < 5 * sigma


def test_salvo_of_two_matches_closed_form() -> None:
    # ENG-1 style check by simulation: P_k of two independent shots = 1 - (1 - p)^2.
    rng = np.random.default_rng(11)
    n = 200_000
    k = draw_kills(rng, np.full((n, 2), 0.8)).any(axis=1)
    sigma = np.sqrt(0.96 * 0.04 / n)
    assert abs(k.mean() - 0.96) < 5 * sigma


def test_reproducible_and_needs_a_generator() -> None:
    a = draw_kills(np.random.default_rng(3), np.full(50, 0.5))
    b = draw_kills(np.random.default_rng(3), np.full(50, 0.5))
    assert np.array_equal(a, b)
    assert draw_kills(np.random.default_rng(3), 1.0).all()
    assert not draw_kills(np.random.default_rng(3), np.zeros(10)).any()
    with pytest.raises(InputError, match="rng"):
        draw_kills(np.random, 0.5)  # type: ignore[arg-type]
