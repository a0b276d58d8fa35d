from __future__ import annotations

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.tracking._geo import enu_matrix, geodetic_to_ecef
from hoplon.tracking.models import (
    AnglesAE,
    Ballistic,
    ConstantAcceleration,
    ConstantVelocity,
    LinearPosition,
    LineOfSight,
    RadarRAE,
    Singer,
    measurement_model_for,
    rae_to_ecef,
)

DEG = np.pi / 180.0
SITE = geodetic_to_ecef(np.array(40.0 * DEG), np.array(20.0 * DEG), np.array(100.0))


def _targets(rng: np.random.Generator, n: int = 5) -> np.ndarray:
    M = enu_matrix(40.0 * DEG, 20.0 * DEG)
    enu = rng.uniform([-4e5, -4e5, 5e4], [4e5, 4e5, 5e5], (n, 3))
    r = SITE + enu @ M
    v = rng.normal(size=(n, 3)) * 2e3
    return np.concatenate([r, v], axis=1)


def _fd_jacobian(f, x: np.ndarray, rel: float = 1e-6) -> np.ndarray:
    _n, d = x.shape
    out = []
    for j in range(d):
        h = rel * max(1.0, float(np.abs(x[:, j]).max()))
        dx = np.zeros_like(x)
        dx[:, j] = h
        out.append((f(x + dx) - f(x - dx)) / (2 * h))
    return np.stack(out, axis=-1)


@pytest.mark.parametrize(
    "model", [RadarRAE(), RadarRAE(with_rate=True), AnglesAE(), LineOfSight(), LinearPosition()]
)
def test_measurement_jacobian_matches_finite_differences(model):
    x = _targets(np.random.default_rng(2))
    H = model.jacobian(x, SITE)
    Hfd = _fd_jacobian(lambda xx: model.function(xx, SITE), x)
    scale = np.abs(Hfd).max(axis=-1, keepdims=True) + 1e-30
    np.testing.assert_allclose(H / scale, Hfd / scale, atol=1e-6)


def test_rae_geometry_conventions():
    M = enu_matrix(40.0 * DEG, 20.0 * DEG)
    # 100 km due east and 100 km up: az = 90 deg, el = 45 deg
    r = SITE + np.array([1e5, 0.0, 1e5]) @ M
    z = RadarRAE().function(np.concatenate([r, np.zeros(3)])[None], SITE)[0]
    np.testing.assert_allclose(z, [np.sqrt(2) * 1e5, np.pi / 2, np.pi / 4], rtol=1e-12)


def test_rae_to_ecef_inverts_rae():
    x = _targets(np.random.default_rng(3))
    z = RadarRAE().function(x, SITE)
    R = np.broadcast_to(np.diag([100.0, 1e-6, 1e-6]), (len(x), 3, 3))
    r, P = rae_to_ecef(z, R, SITE)
    np.testing.assert_allclose(r, x[:, :3], atol=1e-6)
    assert np.all(np.linalg.eigvalsh(P) > 0)


@pytest.mark.parametrize(
    "model", [Ballistic(), Ballistic(gravity="j2"), Ballistic(drag=True), Ballistic(rotating=False)]
)
def test_ballistic_transition_matrix_matches_finite_differences(model):
    rng = np.random.default_rng(4)
    x = _targets(rng, 3)
    if model.drag:
        x[:, :3] = SITE + (x[:, :3] - SITE) * 0.1  # low altitude where drag matters
        x = np.concatenate([x, np.full((3, 1), 2000.0)], axis=1)
    dt = 7.0
    _, F = model.transition(x, dt)
    Ffd = _fd_jacobian(lambda xx: model.function(xx, dt), x, rel=1e-7)
    np.testing.assert_allclose(F, Ffd, rtol=2e-4, atol=2e-5)


def test_ballistic_back_and_forth():
    x = _targets(np.random.default_rng(5), 4)
    m = Ballistic(gravity="j2", max_step_s=1.0)
    back = m.function(m.function(x, 60.0), -60.0)
    np.testing.assert_allclose(back, x, rtol=0, atol=1e-5)


def test_linear_models_shapes_and_noise():
    cv = ConstantVelocity(q=2.0)
    F = cv.matrix(np.array([1.0, 2.0]), 2)
    assert F.shape == (2, 6, 6) and F[1, 0, 3] == 2.0
    Q = cv.covar(2.0, n=1)[0]
    assert Q[0, 0] == pytest.approx(2.0 * 8 / 3) and Q[3, 3] == pytest.approx(4.0)
    ca = ConstantAcceleration(q=1.0)
    assert ca.matrix(1.0)[0, 0, 6] == 0.5
    s = Singer(tau_s=20.0, sigma_m_mps2=30.0)
    Fs, Qs = s.matrix(1.0), s.covar(1.0)
    assert Fs.shape == (1, 9, 9)
    assert np.all(np.linalg.eigvalsh(Qs) > -1e-12)
    # long tau: acceleration nearly constant over a step
    assert Singer(tau_s=1e6, sigma_m_mps2=1.0).matrix(1.0)[0, 0, 6] == pytest.approx(0.5, 1e-5)


def test_bad_model_parameters_raise_input_error():
    with pytest.raises(InputError, match="q"):
        ConstantVelocity(q=-1.0)
    with pytest.raises(InputError, match="tau_s"):
        Singer(tau_s=0.0, sigma_m_mps2=1.0)
    with pytest.raises(InputError, match="gravity"):
        Ballistic(gravity="flat")
    with pytest.raises(InputError, match="kind"):
        measurement_model_for("sonar")


_KERNEL_MODELS = [
    Ballistic(q=50.0**2, rotating=True, max_step_s=5.0),  # the engine's model
    Ballistic(gravity="j2"),
    Ballistic(gravity="j2", drag=True, q_beta=10.0),
    Ballistic(rotating=False, max_step_s=1.0),
]


def _ballistic_batch(model: Ballistic, n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Realistic tracks (10-500 km up, 1-4 km/s) and covariances for the model's state."""
    rng = np.random.default_rng(seed)
    lat = rng.uniform(35.0, 45.0, n) * DEG
    lon = rng.uniform(15.0, 25.0, n) * DEG
    r = geodetic_to_ecef(lat, lon, rng.uniform(10e3, 500e3, n))
    v = rng.normal(size=(n, 3))
    v *= rng.uniform(1e3, 4e3, (n, 1)) / np.linalg.norm(v, axis=1, keepdims=True)
    x = np.concatenate([r, v], axis=1)
    sig = [300.0] * 3 + [30.0] * 3
    if model.drag:
        x = np.concatenate([x, rng.uniform(500.0, 20e3, (n, 1))], axis=1)
        sig.append(500.0)
    A = rng.normal(size=(n, len(sig), len(sig))) * 0.3 + np.eye(len(sig))
    S = np.diag(sig)
    P = S @ A @ np.swapaxes(A, -1, -2) @ S
    return x, P


@pytest.mark.parametrize("model", _KERNEL_MODELS)
def test_ballistic_kernel_matches_numpy_reference(model):
    from hoplon.tracking.filters import ekf_predict, symmetrise

    x, P = _ballistic_batch(model, 200, 11)
    dt = np.random.default_rng(12).uniform(-12.0, 12.0, len(x))
    x_new, P_new = ekf_predict(x, P, model, dt)
    x_ref, F_ref = model._transition_numpy(x, dt)
    P_ref = symmetrise(F_ref @ P @ np.swapaxes(F_ref, -1, -2) + model.covar(dt, x))
    np.testing.assert_allclose(x_new, x_ref, rtol=1e-9, atol=0.0)
    # covariances: relative to each matrix's scale (near-zero entries carry no information)
    scale = np.abs(P_ref).max(axis=(1, 2), keepdims=True)
    assert np.max(np.abs(P_new - P_ref) / scale) < 1e-9
    _, F = model.transition(x, dt)
    assert np.max(np.abs(F - F_ref) / np.abs(F_ref).max(axis=(1, 2), keepdims=True)) < 1e-9
    np.testing.assert_allclose(model.function(x, dt), model._function_numpy(x, dt), rtol=1e-9)


@pytest.mark.parametrize("model", _KERNEL_MODELS)
def test_ballistic_batch_equals_each_row_alone(model):
    x, _ = _ballistic_batch(model, 40, 13)
    rng = np.random.default_rng(14)
    # every |dt| in (max_step, 2 max_step]: two sub-steps whether alone or in the batch
    dt = rng.uniform(1.01, 2.0, len(x)) * model.max_step_s * rng.choice([-1.0, 1.0], len(x))
    xb, Fb = model.transition(x, dt)
    fb = model.function(x, dt)
    np.testing.assert_array_equal(fb, xb)
    for i in range(len(x)):
        xi, Fi = model.transition(x[i : i + 1], dt[i : i + 1])
        assert np.array_equal(xi[0], xb[i]) and np.array_equal(Fi[0], Fb[i])
        assert np.array_equal(model.function(x[i : i + 1], dt[i])[0], fb[i])


def test_ballistic_substeps_follow_largest_step_of_call():
    """The sub-step count is ceil(max |dt| / max_step_s) over the call (LaneTracker groups
    rows by step to reproduce Tracker's calls)."""
    model = Ballistic(max_step_s=5.0)
    x, _ = _ballistic_batch(model, 2, 15)
    dt = np.array([4.0, 12.0])  # 3 sub-steps for both rows
    x2, F2 = model.transition(x, dt)
    np.testing.assert_allclose(x2, model._transition_numpy(x, dt)[0], rtol=1e-12)
    x_one, _ = model.transition(x[:1], dt[:1])  # 1 sub-step alone
    assert not np.array_equal(x_one[0], x2[0])
    x_three, F_three = Ballistic(max_step_s=1.5).transition(x[:1], dt[:1])  # 3 too
    assert np.array_equal(x_three[0], x2[0]) and np.array_equal(F_three[0], F2[0])
