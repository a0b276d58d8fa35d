"""Validation: minimum-energy trajectories (REFERENCES.md section 2, cases ME-*).

Burnout at the surface (altitude 0) of a spherical, non-rotating Earth (R = 6371 km,
mu = 398600.4418 km^3/s^2), vacuum. Burnout speed and angle from the table's formulas
Q = 2 sin(psi/2) / (1 + sin(psi/2)), v = sqrt(Q mu / R), gamma = (pi - psi) / 4, with
psi = range / R. The numerical flight until the return to altitude 0 (dopri5, rtol 1e-11)
must match the table: range 0.1 %, apogee 0.5 %, flight time 0.1 %, re-entry speed 0.1 %,
re-entry angle 0.05 deg (equal to the burnout values on a symmetric Kepler arc).
The printed (rounded) speed and angle are also checked against the formulas.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.flight import EarthModel, initial_state, make_params, propagate

R_M = 6371e3
MU = 398600.4418e9
MODEL = EarthModel(rotating=False, shape="sphere", gravity="point", atmosphere=False, mu_m3_s2=MU)

# case: (range km, speed km/s, gamma deg, apogee km, flight time min) -- REFERENCES.md table 2
CASES = {
    "ME-300": (300, 1.696, 44.33, 74, 4.18),
    "ME-600": (600, 2.372, 43.65, 146, 6.01),
    "ME-1000": (1000, 3.016, 42.75, 240, 7.91),
    "ME-1300": (1300, 3.401, 42.08, 308, 9.14),
    "ME-2000": (2000, 4.113, 40.50, 459, 11.70),
    "ME-3000": (3000, 4.865, 38.26, 655, 14.92),
    "ME-5500": (5500, 6.075, 32.63, 1041, 21.93),
    "ME-8000": (8000, 6.805, 27.01, 1264, 27.99),
    "ME-10000": (10000, 7.198, 22.52, 1319, 32.18),
    "ME-12000": (12000, 7.480, 18.02, 1265, 35.72),
}


def _fly(case: str) -> dict[str, float]:
    range_km, *_ = CASES[case]
    psi = range_km * 1e3 / R_M
    sh = math.sin(psi / 2)
    q = 2 * sh / (1 + sh)
    v = math.sqrt(q * MU / R_M)
    gamma = (math.pi - psi) / 4
    y0 = initial_state(0.1, 0.2, 0.0, v, gamma, 0.7, model=MODEL)
    res = propagate(
        y0, make_params(1), model=MODEL, t_end=4000.0, dt=5.0, method="dopri5", rtol=1e-11,
        atol=1e-6,
    )  # fmt: skip
    assert res.status[0] == 1, "must return to the surface"
    traj = res.trajectory(0)
    s = traj.summary()
    return {
        "v": v,
        "gamma_deg": math.degrees(gamma),
        "range_km": s["ground_range_m"] / 1e3,
        "apogee_km": (np.linalg.norm(res.apogee_y[0, :3]) - R_M) / 1e3,
        "apogee_summary_km": s["apogee_altitude_m"] / 1e3,
        "time_min": res.impact_t[0] / 60.0,
        "impact_alt_m": np.linalg.norm(res.impact_y[0, :3]) - R_M,
        "impact_speed": float(np.linalg.norm(res.impact_y[0, 3:6])),
        "impact_gamma_deg": math.degrees(
            math.asin(
                np.dot(res.impact_y[0, :3], res.impact_y[0, 3:6])
                / np.linalg.norm(res.impact_y[0, :3])
                / np.linalg.norm(res.impact_y[0, 3:6])
            )
        ),
    }


def _check(case: str) -> None:
    range_km, v_tab, g_tab, apo_tab, t_tab = CASES[case]
    out = _fly(case)
    # printed burnout values vs the formulas (table tolerances: 0.1 % speed, 0.05 deg angle)
    assert out["v"] / 1e3 == pytest.approx(v_tab, rel=1e-3)
    assert out["gamma_deg"] == pytest.approx(g_tab, abs=0.05)
    # the numerical flight
    assert abs(out["impact_alt_m"]) < 1.0
    assert out["range_km"] == pytest.approx(range_km, rel=1e-3)
    assert out["apogee_km"] == pytest.approx(apo_tab, rel=5e-3)
    assert out["apogee_summary_km"] == pytest.approx(apo_tab, rel=5e-3)
    assert out["time_min"] == pytest.approx(t_tab, rel=1e-3)
    # symmetric Kepler arc: re-entry speed and angle equal the burnout values
    assert out["impact_speed"] / 1e3 == pytest.approx(v_tab, rel=1e-3)
    assert -out["impact_gamma_deg"] == pytest.approx(g_tab, abs=0.05)


def test_ME_300() -> None:
    _check("ME-300")


def test_ME_600() -> None:
    _check("ME-600")


def test_ME_1000() -> None:
    _check("ME-1000")


def test_ME_1300() -> None:
    _check("ME-1300")


def test_ME_2000() -> None:
    _check("ME-2000")


def test_ME_3000() -> None:
    _check("ME-3000")


def test_ME_5500() -> None:
    _check("ME-5500")


def test_ME_8000() -> None:
    _check("ME-8000")


def test_ME_10000() -> None:
    _check("ME-10000")


def test_ME_12000() -> None:
    _check("ME-12000")
