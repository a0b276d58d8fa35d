"""Validation: vacuum Kepler ballistic flight (REFERENCES.md section 1, BMW chapter 6).

One test per case id, tolerances from /work/shared/validation/REFERENCES.md.
Canonical units: 1 DU = 6378.145 km, 1 TU = 806.8118744 s, mu = 1 DU^3/TU^2.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import brentq

from hoplon.flight.model import EarthModel
from hoplon.threats import kepler
from hoplon.threats.ballistic import burnout_state_batch

DU_KM = 6378.145
DU_TU_FT_S = 25936.2  # 1 DU/TU in ft/s (REFERENCES.md section 1 header)
NM_KM = 1.852
MU_KM = 398600.4418


def test_BAL_1() -> None:
    """BMW p. 290: h_bo = 0.2 DU, v_bo = 2/3 DU/TU, apogee altitude 0.5 DU, symmetric."""
    r, v, r_apogee = 1.2, 2.0 / 3.0, 1.5
    # gamma_bo from the given apogee (the book's route): solve r_a(gamma) = 1.5 DU.
    g = brentq(lambda x: float(kepler.apogee_radius(v, r, x, 1.0)) - r_apogee, 1e-6, 1.5)
    tol = 1e-3
    assert math.cos(g) == pytest.approx(0.625, abs=tol)
    assert math.degrees(g) == pytest.approx(51.318, abs=tol)
    assert float(kepler.specific_energy(v, r, 1.0)) == pytest.approx(-11.0 / 18.0, abs=tol)
    assert float(kepler.apogee_speed(v, r, g, 1.0)) == pytest.approx(1.0 / 3.0, abs=tol)
    assert float(kepler.angular_momentum(v, r, g)) == pytest.approx(0.5, abs=tol)
    Q = float(kepler.q_parameter(v, r, 1.0))
    assert Q == pytest.approx(0.533, abs=tol)
    psi = float(kepler.range_angle_symmetric(Q, g))
    assert math.degrees(psi) == pytest.approx(36.4, abs=0.1)
    # The general (r2 given) route agrees with the symmetric formula, and the inverse
    # "range and apogee -> burnout speed and angle" gives the book's state back.
    assert float(kepler.range_angle(v, r, g, r, 1.0)) == pytest.approx(psi, abs=1e-12)
    v_inv, g_inv = kepler.burnout_from_range_apogee(psi, r_apogee, r, mu=1.0)
    assert float(v_inv) == pytest.approx(v, abs=tol)
    assert float(g_inv) == pytest.approx(g, abs=tol)


def test_BAL_1m() -> None:
    """BMW 2nd ed. p. 243, metric version of BAL-1 (+-0.1 %)."""
    R = 6378.145
    r, v, r_apogee = R + 1275.6, 5.2702, R + 3189.1
    # gamma_bo from the apogee alone: solve r_a(gamma) = r_apogee on (0, 90 deg).
    g = brentq(lambda x: float(kepler.apogee_radius(v, r, x, MU_KM)) - r_apogee, 1e-6, 1.5)
    rel = 1e-3
    assert math.degrees(g) == pytest.approx(51.3, rel=rel)
    assert float(kepler.specific_energy(v, r, MU_KM)) == pytest.approx(-38.1914, rel=rel)
    assert float(kepler.apogee_speed(v, r, g, MU_KM)) == pytest.approx(2.6351, rel=rel)
    assert float(kepler.angular_momentum(v, r, g)) == pytest.approx(25211.0, rel=rel)
    assert float(kepler.q_parameter(v, r, MU_KM)) == pytest.approx(0.533, rel=rel)
    psi = float(kepler.range_angle(v, r, g, mu=MU_KM))
    assert math.degrees(psi) == pytest.approx(36.4, rel=rel)


def test_BAL_2() -> None:
    """BMW p. 291: Q = 1.2 fixed (as the book), psi from cos psi = -0.625; gamma +-0.05 deg."""
    # Range angle from the two points 30N 60E -> 30S 60W on the sphere.
    lat1, lon1, lat2, lon2 = map(math.radians, (30.0, 60.0, -30.0, -60.0))
    cos_psi = math.sin(lat1) * math.sin(lat2) + math.cos(lat1) * math.cos(lat2) * math.cos(
        lon2 - lon1
    )
    assert cos_psi == pytest.approx(-0.625, abs=1e-12)
    psi = math.acos(cos_psi)
    assert math.degrees(psi) == pytest.approx(128.682, abs=1e-3)
    low, high = kepler.flight_path_angles_for_range(psi, 1.2)
    assert math.degrees(float(high)) == pytest.approx(39.36, abs=0.05)
    assert math.degrees(float(low)) == pytest.approx(-13.7, abs=0.05)  # the rejected root
    # With the unrounded Q of v = 1.0817 DU/TU at r = 1.025 DU (D value 39.33 deg).
    Q = float(kepler.q_parameter(1.0817, 1.025, 1.0))
    assert Q == pytest.approx(1.2, abs=1e-3)
    _, high_q = kepler.flight_path_angles_for_range(psi, Q)
    assert math.degrees(float(high_q)) == pytest.approx(39.33, abs=0.05)


def test_BAL_3() -> None:
    """BMW p. 294: v = 24,300 ft/s, h = 258 nm, maximum range; D value +-0.05 deg, book +-3 deg."""
    v = 24300.0 / DU_TU_FT_S
    r = 1.0 + 258.0 * NM_KM / DU_KM
    Q = float(kepler.q_parameter(v, r, 1.0))
    assert Q == pytest.approx(0.94357, abs=1e-4)
    psi_max, gamma = kepler.max_range_angle(Q)
    psi_deg = math.degrees(float(psi_max))
    assert psi_deg == pytest.approx(126.55, abs=0.05)  # D value
    assert psi_deg == pytest.approx(129.0, abs=3.0)  # book value as transcribed
    assert float(psi_max) == pytest.approx(2.2087, abs=1e-3)  # in DU (radians)
    # The general bisection route gives the same maximum.
    psi_gen, gamma_gen = kepler.max_range_angle_general(v, r, r, 1.0)
    assert math.degrees(float(psi_gen)) == pytest.approx(126.55, abs=0.05)
    assert float(gamma_gen) == pytest.approx(float(gamma), abs=1e-6)


def test_BAL_4() -> None:
    """BMW p. 295: 8,000 nm minimum-energy range from h_bo = 344 nm; v +-0.001 DU/TU."""
    psi = 8000.0 * NM_KM / DU_KM
    r = 1.0 + 344.0 * NM_KM / DU_KM
    assert psi == pytest.approx(2.32, abs=5e-3)
    assert r == pytest.approx(1.1, abs=1e-2)
    Q, v, gamma = kepler.minimum_energy(psi, r, mu=1.0)
    assert float(Q) == pytest.approx(0.957, abs=1e-3)
    assert float(v) == pytest.approx(0.933, abs=1e-3)
    assert math.degrees(float(gamma)) == pytest.approx(11.73, abs=0.05)  # D value


def test_BAL_5() -> None:
    """BMW p. 305: partial derivatives of the range angle and the total error; +-2 %."""
    v, r, gamma = 0.905, 1.1, math.radians(30.0)
    psi = float(kepler.range_angle_symmetric(kepler.q_parameter(v, r, 1.0), gamma))
    assert math.degrees(psi) == pytest.approx(100.0, abs=1.0)
    d_r, d_v, d_g = (float(x) for x in kepler.psi_partials(v, r, gamma, 1.0))
    assert d_r == pytest.approx(2.7535, rel=0.02)
    assert d_v == pytest.approx(6.649, rel=0.02)
    assert d_g == pytest.approx(-1.21, rel=0.02)
    dpsi = d_r * 5e-4 + d_v * (-5e-5) + d_g * (-1e-4)
    assert dpsi == pytest.approx(11.56e-4, rel=0.02)
    # Cross-check: finite change of the exact range angle gives the same total error.
    psi2 = float(
        kepler.range_angle_symmetric(kepler.q_parameter(v - 5e-5, r + 5e-4, 1.0), gamma - 1e-4)
    )
    assert psi2 - psi == pytest.approx(11.66e-4, rel=0.02)


def test_BAL_5_partials_match_finite_differences() -> None:
    """The analytic partials agree with central differences of the symmetric range."""
    v, r, g = 0.905, 1.1, math.radians(30.0)

    def psi(v_: float, r_: float, g_: float) -> float:
        return float(kepler.range_angle_symmetric(kepler.q_parameter(v_, r_, 1.0), g_))

    h = 1e-6
    fd = (
        (psi(v, r + h, g) - psi(v, r - h, g)) / (2 * h),
        (psi(v + h, r, g) - psi(v - h, r, g)) / (2 * h),
        (psi(v, r, g + h) - psi(v, r, g - h)) / (2 * h),
    )
    np.testing.assert_allclose(kepler.psi_partials(v, r, g, 1.0), fd, rtol=1e-6)


# --- Kepler against numerical flight (hoplon.flight), and a published flight time ----------

SPHERE_VACUUM = EarthModel(rotating=False, shape="sphere", atmosphere=False)
R_M = SPHERE_VACUUM.radius_m
MU_SI = SPHERE_VACUUM.mu_m3_s2


@settings(max_examples=20, deadline=None)
@given(
    v=st.floats(1500.0, 7400.0),
    gamma_deg=st.floats(5.0, 80.0),
    h=st.floats(0.0, 400e3),
    lat=st.floats(-1.2, 1.2),
    az=st.floats(0.0, 2 * math.pi),
)
def test_kepler_matches_numerical_flight(
    v: float, gamma_deg: float, h: float, lat: float, az: float
) -> None:
    """Property: on a non-rotating sphere without air the integrated free flight reproduces
    the Kepler range angle, apogee and time of flight (burnout radius != re-entry radius)."""
    g = math.radians(gamma_deg)
    b = burnout_state_batch(lat, 0.3, az, v, g, burnout_altitude_m=h, model=SPHERE_VACUUM)
    r = R_M + h
    psi = float(kepler.range_angle(v, r, g, R_M, MU_SI))
    assert bool(b.impacted[0])
    assert b.ground_range_m()[0] == pytest.approx(R_M * psi, abs=1.0)
    apo = float(kepler.apogee_radius(v, r, g, MU_SI)) - R_M
    assert b.apogee_altitude_m()[0] == pytest.approx(apo, abs=1.0)
    tof = float(kepler.time_of_flight(v, r, g, R_M, MU_SI))
    assert b.impact_t_s[0] == pytest.approx(tof, abs=0.05)


def test_ME_wright_flight_time() -> None:
    """REFERENCES.md section 2: D. Wright's ~40.5 min North Korea -> New York (~10,850 km),
    boost and re-entry included; accept 40.5 +- 3 min. Catalogue ICBM, minimum-energy shot,
    rotating WGS84 Earth with J2 and US76."""
    from hoplon.threats.shaping import plan_trajectory

    traj = plan_trajectory(
        missile="icbm-10000",
        launch_lat_rad=math.radians(39.0),  # Pyongyang area
        launch_lon_rad=math.radians(125.75),
        target_lat_rad=math.radians(40.71),  # New York
        target_lon_rad=math.radians(-74.0),
        shape="min-energy",
    )
    s = traj.summary()
    assert s["ground_range_m"] == pytest.approx(10_850e3, rel=0.02)
    assert traj.metadata["miss_distance_m"] < 1000.0
    assert s["flight_time_s"] / 60.0 == pytest.approx(40.5, abs=3.0)
