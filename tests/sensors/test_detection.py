"""Detection statistics: properties, round trips, Monte Carlo check of the exact curves."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InfeasibleError, InputError
from hoplon.sensors.detection import (
    albersheim_pd,
    albersheim_snr_db,
    exact_pd,
    pd_from_snr,
    required_snr_db,
    shnidman_snr_db,
    threshold,
)

cases = st.integers(0, 4)
pulses = st.sampled_from([1, 2, 3, 5, 10, 30, 100])
pfas = st.sampled_from([1e-9, 1e-6, 1e-4, 1e-3])


@settings(max_examples=40, deadline=None)
@given(case=cases, n=pulses, pfa=pfas)
def test_pd_increases_with_snr(case: int, n: int, pfa: float) -> None:
    snr = np.linspace(-20.0, 40.0, 121)
    pd = exact_pd(snr, pfa, n, case)
    assert np.all(np.diff(pd) >= -1e-12)
    assert pd[0] < 0.01 + pfa * 10 and pd[-1] > 0.99


@settings(max_examples=40, deadline=None)
@given(case=cases, n=pulses, snr=st.floats(-5.0, 25.0))
def test_pd_decreases_as_pfa_decreases(case: int, n: int, snr: float) -> None:
    pd = [float(exact_pd(snr, pfa, n, case)) for pfa in (1e-3, 1e-5, 1e-7, 1e-9)]
    assert all(a >= b - 1e-12 for a, b in itertools.pairwise(pd))


@settings(max_examples=30, deadline=None)
@given(case=cases, n=pulses, pfa=pfas, pd=st.floats(0.05, 0.995))
def test_required_snr_round_trip(case: int, n: int, pfa: float, pd: float) -> None:
    snr = required_snr_db(pd, pfa, n, case)
    assert float(exact_pd(snr, pfa, n, case)) == pytest.approx(pd, abs=1e-7)


@settings(max_examples=30, deadline=None)
@given(n=pulses, pd=st.floats(0.1, 0.9), pfa=pfas)
def test_albersheim_inverse_round_trip(n: int, pd: float, pfa: float) -> None:
    assert float(albersheim_pd(albersheim_snr_db(pd, pfa, n), pfa, n)) == pytest.approx(pd, 1e-9)


@settings(max_examples=20, deadline=None)
@given(case=cases, n=pulses, pd=st.floats(0.1, 0.99))
def test_shnidman_pd_inverse_round_trip(case: int, n: int, pd: float) -> None:
    snr = shnidman_snr_db(pd, 1e-6, n, case)
    assert float(pd_from_snr(snr, 1e-6, n, case, "shnidman")) == pytest.approx(pd, abs=1e-6)


def test_threshold_gives_pfa() -> None:
    from scipy.special import gammaincc

    for n in (1, 4, 50):
        assert gammaincc(n, threshold(1e-6, n)) == pytest.approx(1e-6, rel=1e-9)


def test_required_snr_vectorised() -> None:
    pd = np.array([0.5, 0.9, 0.99])
    out = required_snr_db(pd, 1e-6, 4, 1)
    assert out.shape == (3,) and np.all(np.diff(out) > 0)
    for p, s in zip(pd, out, strict=True):
        assert float(required_snr_db(p, 1e-6, 4, 1)) == pytest.approx(s, abs=1e-9)


def test_more_pulses_need_less_snr_per_pulse() -> None:
    for case in range(5):
        snr = [float(required_snr_db(0.9, 1e-6, n, case)) for n in (1, 2, 5, 20)]
        assert all(a > b for a, b in itertools.pairwise(snr))


@pytest.mark.parametrize("case", [0, 1, 2, 3, 4])
def test_exact_matches_monte_carlo(case: int) -> None:
    """Simulate the square-law detector with chi-square RCS fluctuation (K = inf, 1, N, 2,
    2N) and compare with the closed forms."""
    rng = np.random.default_rng(1234 + case)
    N, pfa, trials = 3, 1e-3, 200_000
    snr_db = 6.0
    x = 10 ** (snr_db / 10)
    T = float(threshold(pfa, N))
    if case == 0:
        power = np.full((trials, N), x)
    elif case in (1, 3):  # scan to scan: one draw per dwell, shape 1 or 2
        m = 1 if case == 1 else 2
        power = np.repeat(rng.gamma(m, x / m, (trials, 1)), N, axis=1)
    else:  # pulse to pulse
        m = 1 if case == 2 else 2
        power = rng.gamma(m, x / m, (trials, N))
    amp = np.sqrt(power)
    noise = (rng.standard_normal((trials, N)) + 1j * rng.standard_normal((trials, N))) / np.sqrt(2)
    y = np.sum(np.abs(amp + noise) ** 2, axis=1)
    pd_mc = np.mean(y > T)
    sigma = np.sqrt(pd_mc * (1 - pd_mc) / trials)
    assert float(exact_pd(snr_db, pfa, N, case)) == pytest.approx(pd_mc, abs=5 * sigma)


def test_large_n_and_low_snr_are_finite() -> None:
    for case in range(5):
        pd = exact_pd(np.array([-30.0, -10.0, 0.0, 10.0]), 1e-6, 500, case)
        assert np.all(np.isfinite(pd)) and np.all((pd >= 0) & (pd <= 1))
        assert np.all(np.diff(pd) >= -1e-9)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"pd": 1.2}, "pd"),
        ({"pfa": 0.0}, "pfa"),
        ({"n_pulses": 0}, "pulses"),
        ({"swerling": 5}, "swerling"),
        ({"method": "magic"}, "method"),
        ({"method": "albersheim", "swerling": 1}, "swerling"),
    ],
)
def test_bad_input_names_the_field(kwargs: dict, field: str) -> None:
    args = {"pd": 0.9, "pfa": 1e-6, "n_pulses": 1, "swerling": 0, "method": "exact"} | kwargs
    with pytest.raises(InputError) as exc:
        required_snr_db(**args)
    assert exc.value.field == field


def test_pd_below_pfa_is_infeasible() -> None:
    with pytest.raises(InfeasibleError):
        required_snr_db(1e-7, 1e-6, 1, 0)
