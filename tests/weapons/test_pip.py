"""Predicted intercept point: a hand-computable case and flight-simulated tables."""

import math

import numba
import numpy as np
import pytest

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import enu_to_ecef, geodetic_to_ecef
from hoplon.errors import InputError
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.flyout import FlyoutTable, flyout_table, flyout_time
from hoplon.weapons.interceptor import Envelope
from hoplon.weapons.pip import (
    _H_MAYBE,
    _H_OUT,
    _H_UNKNOWN,
    _P_DH,
    _P_DR,
    _P_H0,
    _P_HMAX,
    _P_HMIN,
    _P_R0,
    _P_RMAX,
    _P_RMIN,
    ThreatPath,
    _alt_lazy,
    _bilinear1,
    _bisect1,
    _feasible1,
    _ground_range1,
    ground_range_m,
    predicted_intercept,
    solve_pip,
)

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


# ---------------------------------------------------------------------------------------------
# Compiled per-pair kernel against the array formulation
# ---------------------------------------------------------------------------------------------

SITES3 = geodetic_to_ecef(0.0, np.radians([-0.3, 0.0, 0.4]), [0.0, 100.0, 300.0])
TIME_FIELDS = ("t_earliest_s", "t_latest_s", "t_launch_s", "flyout_s", "t_launch_latest_s",
               "flyout_latest_s")  # fmt: skip
ALL_FIELDS = (*TIME_FIELDS, "ground_range_m", "altitude_m", "r_intercept_ecef",
              "r_intercept_latest_ecef")  # fmt: skip


def random_batch(
    rng: np.random.Generator, m: int, t: np.ndarray, env: Envelope
) -> tuple[np.ndarray, np.ndarray]:
    """Mixed rows near the sites at (0, 0): dives towards the sites (NaN after impact), rows
    going away, rows above the envelope, predictions that end while still in the envelope,
    a row inside every envelope from the first sample. Positions (m, k, 3), altitudes (m, k)."""
    span = 1.5 * env.max_range_m / R_EARTH_MEAN_M
    lat0, lon0 = rng.uniform(-span, span, (2, m))
    aim_lat, aim_lon = rng.uniform(-0.2 * span, 0.2 * span, (2, m))
    h0 = rng.uniform(0.5, 1.6, m) * env.max_altitude_m
    t_imp = rng.uniform(0.3, 1.2, m) * (t[-1] - t[0])
    sign = np.where(rng.random(m) < 0.15, -1.0, 1.0)  # going away
    frac = sign[:, None] * (t - t[0])[None, :] / t_imp[:, None]
    lat = lat0[:, None] + (aim_lat - lat0)[:, None] * frac
    lon = lon0[:, None] + (aim_lon - lon0)[:, None] * frac
    h = h0[:, None] * (1.0 - frac**2)
    h[-2] = 2.0 * env.max_altitude_m  # above the envelope: never feasible
    lat[-1], lon[-1] = 0.0, np.radians(0.2)  # in every envelope from the first sample
    h[-1] = 0.5 * (env.min_altitude_m + env.max_altitude_m)
    h = np.where(h < 0.0, np.nan, h)
    cut = rng.integers(t.size // 3, t.size, m)  # some predictions end early (NaN tail)
    ends = rng.random(m) < 0.3
    h[ends[:, None] & (np.arange(t.size)[None, :] >= cut[:, None])] = np.nan
    r = geodetic_to_ecef(lat, lon, np.nan_to_num(h, nan=0.0))
    r[np.isnan(h)] = np.nan
    return r, h


def assert_matches_reference(new, ref) -> None:
    assert np.array_equal(new.feasible, ref.feasible)
    for name in ALL_FIELDS:
        a, b = getattr(new, name), getattr(ref, name)
        assert np.array_equal(np.isnan(a), np.isnan(b)), name
    # last-bit differences in the ground range (numpy's SIMD arctan2 and BLAS's fused dot
    # product) are amplified by 1 - c^2 at short range: < 4e-6 m and < 2e-9 s seen
    for name in TIME_FIELDS:
        np.testing.assert_allclose(getattr(new, name), getattr(ref, name), rtol=0, atol=1e-8)
    np.testing.assert_allclose(new.ground_range_m, ref.ground_range_m, rtol=0, atol=1e-5)
    for name in ("altitude_m", "r_intercept_ecef", "r_intercept_latest_ecef"):
        np.testing.assert_allclose(getattr(new, name), getattr(ref, name), rtol=0, atol=1e-6)


@pytest.mark.parametrize("refine_latest", [True, False])
@pytest.mark.parametrize("t_tol_s", [1e-3, 0.05])
@pytest.mark.parametrize("kind", ["straight", "upper-tier"])
def test_kernel_matches_the_array_formulation(kind: str, t_tol_s: float, refine_latest: bool):
    from hoplon.weapons.pip import _solve_pip_numpy

    if kind == "straight":
        tab, env = straight_table(), ENV
    else:
        it = get_interceptor(kind)
        tab, env = flyout_table(it), it.envelope
    rng = np.random.default_rng(11 + int(refine_latest) + int(100 * t_tol_s))
    # a non-uniform grid not starting at 0
    t = 50.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(1.0, 4.0, 120))])
    m = 60
    r, h = random_batch(rng, m, t, env)
    t_min = 50.0 + rng.uniform(-30.0, 150.0, (m, 3))
    t_min[rng.random((m, 3)) < 0.1] = np.inf  # cannot launch
    t_min[-1] = -1e4  # the last row is feasible from its first sample
    kw = {"site_alt_m": [0.0, 100.0, 300.0], "t_tol_s": t_tol_s, "refine_latest": refine_latest}
    path = ThreatPath(t, r, altitude_m=h)
    new = solve_pip(path, SITES3, tab, env, t_min, **kw)
    ref = _solve_pip_numpy(path, SITES3, tab, env, t_min, **kw)
    assert_matches_reference(new, ref)
    # the batch covers the cases it should
    assert new.feasible[-1].all() and np.all(new.t_earliest_s[-1] == t[0])
    assert not new.feasible[-2].any() and not new.feasible[np.isinf(t_min)].any()
    assert 0.2 < new.feasible.mean() < 0.9
    first_ok = np.isfinite(new.t_earliest_s) & (new.t_earliest_s > t[0])
    assert first_ok.sum() > 10  # refined earliest times
    # no altitudes given: geodetic conversion inside, same answer
    ref2 = _solve_pip_numpy(ThreatPath(t, r[:20]), SITES3, tab, env, t_min[:20], **kw)
    assert_matches_reference(solve_pip(ThreatPath(t, r[:20]), SITES3, tab, env,
                                       t_min[:20], **kw), ref2)  # fmt: skip


def test_rows_do_not_depend_on_the_batch() -> None:
    """A row's result is the same, bit for bit, alone, in a batch or in another order."""
    rng = np.random.default_rng(3)
    t = np.arange(0.0, 300.0, 4.0)
    m = 30
    r, h = random_batch(rng, m, t, ENV)
    t_min = rng.uniform(-30.0, 150.0, (m, 3))
    kw = {"site_alt_m": [0.0, 100.0, 300.0], "t_tol_s": 0.05, "refine_latest": False}
    tab = straight_table()
    batch = solve_pip(ThreatPath(t, r, altitude_m=h), SITES3, tab, ENV, t_min, **kw)
    assert 0 < batch.feasible.sum() < batch.feasible.size
    perm = rng.permutation(m)
    shuffled = solve_pip(ThreatPath(t, r[perm], altitude_m=h[perm]), SITES3, tab, ENV,
                         t_min[perm], **kw)  # fmt: skip
    for name in ("feasible", *ALL_FIELDS):
        np.testing.assert_array_equal(getattr(shuffled, name), getattr(batch, name)[perm])
    for i in range(m):
        one = solve_pip(ThreatPath(t, r[i : i + 1], altitude_m=h[i : i + 1]), SITES3, tab, ENV,
                        t_min[i : i + 1], **kw)  # fmt: skip
        for name in ("feasible", *ALL_FIELDS):
            np.testing.assert_array_equal(getattr(one, name)[0], getattr(batch, name)[i])


def test_solving_rows_in_place_is_solving_their_copy() -> None:
    """``rows=`` solves rows of the path where they lie: the same numbers as solving a copy
    of those rows (repeats and any order allowed); bad indices are input errors."""
    rng = np.random.default_rng(5)
    t = np.arange(0.0, 300.0, 4.0)
    m = 25
    r, _ = random_batch(rng, m, t, ENV)
    rows = np.array([3, 0, 24, 3, 17, 9])
    t_min = rng.uniform(-30.0, 150.0, (len(rows), 3))
    kw = {"site_alt_m": [0.0, 100.0, 300.0], "t_tol_s": 0.05, "refine_latest": False}
    tab = straight_table()
    copied = solve_pip(ThreatPath(t, r[rows], altitude_m=None), SITES3, tab, ENV, t_min, **kw)
    in_place = solve_pip(
        ThreatPath(t, r, altitude_m=None), SITES3, tab, ENV, t_min, rows=rows, **kw
    )
    assert copied.feasible.any()
    for name in ("feasible", *ALL_FIELDS):
        np.testing.assert_array_equal(getattr(in_place, name), getattr(copied, name))
    path = ThreatPath(t, r, altitude_m=None)
    for bad in (np.array([0, m]), np.array([-1]), np.array([0.5]), np.zeros((1, 1), dtype=int)):
        with pytest.raises(InputError, match="rows"):
            solve_pip(path, SITES3, tab, ENV, 0.0, rows=bad, **kw)


def test_point_lookup_is_flyout_time() -> None:
    from hoplon.weapons.pip import _bilinear1

    tab = flyout_table(get_interceptor("upper-tier"))
    rng = np.random.default_rng(1)
    rho = rng.uniform(-10e3, 1.4 * tab.range_grid_m[-1], 2000)
    h = rng.uniform(-10e3, 1.4 * tab.altitude_grid_m[-1], 2000)
    rho[:3] = [np.nan, tab.range_grid_m[-1], 0.0]
    h[:3] = [0.0, tab.altitude_grid_m[-1], 0.0]
    rg, hg = tab.range_grid_m, tab.altitude_grid_m
    one = [_bilinear1(tab.time_s, rg[0], rg[1] - rg[0], hg[0], hg[1] - hg[0], a, b)
           for a, b in zip(rho, h, strict=True)]  # fmt: skip
    expected = flyout_time(tab, rho, h)
    assert np.isfinite(expected).sum() > 500
    np.testing.assert_array_equal(one, expected)


@pytest.mark.parametrize(
    ("site", "t_min", "t_tol_s", "field"),
    [
        (np.zeros((2, 2)), 0.0, 1e-3, "site_ecef"),
        (np.array([[np.nan, 0.0, 0.0]]), 0.0, 1e-3, "site_ecef"),
        (SITE, np.zeros(3), 1e-3, "t_launch_min_s"),
        (SITE, np.nan, 1e-3, "t_launch_min_s"),
        (SITE, 0.0, 0.0, "t_tol_s"),
        (SITE, 0.0, math.nan, "t_tol_s"),
    ],
)
def test_bad_inputs_same_messages(site, t_min, t_tol_s: float, field: str) -> None:
    from hoplon.weapons.pip import _solve_pip_numpy

    t = np.arange(0.0, 10.0, 1.0)
    path = ThreatPath(t, inbound(100e3, 1e3, 20e3, t))
    messages = []
    for fn in (solve_pip, _solve_pip_numpy):
        with pytest.raises(InputError, match=field) as err:
            fn(path, site, straight_table(), ENV, t_min, t_tol_s=t_tol_s)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


# ---------------------------------------------------------------------------------------------
# Altitudes computed lazily in the kernel (no ThreatPath.altitude_m) against precomputed ones
# ---------------------------------------------------------------------------------------------

# sites on the equator, at mid latitude and near the pole (where the radius bound is tight)
LAZY_SITE_LL = [(0.0, 0.0), (0.0, 0.3), (45.0, 10.0), (89.6, 0.0), (-89.8, 120.0)]
EDGE_OFFSETS = (-2.0, -1.0 - 1e-6, -1.0, -1.0 + 1e-6, -0.5, -1e-6, 0.0, 1e-6, 0.5, 1.0, 2.0)


def lazy_batch(
    rng: np.random.Generator, t: np.ndarray, env: Envelope, m_arc: int
) -> tuple[np.ndarray, np.ndarray]:
    """Positions (m, k, 3) near the sites of ``LAZY_SITE_LL`` and the geodetic altitudes
    they were made from: ballistic-like arcs crossing the altitude band (NaN after impact,
    some NaN tails, a NaN gap), rows entirely above or below the band, and level rows and
    rows crossing the band edges at offsets of ``EDGE_OFFSETS`` [m] (and 1e-6 m)."""
    k = t.size
    lat_s = np.radians([ll[0] for ll in LAZY_SITE_LL])
    lon_s = np.radians([ll[1] for ll in LAZY_SITE_LL])
    span = env.max_range_m / R_EARTH_MEAN_M
    rows_lat, rows_lon, rows_h = [], [], []
    frac_t = (t - t[0]) / (t[-1] - t[0])

    def add(site: int, lat0: float, lon0: float, lat1: float, lon1: float, h) -> None:
        # near the poles: offsets in a local frame (longitude spread by 1 / cos(lat))
        c = max(math.cos(lat_s[site]), 0.02)
        rows_lat.append(np.clip(lat_s[site] + lat0 + (lat1 - lat0) * frac_t, -np.pi / 2, np.pi / 2))
        rows_lon.append(lon_s[site] + (lon0 + (lon1 - lon0) * frac_t) / c)
        rows_h.append(np.broadcast_to(np.asarray(h, dtype=np.float64), (k,)).copy())

    def inbound_ends() -> tuple[float, float, float, float]:
        a0, a1 = rng.uniform(0, 2 * np.pi, 2)
        d0 = rng.uniform(0.3, 1.6) * span
        d1 = rng.uniform(0.0, 0.3) * span
        return d0 * math.cos(a0), d0 * math.sin(a0), d1 * math.cos(a1), d1 * math.sin(a1)

    n_sites = len(LAZY_SITE_LL)
    for _ in range(m_arc):  # arcs
        s = int(rng.integers(n_sites))
        h0 = rng.uniform(0.5, 2.5) * env.max_altitude_m
        t_imp = rng.uniform(0.4, 1.3)
        f = frac_t / t_imp
        h = h0 * (1.0 - (2.0 * f - 1.0) ** 2) + rng.uniform(-1.0, 0.2) * env.min_altitude_m
        h = np.where(f > 1.0, np.nan, h)
        if rng.random() < 0.3:
            h[int(rng.integers(k // 3, k)) :] = np.nan
        add(s, *inbound_ends(), h)
    for s in range(n_sites):  # entirely above / below the band
        add(s, *inbound_ends(), env.max_altitude_m + rng.uniform(1.5, 3e5, k))
        add(s, *inbound_ends(), env.min_altitude_m - rng.uniform(1.5, 5e3, k))
        add(s, *inbound_ends(), rng.uniform(-50e3, -1.5, k))  # below the ellipsoid
        for edge in (env.min_altitude_m, env.max_altitude_m):
            for d in EDGE_OFFSETS:  # level rows at the edges
                add(s, *inbound_ends(), edge + d)
            # rows hopping between the offsets around an edge
            add(s, *inbound_ends(), edge + rng.choice(EDGE_OFFSETS, k))
            add(s, *inbound_ends(), edge + rng.uniform(-1e-6, 1e-6, k))
            add(s, *inbound_ends(), edge + rng.uniform(-1.5, 1.5, k))
    lat, lon, h = np.array(rows_lat), np.array(rows_lon), np.array(rows_h)
    h[0, k // 2 : k // 2 + 3] = np.nan  # a NaN gap
    r = geodetic_to_ecef(lat, lon, np.nan_to_num(h, nan=0.0))
    r[np.isnan(h)] = np.nan
    r[1, k // 2, 1] = np.nan  # one NaN coordinate
    return r, h


def assert_identical(a, b) -> None:
    import dataclasses

    for f in dataclasses.fields(a):
        np.testing.assert_array_equal(getattr(a, f.name), getattr(b, f.name), err_msg=f.name)


@pytest.mark.parametrize("refine_latest", [True, False])
@pytest.mark.parametrize("kind", ["straight", "upper-tier", "lower-tier"])
def test_lazy_altitudes_identical_to_precomputed(kind: str, refine_latest: bool) -> None:
    from hoplon.earth.frames import ecef_to_geodetic
    from hoplon.sim.prediction import path_altitudes

    if kind == "straight":
        tab, env = straight_table(), ENV
    else:
        it = get_interceptor(kind)
        tab, env = flyout_table(it), it.envelope
    rng = np.random.default_rng(5 + int(refine_latest))
    t = 10.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(0.5, 3.0, 150))])
    r, h_made = lazy_batch(rng, t, env, 120)
    m = r.shape[0]
    sites = geodetic_to_ecef(
        np.radians([ll[0] for ll in LAZY_SITE_LL]), np.radians([ll[1] for ll in LAZY_SITE_LL]),
        [0.0, 50.0, 200.0, 0.0, 1000.0],
    )  # fmt: skip
    b = sites.shape[0]
    t_min = rng.uniform(-200.0, 150.0, (m, b))
    t_min[rng.random((m, b)) < 0.05] = np.inf
    h = ecef_to_geodetic(r)[2]
    np.testing.assert_array_equal(path_altitudes(r), h)
    for kw in ({}, {"site_alt_m": [0.0, 50.0, 200.0, 0.0, 1000.0]}):
        for tol in (1e-3, 0.05):
            args = (sites, tab, env, t_min)
            opts = {"t_tol_s": tol, "refine_latest": refine_latest, **kw}
            lazy_path = ThreatPath(t, r)
            assert lazy_path.altitude_m is None
            lazy = solve_pip(lazy_path, *args, **opts)
            eager = solve_pip(ThreatPath(t, r, altitude_m=h), *args, **opts)
            assert_identical(lazy, eager)
    # the batch covers the cases it should
    assert 0.05 < eager.feasible.mean() < 0.8
    assert eager.feasible[:120].any(axis=1).mean() > 0.3
    level = np.isfinite(h_made).all(axis=1) & (np.ptp(h_made, axis=1) == 0)
    for edge in (env.min_altitude_m, env.max_altitude_m):
        inside = level & (h_made[:, 0] == edge + 1e-6 * (1 if edge == env.min_altitude_m else -1))
        outside = level & (h_made[:, 0] == edge - 1e-6 * (1 if edge == env.min_altitude_m else -1))
        assert eager.feasible[inside].any() and not eager.feasible[outside].any()
    # rows one at a time: the same
    for i in range(0, m, 7):
        one = solve_pip(ThreatPath(t, r[i : i + 1]), sites, tab, env, t_min[i : i + 1])
        ref = solve_pip(
            ThreatPath(t, r[i : i + 1], altitude_m=h[i : i + 1]), sites, tab, env, t_min[i : i + 1]
        )
        assert_identical(one, ref)


def test_altitude_bounds_of_the_lazy_kernel() -> None:
    """The pre-check of the lazy kernel never rejects a point whose altitude is in the band
    (it keeps a 1 m margin; here 1e-6 m), inside and outside the ellipsoid, and rejects
    non-finite points."""
    from hoplon.earth.frames import WGS84, ecef_to_geodetic
    from hoplon.weapons.pip import _maybe_in_band

    rng = np.random.default_rng(2)
    n = 100_000
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lat[:1000] = np.radians(rng.choice([90.0, -90.0, 0.0, 89.999999, 45.0], 1000))
    lon = rng.uniform(-np.pi, np.pi, n)
    h_in = np.concatenate([rng.uniform(-100e3, 3e6, n - 2000), rng.uniform(-20.0, 20.0, 2000)])
    r = geodetic_to_ecef(lat, lon, h_in)
    h = ecef_to_geodetic(r)[2]
    a, b = WGS84.a_m, WGS84.b_m
    nr = np.linalg.norm(r, axis=-1)
    assert np.all(nr - a <= h + 1e-6) and np.all(h <= nr - b + 1e-6)  # the radius bounds
    eps = 1e-6
    ok = [_maybe_in_band(*p, a, b, hp - eps, hp + eps) for p, hp in zip(r, h, strict=True)]
    assert all(ok)
    # ... and it is tight outside the ellipsoid: a few metres at 3000 km
    pts = list(zip(r[h > 0.0], h[h > 0.0], strict=True))
    above = [_maybe_in_band(*p, a, b, hp + 20.0, hp + 1e3) for p, hp in pts]
    below = [_maybe_in_band(*p, a, b, hp - 1e3, hp - 20.0) for p, hp in pts]
    assert not any(above) and not any(below)
    for p in ([np.nan, 0.0, 0.0], [0.0, 0.0, np.nan], [np.inf, 0.0, 0.0], [1e200, 0.0, 0.0]):
        assert not _maybe_in_band(*p, a, b, -1e300, 1e300)
    assert not _maybe_in_band(0.0, 0.0, 0.0, a, b, 0.0, 1e6)  # the centre: h = -a


def test_wrapper_shortcuts_are_numpys() -> None:
    """``solve_pip``'s compiled checks and cached set-up give numpy's values: the widest
    step, finiteness and NaN checks, and the unit site vectors (one cache entry per set of
    sites, the same array again for the same sites)."""
    from hoplon.weapons.pip import _all_finite, _any_nan, _max_step, _unit_sites

    rng = np.random.default_rng(4)
    for k in (2, 3, 301):
        t = np.cumsum(rng.uniform(1e-3, 10.0, k))
        assert _max_step(t) == np.max(np.diff(t))
    x = rng.normal(size=50)
    assert _all_finite(x) and not _any_nan(x)
    for bad in (np.inf, -np.inf, np.nan):
        y = x.copy()
        y[17] = bad
        assert not _all_finite(y)
        assert _any_nan(y) == bool(np.isnan(bad))
    for _ in range(3):
        sites = rng.normal(0.0, 6.4e6, (int(rng.integers(1, 4)), 3))
        u = _unit_sites(sites)
        np.testing.assert_array_equal(
            u, sites / np.linalg.norm(sites, axis=-1, keepdims=True), strict=True
        )
        assert _unit_sites(sites.copy()) is u


# ---------------------------------------------------------------------------------------------
# The scans' skips (NaN tails, samples surely out of the range or altitude band, flyout times
# surely too long) against the kernel without them, kept here as the reference
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=False)
def _maybe_in_band_reference(x, y, z, a, b, lo, hi):  # pragma: no cover - compiled
    """The kernel's altitude pre-check before the skips (``_band_bounds`` inlined)."""
    xy2 = x * x + y * y
    z2 = z * z
    n = math.sqrt(xy2 + z2)
    ia2 = 1.0 / (a * a)
    ib2 = 1.0 / (b * b)
    g = xy2 * ia2 + z2 * ib2
    if not g > 0.0:
        return n - b >= lo and n - a <= hi
    d = n - n / math.sqrt(g)
    if d >= 0.0:
        c = g / (n * math.sqrt(xy2 * (ia2 * ia2) + z2 * (ib2 * ib2)))
        return d >= lo and d * c <= hi
    return n - b >= lo and n - a <= hi


@numba.njit(cache=False)
def _pip_pairs_kernel_reference(
    t, r, h, u_site, h_site, t_launch_min, values, par, n_iter, refine_latest, lazy, a_ell, b_ell
):  # pragma: no cover - compiled  # fmt: skip
    """``_pip_pairs_kernel`` as it was before the skips: every sample tested in turn."""
    m = r.shape[0]
    k = t.size
    b = u_site.shape[0]
    feasible = np.zeros((m, b), dtype=np.bool_)
    t_e = np.full((m, b), np.nan)
    t_l = np.full((m, b), np.nan)
    T_e = np.full((m, b), np.nan)
    T_l = np.full((m, b), np.nan)
    rho_e = np.full((m, b), np.nan)
    h_e = np.full((m, b), np.nan)
    r_e = np.full((m, b, 3), np.nan)
    r_l = np.full((m, b, 3), np.nan)
    h_min = par[_P_HMIN]
    h_max = par[_P_HMAX]
    hc = np.empty(k if lazy else 0)  # the row's altitudes (lazy)
    state = np.zeros(k if lazy else 0, dtype=np.int8)
    # the band with a margin for the rounding of the bounds and of the altitudes (lazy)
    band_lo = h_min - 1.0
    band_hi = h_max + 1.0
    rho_min = par[_P_RMIN]
    rho_max = par[_P_RMAX]
    for i in range(m):
        if lazy:
            state[:] = _H_UNKNOWN
        for j in range(b):
            ux = u_site[j, 0]
            uy = u_site[j, 1]
            uz = u_site[j, 2]
            hs = h_site[j]
            tl = t_launch_min[i, j]
            # first and last feasible samples
            first = -1
            for q in range(k):
                if lazy:
                    # the bounds on the altitude, then the range, then the altitude: each
                    # test only skips samples that the envelope test would reject
                    sq = state[q]
                    if sq == _H_OUT:
                        continue
                    if sq == _H_UNKNOWN:
                        if not _maybe_in_band_reference(
                            r[i, q, 0], r[i, q, 1], r[i, q, 2], a_ell, b_ell, band_lo, band_hi
                        ):
                            state[q] = _H_OUT
                            continue
                        state[q] = _H_MAYBE
                    rq = _ground_range1(r[i, q, 0], r[i, q, 1], r[i, q, 2], ux, uy, uz)
                    if not (rq >= rho_min and rq <= rho_max):
                        continue
                    hq = _alt_lazy(r, i, q, hc, state, a_ell, b_ell)
                    if not (hq >= h_min and hq <= h_max):
                        continue
                else:
                    hq = h[i, q]
                    if not (hq >= h_min and hq <= h_max):
                        continue
                    rq = _ground_range1(r[i, q, 0], r[i, q, 1], r[i, q, 2], ux, uy, uz)
                if _feasible1(t[q], rq, hq, hs, tl, values, par):
                    first = q
                    break
            if first < 0:
                continue
            last = first
            for q in range(k - 1, first, -1):
                if lazy:
                    # the bounds on the altitude, then the range, then the altitude: each
                    # test only skips samples that the envelope test would reject
                    sq = state[q]
                    if sq == _H_OUT:
                        continue
                    if sq == _H_UNKNOWN:
                        if not _maybe_in_band_reference(
                            r[i, q, 0], r[i, q, 1], r[i, q, 2], a_ell, b_ell, band_lo, band_hi
                        ):
                            state[q] = _H_OUT
                            continue
                        state[q] = _H_MAYBE
                    rq = _ground_range1(r[i, q, 0], r[i, q, 1], r[i, q, 2], ux, uy, uz)
                    if not (rq >= rho_min and rq <= rho_max):
                        continue
                    hq = _alt_lazy(r, i, q, hc, state, a_ell, b_ell)
                    if not (hq >= h_min and hq <= h_max):
                        continue
                else:
                    hq = h[i, q]
                    if not (hq >= h_min and hq <= h_max):
                        continue
                    rq = _ground_range1(r[i, q, 0], r[i, q, 1], r[i, q, 2], ux, uy, uz)
                if _feasible1(t[q], rq, hq, hs, tl, values, par):
                    last = q
                    break
            feasible[i, j] = True
            # earliest: bracket [first-1 (infeasible), first (feasible)], keep the feasible end
            if first > 0:
                k_e = first - 1
                ta, tb = t[k_e], t[k_e + 1]
                ra = _ground_range1(r[i, k_e, 0], r[i, k_e, 1], r[i, k_e, 2], ux, uy, uz)
                rb = _ground_range1(r[i, first, 0], r[i, first, 1], r[i, first, 2], ux, uy, uz)
                if lazy:
                    ha = _alt_lazy(r, i, k_e, hc, state, a_ell, b_ell)
                    hb = _alt_lazy(r, i, k_e + 1, hc, state, a_ell, b_ell)
                else:
                    ha, hb = h[i, k_e], h[i, k_e + 1]
                w_e = _bisect1(ta, tb, ra, rb, ha, hb, hs, tl, values, par, n_iter, True)
            else:
                k_e = 0
                w_e = 0.0
            # latest: bracket [last (feasible), last+1 (infeasible)], keep the feasible end
            if last < k - 1:
                k_l = last
                w_l = 0.0
                if refine_latest:
                    ta, tb = t[k_l], t[k_l + 1]
                    ra = _ground_range1(r[i, k_l, 0], r[i, k_l, 1], r[i, k_l, 2], ux, uy, uz)
                    rb = _ground_range1(
                        r[i, k_l + 1, 0], r[i, k_l + 1, 1], r[i, k_l + 1, 2], ux, uy, uz
                    )
                    if lazy:
                        ha = _alt_lazy(r, i, k_l, hc, state, a_ell, b_ell)
                        hb = _alt_lazy(r, i, k_l + 1, hc, state, a_ell, b_ell)
                    else:
                        ha, hb = h[i, k_l], h[i, k_l + 1]
                    w_l = _bisect1(ta, tb, ra, rb, ha, hb, hs, tl, values, par, n_iter, False)
            else:
                k_l = k - 2
                w_l = 1.0
            # the points: linear between the samples of the interval
            for which in range(2):
                kk = k_e if which == 0 else k_l
                w = w_e if which == 0 else w_l
                ta, tb = t[kk], t[kk + 1]
                ra = _ground_range1(r[i, kk, 0], r[i, kk, 1], r[i, kk, 2], ux, uy, uz)
                rb = _ground_range1(r[i, kk + 1, 0], r[i, kk + 1, 1], r[i, kk + 1, 2], ux, uy, uz)
                if lazy:
                    ha = _alt_lazy(r, i, kk, hc, state, a_ell, b_ell)
                    hb = _alt_lazy(r, i, kk + 1, hc, state, a_ell, b_ell)
                else:
                    ha, hb = h[i, kk], h[i, kk + 1]
                tt = ta + w * (tb - ta)
                rr = ra + w * (rb - ra)
                hh = ha + w * (hb - ha)
                T = _bilinear1(values, par[_P_R0], par[_P_DR], par[_P_H0], par[_P_DH], rr, hh - hs)
                if which == 0:
                    t_e[i, j] = tt
                    T_e[i, j] = T
                    rho_e[i, j] = rr
                    h_e[i, j] = hh
                    for c in range(3):
                        a = r[i, kk, c]
                        r_e[i, j, c] = a + w * (r[i, kk + 1, c] - a)
                else:
                    t_l[i, j] = tt
                    T_l[i, j] = T
                    for c in range(3):
                        a = r[i, kk, c]
                        r_l[i, j, c] = a + w * (r[i, kk + 1, c] - a)
    return feasible, t_e, t_l, T_e, T_l, rho_e, h_e, r_e, r_l


SKIP_SITE_LL = [(0.0, 0.0), (45.0, 10.0), (89.9, 0.0), (-89.99, 120.0), (-30.0, -70.0)]
# offsets [m] from the range band edges: around 0 and around the skips' margin (8 m)
RANGE_OFFSETS = (-9.0, -8.0 - 1e-6, -8.0, -8.0 + 1e-6, -4.0, -1.0, -1e-6, 0.0, 1e-6, 1.0, 4.0,
                 8.0 - 1e-6, 8.0, 8.0 + 1e-6, 9.0)  # fmt: skip


def _direction(u: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A unit vector perpendicular to ``u`` (random)."""
    e = np.cross(u, rng.normal(size=3))
    return e / np.linalg.norm(e)


def skip_batch(
    rng: np.random.Generator, k: int, env: Envelope
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sites (b, 3) (``SKIP_SITE_LL``, some at the poles) and rows (m, k, 3) that probe the
    scans' skips: rows along great circles through a site at constant radius (the step
    bound is tight: the ground range changes by exactly the bound), sampled to land within
    ``RANGE_OFFSETS`` of a range edge, at speeds from 50 m to 40 km per sample, going out
    or in; rows circling a site at those offsets; rows whose range oscillates across the
    band; rows along the ellipsoid normal (the altitude changes by exactly the step)
    crossing the altitude edges within ``EDGE_OFFSETS``; rows out of every band; NaN
    tails and gaps, an infinite coordinate, the centre of the Earth. Also the site
    indices of the rows (m,)."""
    lat_s = np.radians([ll[0] for ll in SKIP_SITE_LL])
    lon_s = np.radians([ll[1] for ll in SKIP_SITE_LL])
    sites = geodetic_to_ecef(lat_s, lon_s, rng.uniform(0.0, 500.0, lat_s.size))
    us = sites / np.linalg.norm(sites, axis=-1, keepdims=True)
    R = R_EARTH_MEAN_M
    h_mid = 0.5 * (env.min_altitude_m + env.max_altitude_m)
    q = np.arange(k)
    rows, site_of = [], []

    def add(s: int, p: np.ndarray) -> None:
        rows.append(p)
        site_of.append(s)

    def radial(s: int, theta: np.ndarray, radius) -> np.ndarray:
        e = _direction(us[s], rng)
        v = np.cos(theta)[:, None] * us[s] + np.sin(theta)[:, None] * e
        return np.asarray(radius, dtype=np.float64)[..., None] * v

    for s in range(lat_s.size):
        for edge in (env.min_range_m, env.max_range_m):
            for step in (50.0, 1e3, 8e3, 40e3):
                for off in rng.choice(RANGE_OFFSETS, 4, replace=False):
                    q0 = int(rng.integers(k))
                    sign = 1.0 if rng.random() < 0.5 else -1.0
                    theta = (edge + off + sign * (q - q0) * step) / R
                    add(s, radial(s, theta, R + h_mid + rng.uniform(-5e3, 5e3)))
            # circling at the offsets (hopping between them)
            theta = (edge + rng.choice(RANGE_OFFSETS, k)) / R
            e1 = _direction(us[s], rng)
            e2 = np.cross(us[s], e1)
            az = np.linspace(0.0, rng.uniform(0.1, 6.0), k)
            e_az = np.cos(az)[:, None] * e1 + np.sin(az)[:, None] * e2
            v = np.cos(theta)[:, None] * us[s] + np.sin(theta)[:, None] * e_az
            add(s, (R + h_mid) * v)
        # the range oscillating across the band (many entries and exits)
        for amp in (2e3, 30e3, 200e3):
            mid = 0.5 * (env.min_range_m + env.max_range_m)
            theta = np.abs(mid + amp * np.sin(rng.uniform(0.05, 2.0) * q + rng.uniform(0, 6))) / R
            add(s, radial(s, theta, R + rng.uniform(0.0, 2.0, k) * env.max_altitude_m))
        # along the normal at a point in range: crossing the altitude edges
        rho = rng.uniform(env.min_range_m + 100.0, env.max_range_m - 100.0)
        e = _direction(us[s], rng)
        p = np.cos(rho / R) * us[s] + np.sin(rho / R) * e
        lat_p = math.asin(p[2])
        lon_p = math.atan2(p[1], p[0])
        for edge in (env.min_altitude_m, env.max_altitude_m):
            for dh in (20.0, 1e3, 9e3):
                for off in rng.choice(EDGE_OFFSETS, 3, replace=False):
                    q0 = int(rng.integers(k))
                    h = edge + off + (1.0 if rng.random() < 0.5 else -1.0) * (q - q0) * dh
                    add(s, geodetic_to_ecef(lat_p, lon_p, h))
        # out of every band
        add(s, radial(s, np.linspace(0.5, 1.0, k), R + h_mid))  # out of range
        add(s, radial(s, np.full(k, (env.min_range_m + 1e3) / R), R + 5.0 * env.max_altitude_m))
        # NaN tails, a NaN gap, an infinite coordinate, the centre of the Earth
        for bad in range(4):
            theta = (env.min_range_m + (q - k / 2) * 2e3) / R
            p = radial(s, np.abs(theta), R + h_mid)
            if bad == 0:
                p[int(rng.integers(1, k)) :] = np.nan
            elif bad == 1:
                p[k // 3 : k // 3 + 2] = np.nan
            elif bad == 2:
                p[k // 2, 0] = np.inf
            else:
                p[k // 4] = 0.0
            add(s, p)
    return sites, np.array(rows), np.array(site_of)


@pytest.mark.parametrize("kind", ["straight", "level", "upper-tier", "lower-tier"])
def test_skipping_scans_identical_to_testing_every_sample(kind: str) -> None:
    """The scans skip only samples that the tests would reject: every output of the kernel,
    lazy or with the altitudes given, refining the latest intercept or not, is the
    reference kernel's bit for bit, on rows built to make the skips' bounds tight, at the
    edges of the bands, and with launch limits at a sample's ``t - T`` (and 1 ulp off)."""
    from hoplon.earth.frames import WGS84, ecef_to_geodetic
    from hoplon.weapons.pip import (
        _bilinear1,
        _ground_range1,
        _kernel_table,
        _pip_pairs_kernel,
    )

    if kind == "straight":
        tab, env = straight_table(), ENV
    elif kind == "level":  # flyout times that do not change with altitude
        tab, env = straight_table(), ENV
        T = np.repeat(tab.time_s[:, :1], tab.altitude_grid_m.size, axis=1)
        tab = FlyoutTable("level", tab.range_grid_m, tab.altitude_grid_m, T, tab.speed_mps, 150.0)
    else:
        it = get_interceptor(kind)
        tab, env = flyout_table(it), it.envelope
    values, par = _kernel_table(tab, env)
    rng = np.random.default_rng(21 + len(kind))
    k = 121
    t = 10.0 + np.concatenate([[0.0], np.cumsum(rng.uniform(0.5, 4.0, k - 1))])
    sites, r, site_of = skip_batch(rng, k, env)
    m, b = r.shape[0], sites.shape[0]
    h = ecef_to_geodetic(r)[2]
    u = sites / np.linalg.norm(sites, axis=-1, keepdims=True)
    h_site = ecef_to_geodetic(sites)[2]
    t_min = rng.uniform(t[0] - 200.0, t[-1], (m, b))
    t_min[rng.random((m, b)) < 0.05] = np.inf
    t_min[rng.random((m, b)) < 0.1] = -np.inf
    # launch limits at a sample's t - T (the flyout-time pre-test at its bound)
    for i in range(m):
        j = site_of[i]
        q = int(rng.integers(k))
        rho = _ground_range1(*r[i, q], *u[j])
        T = _bilinear1(values, par[0], par[1], par[2], par[3], rho, h[i, q] - h_site[j])
        if np.isfinite(T):
            t_min[i, j] = np.nextafter(t[q] - T, rng.choice([-np.inf, np.inf, 0.0]))
    a_ell, b_ell = WGS84.a_m, WGS84.b_m
    feasible = []
    for lazy in (True, False):
        hh = np.empty((0, 0)) if lazy else np.ascontiguousarray(h)
        for refine in (True, False):
            args = (t, r, hh, u, h_site, t_min, values, par, 7, refine, lazy, a_ell, b_ell)
            new = _pip_pairs_kernel(*args)
            ref = _pip_pairs_kernel_reference(*args)
            for x, y in zip(new, ref, strict=True):
                np.testing.assert_array_equal(x, y)
            feasible.append(ref[0])
    # the batch covers the cases it should
    mine = feasible[0][np.arange(m), site_of]
    assert 0.1 < mine.mean() < 0.9


def test_flyout_time_pre_test_only_rejects_rejected_points() -> None:
    """``_surely_late`` says "reject" only where ``_feasible1`` rejects every altitude of the
    interval: random tables (some with the fastest flyout at a grid node, NaN and infinite
    cells), intervals across cell edges, launch limits at the interval's ``t - T``."""
    from hoplon.weapons.pip import _feasible1, _surely_late

    rng = np.random.default_rng(8)
    nr, na = 12, 9
    rg = np.linspace(0.0, 11e3, nr)
    hg = np.linspace(0.0, 800.0, na)
    n_sure = 0
    for trial in range(300):
        values = rng.uniform(5.0, 60.0, (nr, na))
        if trial % 3 == 0:  # fastest at an altitude node: lower between the interval ends
            values = 20.0 + np.abs(np.arange(na) - rng.integers(na))[None, :] * rng.uniform(1, 9)
            values = values + rng.uniform(0.0, 1e-3, (nr, 1))
        if trial % 5 == 0:
            values[rng.integers(nr), rng.integers(na)] = rng.choice([np.nan, np.inf])
        par = np.array([rg[0], rg[1] - rg[0], hg[0], hg[1] - hg[0], 50.0, 0.0, 800.0, 0.0, 11e3])
        h_site = rng.uniform(-20.0, 20.0)
        for _ in range(20):
            rho = rng.uniform(-500.0, 11.5e3)
            h_lo = rng.uniform(-50.0, 850.0)
            h_hi = h_lo + rng.choice([0.0, 1e-9, 0.3, 2.3, 150.0])
            hs = np.concatenate([np.linspace(h_lo, h_hi, 41), hg[(hg >= h_lo) & (hg <= h_hi)]])
            t = 100.0
            T = [_bilinear1(values, *par[:4], rho, x - h_site) for x in hs]
            finite = [x for x in T if np.isfinite(x)]
            tl = t - (min(finite) if finite else 0.0)
            for t_min in (tl, np.nextafter(tl, -np.inf), np.nextafter(tl, np.inf), tl - 1.0):
                if _surely_late(t, rho, h_lo, h_hi, h_site, t_min, values, par):
                    n_sure += 1
                    for x in hs:
                        assert not _feasible1(t, rho, x, h_site, t_min, values, par)
    assert n_sure > 1000
