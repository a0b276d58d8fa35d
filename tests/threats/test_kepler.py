"""Unit and property tests of hoplon.threats.kepler."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoplon.threats import kepler

R = 6371.0e3
MU = 3.986004418e14

# REFERENCES.md section 2 (minimum-energy table, D values): range km -> (v km/s, gamma deg,
# apogee km, free-flight time min).
ME_TABLE = {
    300: (1.696, 44.33, 74, 4.18),
    1000: (3.016, 42.75, 240, 7.91),
    3000: (4.865, 38.26, 655, 14.92),
    8000: (6.805, 27.01, 1264, 27.99),
    12000: (7.480, 18.02, 1265, 35.72),
}


@pytest.mark.parametrize("range_km", sorted(ME_TABLE))
def test_minimum_energy_table(range_km: int) -> None:
    v_ref, g_ref, apo_ref, t_ref = ME_TABLE[range_km]
    psi = range_km * 1e3 / R
    _, v, g = kepler.minimum_energy(psi, R)
    assert float(v) / 1e3 == pytest.approx(v_ref, rel=1e-3)
    assert math.degrees(float(g)) == pytest.approx(g_ref, abs=0.01)
    apo = (float(kepler.apogee_radius(v, R, g)) - R) / 1e3
    assert apo == pytest.approx(apo_ref, abs=1.0)
    assert float(kepler.time_of_flight(v, R, g)) / 60 == pytest.approx(t_ref, abs=0.01)


speeds = st.floats(1000.0, 7600.0)
angles = st.floats(math.radians(5.0), math.radians(85.0))
alts = st.floats(0.0, 300e3)


@settings(max_examples=60, deadline=None)
@given(v=speeds, g=angles)
def test_general_range_reduces_to_symmetric(v: float, g: float) -> None:
    psi_sym = kepler.range_angle_symmetric(kepler.q_parameter(v, R, MU), g)
    psi_gen = kepler.range_angle(v, R, g, R, MU)
    np.testing.assert_allclose(psi_gen, psi_sym, rtol=1e-9, atol=1e-12)


@settings(max_examples=60, deadline=None)
@given(v=speeds, g=angles, h=alts)
def test_hit_equation_inverts_range(v: float, g: float, h: float) -> None:
    """Q from the hit equation reproduces the range angle from r = R + h down to R."""
    r = R + h
    psi = float(kepler.range_angle(v, r, g, R, MU))
    Q = float(kepler.hit_equation_q(psi, g, r, R))
    assert Q == pytest.approx(float(kepler.q_parameter(v, r, MU)), rel=1e-8)
    low, high = kepler.flight_path_angles_for_range(psi, Q, r, R)
    assert min(abs(float(low) - g), abs(float(high) - g)) < 1e-7


@settings(max_examples=60, deadline=None)
@given(v=speeds, g=angles, h=alts)
def test_range_apogee_inverse_round_trip(v: float, g: float, h: float) -> None:
    r = R + h
    psi = kepler.range_angle(v, r, g, R, MU)
    ra = kepler.apogee_radius(v, r, g, MU)
    v2, g2 = kepler.burnout_from_range_apogee(psi, ra, r, R, MU)
    assert float(v2) == pytest.approx(v, rel=1e-6)
    assert float(g2) == pytest.approx(g, abs=1e-6)
    if h == 0.0:
        v3, g3 = kepler.burnout_from_range_apogee(psi, ra, r, mu=MU)
        assert float(v3) == pytest.approx(v, rel=1e-9)
        assert float(g3) == pytest.approx(g, abs=1e-9)


@settings(max_examples=40, deadline=None)
@given(psi=st.floats(0.01, 3.0), h=alts)
def test_minimum_energy_is_minimum_and_max_range_inverts_it(psi: float, h: float) -> None:
    r = R + h
    Q, v, g = kepler.minimum_energy(psi, r, R, MU)
    for dg in (-0.02, 0.02):
        assert float(kepler.hit_equation_q(psi, float(g) + dg, r, R)) > float(Q)
    psi_max, g_max = kepler.max_range_angle_general(v, r, R, MU)
    assert float(psi_max) == pytest.approx(psi, rel=1e-7)
    assert float(g_max) == pytest.approx(float(g), abs=1e-6)
    # Both roots collapse onto the minimum-energy angle.
    low, high = kepler.flight_path_angles_for_range(psi, Q * (1 + 1e-9), r, R)
    assert float(low) == pytest.approx(float(g), abs=1e-3)
    assert float(high) == pytest.approx(float(g), abs=1e-3)


def test_lofted_and_depressed_roots_bracket_min_energy() -> None:
    psi = 3000e3 / R
    _, v_me, g_me = kepler.minimum_energy(psi, R)
    Q = kepler.q_parameter(1.05 * v_me, R, MU)
    low, high = kepler.flight_path_angles_for_range(psi, Q, R, R)
    assert float(low) < float(g_me) < float(high)
    for g in (low, high):
        assert float(kepler.range_angle(1.05 * v_me, R, g, R, MU)) == pytest.approx(psi, rel=1e-9)
    apo = [float(kepler.apogee_radius(1.05 * v_me, R, g, MU)) for g in (low, high)]
    assert apo[0] < float(kepler.apogee_radius(v_me, R, g_me, MU)) < apo[1]


def test_out_of_reach_is_nan() -> None:
    assert np.isnan(kepler.range_angle(2000.0, R + 1e6, 0.5, R + 2e6, MU))
    low, high = kepler.flight_path_angles_for_range(2.0, 0.5)
    assert np.isnan(low) and np.isnan(high)
    assert np.isnan(kepler.max_range_angle(1.2)[0])
    assert np.isnan(kepler.burnout_from_range_apogee(0.1, R - 1.0, R, mu=MU)[0])


def test_vectorised_shapes() -> None:
    v = np.linspace(2000, 7000, 5)
    g = np.full(5, 0.6)
    assert kepler.range_angle(v, R, g, mu=MU).shape == (5,)
    assert kepler.time_of_flight(v, R, g, mu=MU).shape == (5,)
    assert kepler.minimum_energy(np.linspace(0.1, 2, 7), R)[1].shape == (7,)
