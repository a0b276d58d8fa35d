"""TRK-*: tracking filter gains and multi-target metrics (REFERENCES.md section 10)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import scipy.optimize

from hoplon.tracking.filters import kf_predict, kf_update
from hoplon.tracking.metrics import gospa, ospa
from hoplon.tracking.models import ConstantVelocity


def steady_state_alpha_beta(
    lam: float, T: float = 1.0, sigma_m: float = 1.0
) -> tuple[float, float]:
    """Iterate this package's KF (DWNA model, position measurements) to steady state and
    return (α, β) = (K₀, K₁ T)."""
    sigma_a = lam * sigma_m / T**2
    model = ConstantVelocity(q=sigma_a**2, ndim=1, noise="discrete")
    F = model.matrix(T)
    Q = model.covar(T)
    H = np.array([[[1.0, 0.0]]])
    R = np.array([[[sigma_m**2]]])
    P = np.eye(2)[None] * 1e4
    K_prev = np.zeros(2)
    for _ in range(100_000):
        x_pred, P_pred = kf_predict(np.zeros((1, 2)), P, F, Q)
        # with x⁻ = 0 and ν = 1 the updated mean is the gain K
        K, P, _ = kf_update(x_pred, P_pred, np.ones((1, 1)), H, R)
        K = K[0]
        if np.max(np.abs(K - K_prev)) < 1e-15:
            break
        K_prev = K
    return float(K[0]), float(K[1] * T)


def test_TRK_1():
    alpha, beta = steady_state_alpha_beta(1.0)
    assert alpha == pytest.approx(0.75, abs=1e-6)
    assert beta == pytest.approx(0.5, abs=1e-6)


@pytest.mark.parametrize(
    ("lam", "alpha_ref", "beta_ref"),
    [(0.1, 0.36, 0.08), (0.5, 0.628373, 0.304806), (2.0, 0.854102, 0.763932)],
)
def test_TRK_2(lam: float, alpha_ref: float, beta_ref: float):
    alpha, beta = steady_state_alpha_beta(lam)
    assert alpha == pytest.approx(alpha_ref, abs=1e-6)
    assert beta == pytest.approx(beta_ref, abs=1e-6)


def test_TRK_3():
    # find the tracking index that gives α = 0.5 with this package's KF, then read β
    lam = scipy.optimize.brentq(
        lambda v: steady_state_alpha_beta(v)[0] - 0.5, 0.01, 1.0, xtol=1e-13
    )
    alpha, beta = steady_state_alpha_beta(lam)
    assert alpha == pytest.approx(0.5, abs=1e-9)
    assert beta == pytest.approx(0.171573, abs=1e-3)
    assert beta == pytest.approx(2 * (2 - alpha) - 4 * math.sqrt(1 - alpha), abs=1e-3)


@pytest.mark.parametrize(("p", "expected"), [(1, 2.4), (2, 4.49444), (np.inf, 10.0)])
def test_TRK_4(p: float, expected: float):
    truths = np.arange(5.0)
    est = np.array([0.5, 1.5, 2.5, 3.5])
    assert ospa(truths, est, c=10.0, p=p) == pytest.approx(expected, abs=1e-5)


@pytest.mark.parametrize(("p", "expected"), [(1, 2.16), (2, 4.47571), (np.inf, 10.0)])
def test_TRK_5(p: float, expected: float):
    truths = np.arange(1.0, 6.0)
    est = np.array([1.2, 2.2, 3.2, 4.2])
    assert ospa(truths, est, c=10.0, p=p) == pytest.approx(expected, abs=1e-5)


def test_TRK_6():
    assert ospa(np.arange(5.0), np.arange(5.0) + 0.5, c=10.0, p=1) == pytest.approx(0.5, abs=1e-9)


def test_TRK_7():
    res = gospa(np.arange(5.0), np.arange(5.0) + 0.5, c=10.0, p=1)
    assert res.distance == pytest.approx(2.5, abs=1e-9)


def test_TRK_8():
    res = gospa(np.arange(5.0), np.arange(1.0, 6.0), c=10.0, p=1)
    assert res.distance == pytest.approx(5.0, abs=1e-9)


@pytest.mark.parametrize(("p", "expected"), [(1, 2.5), (2, math.sqrt(5.5))])
def test_TRK_9(p: float, expected: float):
    truths = np.array([[0.0, 0.0], [10.0, 0.0]])
    est = np.array([[1.0, 0.0]])
    res = gospa(truths, est, c=3.0, p=p)
    assert res.distance == pytest.approx(expected, abs=1e-9)
    assert res.n_missed == 1 and res.n_false == 0
