from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.errors import InputError
from hoplon.tracking.filters import (
    IMMState,
    MerweSigmaPoints,
    _ekf_predict_numpy,
    check_covariance,
    ekf_predict,
    ekf_update,
    imm_predict,
    imm_update,
    kf_predict,
    kf_update,
    kf_update_rows,
    ukf_predict,
    ukf_update,
)
from hoplon.tracking.models import Ballistic, ConstantVelocity, LinearPosition


def _spd(rng: np.random.Generator, n: int, d: int, scale: float = 1.0) -> np.ndarray:
    A = rng.normal(size=(n, d, d))
    return scale * (A @ np.swapaxes(A, -1, -2) + 0.1 * np.eye(d))


def test_kf_matches_textbook_single_step():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(1, 4))
    P = _spd(rng, 1, 4)
    F = ConstantVelocity(q=0.5, ndim=2).matrix(1.0)
    Q = ConstantVelocity(q=0.5, ndim=2).covar(1.0)
    H = LinearPosition(2).jacobian(x)
    R = np.eye(2)[None] * 0.3
    z = rng.normal(size=(1, 2))
    xp, Pp = kf_predict(x, P, F, Q)
    xu, Pu, _ = kf_update(xp, Pp, z - xp[:, :2], H, R)
    # textbook (non-Joseph) form for comparison
    F0, H0, R0 = F[0], H[0], R[0]
    Pp0 = F0 @ P[0] @ F0.T + Q[0]
    K = Pp0 @ H0.T @ np.linalg.inv(H0 @ Pp0 @ H0.T + R0)
    np.testing.assert_allclose(xu[0], F0 @ x[0] + K @ (z[0] - H0 @ F0 @ x[0]), rtol=1e-12)
    np.testing.assert_allclose(Pu[0], (np.eye(4) - K @ H0) @ Pp0, rtol=1e-10, atol=1e-12)


def test_ukf_equals_kf_on_linear_models():
    rng = np.random.default_rng(1)
    n = 6
    x = rng.normal(size=(n, 4))
    P = _spd(rng, n, 4)
    model = ConstantVelocity(q=0.2, ndim=2)
    meas = LinearPosition(2)
    z = rng.normal(size=(n, 2))
    R = np.broadcast_to(np.eye(2) * 0.5, (n, 2, 2))
    xe, Pe = ekf_predict(x, P, model, 0.7)
    xe, Pe = ekf_update(xe, Pe, z, R, meas)
    pts = MerweSigmaPoints(alpha=0.5, beta=2.0, kappa=1.0)
    xu, Pu, _ = ukf_predict(x, P, model, 0.7, pts)
    xu, Pu = ukf_update(xu, Pu, z, R, meas, None, pts)
    np.testing.assert_allclose(xu, xe, rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(Pu, Pe, rtol=1e-9, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.floats(1e-3, 1e6), rscale=st.floats(1e-4, 1e4))
def test_covariance_stays_symmetric_positive_definite(seed, scale, rscale):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(3, 6)) * scale
    P = _spd(rng, 3, 6, scale)
    model = ConstantVelocity(q=rng.uniform(0, 10))
    meas = LinearPosition(3)
    for _ in range(5):
        x, P = ekf_predict(x, P, model, rng.uniform(0.1, 5.0))
        R = _spd(rng, 3, 3, rscale)
        x, P = ekf_update(x, P, x[:, :3] + rng.normal(size=(3, 3)), R, meas)
        np.testing.assert_array_equal(P, np.swapaxes(P, -1, -2))
        assert np.all(np.linalg.eigvalsh(P)[:, 0] > 0)


def test_check_covariance_rejects_bad_R():
    with pytest.raises(InputError, match="R"):
        check_covariance(np.array([[[1.0, 0.0], [0.0, -1.0]]]))
    with pytest.raises(InputError, match="R"):
        check_covariance(np.array([[[1.0, 0.5], [0.0, 1.0]]]))
    check_covariance(np.eye(3)[None])


def test_imm_detects_manoeuvre():
    rng = np.random.default_rng(3)
    quiet, loud = ConstantVelocity(q=0.01, ndim=1), ConstantVelocity(q=100.0, ndim=1)
    Pi = np.array([[0.95, 0.05], [0.05, 0.95]])
    state = IMMState(
        np.zeros((1, 2, 2)),
        np.broadcast_to(np.eye(2) * 10, (1, 2, 2, 2)).copy(),
        np.array([[0.5, 0.5]]),
    )
    pos, vel = 0.0, 10.0
    meas = LinearPosition(1)
    R = np.array([[[1.0]]])
    mu_loud = []
    for k in range(80):
        if k >= 40:
            vel += 30.0 * rng.choice([-1, 1])  # random manoeuvres
        pos += vel
        state = imm_predict(state, [quiet, loud], Pi, 1.0)
        state = imm_update(state, np.array([[pos + rng.normal()]]), R, meas)
        mu_loud.append(state.mu[0, 1])
    assert np.mean(mu_loud[10:40]) < 0.3
    assert np.mean(mu_loud[50:]) > 0.8
    xc, Pc = state.combined()
    assert abs(xc[0, 0] - pos) < 10.0 and np.all(np.linalg.eigvalsh(Pc) > 0)
    with pytest.raises(InputError, match="transition_matrix"):
        imm_predict(state, [quiet, loud], np.array([[0.5, 0.6], [0.5, 0.5]]), 1.0)


def _update_problem(seed: int, n: int, d: int, k: int):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, d)) * 1e5
    P = _spd(rng, n, d, 1e4)
    H = rng.normal(size=(n, k, d))
    R = _spd(rng, n, k, 10.0)
    nu = rng.normal(size=(n, k)) * 30.0
    return x, P, nu, H, R


@pytest.mark.parametrize(("n", "d", "k"), [(300, 6, 3), (40, 7, 4), (25, 4, 2), (5, 2, 1)])
def test_kf_update_kernel_matches_numpy_reference(n, d, k):
    from hoplon.tracking.filters import _kf_update_numpy

    args = _update_problem(n + d + k, n, d, k)
    for new, ref in zip(kf_update(*args), _kf_update_numpy(*args), strict=True):
        scale = np.abs(ref).max(axis=tuple(range(1, ref.ndim)), keepdims=True)
        assert np.max(np.abs(new - ref) / scale) < 1e-9
    _, P_new, S = kf_update(*args)
    np.testing.assert_array_equal(P_new, np.swapaxes(P_new, -1, -2))
    np.testing.assert_array_equal(S, np.swapaxes(S, -1, -2))


def test_kf_update_batch_equals_each_row_alone():
    x, P, nu, H, R = _update_problem(7, 30, 6, 3)
    xb, Pb, Sb = kf_update(x, P, nu, H, R)
    for i in range(len(x)):
        xi, Pi, Si = kf_update(
            x[i : i + 1], P[i : i + 1], nu[i : i + 1], H[i : i + 1], R[i : i + 1]
        )
        assert np.array_equal(xi[0], xb[i]) and np.array_equal(Pi[0], Pb[i])
        assert np.array_equal(Si[0], Sb[i])
    # shared H and R broadcast like numpy
    x2, P2, _ = kf_update(x, P, nu, H[0], R[0])
    x3, P3, _ = kf_update(x, P, nu, np.broadcast_to(H[0], H.shape), np.broadcast_to(R[0], R.shape))
    assert np.array_equal(x2, x3) and np.array_equal(P2, P3)


def test_kf_update_singular_innovation_raises():
    x, P, nu, H, R = _update_problem(8, 2, 4, 2)
    with pytest.raises(np.linalg.LinAlgError):
        kf_update(x, np.zeros_like(P), nu, H, np.zeros_like(R))


# --------------------------------------------------------------------------------------
# ballistic EKF prediction kernel and in-place updates (bit for bit the numpy formulations)


def _fma_chain_matmul(A: np.ndarray, B: np.ndarray) -> np.ndarray:
    """``A @ B`` with each element a chain of fused multiply-adds in index order from 0."""
    out = np.zeros(A.shape[:-1] + B.shape[-1:])
    for c in range(A.shape[-1]):
        out = np.vectorize(_fma_scalar)(A[..., :, c : c + 1], B[..., c : c + 1, :], out)
    return out


def _fma_scalar(a: float, b: float, c: float) -> float:
    import math

    if hasattr(math, "fma"):
        return math.fma(a, b, c)
    from fractions import Fraction

    return float(Fraction(a) * Fraction(b) + Fraction(c))


def _numpy_matmul_is_fma_chain() -> bool:
    """Whether numpy's ``@`` of small stacked matrices sums as the kernels do (OpenBLAS on a
    CPU with FMA: yes); elsewhere the kernels agree with numpy to rounding only."""
    rng = np.random.default_rng(11)
    A, B = rng.normal(size=(2, 6, 6)), rng.normal(size=(2, 6, 6))
    return bool(np.array_equal(A @ B, _fma_chain_matmul(A, B)))


def _ballistic_states(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    r = rng.normal(size=(n, 3))
    r *= (6.371e6 + rng.uniform(1e4, 5e5, n))[:, None] / np.linalg.norm(r, axis=1)[:, None]
    x = np.concatenate([r, rng.normal(size=(n, 3)) * 2e3], axis=1)
    if d == 7:
        x = np.concatenate([x, rng.uniform(500.0, 5e3, (n, 1))], axis=1)
    return x


_BALLISTIC = [
    Ballistic(q=25.0, rotating=True, max_step_s=5.0),
    Ballistic(gravity="j2", drag=True, q=3.0),
    Ballistic(rotating=False, max_step_s=1.0),
]


@pytest.mark.parametrize("model", _BALLISTIC)
@pytest.mark.parametrize("dt", [4.0, -3.1, 12.5, "rows"])
def test_ballistic_ekf_predict_kernel_matches_numpy_formulation(model, dt):
    rng = np.random.default_rng(5)
    exact = _numpy_matmul_is_fma_chain()
    for n in (1, 7, 130):
        x = _ballistic_states(rng, n, model.dim)
        P = _spd(rng, n, model.dim, 1e4)
        step = rng.uniform(0.1, 9.0, n) if dt == "rows" else dt
        new = ekf_predict(x, P, model, step)
        ref = _ekf_predict_numpy(x, P, model, step)
        np.testing.assert_array_equal(new[0], ref[0])
        np.testing.assert_array_equal(new[1], np.swapaxes(new[1], -1, -2))
        if exact:
            np.testing.assert_array_equal(new[1], ref[1])
        else:
            np.testing.assert_allclose(new[1], ref[1], rtol=1e-12, atol=1e-9)


def test_ballistic_predict_into_rows_in_place():
    rng = np.random.default_rng(6)
    model = _BALLISTIC[0]
    x = _ballistic_states(rng, 40, 6)
    P = _spd(rng, 40, 6, 1e4)
    rows = np.array([3, 0, 17, 39, 8])
    x2, P2 = x.copy(), P.copy()
    model.predict_into(x2, P2, rows, 6.0, x2, P2)
    xr, Pr = ekf_predict(x[rows], P[rows], model, np.full(rows.size, 6.0))
    assert np.array_equal(x2[rows], xr) and np.array_equal(P2[rows], Pr)
    other = np.setdiff1d(np.arange(40), rows)
    assert np.array_equal(x2[other], x[other]) and np.array_equal(P2[other], P[other])
    # the cached noise matrix is the one covar gives
    assert np.array_equal(model._covar_of(6.0), model.covar(np.array([6.0]), n=1))
    model.predict_into(x2, P2, rows[:0], 6.0, x2, P2)  # no rows: nothing to do


def test_kf_update_rows_in_place_equals_kf_update():
    x, P, nu, H, R = _update_problem(9, 30, 6, 3)
    rows = np.array([29, 4, 11, 0, 17])
    r_rows = np.array([2, 2, 7, 0, 5])
    x2, P2 = x.copy(), P.copy()
    kf_update_rows(x2, P2, rows, nu[:5], H[:5], R, r_rows)
    xr, Pr, _ = kf_update(x[rows], P[rows], nu[:5], H[:5], R[r_rows])
    assert np.array_equal(x2[rows], xr) and np.array_equal(P2[rows], Pr)
    other = np.setdiff1d(np.arange(30), rows)
    assert np.array_equal(x2[other], x[other]) and np.array_equal(P2[other], P[other])
    with pytest.raises(np.linalg.LinAlgError):
        kf_update_rows(x2, np.zeros_like(P2), rows, nu[:5], H[:5], np.zeros_like(R), r_rows)
