"""Doctrines and the Monte Carlo engagement simulator."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.command.doctrine import (
    Doctrine,
    Reserve,
    Salvo,
    ShootLookShoot,
    simulate_engagements,
)
from hoplon.command.effectiveness import staged_engagement
from hoplon.errors import InputError


def _within(samples: np.ndarray, expected: float, k: float = 5.0) -> None:
    x = np.asarray(samples, dtype=float)
    se = x.std(ddof=1) / np.sqrt(x.size)
    assert abs(x.mean() - expected) <= k * se + 1e-12, (x.mean(), expected, se)


def test_reserve_count_and_fraction() -> None:
    r = Reserve(count=2, fraction=0.25)
    np.testing.assert_array_equal(r.held([0, 4, 8, 12, 1]), [0, 2, 2, 3, 1])
    np.testing.assert_array_equal(r.usable([0, 4, 8, 12, 1]), [0, 2, 6, 9, 0])
    with pytest.raises(InputError, match=r"reserve\.fraction"):
        Reserve(fraction=1.5)
    with pytest.raises(InputError, match="inventory"):
        r.usable(-1)


def test_doctrine_constructors() -> None:
    assert Salvo(3).stages == (3,)
    sls = ShootLookShoot(first=2, second=1, assessment_delay_s=4.0)
    assert sls.stages == (2, 1) and sls.max_interceptors == 3 and sls.first_salvo == 2
    with pytest.raises(InputError, match="stages"):
        Salvo(0)
    with pytest.raises(InputError, match="stages"):
        Doctrine(stages=())
    with pytest.raises(InputError, match="assessment_delay_s"):
        ShootLookShoot(1, 1, assessment_delay_s=-1.0)


def test_stage_times_and_window() -> None:
    sls = ShootLookShoot(1, 1, assessment_delay_s=5.0)
    np.testing.assert_allclose(sls.stage_launch_times_s(100.0, 30.0), [100.0, 135.0])
    # second intercept at 165 s: fits a 170 s window, not a 160 s one
    assert int(sls.stages_in_time(100.0, 30.0, 170.0)) == 2
    assert int(sls.stages_in_time(100.0, 30.0, 160.0)) == 1
    assert int(sls.stages_in_time(100.0, 30.0, 120.0)) == 0
    got = sls.stages_in_time(np.array([100.0, 0.0]), np.array([30.0, 10.0]), 170.0)
    np.testing.assert_array_equal(got, [2, 2])


def test_same_seed_same_outcome() -> None:
    a = simulate_engagements(0.6, ShootLookShoot(1, 2), 5, 1000, np.random.default_rng(7))
    b = simulate_engagements(0.6, ShootLookShoot(1, 2), 5, 1000, np.random.default_rng(7))
    np.testing.assert_array_equal(a.killed, b.killed)
    np.testing.assert_array_equal(a.interceptors, b.interceptors)


def test_simulator_matches_staged_formula_with_all_factors() -> None:
    kw = dict(reliability=0.9, p_detect_track_discriminate=0.85, p_false_kill=0.1, p_false_miss=0.2)
    doctrine = Doctrine(stages=(2, 1, 1), assessment_delay_s=3.0)
    out = simulate_engagements(0.55, doctrine, 1, 200_000, np.random.default_rng(11), **kw)
    pk, en = staged_engagement(0.55, doctrine.stages, **kw)
    _within(out.kills, float(pk))
    _within(out.interceptors_used, float(en))


def test_undetected_threats_use_no_interceptor_and_leak() -> None:
    out = simulate_engagements(
        1.0, Salvo(2), 4, 5000, np.random.default_rng(3), p_detect_track_discriminate=0.5
    )
    assert np.all(out.killed == out.engaged)
    assert np.all(out.interceptors[~out.engaged] == 0)


def test_inventory_and_reserve_never_exceeded() -> None:
    doctrine = ShootLookShoot(2, 2, reserve=Reserve(count=3))
    out = simulate_engagements(0.4, doctrine, 6, 20_000, np.random.default_rng(5), inventory=17)
    assert out.interceptors_used.max() <= 14
    # threats engaged in order while whole salvos remain: 7 first-stage salvos fit in 14
    assert np.all(out.engaged.sum(axis=1) == 6)
    assert (out.interceptors_used == 14).any()


def test_bad_simulator_input() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(InputError, match="p_single_shot"):
        simulate_engagements(1.5, Salvo(1), 1, 10, rng)
    with pytest.raises(InputError, match="n_threats"):
        simulate_engagements(0.5, Salvo(1), -1, 10, rng)
    with pytest.raises(InputError, match="rng"):
        simulate_engagements(0.5, Salvo(1), 1, 10, 42)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="inventory"):
        simulate_engagements(0.5, Salvo(1), 1, 10, rng, inventory=-2)
