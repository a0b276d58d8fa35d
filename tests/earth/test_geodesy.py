"""Geodesy: great circles and ellipsoidal geodesics (pymap3d.vincenty, published values)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.frames import SPHERE, WGS84
from hoplon.earth.geodesy import (
    central_angle,
    destination,
    geodesic_direct,
    geodesic_inverse,
    great_circle_distance,
    initial_azimuth,
    wrap_pi,
)

lat_st = st.floats(-math.pi / 2, math.pi / 2)
lon_st = st.floats(-math.pi, math.pi)


def test_great_circle_quarter_and_half() -> None:
    assert great_circle_distance(0, 0, 0, math.pi / 2) == pytest.approx(6371e3 * math.pi / 2)
    assert central_angle(0.3, 0.1, -0.3, 0.1 + math.pi) == pytest.approx(math.pi)
    assert central_angle(0.2, 0.2, 0.2, 0.2) == 0.0
    assert float(initial_azimuth(0, 0, 0.1, 0)) == 0.0
    assert float(initial_azimuth(0, 0, 0, 0.1)) == pytest.approx(math.pi / 2)
    assert float(initial_azimuth(0, 0, 0, -0.1)) == pytest.approx(1.5 * math.pi)


@settings(max_examples=300, deadline=None)
@given(lat_st, lon_st, st.floats(0, 2 * math.pi), st.floats(0, 19e6))
def test_destination_inverts_distance_and_azimuth(
    lat: float, lon: float, az: float, d: float
) -> None:
    lat2, lon2 = destination(lat, lon, az, d)
    assert great_circle_distance(lat, lon, lat2, lon2) == pytest.approx(d, abs=1e-3)
    if 1.0 < d < 19e6 and abs(lat) < math.pi / 2 - 1e-6:
        daz = wrap_pi(initial_azimuth(lat, lon, lat2, lon2) - az)
        assert abs(float(daz)) < 1e-6


def test_geodesic_on_sphere_equals_great_circle() -> None:
    rng = np.random.default_rng(1)
    la1, la2 = rng.uniform(-1.5, 1.5, (2, 500))
    lo1, lo2 = rng.uniform(-3, 3, (2, 500))
    s, az1, _ = geodesic_inverse(la1, lo1, la2, lo2, SPHERE)
    np.testing.assert_allclose(s, great_circle_distance(la1, lo1, la2, lo2), atol=1e-6)
    np.testing.assert_allclose(wrap_pi(az1 - initial_azimuth(la1, lo1, la2, lo2)), 0, atol=1e-9)


@pytest.mark.oracle
def test_geodesic_inverse_matches_pymap3d_vincenty() -> None:
    vincenty = pytest.importorskip("pymap3d.vincenty")
    rng = np.random.default_rng(4)
    n = 300
    la1, la2 = rng.uniform(-1.5, 1.5, (2, n))
    lo1, lo2 = rng.uniform(-3, 3, (2, n))
    s, az1, _ = geodesic_inverse(la1, lo1, la2, lo2)
    ref_s = np.empty(n)
    ref_az = np.empty(n)
    for i in range(n):
        d, a = vincenty.vdist(*np.degrees([la1[i], lo1[i], la2[i], lo2[i]]))
        ref_s[i], ref_az[i] = float(d), math.radians(float(a))
    ok = np.isfinite(ref_s)  # pymap3d may not converge for nearly antipodal points
    np.testing.assert_allclose(s[ok], ref_s[ok], atol=1e-4)
    np.testing.assert_allclose(wrap_pi(az1 - ref_az)[ok], 0.0, atol=1e-9)


def test_geodesic_published_values() -> None:
    # Karney (2013), J. Geodesy 87:43, and GeographicLib documentation: nearly antipodal
    # points (0, 0) to (0.5 N, 179.5 E) on WGS84: s12 = 19936288.579 m.
    s, _, _ = geodesic_inverse(0.0, 0.0, math.radians(0.5), math.radians(179.5))
    assert float(s) == pytest.approx(19936288.579, abs=2e-3)
    # Equator: a quarter of it; meridian: pole to pole = 2 x 10001965.729 m (WGS84 quarter
    # meridian, TR8350.2 derived constants).
    s, az1, az2 = geodesic_inverse(0.0, 0.0, 0.0, math.pi / 2)
    assert float(s) == pytest.approx(WGS84.a_m * math.pi / 2, abs=1e-6)
    assert float(az1) == pytest.approx(math.pi / 2) and float(az2) == pytest.approx(math.pi / 2)
    s, az1, _ = geodesic_inverse(-math.pi / 2, 0.0, math.pi / 2, 0.0)
    assert float(s) == pytest.approx(2 * 10001965.729, abs=2e-3)
    s, _, _ = geodesic_inverse(0.0, 0.0, 0.0, math.pi)  # equatorial antipodes: via a pole
    assert float(s) == pytest.approx(2 * 10001965.729, abs=2e-3)


@settings(max_examples=300, deadline=None)
@given(lat_st, lon_st, lat_st, lon_st)
def test_geodesic_inverse_direct_round_trip(
    lat1: float, lon1: float, lat2: float, lon2: float
) -> None:
    s, az1, az2 = geodesic_inverse(lat1, lon1, lat2, lon2)
    assert 0.0 <= float(s) <= 20003931.46
    assert 0.0 <= float(az1) < 2 * math.pi and 0.0 <= float(az2) < 2 * math.pi
    p, lam, _ = geodesic_direct(lat1, lon1, az1, s)
    assert float(p) == pytest.approx(lat2, abs=1e-9)
    if abs(lat2) < math.pi / 2 - 1e-7:
        assert abs(float(wrap_pi(lam - lon2))) * math.cos(lat2) < 1e-9
    # symmetry: the reverse geodesic has the same length
    s_back, _, _ = geodesic_inverse(lat2, lon2, lat1, lon1)
    assert float(s_back) == pytest.approx(float(s), abs=1e-4)


def test_geodesic_direct_vectorised_and_nearly_antipodal() -> None:
    lat = np.zeros(5)
    az = np.radians([0.0, 30.0, 60.0, 90.0, 150.0])
    d = np.full(5, 19.9e6)
    lat2, lon2, _ = geodesic_direct(lat, 0.0, az, d)
    s, _, _ = geodesic_inverse(lat, 0.0, lat2, lon2)
    assert s.shape == (5,)
    assert np.all(s <= d + 1e-6)  # a geodesic past its conjugate point is not the shortest
