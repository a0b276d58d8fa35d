"""Keplerian orbits: Kepler's equation, GEO and Molniya geometry."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.earth.constants import MU_EARTH_M3_S2
from hoplon.earth.frames import WGS84, ecef_to_geodetic
from hoplon.sensors.orbits import (
    GEO_A_M,
    MOLNIYA_A_M,
    KeplerElements,
    geo_elements,
    molniya_elements,
    position_ecef,
    position_eci,
    solve_kepler,
)


@settings(max_examples=100, deadline=None)
@given(M=st.floats(-10.0, 10.0), e=st.floats(0.0, 0.97))
def test_kepler_equation_round_trip(M: float, e: float) -> None:
    E = float(solve_kepler(M, e))
    assert E - e * math.sin(E) == pytest.approx(M % (2 * math.pi), abs=1e-11)


def test_geo_stays_over_its_longitude() -> None:
    el = geo_elements(np.radians([-75.0, 10.0]))
    t = np.linspace(0.0, 86400.0, 13)
    lat, lon, alt = ecef_to_geodetic(position_ecef(el, t), WGS84)
    np.testing.assert_allclose(lat, 0.0, atol=1e-9)
    np.testing.assert_allclose(
        np.degrees(lon), np.broadcast_to([-75.0, 10.0], lon.shape), atol=0.01
    )
    assert GEO_A_M == pytest.approx(42164.17e3, rel=1e-5)
    np.testing.assert_allclose(alt, GEO_A_M - WGS84.a_m, rtol=1e-9)


def test_molniya_period_and_apogee() -> None:
    el = molniya_elements([0.0])
    assert float(el.period_s[0]) == pytest.approx(86164.0905 / 2, rel=1e-4)
    assert MOLNIYA_A_M == pytest.approx(26562e3, rel=1e-3)
    t_apogee = float(el.period_s[0]) / 2
    lat, _, alt = ecef_to_geodetic(position_ecef(el, [t_apogee])[0, 0], WGS84)
    assert math.degrees(float(lat)) == pytest.approx(63.4, abs=0.5)  # apogee over the north
    assert float(alt) > 39000e3


def test_vis_viva_and_energy() -> None:
    el = KeplerElements.of(20000e3, 0.3, 0.5, 1.0, 2.0, 0.3)
    t = np.linspace(0.0, 3e4, 301)
    r = position_eci(el, t)[:, 0]
    v = (position_eci(el, t + 0.01)[:, 0] - position_eci(el, t - 0.01)[:, 0]) / 0.02
    energy = 0.5 * np.sum(v**2, axis=-1) - MU_EARTH_M3_S2 / np.linalg.norm(r, axis=-1)
    np.testing.assert_allclose(energy, -MU_EARTH_M3_S2 / (2 * 20000e3), rtol=1e-6)
    rn = np.linalg.norm(r, axis=-1)
    assert rn.min() >= 20000e3 * 0.7 - 1 and rn.max() <= 20000e3 * 1.3 + 1


def test_invalid_elements() -> None:
    with pytest.raises(ValueError, match="eccentricity"):
        KeplerElements.of(20000e3, 1.2, 0, 0, 0, 0)
    with pytest.raises(ValueError, match="perigee"):
        KeplerElements.of(7000e3, 0.5, 0, 0, 0, 0)


def test_radius_matches_fixed_point_solution() -> None:
    el = KeplerElements.of(26000e3, 0.6, 1.1, 0.4, 2.2, 0.1)
    t = 3 * 3600.0
    r = position_eci(el, t)[0]
    M = 0.1 + math.sqrt(MU_EARTH_M3_S2 / 26000e3**3) * t
    E = M
    for _ in range(300):  # plain fixed-point iteration, independent of the Newton solver
        E = M + 0.6 * math.sin(E)
    assert np.linalg.norm(r) == pytest.approx(26000e3 * (1 - 0.6 * math.cos(E)), rel=1e-10)
