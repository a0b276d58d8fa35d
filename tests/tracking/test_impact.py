from __future__ import annotations

import numpy as np
import pytest

from hoplon.errors import InfeasibleError, InputError
from hoplon.tracking._geo import ecef_to_geodetic, enu_matrix, geodetic_to_ecef
from hoplon.tracking.impact import estimate_launch_point, predict_impact, propagate_to_height
from hoplon.tracking.models import Ballistic

DEG = np.pi / 180.0


def _launch_state():
    lat, lon = 35.0 * DEG, 45.0 * DEG
    r = geodetic_to_ecef(np.array(lat), np.array(lon), np.array(0.0))
    v_enu = np.array([2000.0, 1500.0, 3000.0])
    v = enu_matrix(lat, lon).T @ v_enu
    return np.concatenate([r, v]), lat, lon


def test_launch_and_impact_points_round_trip():
    model = Ballistic(max_step_s=1.0)
    x0, lat0, lon0 = _launch_state()
    x0[:3] += enu_matrix(lat0, lon0).T @ np.array([0, 0, 1.0])  # start just above ground
    mid = model.function(x0[None], 200.0)[0]
    P = np.diag([100.0**2] * 3 + [5.0**2] * 3)
    launch = estimate_launch_point(mid, P, model)
    assert launch.time_s == pytest.approx(-200.0, abs=0.5)
    assert launch.lat_rad == pytest.approx(lat0, abs=2e-6)
    assert launch.lon_rad == pytest.approx(lon0, abs=2e-6)
    impact = predict_impact(mid, P, model)
    x_hit, t_hit = propagate_to_height(mid[None], model)
    lat, _lon, h = ecef_to_geodetic(x_hit[0, :3])
    assert abs(h) < 1e-3
    assert impact.lat_rad == pytest.approx(float(lat), abs=1e-5)
    assert impact.time_s == pytest.approx(float(t_hit[0]), abs=1.0)
    assert impact.semi_major_m >= impact.semi_minor_m > 0
    assert 0 <= impact.orientation_rad < np.pi
    # uncertainty grows with the state's
    wide = predict_impact(mid, P * 4.0, model)
    assert wide.semi_major_m == pytest.approx(2 * impact.semi_major_m, rel=0.05)


def test_impact_ellipse_matches_monte_carlo():
    model = Ballistic(max_step_s=2.0)
    x0, _, _ = _launch_state()
    mid = model.function(x0[None], 300.0)[0]
    P = np.diag([200.0**2] * 3 + [3.0**2] * 3)
    est = predict_impact(mid, P, model, probability=0.95, step_s=10.0)
    rng = np.random.default_rng(0)
    samples = rng.multivariate_normal(mid, P, 400)
    hits, _ = propagate_to_height(samples, model, step_s=10.0)
    lat, lon, _ = ecef_to_geodetic(est.position_ecef_m)
    en = (hits[:, :3] - est.position_ecef_m) @ enu_matrix(lat, lon).T[:, :2]
    C = np.cov(en.T)
    np.testing.assert_allclose(
        np.sqrt(np.linalg.eigvalsh(C)), np.sqrt(np.linalg.eigvalsh(est.cov_en_m2)), rtol=0.15
    )
    inside = np.einsum("ni,ij,nj->n", en, np.linalg.inv(est.cov_en_m2), en) <= -2 * np.log(0.05)
    assert 0.9 < inside.mean() < 0.99


def test_impact_bad_input():
    x0, _, _ = _launch_state()
    with pytest.raises(InputError, match="probability"):
        predict_impact(x0 + 1.0, np.eye(6), probability=1.5)
    below = x0.copy()
    below[:3] *= 0.999
    with pytest.raises(InfeasibleError):
        predict_impact(below, np.eye(6))
