"""Predicted intercept point: a hand-computable case and flight-simulated tables."""

import math

import numpy as np
import pytest

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import enu_to_ecef, geodetic_to_ecef
from hoplon.errors import InputError
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.flyout import FlyoutTable, flyout_table, flyout_time
from hoplon.weapons.interceptor import Envelope
from hoplon.weapons.pip import ThreatPath, ground_range_m, predicted_intercept, solve_pip

V_INT = 2000.0  # stand-in interceptor speed [m/s]


def straight_table(v: float = V_INT) -> FlyoutTable:
    """Stand-in: constant speed v along the straight chord, T = sqrt(rho^2 + h^2) / v."""
    rg = np.linspace(0.0, 400e3, 801)
    hg = np.linspace(0.0, 100e3, 201)
    T = np.hypot(rg[:, None], hg[None, :]) / v
    T = np.where(T <= 150.0, T, np.nan)
    return FlyoutTable("straight", rg, hg, T, np.full_like(T, v), 150.0)


ENV = Envelope(10e3, 50e3, 5e3, 100e3, 100.0)
SITE = geodetic_to_ecef(0.0, 0.0, 0.0)


def inbound(rho0: float, u: float, h0: float, t: np.ndarray) -> np.ndarray:
    """Threat on the equator at altitude h0, ground range rho0 - u t from the site at (0, 0)."""
    lon = (rho0 - u * t) / R_EARTH_MEAN_M
    return geodetic_to_ecef(0.0, lon, h0)


def test_hand_computable_inbound_target() -> None:
    rho0, u, h0, t_l = 300e3, 3000.0, 30e3, 30.0
    # the prediction ends before the threat passes over the site (ground range is unsigned)
    t = np.arange(0.0, 100.0, 1.5)
    path = ThreatPath(t, inbound(rho0, u, h0, t)[None])
    sol = solve_pip(path, SITE, straight_table(), ENV, t_l, t_tol_s=1e-4)
    assert sol.shape == (1, 1) and sol.feasible[0, 0]
    # earliest: v (t - t_L) = sqrt((rho0 - u t)^2 + h0^2), a quadratic in t
    v = V_INT
    roots = np.roots(
        [v * v - u * u, -2 * v * v * t_l + 2 * rho0 * u, v * v * t_l**2 - rho0**2 - h0**2]
    )
    roots = roots[np.isreal(roots)].real
    t_e = float(roots[(roots > (rho0 - 100e3) / u) & (roots < (rho0 - 5e3) / u)].min())
    assert sol.t_earliest_s[0, 0] == pytest.approx(t_e, abs=0.02)
    assert sol.t_launch_s[0, 0] == pytest.approx(t_l, abs=0.02)
    assert sol.flyout_s[0, 0] == pytest.approx(math.hypot(rho0 - u * t_e, h0) / v, rel=1e-3)
    # latest: the threat leaves the envelope at the minimum range
    t_last = (rho0 - 5e3) / u
    assert sol.t_latest_s[0, 0] == pytest.approx(t_last, abs=0.02)
    assert sol.t_latest_s[0, 0] <= t_last + 1e-9
    assert sol.t_launch_latest_s[0, 0] == pytest.approx(t_last - math.hypot(5e3, h0) / v, abs=0.02)
    # intercept point on the path
    np.testing.assert_allclose(
        sol.r_intercept_ecef[0, 0], inbound(rho0, u, h0, np.array([t_e]))[0], atol=60.0
    )
    assert sol.ground_range_m[0, 0] == pytest.approx(rho0 - u * t_e, abs=60.0)
    assert sol.altitude_m[0, 0] == pytest.approx(h0, abs=1.0)


def test_envelope_entry_sets_the_earliest_time() -> None:
    # launch early enough that the range limit, not the flyout, decides
    rho0, u, h0 = 300e3, 3000.0, 30e3
    t = np.arange(0.0, 120.0, 2.0)
    path = ThreatPath(t, inbound(rho0, u, h0, t)[None])
    sol = solve_pip(path, SITE, straight_table(), ENV, 0.0)
    t_in = (rho0 - 100e3) / u
    assert sol.t_earliest_s[0, 0] == pytest.approx(t_in, abs=2e-3)
    assert sol.t_earliest_s[0, 0] >= t_in
    assert sol.t_launch_s[0, 0] > 0.0


def test_infeasible_cases() -> None:
    t = np.arange(0.0, 120.0, 2.0)
    r = np.stack(
        [
            inbound(300e3, 3000.0, 30e3, t),  # fine, but launch only at 200 s: too late
            inbound(300e3, -3000.0, 30e3, t),  # going away
            inbound(80e3, 1000.0, 80e3, t),  # above the envelope
        ]
    )
    sol = solve_pip(ThreatPath(t, r), SITE, straight_table(), ENV, [[200.0], [0.0], [0.0]])
    assert not sol.feasible.any()
    assert np.all(np.isnan(sol.t_earliest_s)) and np.all(np.isnan(sol.r_intercept_ecef))


def test_vectorised_equals_single_solves() -> None:
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 150.0, 1.5)
    r = np.stack(
        [inbound(rng.uniform(150e3, 400e3), rng.uniform(1e3, 4e3), rng.uniform(12e3, 45e3), t)
         for _ in range(6)]
    )  # fmt: skip
    sites = geodetic_to_ecef(0.0, np.radians([-0.3, 0.0, 0.4, 0.8]), [0.0, 100.0, 300.0, 0.0])
    t_min = np.array([0.0, 5.0, 20.0, 40.0])
    tab = straight_table()
    sol = solve_pip(ThreatPath(t, r), sites, tab, ENV, t_min)
    assert sol.feasible.sum() > 6
    for i in range(6):
        for j in range(4):
            one = solve_pip(ThreatPath(t, r[i : i + 1]), sites[j], tab, ENV, t_min[j])
            assert one.feasible[0, 0] == sol.feasible[i, j]
            np.testing.assert_allclose(one.t_earliest_s[0, 0], sol.t_earliest_s[i, j])
            np.testing.assert_allclose(one.t_latest_s[0, 0], sol.t_latest_s[i, j])


def test_bad_inputs() -> None:
    t = np.arange(0.0, 10.0, 1.0)
    with pytest.raises(InputError, match="t_s"):
        ThreatPath(t[::-1], np.zeros((1, 10, 3)))
    with pytest.raises(InputError, match="r_ecef"):
        ThreatPath(t, np.zeros((1, 9, 3)))
    path = ThreatPath(t, inbound(100e3, 1e3, 20e3, t))
    with pytest.raises(InputError, match="site_ecef"):
        solve_pip(path, np.zeros((2, 2)), straight_table(), ENV, 0.0)
    with pytest.raises(InputError, match="t_launch_min_s"):
        solve_pip(path, SITE, straight_table(), ENV, np.zeros(3))


def test_ground_range_matches_arc_length() -> None:
    r = geodetic_to_ecef(0.0, np.radians([0.0, 1.0, 10.0]), 50e3)
    np.testing.assert_allclose(
        ground_range_m(r, SITE)[:, 0], R_EARTH_MEAN_M * np.radians([0.0, 1.0, 10.0]), atol=1e-6
    )


def diving_threat(t: np.ndarray, lat0: float, lon0: float) -> np.ndarray:
    """Straight dive at 3 km/s, 35 deg below the horizon, aimed near the site (ENU)."""
    speed, dive = 3000.0, math.radians(35.0)
    start = np.array([0.0, 320e3, 230e3])  # north of the site, 230 km up
    vel = speed * np.array([0.0, -math.cos(dive), -math.sin(dive)])
    enu = start + t[:, None] * vel
    return enu_to_ecef(enu, lat0, lon0, 0.0)


def test_simulated_table_against_dense_scan() -> None:
    it = get_interceptor("upper-tier")
    tab = flyout_table(it)
    lat0, lon0 = math.radians(35.0), math.radians(128.0)
    site = geodetic_to_ecef(lat0, lon0, 0.0)
    coarse_t = np.arange(0.0, 140.0, 2.0)
    fine_t = np.arange(0.0, 140.0, 0.01)
    now = 5.0
    coarse = predicted_intercept(ThreatPath(coarse_t, diving_threat(coarse_t, lat0, lon0)),
                                 site, it, now)  # fmt: skip
    fine = predicted_intercept(ThreatPath(fine_t, diving_threat(fine_t, lat0, lon0)),
                               site, it, now)  # fmt: skip
    assert coarse.feasible[0, 0] and fine.feasible[0, 0]
    assert coarse.t_earliest_s[0, 0] == pytest.approx(fine.t_earliest_s[0, 0], abs=0.02)
    assert coarse.t_latest_s[0, 0] == pytest.approx(fine.t_latest_s[0, 0], abs=0.02)
    # consistency of the returned solution with the table and the envelope
    t_e = coarse.t_earliest_s[0, 0]
    assert coarse.t_launch_s[0, 0] + coarse.flyout_s[0, 0] == pytest.approx(t_e)
    assert coarse.t_launch_s[0, 0] >= now + it.reaction_time_s - 1e-6
    rho, h = coarse.ground_range_m[0, 0], coarse.altitude_m[0, 0]
    assert coarse.flyout_s[0, 0] == pytest.approx(float(flyout_time(tab, rho, h)), rel=1e-6)
    assert it.min_intercept_altitude_m <= h <= it.max_intercept_altitude_m
    assert it.min_range_m <= rho <= it.max_range_m
    # with the reaction time alone deciding, launching later moves the intercept later
    later = predicted_intercept(
        ThreatPath(coarse_t, diving_threat(coarse_t, lat0, lon0)), site, it, now + 20.0
    )
    assert later.t_earliest_s[0, 0] > t_e
    assert later.t_latest_s[0, 0] == pytest.approx(coarse.t_latest_s[0, 0], abs=1e-6)
