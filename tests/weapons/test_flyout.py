"""Flyout tables: tabulation against an analytic stand-in and against direct simulation."""

import math

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.weapons.catalogue import get_interceptor
from hoplon.weapons.flyout import (
    FlyoutFan,
    build_flyout_table,
    flyout_speed,
    flyout_table,
    flyout_time,
    simulate_fan,
    tabulate_fan,
)


def straight_fan(v: float, t_max: float, n: int = 90, dt: float = 0.5) -> FlyoutFan:
    """Stand-in: straight lines at constant speed v from the origin, elevations 90..1 deg."""
    elev = np.radians(np.linspace(90.0, 1.0, n))
    t = np.arange(0.0, t_max + dt / 2, dt)
    tt = np.broadcast_to(t, (n, t.size)).copy()
    rho = v * tt * np.cos(elev)[:, None]
    h = v * tt * np.sin(elev)[:, None]
    return FlyoutFan(
        elevation_rad=elev,
        t_s=tt,
        ground_range_m=rho,
        altitude_m=h,
        speed_mps=np.full_like(tt, v),
        n_samples=np.full(n, t.size, dtype=np.int64),
        burnout_speed_mps=np.full(n, v),
    )


def test_straight_line_stand_in_gives_distance_over_speed() -> None:
    v, t_max = 2000.0, 60.0
    fan = straight_fan(v, 100.0)
    tab = tabulate_fan(
        fan, np.linspace(0, 150e3, 151), np.linspace(0, 150e3, 151), max_flyout_time_s=t_max
    )
    rng = np.random.default_rng(1)
    rho = rng.uniform(5e3, 100e3, 500)
    h = rng.uniform(5e3, 100e3, 500)  # the fan's flattest member is 1 deg
    d = np.hypot(rho, h)
    T = flyout_time(tab, rho, h)
    inside = d < 0.97 * v * t_max
    assert np.all(np.isfinite(T[inside]))
    np.testing.assert_allclose(T[inside], d[inside] / v, rtol=0.01)
    # beyond the reach v * t_max: NaN
    assert np.all(np.isnan(T[d > 1.01 * v * t_max]))
    np.testing.assert_allclose(flyout_speed(tab, rho[inside], h[inside]), v)
    # outside the grid: NaN
    assert np.isnan(flyout_time(tab, 200e3, 10e3))
    assert np.isnan(flyout_time(tab, -1.0, 10e3))


def test_bad_grid() -> None:
    fan = straight_fan(1000.0, 10.0, n=5)
    with pytest.raises(InputError, match="range_grid_m"):
        tabulate_fan(fan, np.array([0.0, 1.0, 3.0]), np.linspace(0, 1, 3))


@pytest.fixture(scope="module")
def upper():
    it = get_interceptor("upper-tier")
    return it, flyout_table(it)


@pytest.mark.parametrize("name", ["upper-tier", "lower-tier", "area-long-range", "exo-ship"])
def test_table_agrees_with_direct_simulation_off_grid(name: str) -> None:
    it = get_interceptor(name)
    tab = flyout_table(it)
    # elevations that are not fan members; points on their ascending branch
    elev = np.radians([77.3, 52.1, 33.7, 21.4])
    fan = simulate_fan(it, elev)
    checked = 0
    for k in range(elev.size):
        m = fan.n_samples[k]
        t = fan.t_s[k, :m]
        h = fan.altitude_m[k, :m]
        rho = fan.ground_range_m[k, :m]
        asc = np.r_[True, np.diff(h) > 0]
        sel = asc & (t > 0.1 * it.max_flyout_time_s) & (t < 0.9 * it.max_flyout_time_s)
        sel &= h > 0.05 * it.max_intercept_altitude_m
        sel &= rho < 0.95 * tab.range_grid_m[-1]
        sel &= h < 0.95 * tab.altitude_grid_m[-1]
        idx = np.flatnonzero(sel)[::7]
        T = flyout_time(tab, rho[idx], h[idx])
        assert np.all(np.isfinite(T))
        np.testing.assert_allclose(T, t[idx], rtol=0.02)
        checked += idx.size
    assert checked > 10


def test_time_grows_with_range(upper) -> None:
    _, tab = upper
    for h in (40e3, 80e3, 120e3):
        rho = np.linspace(20e3, 250e3, 200)
        T = flyout_time(tab, rho, h)
        ok = np.isfinite(T)
        assert ok.sum() > 50
        assert np.all(np.diff(T[ok]) > 0)


def test_points_beyond_reach_are_nan(upper) -> None:
    it, tab = upper
    # far and low: beyond the reach within the max flyout time
    assert np.isnan(flyout_time(tab, 1.29 * it.max_range_m, 1e3))
    finite = tab.time_s[np.isfinite(tab.time_s)]
    assert finite.max() <= it.max_flyout_time_s + 1e-9
    # where the table says reachable, a dense direct simulation passes close by in that time;
    # where it passes nowhere near, the table is NaN
    fan = simulate_fan(it, np.radians(np.linspace(5.0, 90.0, 300)))
    rng = np.random.default_rng(3)
    # half anywhere on the grid, half in the far and low corner (beyond the flattest path)
    rho = tab.range_grid_m[-1] * np.r_[rng.uniform(0.0, 1.0, 150), rng.uniform(0.8, 1.0, 150)]
    h = tab.altitude_grid_m[-1] * np.r_[rng.uniform(0.0, 1.0, 150), rng.uniform(0.0, 0.1, 150)]
    T = flyout_time(tab, rho, h)
    dist = np.hypot(
        fan.ground_range_m[None] - rho[:, None, None], fan.altitude_m[None] - h[:, None, None]
    )
    dist = np.where(fan.t_s[None] <= it.max_flyout_time_s, dist, np.inf)
    d_min = np.nanmin(dist.reshape(rho.size, -1), axis=1)
    # cells below a column's lowest reached point are the guided-descent fill (tested below);
    # the fan itself must explain every other finite cell
    nr, nh = tab.time_s.shape
    ix = np.clip(np.floor(rho / (tab.range_grid_m[1] - tab.range_grid_m[0])).astype(int), 0, nr - 2)
    lowest = np.minimum(tab.fan_floor_index, nh - 1)
    j_low = np.maximum(lowest[ix], lowest[ix + 1])  # both columns of the bilinear cell
    dh = tab.altitude_grid_m[1] - tab.altitude_grid_m[0]
    above = h >= tab.altitude_grid_m[j_low] + dh
    assert np.isfinite(T).sum() > 50
    assert np.all(d_min[np.isfinite(T) & above] < 2e3)
    assert np.all(np.isnan(T[(d_min > 5e3) & above]))


def test_guided_descent_fill_below_the_fan(upper) -> None:
    """Below the lowest fan point of a range column the table assumes a constant-speed dive:
    T(h) = T(h0) + (h0 - h) / V(h0), never beyond the maximum flyout time."""
    it, tab = upper
    for i in range(0, tab.range_grid_m.size, 20):
        j0 = int(tab.fan_floor_index[i])
        if j0 >= tab.altitude_grid_m.size:
            continue
        for j in range(j0):
            if np.isfinite(tab.time_s[i, j]):
                dh = tab.altitude_grid_m[j0] - tab.altitude_grid_m[j]
                expected = tab.time_s[i, j0] + dh / tab.speed_mps[i, j0]
                assert tab.time_s[i, j] == pytest.approx(expected)
                assert tab.time_s[i, j] <= it.max_flyout_time_s + 1e-9


def test_table_is_cached(upper) -> None:
    it, tab = upper
    assert flyout_table(it) is tab


def test_build_rejects_bad_settings() -> None:
    it = get_interceptor("lower-tier")
    with pytest.raises(InputError, match="margin"):
        build_flyout_table(it, margin=0.5)
    with pytest.raises(InputError, match="elevation_rad"):
        simulate_fan(it, [math.radians(-5.0)])
