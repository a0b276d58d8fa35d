"""Space-based infrared early warning: visibility, LOS measurements, launch reports."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth.frames import WGS84, geodetic_to_ecef
from hoplon.sensors.infrared import InfraredConstellation, los_measurement
from hoplon.sensors.measurements import MeasurementKind
from hoplon.sensors.orbits import geo_elements, molniya_elements

D = math.pi / 180


def geo(*lons_deg: float, **kw) -> InfraredConstellation:
    return InfraredConstellation("ir", geo_elements(np.radians(lons_deg)), **kw)


def test_visibility_conditions() -> None:
    c = geo(0.0)
    pts = geodetic_to_ecef(
        np.array([0, 0, 0, 0, 0]) * D,
        np.array([30, 30, 30, 180, 85]) * D,
        np.array([50e3, 5e3, 50e3, 50e3, 50e3]),
    )
    boosting = np.array([True, True, False, True, True])
    vis = c.visible(0.0, pts, boosting)
    assert vis.shape == (5, 1)
    # above clouds & boosting; below cloud tops; not boosting; far side; over the limb
    np.testing.assert_array_equal(vis[:, 0], [True, False, False, False, True])


def test_visibility_over_time_and_satellites() -> None:
    c = InfraredConstellation(
        "heo", molniya_elements(np.radians([0.0, 180.0]), np.radians([180.0, 0.0]))
    )
    t = np.linspace(0, 43000, 50)
    target = geodetic_to_ecef(60 * D, 40 * D, 80e3)
    vis = c.visible(t, np.broadcast_to(target, (50, 3)), True)
    assert vis.shape == (50, 2)
    assert vis.any()


def test_los_noise_statistics() -> None:
    rng = np.random.default_rng(0)
    n = 20000
    sat = np.broadcast_to([42164e3, 0.0, 0.0], (n, 3))
    tgt = np.broadcast_to(geodetic_to_ecef(10 * D, 5 * D, 30e3), (n, 3))
    z, R = los_measurement(sat, tgt, 50e-6, rng)
    u = (tgt[0] - sat[0]) / np.linalg.norm(tgt[0] - sat[0])
    np.testing.assert_allclose(np.linalg.norm(z, axis=-1), 1.0)
    ang = np.arccos(np.clip(z @ u, -1, 1))
    # the angle off the true LOS is Rayleigh with scale sigma: E[ang^2] = 2 sigma^2
    assert np.sqrt(np.mean(ang**2) / 2) == pytest.approx(50e-6, rel=0.03)
    assert np.trace(R[0]) == pytest.approx(2 * (50e-6) ** 2, rel=1e-6)
    assert np.all(np.linalg.eigvalsh(R[0]) > 0)
    np.testing.assert_allclose(R[0] @ u, (1e-6 * 50e-6) ** 2 * u, atol=1e-20)


def test_observe_gives_los_batch() -> None:
    c = geo(0.0, 60.0, sensor_id=10, owner=2, pd=1.0)
    pts = geodetic_to_ecef(np.array([20, 20]) * D, np.array([30, 30]) * D, np.array([50e3, 60e3]))
    b = c.observe(
        np.array([0.0, 10.0]), pts, True, np.random.default_rng(1), truth_id=np.array([7, 7])
    )
    assert b.kind == MeasurementKind.LOS_ECEF
    assert len(b) == 4  # both satellites see both rows
    assert set(b.sensor_id.tolist()) == {10, 11}
    assert np.all(b.owner == 2) and np.all(b.truth_id == 7)
    # z points from the satellite position to the target
    for k in range(4):
        tgt = pts[0] if b.time_s[k] == 0.0 else pts[1]
        d = tgt - b.sensor_position_ecef_m[k]
        assert float(b.z[k] @ d / np.linalg.norm(d)) > math.cos(1e-3)


def test_launch_report() -> None:
    c = geo(45.0, pd=1.0, min_looks=3)
    t = np.arange(0.0, 200.0, 10.0)
    lat = 35 * D + np.linspace(0, 0.01, t.size)
    lon = 50 * D + np.linspace(0, 0.02, t.size)
    alt = np.linspace(0.0, 150e3, t.size)
    r = geodetic_to_ecef(lat, lon, alt, WGS84)
    v = np.gradient(r, t, axis=0)
    rep = c.launch_report(t, r, v, alt > 0, np.random.default_rng(3), truth_id=4)
    assert rep is not None
    first_visible = np.nonzero(alt >= 10e3)[0][0]
    assert rep.report_time_s == t[first_visible + 2]
    assert abs(rep.launch_time_s) < 5 * rep.sigma_launch_time_s
    err_m = 6371e3 * math.hypot(
        rep.launch_lat_rad - 35 * D, (rep.launch_lon_rad - 50 * D) * math.cos(35 * D)
    )
    assert err_m < 5 * rep.sigma_launch_position_m
    true_az = math.atan2(0.02 * math.cos(35 * D), 0.01)
    daz = (rep.launch_azimuth_rad - true_az + math.pi) % (2 * math.pi) - math.pi
    assert abs(daz) < 5 * rep.sigma_launch_azimuth_rad
    assert rep.P.shape == (6, 6) and rep.truth_id == 4
    # never boosting: no report
    assert c.launch_report(t, r, v, np.zeros(t.size, bool), np.random.default_rng(3)) is None


def test_blind_reason() -> None:
    assert geo(0.0).blind_reason() is None
    assert "probability" in geo(0.0, pd=0.0).blind_reason()
