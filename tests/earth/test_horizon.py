"""Horizon range, effective Earth radius and line-of-sight tests."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.frames import WGS84, geodetic_to_ecef
from hoplon.earth.horizon import (
    central_angle,
    effective_earth_radius,
    horizon_range,
    k_factor,
    los_clear,
    max_los_range,
    segment_clears_ellipsoid,
)

R = 6371e3


@settings(max_examples=50, deadline=None)
@given(h1=st.floats(0.0, 1e5), dh=st.floats(1e-3, 1e5))
def test_horizon_grows_with_height(h1: float, dh: float) -> None:
    Re = effective_earth_radius()
    assert horizon_range(h1 + dh, Re) > horizon_range(h1, Re)


@settings(max_examples=50, deadline=None)
@given(h=st.floats(1.0, 1e5))
def test_refraction_extends_the_horizon(h: float) -> None:
    assert horizon_range(h, effective_earth_radius()) > horizon_range(h, R)


def test_k_factor_default_and_ducting() -> None:
    assert float(k_factor()) == pytest.approx(1.3306, abs=1e-4)
    assert float(effective_earth_radius(0.0)) == R
    with pytest.raises(ValueError, match="ducting"):
        effective_earth_radius(-157e-9 * 2)


@settings(max_examples=60, deadline=None)
@given(h1=st.floats(0.0, 3e3), h2=st.floats(10.0, 5e5), k=st.sampled_from([1.0, 4 / 3]))
def test_los_clear_boundary_matches_tangent_ranges(h1: float, h2: float, k: float) -> None:
    Re = k * R
    th = (np.arccos(Re / (Re + h1)) + np.arccos(Re / (Re + h2))) * k
    if th < 1e-6:
        return
    assert los_clear(h1, h2, th * (1 - 1e-3), k, R)
    assert not los_clear(h1, h2, th * (1 + 1e-3), k, R)


def test_los_clear_is_symmetric_and_vectorised() -> None:
    rng = np.random.default_rng(0)
    h1, h2 = rng.uniform(0, 2e5, 1000), rng.uniform(0, 2e5, 1000)
    th = rng.uniform(0, 0.5, 1000)
    a = los_clear(h1, h2, th)
    assert a.shape == (1000,)
    np.testing.assert_array_equal(a, los_clear(h2, h1, th))
    assert a.any() and not a.all()


def test_max_los_range_is_sum_of_horizons() -> None:
    Re = effective_earth_radius()
    assert max_los_range(10.0, 1e4, Re) == pytest.approx(
        horizon_range(10.0, Re) + horizon_range(1e4, Re)
    )


def test_segment_clears_ellipsoid_cases() -> None:
    geo = np.array([42164e3, 0.0, 0.0])
    over = geodetic_to_ecef(0.0, 0.0, 50e3, WGS84)  # sub-satellite point, above clouds
    behind = geodetic_to_ecef(0.0, np.pi, 50e3, WGS84)  # far side of the Earth
    limb = geodetic_to_ecef(0.0, np.radians(89.0), 50e3, WGS84)
    over_limb = geodetic_to_ecef(0.0, np.radians(85.0), 50e3, WGS84)
    assert segment_clears_ellipsoid(geo, over, 10e3)
    assert not segment_clears_ellipsoid(geo, behind, 10e3)
    # 89 deg from the sub-satellite point the line passes through the cloud layer; at 85 deg
    # it passes above the limb (limit ~ acos(R/r_geo) + acos((R + 10 km)/(R + 50 km)) ~ 87.6 deg)
    assert segment_clears_ellipsoid(geo, over_limb, 10e3)
    assert not segment_clears_ellipsoid(geo, limb, 10e3)
    both = segment_clears_ellipsoid(geo, np.stack([over, behind]), 10e3)
    np.testing.assert_array_equal(both, [True, False])


def test_segment_end_inside_layer() -> None:
    geo = np.array([42164e3, 0.0, 0.0])
    low = geodetic_to_ecef(0.0, 0.0, 5e3, WGS84)
    assert not segment_clears_ellipsoid(geo, low, 10e3)
    assert segment_clears_ellipsoid(geo, low, 10e3, end_inside_ok=True)


def test_central_angle() -> None:
    a = geodetic_to_ecef(0.0, 0.0, 0.0, WGS84)
    b = geodetic_to_ecef(0.0, np.radians(30.0), 0.0, WGS84)
    assert float(central_angle(a, b)) == pytest.approx(np.radians(30.0), rel=1e-12)
