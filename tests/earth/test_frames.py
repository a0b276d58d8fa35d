"""Frames: geodetic/ECEF/ENU/AER against pymap3d, ECI and GMST properties and oracles."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.constants import OMEGA_EARTH_RAD_S, WGS84_A_M, WGS84_B_M
from hoplon.earth.frames import (
    SPHERE,
    WGS84,
    aer_to_ecef,
    aer_to_enu,
    ecef_to_aer,
    ecef_to_eci,
    ecef_to_enu,
    ecef_to_geodetic,
    ecef_vector_to_enu,
    eci_to_ecef,
    enu_matrix,
    enu_to_aer,
    enu_to_ecef,
    enu_vector_to_ecef,
    geodetic_to_ecef,
    gmst_rad,
    julian_date,
)

pm = pytest.importorskip("pymap3d")

lat_st = st.floats(-math.pi / 2, math.pi / 2)
lon_st = st.floats(-math.pi, math.pi)
alt_st = st.floats(-5e6, 5e7)


def _random_points(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    lat = rng.uniform(-math.pi / 2, math.pi / 2, n)
    lat[:10] = [math.pi / 2, -math.pi / 2, 0.0, 1e-12, -1e-12] * 2  # poles, equator
    lat[10:20] = math.pi / 2 - rng.uniform(0, 1e-6, 10)  # very near the pole
    lon = rng.uniform(-math.pi, math.pi, n)
    alt = np.concatenate(
        [rng.uniform(-1e4, 1e5, n // 2), rng.uniform(1e5, 4e7, n - n // 2)]
    )  # surface to GEO
    return lat, lon, alt


def test_ellipsoid_properties() -> None:
    assert WGS84.b_m == pytest.approx(WGS84_B_M, abs=1e-9)
    assert WGS84.e2 == pytest.approx(6.69437999014e-3, rel=1e-12)
    assert SPHERE.e2 == 0.0
    assert SPHERE.b_m == SPHERE.a_m == 6371000.0
    with pytest.raises(AttributeError):
        WGS84.a_m = 1.0  # type: ignore[misc]


@pytest.mark.oracle
def test_geodetic_to_ecef_matches_pymap3d() -> None:
    lat, lon, alt = _random_points(5000)
    r = geodetic_to_ecef(lat, lon, alt)
    x, y, z = pm.geodetic2ecef(lat, lon, alt, deg=False)
    np.testing.assert_allclose(r, np.stack([x, y, z], -1), rtol=0, atol=1e-6)
    assert r.shape == (5000, 3)


@pytest.mark.oracle
def test_ecef_to_geodetic_matches_pymap3d() -> None:
    lat, lon, alt = _random_points(5000)
    r = geodetic_to_ecef(lat, lon, alt)
    la, lo, al = ecef_to_geodetic(r)
    la2, _, al2 = pm.ecef2geodetic(r[:, 0], r[:, 1], r[:, 2], deg=False)
    # pymap3d's own approximation loses accuracy above ~100 km (errors of 1e-6 rad at GEO),
    # so compare with it near the surface and with the generating truth everywhere.
    near = alt < 1e5
    np.testing.assert_allclose(la[near], la2[near], atol=1e-9)
    np.testing.assert_allclose(al[near], al2[near], atol=1e-6)
    np.testing.assert_allclose(la, lat, atol=1e-12)
    np.testing.assert_allclose(al, alt, atol=1e-6)
    off_pole = np.abs(lat) < math.pi / 2 - 1e-9
    dlon = np.angle(np.exp(1j * (lo - lon)))
    np.testing.assert_allclose(dlon[off_pole], 0.0, atol=1e-12)


def test_ecef_to_geodetic_special_points() -> None:
    la, _, al = ecef_to_geodetic(np.array([[0.0, 0.0, WGS84_B_M], [WGS84_A_M, 0, 0]]))
    np.testing.assert_allclose(la, [math.pi / 2, 0.0], atol=1e-15)
    np.testing.assert_allclose(al, [0.0, 0.0], atol=1e-6)
    la, _, al = ecef_to_geodetic(np.array([0.0, 0.0, -7e6]))
    assert la == -math.pi / 2
    assert al == pytest.approx(7e6 - WGS84_B_M, abs=1e-6)


def test_ecef_to_geodetic_deep_interior_round_trips() -> None:
    """Inside the evolute (< ~43 km from the centre) any foot point must map back exactly."""
    rng = np.random.default_rng(3)
    r = rng.uniform(-5e4, 5e4, (2000, 3))
    r[:3] = [[1.0, 1.0, 1.0], [3e4, 0, 10.0], [0.0, 0.0, 0.0]]
    back = geodetic_to_ecef(*ecef_to_geodetic(r))
    np.testing.assert_allclose(back, r, atol=1e-6)


@settings(max_examples=300, deadline=None)
@given(lat_st, lon_st, alt_st)
def test_geodetic_round_trip_property(lat: float, lon: float, alt: float) -> None:
    r = geodetic_to_ecef(lat, lon, alt)
    back = geodetic_to_ecef(*ecef_to_geodetic(r))
    assert np.linalg.norm(back - r) < 1e-3  # < 1 mm anywhere
    la, _, al = ecef_to_geodetic(r)
    assert al == pytest.approx(alt, abs=1e-3)
    assert la == pytest.approx(lat, abs=1e-9)


def test_sphere_geodetic() -> None:
    r = geodetic_to_ecef(0.3, 1.2, 1000.0, SPHERE)
    assert np.linalg.norm(r) == pytest.approx(6372000.0, abs=1e-6)
    la, lo, al = ecef_to_geodetic(r, SPHERE)
    assert (float(la), float(lo), float(al)) == pytest.approx((0.3, 1.2, 1000.0), abs=1e-9)


def test_enu_matrix_is_rotation() -> None:
    lat, lon, _ = _random_points(200)
    m = enu_matrix(lat, lon)
    assert m.shape == (200, 3, 3)
    np.testing.assert_allclose(
        m @ np.swapaxes(m, -1, -2), np.broadcast_to(np.eye(3), m.shape), atol=1e-14
    )
    np.testing.assert_allclose(np.linalg.det(m), 1.0, atol=1e-14)


@pytest.mark.oracle
def test_enu_and_aer_match_pymap3d() -> None:
    lat, lon, alt = _random_points(2000, seed=11)
    rng = np.random.default_rng(5)
    lat0 = rng.uniform(-1.5, 1.5, 2000)
    lon0 = rng.uniform(-3, 3, 2000)
    alt0 = rng.uniform(-100, 5000, 2000)
    r = geodetic_to_ecef(lat, lon, alt)
    enu = ecef_to_enu(r, lat0, lon0, alt0)
    e, n, u = pm.ecef2enu(r[:, 0], r[:, 1], r[:, 2], lat0, lon0, alt0, deg=False)
    np.testing.assert_allclose(enu, np.stack([e, n, u], -1), atol=1e-6)
    az, el, rng_m = ecef_to_aer(r, lat0, lon0, alt0)
    az2, el2, r2 = pm.ecef2aer(r[:, 0], r[:, 1], r[:, 2], lat0, lon0, alt0, deg=False)
    np.testing.assert_allclose(rng_m, r2, atol=1e-6)
    np.testing.assert_allclose(el, el2, atol=1e-9)
    np.testing.assert_allclose(np.angle(np.exp(1j * (az - az2))), 0.0, atol=1e-9)
    assert np.all((az >= 0) & (az < 2 * math.pi))
    back = aer_to_ecef(az, el, rng_m, lat0, lon0, alt0)
    x, y, z = pm.aer2ecef(az2, el2, r2, lat0, lon0, alt0, deg=False)
    np.testing.assert_allclose(back, np.stack([x, y, z], -1), atol=1e-6)
    np.testing.assert_allclose(back, r, atol=1e-6)


def test_aer_conventions() -> None:
    az, el, rng_m = enu_to_aer(0.0, 1.0, 0.0)
    assert (float(az), float(el), float(rng_m)) == (0.0, 0.0, 1.0)
    az, _, _ = enu_to_aer(1.0, 0.0, 0.0)
    assert float(az) == pytest.approx(math.pi / 2)
    az, _, _ = enu_to_aer(-1.0, -1e-300, 0.0)
    assert 0.0 <= float(az) < 2 * math.pi
    az, el, _ = enu_to_aer(0.0, 0.0, 5.0)
    assert float(el) == pytest.approx(math.pi / 2)
    np.testing.assert_allclose(aer_to_enu(math.pi / 2, 0.0, 2.0), [2.0, 0.0, 0.0], atol=1e-15)


@settings(max_examples=200, deadline=None)
@given(
    lat_st,
    lon_st,
    st.floats(-1e3, 1e5),
    st.floats(-1e7, 1e7),
    st.floats(-1e7, 1e7),
    st.floats(-1e7, 1e7),
)
def test_enu_round_trip_property(
    lat0: float, lon0: float, alt0: float, e: float, n: float, u: float
) -> None:
    x = np.array([e, n, u])
    r = enu_to_ecef(x, lat0, lon0, alt0)
    np.testing.assert_allclose(ecef_to_enu(r, lat0, lon0, alt0), x, atol=1e-6)
    v = enu_vector_to_ecef(x, lat0, lon0)
    np.testing.assert_allclose(ecef_vector_to_enu(v, lat0, lon0), x, atol=1e-6)
    assert np.linalg.norm(v) == pytest.approx(np.linalg.norm(x), rel=1e-12, abs=1e-9)
    az, el, rng_m = enu_to_aer(e, n, u)
    np.testing.assert_allclose(aer_to_enu(az, el, rng_m), x, atol=1e-6)


def test_broadcasting_shapes() -> None:
    r = geodetic_to_ecef(np.zeros((4, 1)), np.zeros((1, 5)), 0.0)
    assert r.shape == (4, 5, 3)
    la, lo, al = ecef_to_geodetic(r)
    assert la.shape == lo.shape == al.shape == (4, 5)
    enu = ecef_to_enu(r, 0.1, 0.2, 0.0)
    assert enu.shape == (4, 5, 3)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(-1e7, 1e7),
    st.floats(-1e7, 1e7),
    st.floats(-1e7, 1e7),
    st.floats(-8e3, 8e3),
    st.floats(-8e3, 8e3),
    st.floats(-8e3, 8e3),
    st.floats(-1e6, 1e6),
    st.floats(-7, 7),
)
def test_eci_round_trip_property(
    x: float, y: float, z: float, vx: float, vy: float, vz: float, t: float, theta0: float
) -> None:
    r, v = np.array([x, y, z]), np.array([vx, vy, vz])
    r_eci, v_eci = ecef_to_eci(r, v, t, theta0)
    assert v_eci is not None
    r2, v2 = eci_to_ecef(r_eci, v_eci, t, theta0)
    assert v2 is not None
    np.testing.assert_allclose(r2, r, atol=1e-6)
    np.testing.assert_allclose(v2, v, atol=1e-8)
    assert np.linalg.norm(r_eci) == pytest.approx(np.linalg.norm(r), rel=1e-12, abs=1e-6)


def test_eci_fixed_ground_point_moves_eastward_at_omega_r() -> None:
    lat = np.radians(np.array([0.0, 45.0, 89.0]))
    r = geodetic_to_ecef(lat, 0.3, 0.0)
    r_eci, v_eci = ecef_to_eci(r, np.zeros_like(r), 0.0)
    assert v_eci is not None
    rho = np.hypot(r[:, 0], r[:, 1])
    np.testing.assert_allclose(np.linalg.norm(v_eci, axis=-1), OMEGA_EARTH_RAD_S * rho, rtol=1e-12)
    # The ECI position after a quarter sidereal period is the ECEF point rotated by 90 deg.
    t = 0.5 * math.pi / OMEGA_EARTH_RAD_S
    r_eci, _ = ecef_to_eci(r, None, t)
    np.testing.assert_allclose(r_eci[:, 0], -r[:, 1], atol=1e-6)
    np.testing.assert_allclose(r_eci[:, 1], r[:, 0], atol=1e-6)
    # Finite difference of the ECI position equals the ECI velocity.
    r_a, _ = ecef_to_eci(r, None, t - 0.5)
    r_b, _ = ecef_to_eci(r, None, t + 0.5)
    _, v_eci = ecef_to_eci(r, np.zeros_like(r), t)
    np.testing.assert_allclose(r_b - r_a, v_eci, rtol=1e-6)


@pytest.mark.oracle
def test_gmst_matches_astropy() -> None:
    astropy_time = pytest.importorskip("astropy.time")
    from astropy.utils import iers

    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    jd = np.array([2451545.0, 2455197.5, 2460000.25, 2461000.8, 2440000.1])
    t = astropy_time.Time(jd, format="jd", scale="ut1")
    ref = t.sidereal_time("mean", longitude=0.0, model="IAU1982").radian
    np.testing.assert_allclose(np.angle(np.exp(1j * (gmst_rad(jd) - ref))), 0.0, atol=1e-9)


def test_gmst_vallado_example() -> None:
    """Vallado, Fundamentals of Astrodynamics, Example 3-5: 1992-08-20 12:14 UT1, 152.578788 deg."""
    when = dt.datetime(1992, 8, 20, 12, 14, 0)
    assert math.degrees(float(gmst_rad(when))) == pytest.approx(152.578788, abs=1e-5)
    aware = dt.datetime(1992, 8, 20, 14, 14, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert julian_date(aware) == pytest.approx(julian_date(when), abs=1e-9)
