"""Scalar force kernels against the numpy references of ``hoplon.earth``."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth import atmosphere
from hoplon.earth.frames import SPHERE, WGS84, ecef_to_geodetic, geodetic_to_ecef
from hoplon.earth.gravity import gravity_j2, gravity_point_mass
from hoplon.flight import EarthModel, make_params
from hoplon.flight.forces import (
    cd_of_mach,
    density,
    deriv,
    geodetic_altitude,
    gravity,
    speed_of_sound,
)
from hoplon.flight.model import ENV_A, ENV_E2, ENV_SPHERE

RNG = np.random.default_rng(7)


def _points(n: int = 50, max_alt: float = 10_000e3, ellipsoid=WGS84) -> np.ndarray:
    lat = RNG.uniform(-np.pi / 2, np.pi / 2, n)
    lon = RNG.uniform(-np.pi, np.pi, n)
    alt = RNG.uniform(-1e3, max_alt, n)
    return geodetic_to_ecef(lat, lon, alt, ellipsoid)


@pytest.mark.parametrize("name", ["point", "j2"])
def test_gravity_kernel_matches_reference(name: str) -> None:
    env = EarthModel(gravity=name).to_array()
    ref = gravity_point_mass if name == "point" else gravity_j2
    for r in _points():
        g = np.array(gravity(r[0], r[1], r[2], env))
        np.testing.assert_allclose(g, ref(r), rtol=1e-13, atol=1e-15)


def test_gravity_none_is_zero() -> None:
    env = EarthModel(gravity="none").to_array()
    assert gravity(7e6, 0.0, 0.0, env) == (0.0, 0.0, 0.0)


@pytest.mark.parametrize("shape", ["wgs84", "sphere"])
def test_kernel_altitude_matches_frames(shape: str) -> None:
    model = EarthModel(shape=shape)
    env = model.to_array()
    ell = WGS84 if shape == "wgs84" else SPHERE
    pts = _points(200, ellipsoid=ell)
    pts = np.vstack([pts, [[0.0, 0.0, 7e6], [0.0, 0.0, -6.4e6], [7e6, 0.0, 0.0]]])
    lat, lon, alt = ecef_to_geodetic(pts, ell)
    for k, r in enumerate(pts):
        h, cb, sb, cl, sl = geodetic_altitude(
            r[0], r[1], r[2], env[ENV_A], env[ENV_E2], env[ENV_SPHERE]
        )
        assert h == pytest.approx(alt[k], abs=1e-6)
        assert math.atan2(sb, cb) == pytest.approx(lat[k], abs=1e-8)
        if abs(lat[k]) < 1.5:
            assert math.atan2(sl, cl) == pytest.approx(lon[k], abs=1e-12)


def test_density_and_sound_tables_match_us76() -> None:
    model = EarthModel()
    env, atm = model.to_array(), model.atmosphere_tables()
    alts = np.concatenate([RNG.uniform(0, 120e3, 200), [0.0, 11e3, 86e3, 500e3, 999e3]])
    rho = np.array([density(h, env, atm) for h in alts])
    np.testing.assert_allclose(rho, atmosphere.density(alts), rtol=2e-4)
    c = np.array([speed_of_sound(h, env, atm) for h in alts[alts < 86e3]])
    np.testing.assert_allclose(c, atmosphere.speed_of_sound(alts[alts < 86e3]), rtol=1e-4)
    assert density(1001e3, env, atm) == 0.0


def test_cd_table_interpolation() -> None:
    tab = np.array([[0.0, 0.2], [1.0, 0.4], [3.0, 0.3]])
    assert cd_of_mach(-1.0, tab) == 0.2
    assert cd_of_mach(0.5, tab) == pytest.approx(0.3)
    assert cd_of_mach(2.0, tab) == pytest.approx(0.35)
    assert cd_of_mach(9.0, tab) == 0.3


def test_drag_acceleration_matches_formula() -> None:
    """Non-rotating, no gravity: dv/dt = -rho |v| v / (2 beta), and Cd-table form."""
    model = EarthModel(rotating=False, gravity="none")
    env, atm = model.to_array(), model.atmosphere_tables()
    r = geodetic_to_ecef(0.3, 0.4, 20e3)
    v = np.array([1000.0, -2000.0, 500.0])
    y = np.concatenate([r, v, [500.0]])
    out = np.empty(7)
    deriv(0.0, y, make_params(1, beta_kg_m2=2500.0)[0], env, atm, np.zeros((1, 2)), out)
    rho = atmosphere.density(20e3)
    expected = -rho * np.linalg.norm(v) * v / (2 * 2500.0)
    np.testing.assert_allclose(out[3:6], expected, rtol=2e-4)
    assert np.dot(out[3:6], v) < 0
    tab = np.array([[0.0, 0.3], [10.0, 0.3]])
    p = make_params(1, use_cd_table=1, ref_area_m2=0.5)[0]
    deriv(0.0, y, p, env, atm, tab, out)
    expected = -rho * np.linalg.norm(v) * v * 0.3 * 0.5 / (2 * 500.0)
    np.testing.assert_allclose(out[3:6], expected, rtol=2e-4)


def test_rotating_frame_terms() -> None:
    """Coriolis -2 w x v and centrifugal -w x (w x r) are added in the rotating frame."""
    rot, fixed = EarthModel(atmosphere=False), EarthModel(atmosphere=False, rotating=False)
    y = np.array([7e6, 1e6, 2e6, 100.0, 200.0, 300.0, 1.0])
    a, b = np.empty(7), np.empty(7)
    p = make_params(1)[0]
    deriv(0.0, y, p, rot.to_array(), rot.atmosphere_tables(), np.zeros((1, 2)), a)
    deriv(0.0, y, p, fixed.to_array(), fixed.atmosphere_tables(), np.zeros((1, 2)), b)
    w = np.array([0.0, 0.0, rot.omega_rad_s])
    expected = -2 * np.cross(w, y[3:6]) - np.cross(w, np.cross(w, y[:3]))
    np.testing.assert_allclose(a[3:6] - b[3:6], expected, rtol=1e-12, atol=1e-15)
