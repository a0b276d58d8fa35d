"""Cross-checks against FilterPy, Stone Soup and pymap3d on identical inputs (test-only)."""

from __future__ import annotations

import datetime

import numpy as np
import pytest

from hoplon.tracking._geo import ecef_to_geodetic, enu_matrix, geodetic_to_ecef
from hoplon.tracking.filters import (
    MerweSigmaPoints,
    ekf_predict,
    ekf_update,
    ukf_predict,
    ukf_update,
)
from hoplon.tracking.metrics import ospa
from hoplon.tracking.models import ConstantVelocity, LinearPosition, RadarRAE

pytestmark = pytest.mark.oracle

DEG = np.pi / 180.0


def _cv_scenario(steps: int = 25, seed: int = 0):
    rng = np.random.default_rng(seed)
    dts = np.round(rng.uniform(0.5, 2.0, steps), 6)  # Stone Soup times are in microseconds
    zs = np.cumsum(rng.normal(size=(steps, 2)) * 3.0, axis=0) + rng.normal(size=(steps, 2))
    return dts, zs


def _hoplon_kf(dts, zs, q, r):
    model = ConstantVelocity(q=q, ndim=2)
    x = np.zeros((1, 4))
    P = np.eye(4)[None] * 100.0
    R = np.eye(2)[None] * r
    out = []
    for dt, z in zip(dts, zs, strict=True):
        x, P = ekf_predict(x, P, model, dt)
        x, P = ekf_update(x, P, z[None], R, LinearPosition(2))
        out.append((x[0].copy(), P[0].copy()))
    return out


def test_kf_matches_filterpy():
    filterpy = pytest.importorskip("filterpy.kalman")
    dts, zs = _cv_scenario()
    q, r = 0.7, 2.0
    mine = _hoplon_kf(dts, zs, q, r)
    kf = filterpy.KalmanFilter(dim_x=4, dim_z=2)
    kf.x = np.zeros(4)
    kf.P = np.eye(4) * 100.0
    kf.H = LinearPosition(2).jacobian(np.zeros((1, 4)))[0]
    kf.R = np.eye(2) * r
    model = ConstantVelocity(q=q, ndim=2)
    for (x, P), dt, z in zip(mine, dts, zs, strict=True):
        kf.predict(F=model.matrix(dt)[0], Q=model.covar(dt)[0])
        kf.update(z)
        np.testing.assert_allclose(x, kf.x, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(P, kf.P, rtol=1e-8, atol=1e-8)


def test_kf_matches_stonesoup():
    pytest.importorskip("stonesoup")
    from stonesoup.models.measurement.linear import LinearGaussian
    from stonesoup.models.transition.linear import (
        CombinedLinearGaussianTransitionModel,
    )
    from stonesoup.models.transition.linear import (
        ConstantVelocity as SSConstantVelocity,
    )
    from stonesoup.predictor.kalman import KalmanPredictor
    from stonesoup.types.detection import Detection
    from stonesoup.types.hypothesis import SingleHypothesis
    from stonesoup.types.state import GaussianState
    from stonesoup.updater.kalman import KalmanUpdater

    dts, zs = _cv_scenario(seed=1)
    q, r = 0.3, 1.5
    mine = _hoplon_kf(dts, zs, q, r)
    tm = CombinedLinearGaussianTransitionModel([SSConstantVelocity(q), SSConstantVelocity(q)])
    mm = LinearGaussian(ndim_state=4, mapping=(0, 2), noise_covar=np.eye(2) * r)
    predictor, updater = KalmanPredictor(tm), KalmanUpdater(mm)
    t = datetime.datetime(2024, 1, 1)
    state = GaussianState(np.zeros((4, 1)), np.eye(4) * 100.0, timestamp=t)
    perm = [0, 2, 1, 3]  # Stone Soup [x, vx, y, vy] -> Hoplon [x, y, vx, vy]
    for (x, P), dt, z in zip(mine, dts, zs, strict=True):
        t = t + datetime.timedelta(seconds=float(dt))
        pred = predictor.predict(state, timestamp=t)
        det = Detection(z[:, None], timestamp=t, measurement_model=mm)
        state = updater.update(SingleHypothesis(pred, det))
        xs = np.asarray(state.state_vector, float)[:, 0][perm]
        Ps = np.asarray(state.covar, float)[np.ix_(perm, perm)]
        np.testing.assert_allclose(x, xs, rtol=1e-8, atol=1e-8)
        np.testing.assert_allclose(P, Ps, rtol=1e-8, atol=1e-8)


def test_ukf_matches_filterpy_on_radar_measurements():
    filterpy = pytest.importorskip("filterpy.kalman")
    site = geodetic_to_ecef(np.array(40 * DEG), np.array(20 * DEG), np.array(0.0))
    M = enu_matrix(40 * DEG, 20 * DEG)
    x_true = np.concatenate(
        [site + np.array([2e5, 3e5, 1e5]) @ M, np.array([-1000.0, 500.0, 200.0]) @ M]
    )
    model = ConstantVelocity(q=5.0)
    meas = RadarRAE()
    rng = np.random.default_rng(4)
    sigma = np.array([20.0, 1e-3, 1e-3])
    R = np.diag(sigma**2)
    alpha, beta, kappa = 0.3, 2.0, 0.0
    pts = MerweSigmaPoints(alpha, beta, kappa)
    ukf = filterpy.UnscentedKalmanFilter(
        dim_x=6,
        dim_z=3,
        dt=1.0,
        fx=lambda x, dt: model.function(x[None], dt)[0],
        hx=lambda x: meas.function(x[None], site)[0],
        points=filterpy.MerweScaledSigmaPoints(6, alpha=alpha, beta=beta, kappa=kappa),
    )
    x = (x_true + rng.normal(size=6) * [500, 500, 500, 20, 20, 20])[None]
    P = np.diag([500.0**2] * 3 + [20.0**2] * 3)[None]
    ukf.x, ukf.P, ukf.R = x[0].copy(), P[0].copy(), R
    ukf.Q = model.covar(1.0)[0]
    for _ in range(20):
        x_true = model.function(x_true[None], 1.0)[0]
        z = meas.function(x_true[None], site)[0] + rng.normal(size=3) * sigma
        x, P, _ = ukf_predict(x, P, model, 1.0, pts)
        x, P = ukf_update(x, P, z[None], R[None], meas, site, pts)
        ukf.predict()
        ukf.update(z)
        np.testing.assert_allclose(x[0], ukf.x, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(P[0], ukf.P, rtol=1e-6, atol=1e-6)


def test_rae_matches_pymap3d():
    pymap3d = pytest.importorskip("pymap3d")
    rng = np.random.default_rng(7)
    lat0, lon0, h0 = 52.0, -3.0, 250.0
    site = geodetic_to_ecef(np.array(lat0 * DEG), np.array(lon0 * DEG), np.array(h0))
    targets = site + rng.uniform(-5e5, 5e5, (10, 3))
    z = RadarRAE().function(np.concatenate([targets, np.zeros((10, 3))], axis=1), site)
    for (rx, ry, rz), (rng_m, az, el) in zip(targets, z, strict=True):
        az_ref, el_ref, r_ref = pymap3d.ecef2aer(rx, ry, rz, lat0, lon0, h0)
        assert rng_m == pytest.approx(r_ref, rel=1e-10)
        assert np.degrees(az) % 360 == pytest.approx(az_ref, abs=1e-8)
        assert np.degrees(el) == pytest.approx(el_ref, abs=1e-8)
    lat, lon, h = ecef_to_geodetic(targets)
    for (rx, ry, rz), la, lo, hh in zip(targets, lat, lon, h, strict=True):
        ref = pymap3d.ecef2geodetic(rx, ry, rz)
        np.testing.assert_allclose([np.degrees(la), np.degrees(lo)], ref[:2], atol=1e-9)
        assert hh == pytest.approx(ref[2], abs=1e-4)


@pytest.mark.parametrize("p", [1.0, 2.0, 3.0])
def test_ospa_matches_stonesoup(p):
    pytest.importorskip("stonesoup")
    from stonesoup.measures import Euclidean
    from stonesoup.metricgenerator.ospametric import OSPAMetric
    from stonesoup.types.state import State

    rng = np.random.default_rng(int(p))
    t = datetime.datetime(2024, 1, 1)
    metric = OSPAMetric(c=5.0, p=p, measure=Euclidean())
    for _ in range(10):
        X = rng.uniform(0, 15, (rng.integers(1, 7), 2))
        Y = rng.uniform(0, 15, (rng.integers(1, 7), 2))
        ref = metric.compute_OSPA_distance(
            [State(y[:, None], timestamp=t) for y in Y], [State(x[:, None], timestamp=t) for x in X]
        ).value
        assert ospa(X, Y, c=5.0, p=p) == pytest.approx(ref, rel=1e-9, abs=1e-12)
