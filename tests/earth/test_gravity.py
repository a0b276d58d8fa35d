"""Gravity: point mass magnitude, J2 conservative (finite differences), normal gravity."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.constants import MU_EARTH_M3_S2
from hoplon.earth.gravity import gravity_j2, gravity_point_mass, normal_gravity, potential_j2

coord = st.floats(-4e7, 4e7)


@settings(max_examples=200, deadline=None)
@given(coord, coord, coord)
def test_point_mass_magnitude_and_direction(x: float, y: float, z: float) -> None:
    r = np.array([x, y, z])
    rn = np.linalg.norm(r)
    if rn < 6e6:
        return
    g = gravity_point_mass(r)
    assert np.linalg.norm(g) == pytest.approx(MU_EARTH_M3_S2 / rn**2, rel=1e-12)
    np.testing.assert_allclose(g / np.linalg.norm(g), -r / rn, atol=1e-12)


@settings(max_examples=200, deadline=None)
@given(coord, coord, coord)
def test_j2_is_minus_gradient_of_potential(x: float, y: float, z: float) -> None:
    r = np.array([x, y, z])
    if np.linalg.norm(r) < 6.3e6:
        return
    h = 1.0
    fd = np.array(
        [-(potential_j2(r + h * e) - potential_j2(r - h * e)) / (2 * h) for e in np.eye(3)]
    )
    np.testing.assert_allclose(gravity_j2(r), fd, rtol=0, atol=1e-7 * np.linalg.norm(fd))


def test_j2_curl_free_and_axisymmetric() -> None:
    rng = np.random.default_rng(2)
    r = rng.uniform(-2e7, 2e7, (200, 3))
    r = r[np.linalg.norm(r, axis=1) > 6.5e6]
    h = 2.0
    jac = np.stack(
        [(gravity_j2(r + h * e) - gravity_j2(r - h * e)) / (2 * h) for e in np.eye(3)], axis=-1
    )
    np.testing.assert_allclose(jac, np.swapaxes(jac, -1, -2), atol=1e-12)  # symmetric Jacobian
    # rotating about z commutes with the field
    c, s = math.cos(0.7), math.sin(0.7)
    rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    np.testing.assert_allclose(gravity_j2(r @ rz.T), gravity_j2(r) @ rz.T, rtol=1e-12, atol=1e-15)


def test_j2_known_values() -> None:
    # On the equator J2 strengthens gravity by 1.5 J2 (a/r)^2; at the pole it weakens it by 3 J2.
    a = 6378137.0
    g_eq = gravity_j2(np.array([a, 0, 0]))
    assert g_eq[0] == pytest.approx(-MU_EARTH_M3_S2 / a**2 * (1 + 1.5 * 1.08262998905e-3))
    g_np = gravity_j2(np.array([0, 0, a]))
    assert g_np[2] == pytest.approx(-MU_EARTH_M3_S2 / a**2 * (1 - 3 * 1.08262998905e-3))
    r = np.zeros((4, 5, 3))
    r[..., 0] = 7e6
    assert gravity_j2(r).shape == (4, 5, 3)


def test_normal_gravity_published() -> None:
    # NIMA TR8350.2 Table 3.4: equatorial 9.7803253359, polar 9.8321849378 m/s^2.
    assert float(normal_gravity(0.0)) == pytest.approx(9.7803253359, abs=1e-10)
    assert float(normal_gravity(math.pi / 2)) == pytest.approx(9.8321849378, abs=1e-9)
    # Free-air gradient about -3.086e-6 1/s^2 at mid latitude.
    grad = float(normal_gravity(math.radians(45), 1000.0) - normal_gravity(math.radians(45)))
    assert grad / 1000.0 == pytest.approx(-3.086e-6, rel=2e-3)
