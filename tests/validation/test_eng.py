"""ENG-1 ... ENG-9: defence-effectiveness probabilities (REFERENCES.md section 11).

Each case checks (a) the closed-form functions of ``hoplon.command.effectiveness`` exactly
(1e-12) against the textbook expression, and against the table value to the digits the
table prints, and (b) the Monte Carlo doctrine simulator with perfect sensors and a fixed
kill probability, within 5 standard errors of the closed form (fixed seed).
"""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.command.doctrine import Salvo, ShootLookShoot, simulate_engagements
from hoplon.command.effectiveness import (
    expected_leakers,
    max_threats_engaged,
    raid_no_leaker_probability,
    salvo_kill_probability,
    sls_expected_interceptors,
    sls_kill_probability,
)

EXACT = 1e-12
K_SE = 5.0
TRIALS = 200_000


def _assert_mc(samples: np.ndarray, expected: float) -> None:
    """Sample mean within K_SE standard errors of ``expected`` (SE from the exact variance
    where the samples are Bernoulli, else from the sample)."""
    x = np.asarray(samples, dtype=np.float64)
    se = np.std(x, ddof=1) / np.sqrt(x.size)
    if set(np.unique(x)) <= {0.0, 1.0}:
        se = np.sqrt(expected * (1.0 - expected) / x.size)
    assert se > 0.0
    assert abs(x.mean() - expected) <= K_SE * se, (x.mean(), expected, se)


def _table(value: float, printed: float, decimals: int) -> None:
    assert round(float(value), decimals) == pytest.approx(printed, abs=0.0)


def test_ENG_1() -> None:
    p, n = 0.8, 2
    pk = salvo_kill_probability(p, n)
    assert pk == pytest.approx(1 - (1 - p) ** n, abs=EXACT)
    assert pk == pytest.approx(0.96, abs=EXACT)
    out = simulate_engagements(p, Salvo(n), 1, TRIALS, np.random.default_rng(101))
    _assert_mc(out.kills, 0.96)
    assert np.all(out.interceptors_used == n)


def test_ENG_2() -> None:
    p = 0.8
    assert sls_kill_probability(p, 1, 1) == pytest.approx(0.96, abs=EXACT)
    assert sls_expected_interceptors(p, 1, 1) == pytest.approx(1 + 1 * (1 - p) ** 1, abs=EXACT)
    assert sls_expected_interceptors(p, 1, 1) == pytest.approx(1.2, abs=EXACT)
    out = simulate_engagements(
        p, ShootLookShoot(1, 1, assessment_delay_s=5.0), 1, TRIALS, np.random.default_rng(102)
    )
    _assert_mc(out.kills, 0.96)
    _assert_mc(out.interceptors_used, 1.2)


def test_ENG_3() -> None:
    p = 0.5
    assert sls_kill_probability(p, 2, 2) == pytest.approx(1 - (1 - p) ** 4, abs=EXACT)
    assert sls_kill_probability(p, 2, 2) == pytest.approx(0.9375, abs=EXACT)
    assert sls_expected_interceptors(p, 2, 2) == pytest.approx(2 + 2 * (1 - p) ** 2, abs=EXACT)
    assert sls_expected_interceptors(p, 2, 2) == pytest.approx(2.5, abs=EXACT)
    out = simulate_engagements(p, ShootLookShoot(2, 2), 1, TRIALS, np.random.default_rng(103))
    _assert_mc(out.kills, 0.9375)
    _assert_mc(out.interceptors_used, 2.5)


def test_ENG_4() -> None:
    p, n = 0.8, 4
    pk = salvo_kill_probability(p, n)
    assert pk == pytest.approx(1 - (1 - p) ** n, abs=EXACT)
    assert pk == pytest.approx(0.9984, abs=EXACT)
    out = simulate_engagements(p, Salvo(n), 1, TRIALS, np.random.default_rng(104))
    _assert_mc(out.kills, 0.9984)


def test_ENG_5() -> None:
    p, n, inventory = 0.25, 4, 44
    assert int(max_threats_engaged(inventory, n)) == 11
    pk = salvo_kill_probability(p, n)
    assert pk == pytest.approx(1 - 0.75**4, abs=EXACT)
    _table(pk, 0.68359, 5)
    # a raid of 12 warheads on 44 interceptors: 11 engaged with 4 each, the 12th leaks
    out = simulate_engagements(
        p, Salvo(n), 12, TRIALS // 4, np.random.default_rng(105), inventory=inventory
    )
    assert np.all(out.engaged.sum(axis=1) == 11)
    assert np.all(out.interceptors_used == 44)
    assert not out.killed[:, 11].any()
    _assert_mc(out.killed[:, :11].ravel(), float(pk))


def test_ENG_6() -> None:
    p, N = 0.8, 8
    p_all = raid_no_leaker_probability(p, 1, N)
    assert p_all == pytest.approx(p**N, abs=EXACT)
    _table(p_all, 0.16777, 5)
    out = simulate_engagements(p, Salvo(1), N, TRIALS, np.random.default_rng(106))
    _assert_mc(out.leakers == 0, float(p_all))


def test_ENG_7() -> None:
    p, n = 0.97, 2
    pk = salvo_kill_probability(p, n)
    assert pk == pytest.approx(1 - 0.03**2, abs=EXACT)
    _table(pk, 0.9991, 4)
    out = simulate_engagements(p, Salvo(n), 1, TRIALS, np.random.default_rng(107))
    _assert_mc(out.kills, float(pk))


def test_ENG_8() -> None:
    p, n, N = 0.8, 2, 10
    p0 = raid_no_leaker_probability(p, n, N)
    el = expected_leakers(p, n, N)
    assert p0 == pytest.approx((1 - (1 - p) ** n) ** N, abs=EXACT)
    assert el == pytest.approx(N * (1 - p) ** n, abs=EXACT)
    _table(p0, 0.66483, 5)
    assert el == pytest.approx(0.4, abs=EXACT)
    out = simulate_engagements(p, Salvo(n), N, TRIALS, np.random.default_rng(108))
    _assert_mc(out.leakers == 0, float(p0))
    _assert_mc(out.leakers, float(el))


def test_ENG_9() -> None:
    p, n, N = 0.5, 4, 5
    p0 = raid_no_leaker_probability(p, n, N)
    el = expected_leakers(p, n, N)
    assert p0 == pytest.approx((1 - (1 - p) ** n) ** N, abs=EXACT)
    assert el == pytest.approx(N * (1 - p) ** n, abs=EXACT)
    _table(p0, 0.72420, 5)
    assert el == pytest.approx(0.3125, abs=EXACT)
    out = simulate_engagements(p, Salvo(n), N, TRIALS, np.random.default_rng(109))
    _assert_mc(out.leakers == 0, float(p0))
    _assert_mc(out.leakers, float(el))
