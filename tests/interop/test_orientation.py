"""DIS Euler angles from the velocity: known cases and invariants."""

from __future__ import annotations

import math

import numpy as np
import pymap3d
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.frames import geodetic_to_ecef
from hoplon.interop.orientation import (
    axes_from_euler,
    body_axes_from_velocity,
    euler_from_axes,
    euler_from_velocity,
)

R0 = np.array([6378137.0, 0.0, 0.0])  # lat 0, lon 0


@pytest.mark.parametrize(
    ("v", "expected_deg"),
    [
        ((0.0, 0.0, 100.0), (0.0, -90.0, 0.0)),  # north, level
        ((0.0, 100.0, 0.0), (90.0, 0.0, -90.0)),  # east, level
        ((-100.0, 0.0, 0.0), (180.0, 0.0, 0.0)),  # straight down
    ],
)
def test_known_cases_at_lat0_lon0(v, expected_deg) -> None:
    euler = np.degrees(euler_from_velocity(R0, np.array(v)))
    if v[0] < 0:  # diving vertically: x_b = -X_ecef, so |psi| = 180 and theta = 0
        assert abs(abs(euler[0]) - 180.0) < 1e-9 and abs(euler[1]) < 1e-9
    else:
        np.testing.assert_allclose(euler, expected_deg, atol=1e-9)


def _frame(lat: float, lon: float, alt: float, v_enu: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    r = geodetic_to_ecef(lat, lon, alt)
    v = np.array(pymap3d.enu2uvw(*v_enu, math.degrees(lat), math.degrees(lon)))
    return r, v


@settings(max_examples=150, deadline=None)
@given(
    st.floats(-1.5, 1.5),
    st.floats(-3.1, 3.1),
    st.floats(0, 1e6),
    st.floats(0, 2 * math.pi),
    st.floats(-1.4, 1.4),
    st.floats(10, 8000),
)
def test_body_axes_follow_velocity_wings_level(lat, lon, alt, heading, pitch, speed) -> None:
    v_enu = speed * np.array(
        [math.cos(pitch) * math.sin(heading), math.cos(pitch) * math.cos(heading), math.sin(pitch)]
    )
    r, v = _frame(lat, lon, alt, v_enu)
    euler = euler_from_velocity(r, v)
    axes = axes_from_euler(euler)
    np.testing.assert_allclose(axes @ axes.T, np.eye(3), atol=1e-12)
    # Euler angles round-trip through atan2: ~1e-9 noise near singular attitudes
    np.testing.assert_allclose(axes[0], v / np.linalg.norm(v), atol=1e-8)
    up = np.array(pymap3d.enu2uvw(0.0, 0.0, 1.0, math.degrees(lat), math.degrees(lon)))
    assert abs(axes[1] @ up) < 1e-9  # wings level: body y horizontal
    assert axes[2] @ up < 0  # body z points below the horizon
    np.testing.assert_allclose(
        axes_from_euler(euler_from_axes(body_axes_from_velocity(r, v))), axes, atol=1e-9
    )


def test_batch_shapes_and_rest() -> None:
    r = np.tile(R0, (4, 1))
    v = np.zeros((4, 3))
    e = euler_from_velocity(r, v)
    assert e.shape == (4, 3)
    np.testing.assert_allclose(axes_from_euler(e)[:, 0], np.tile([0, 0, 1.0], (4, 1)), atol=1e-12)


@pytest.mark.parametrize("lon", [0.0, 1.0, -2.5])
def test_gimbal_lock_flying_north_on_the_equator(lon: float) -> None:
    r = geodetic_to_ecef(0.0, lon, 1000.0)
    axes = axes_from_euler(euler_from_velocity(r, np.array([0.0, 0.0, 250.0])))
    np.testing.assert_allclose(
        axes, body_axes_from_velocity(r, np.array([0.0, 0.0, 1.0])), atol=1e-12
    )
