"""Interceptor flyout: simulate a fan of launch elevations, tabulate time-to-reach (range, alt).

The flyout of an :class:`~hoplon.weapons.interceptor.InterceptorType` is simulated with the
same batch flight code as the threats (:func:`hoplon.flight.propagate`), stage by stage,
for a fan of ``n`` final launch elevations ``theta_k`` (from 90 deg down to the type's
``min_launch_elevation_rad``). Each member rises vertically for ``vertical_rise_s``, then
pitches over at ``pitch_rate_rad_s`` to its elevation and holds it while thrusting (pitch
in local ENU, ``hoplon.flight.params`` steering 1); after burnout it coasts ballistically.

Earth model and symmetry
------------------------
The fan is flown over a **non-rotating spherical Earth** (mean radius 6371 km, point-mass
gravity, US Standard Atmosphere 1976), so the result depends only on the intercept point's
ground range ``rho = R_mean * central_angle(site, point)`` and altitude ``h`` above the
launcher, not on azimuth or latitude. Earth rotation (Coriolis, about 2 omega v, i.e.
< 0.5 m/s^2 at 3 km/s) bends the path but changes the *time* to reach a point little; the
guided interceptor steers to the point anyway.

Table
-----
``T(rho, h)`` is the least time over the fan at which some member passes through
``(rho, h)``. The fan is a smooth map from (member, time) to (range, altitude): each quad
of two neighbouring members at two neighbouring sample times is split into two triangles,
and every grid node inside a triangle gets the time interpolated linearly over the triangle;
the least time over all triangles wins (a node reached by several paths, e.g. on an
ascending and a descending branch, keeps the earliest).
Samples later than ``max_flyout_time_s`` are ignored, so points beyond the reach are NaN.
:func:`flyout_time` interpolates the table bilinearly and returns NaN where any of the four
corner nodes is unreachable (conservative at the edge of the reach).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.errors import InputError
from hoplon.weapons.interceptor import InterceptorType

FloatArray = NDArray[np.float64]

#: Constant drag coefficient table used with Cd A from the ballistic coefficient.
_CD_TABLE = np.array([[0.0, 1.0], [100.0, 1.0]])


@dataclass(frozen=True)
class FlyoutFan:
    """Sampled flyout of ``n`` fan members (NaN-padded to ``S`` samples).

    Attributes
    ----------
    elevation_rad : (n,)
        Final launch elevation of each member [rad], decreasing (steepest first).
    t_s, ground_range_m, altitude_m, speed_mps : (n, S)
        Time since launch [s], ground range from the launcher [m], altitude above the launch
        altitude [m], speed relative to the Earth [m/s].
    n_samples : (n,) int
        Valid samples of each member (after truncation at ground impact).
    burnout_speed_mps : (n,)
        Speed at the last stage's burnout [m/s].
    """

    elevation_rad: FloatArray
    t_s: FloatArray
    ground_range_m: FloatArray
    altitude_m: FloatArray
    speed_mps: FloatArray
    n_samples: NDArray[np.int64]
    burnout_speed_mps: FloatArray


@dataclass(frozen=True)
class FlyoutTable:
    """Time to reach ``(ground range, altitude)`` on a uniform grid.

    Attributes
    ----------
    name : str
        Interceptor type name.
    range_grid_m : (nr,)
        Uniform ground-range nodes from 0 [m].
    altitude_grid_m : (na,)
        Uniform altitude nodes (above the launcher) from 0 [m].
    time_s : (nr, na)
        Least flyout time to the node [s]; NaN where unreachable within
        ``max_flyout_time_s``.
    speed_mps : (nr, na)
        Interceptor speed at that arrival [m/s] (NaN where unreachable).
    max_flyout_time_s : float
        Longest flight time used to build the table [s].
    """

    name: str
    range_grid_m: FloatArray
    altitude_grid_m: FloatArray
    time_s: FloatArray
    speed_mps: FloatArray
    max_flyout_time_s: float
    #: Per range column, the index of the lowest altitude the unguided fan itself reaches
    #: (cells below it are the guided-descent fill); ``altitude_grid_m.size`` if none.
    fan_floor_index: NDArray[np.intp] | None = None

    @property
    def max_range_m(self) -> float:
        """Largest tabulated range with a reachable node [m]."""
        ok = np.isfinite(self.time_s).any(axis=1)
        return float(self.range_grid_m[ok].max()) if ok.any() else 0.0

    @property
    def max_altitude_m(self) -> float:
        """Largest tabulated altitude with a reachable node [m]."""
        ok = np.isfinite(self.time_s).any(axis=0)
        return float(self.altitude_grid_m[ok].max()) if ok.any() else 0.0


# ---------------------------------------------------------------------------------------------
# Simulation of the fan
# ---------------------------------------------------------------------------------------------


def _samples(res: object) -> tuple[FloatArray, FloatArray]:
    """The recorded samples of a BatchResult, trimmed to the common valid length."""
    t, y, ns = res.t, res.y, res.n_samples  # type: ignore[attr-defined]
    assert t is not None and y is not None
    k = int(ns.min())
    return t[:, :k], y[:, :k]


def simulate_fan(
    itype: InterceptorType,
    elevation_rad: ArrayLike,
    *,
    t_end_s: float | None = None,
    dt_boost_s: float = 0.1,
    dt_coast_s: float = 0.5,
) -> FlyoutFan:
    """Fly the interceptor for each final launch elevation with :func:`hoplon.flight.propagate`.

    Parameters
    ----------
    itype : InterceptorType
    elevation_rad : (n,) array
        Final launch elevations [rad] in (0, pi/2].
    t_end_s : float, optional
        End of the simulation [s] (default: ``itype.max_flyout_time_s``).
    dt_boost_s, dt_coast_s : float
        RK4 steps (and sample intervals) while thrusting and coasting [s].

    Returns
    -------
    FlyoutFan
        Members in the order given.
    """
    from hoplon.flight import EarthModel, initial_state, make_params, propagate
    from hoplon.flight import params as fparams

    elev = np.atleast_1d(np.asarray(elevation_rad, dtype=np.float64))
    if (
        elev.ndim != 1
        or np.any(~np.isfinite(elev))
        or np.any(elev <= 0)
        or np.any(elev > math.pi / 2 + 1e-12)
    ):
        raise InputError("elevation_rad", "must be a 1-D array in (0, pi/2]", "(0, pi/2] rad")
    elev = np.minimum(elev, math.pi / 2)
    t_end = float(itype.max_flyout_time_s if t_end_s is None else t_end_s)
    if not t_end > 0:
        raise InputError("t_end_s", f"must be positive, got {t_end}")
    n = elev.size
    model = EarthModel(rotating=False, shape="sphere")
    y = initial_state(0.0, 0.0, 0.0, 0.0, math.pi / 2, 0.0, itype.launch_mass_kg, model=model)
    y = np.repeat(y, n, axis=0)
    steer = {
        "steering": 1.0,
        "pitch0_rad": math.pi / 2,
        "pitch_rate_rad_s": -itype.pitch_rate_rad_s,
        "pitch_min_rad": elev,
        "azimuth_rad": 0.0,
        "t_start_s": itype.vertical_rise_s,
        "ref_area_m2": itype.drag_area_m2,
    }

    def make(**kw: float) -> FloatArray:
        # make_params validates without a Cd table, so switch the table on afterwards.
        p = make_params(n, **kw, **steer)
        p[:, fparams.USE_CD_TABLE] = 1.0
        return p

    ts: list[FloatArray] = []
    ys: list[FloatArray] = []
    t = 0.0
    # Segments: (duration, thrust, mdot, dt, mass dropped at the end).
    segments: list[tuple[float, float, float, float, float]] = []
    for i, s in enumerate(itype.stages):
        drop = s.inert_mass_kg if s.jettison else 0.0
        segments.append((s.burn_time_s, s.thrust_n, s.mdot_kg_s, dt_boost_s, drop))
        if s.coast_after_s > 0 and i < len(itype.stages) - 1:
            segments.append((s.coast_after_s, 0.0, 0.0, dt_coast_s, 0.0))
    burnout_speed = np.full(n, np.nan)
    for k, (dur, thrust, mdot, dt, drop) in enumerate(segments):
        if t >= t_end:
            break
        t1 = min(t + dur, t_end)
        params = make(thrust_n=thrust, mdot_kg_s=mdot)
        res = propagate(
            y, params, model=model, t0=t, t_end=t1, dt=dt, stop_altitude_m=None,
            cd_table=_CD_TABLE,
        )  # fmt: skip
        rt, ry = _samples(res)
        ts.append(rt if k == 0 else rt[:, 1:])
        ys.append(ry if k == 0 else ry[:, 1:])
        y = res.y_final.copy()
        y[:, 6] -= drop
        t = t1
        if thrust > 0:
            burnout_speed = np.linalg.norm(y[:, 3:6], axis=1)
    if t < t_end:
        params = make()
        res = propagate(
            y, params, model=model, t0=t, t_end=t_end, dt=dt_coast_s, stop_altitude_m=None,
            cd_table=_CD_TABLE,
        )  # fmt: skip
        rt, ry = _samples(res)
        ts.append(rt[:, 1:] if ts else rt)
        ys.append(ry[:, 1:] if ys else ry)
    t_all = np.concatenate(ts, axis=1)
    y_all = np.concatenate(ys, axis=1)
    r = y_all[..., 0:3]
    rn = np.linalg.norm(r, axis=-1)
    alt = rn - model.radius_m
    r0 = y_all[:, 0, 0:3]
    cosang = np.einsum("nsk,nk->ns", r, r0) / (rn * np.linalg.norm(r0, axis=-1)[:, None])
    sinang = np.linalg.norm(np.cross(r, r0[:, None, :]), axis=-1) / (
        rn * np.linalg.norm(r0, axis=-1)[:, None]
    )
    ground = R_EARTH_MEAN_M * np.arctan2(sinang, cosang)
    speed = np.linalg.norm(y_all[..., 3:6], axis=-1)
    # Valid samples: finite, and before the first fall below the launch altitude.
    valid = np.isfinite(t_all) & np.isfinite(alt)
    below = (alt < -1.0) & (t_all > 1.0)
    stop = np.where(below.any(axis=1), np.argmax(below, axis=1), t_all.shape[1])
    nvalid = np.minimum(valid.sum(axis=1), stop)
    col = np.arange(t_all.shape[1])[None, :]
    mask = col < nvalid[:, None]
    nan = np.nan
    return FlyoutFan(
        elevation_rad=elev,
        t_s=np.where(mask, t_all, nan),
        ground_range_m=np.where(mask, ground, nan),
        altitude_m=np.where(mask, alt, nan),
        speed_mps=np.where(mask, speed, nan),
        n_samples=nvalid.astype(np.int64),
        burnout_speed_mps=burnout_speed,
    )


# ---------------------------------------------------------------------------------------------
# Tabulation kernel
# ---------------------------------------------------------------------------------------------


@numba.njit(cache=True, nogil=True)
def _fill_triangle(
    T: FloatArray, V: FloatArray, r0: float, dr: float, nr: int, h0: float, dh: float, na: int,
    x1: float, y1: float, t1: float, v1: float,
    x2: float, y2: float, t2: float, v2: float,
    x3: float, y3: float, t3: float, v3: float,
) -> None:  # fmt: skip
    """Least-time update of the grid nodes inside one (range, altitude) triangle.

    Inside the triangle the time (and speed) is linear: ``t = l1 t1 + l2 t2 + l3 t3`` with
    the barycentric coordinates ``l`` of the node.
    """
    det = (y2 - y3) * (x1 - x3) + (x3 - x2) * (y1 - y3)
    scale = (abs(x1 - x3) + abs(x2 - x3)) * (abs(y1 - y3) + abs(y2 - y3))
    if abs(det) <= 1e-12 * scale or scale == 0.0:
        return
    i0 = max(0, math.ceil((min(x1, x2, x3) - r0) / dr - 1e-9))
    i1 = min(nr - 1, math.floor((max(x1, x2, x3) - r0) / dr + 1e-9))
    j0 = max(0, math.ceil((min(y1, y2, y3) - h0) / dh - 1e-9))
    j1 = min(na - 1, math.floor((max(y1, y2, y3) - h0) / dh + 1e-9))
    eps = -1e-9
    for i in range(i0, i1 + 1):
        x = r0 + i * dr
        for j in range(j0, j1 + 1):
            y = h0 + j * dh
            l1 = ((y2 - y3) * (x - x3) + (x3 - x2) * (y - y3)) / det
            l2 = ((y3 - y1) * (x - x3) + (x1 - x3) * (y - y3)) / det
            l3 = 1.0 - l1 - l2
            if l1 >= eps and l2 >= eps and l3 >= eps:
                tt = l1 * t1 + l2 * t2 + l3 * t3
                if tt < T[i, j]:
                    T[i, j] = tt
                    V[i, j] = l1 * v1 + l2 * v2 + l3 * v3


@numba.njit(cache=True, nogil=True)
def tabulate_kernel(
    t: FloatArray,
    rho: FloatArray,
    h: FloatArray,
    v: FloatArray,
    n_samples: NDArray[np.int64],
    r0: float,
    dr: float,
    nr: int,
    h0: float,
    dh: float,
    na: int,
) -> tuple[FloatArray, FloatArray]:
    """Least time to reach each node of a uniform (range, altitude) grid over a fan.

    The fan is a map ``(member k, sample s) -> (rho, h)``; each quad of neighbouring members
    and samples is split into two triangles, and every grid node inside a triangle gets the
    linearly interpolated time, keeping the least over all triangles.

    Parameters
    ----------
    t, rho, h, v : (n, S)
        Samples of the fan members on a common time grid (time [s], ground range [m],
        altitude [m], speed [m/s]), neighbouring members adjacent.
    n_samples : (n,)
        Valid samples per member.
    r0, dr, nr, h0, dh, na
        Uniform grids ``r0 + i dr`` (i < nr) and ``h0 + j dh`` (j < na).

    Returns
    -------
    T, V : (nr, na)
        Least arrival time [s] (inf where unreached) and the speed at that arrival [m/s].
    """
    n = t.shape[0]
    T = np.full((nr, na), np.inf)
    V = np.full((nr, na), np.nan)
    for k in range(n - 1):
        m = min(n_samples[k], n_samples[k + 1])
        for s in range(m - 1):
            # quad A=(k, s), B=(k+1, s), C=(k+1, s+1), D=(k, s+1)
            _fill_triangle(
                T, V, r0, dr, nr, h0, dh, na,
                rho[k, s], h[k, s], t[k, s], v[k, s],
                rho[k + 1, s], h[k + 1, s], t[k + 1, s], v[k + 1, s],
                rho[k + 1, s + 1], h[k + 1, s + 1], t[k + 1, s + 1], v[k + 1, s + 1],
            )  # fmt: skip
            _fill_triangle(
                T, V, r0, dr, nr, h0, dh, na,
                rho[k, s], h[k, s], t[k, s], v[k, s],
                rho[k + 1, s + 1], h[k + 1, s + 1], t[k + 1, s + 1], v[k + 1, s + 1],
                rho[k, s + 1], h[k, s + 1], t[k, s + 1], v[k, s + 1],
            )  # fmt: skip
    if n > 0 and n_samples[0] > 0 and r0 == rho[0, 0] and h0 == h[0, 0]:
        T[0, 0] = min(T[0, 0], t[0, 0])
        V[0, 0] = v[0, 0]
    return T, V


def tabulate_fan(
    fan: FlyoutFan,
    range_grid_m: ArrayLike,
    altitude_grid_m: ArrayLike,
    *,
    name: str = "",
    max_flyout_time_s: float = math.inf,
) -> FlyoutTable:
    """Tabulate a fan on uniform grids (see the module notes).

    Samples later than ``max_flyout_time_s`` are ignored.
    """
    rg = np.asarray(range_grid_m, dtype=np.float64)
    hg = np.asarray(altitude_grid_m, dtype=np.float64)
    for label, g in (("range_grid_m", rg), ("altitude_grid_m", hg)):
        if g.ndim != 1 or g.size < 2 or not np.all(np.isfinite(g)):
            raise InputError(label, "must be a finite 1-D grid of at least 2 nodes")
        step = np.diff(g)
        if np.any(step <= 0) or not np.allclose(step, step[0], rtol=1e-9, atol=0.0):
            raise InputError(label, "must be uniform and increasing")
    t = np.ascontiguousarray(fan.t_s)
    keep = t <= max_flyout_time_s
    n_eff = np.minimum(fan.n_samples, np.where(keep.all(axis=1), t.shape[1], np.argmin(keep, 1)))
    T, V = tabulate_kernel(
        t,
        np.ascontiguousarray(fan.ground_range_m),
        np.ascontiguousarray(fan.altitude_m),
        np.ascontiguousarray(fan.speed_mps),
        n_eff.astype(np.int64),
        float(rg[0]), float(rg[1] - rg[0]), int(rg.size),
        float(hg[0]), float(hg[1] - hg[0]), int(hg.size),
    )  # fmt: skip
    T = np.where(np.isfinite(T), T, np.nan)
    V = np.where(np.isfinite(T), V, np.nan)
    reached = np.isfinite(T)
    floor = np.where(reached.any(axis=1), np.argmax(reached, axis=1), hg.size).astype(np.intp)
    T, V = _fill_guided_descent(T, V, hg, max_flyout_time_s)
    return FlyoutTable(
        name=name,
        range_grid_m=rg,
        altitude_grid_m=hg,
        time_s=T,
        speed_mps=V,
        max_flyout_time_s=float(max_flyout_time_s),
        fan_floor_index=floor,
    )


def _fill_guided_descent(
    T: FloatArray, V: FloatArray, hg: FloatArray, max_flyout_time_s: float = math.inf
) -> tuple[FloatArray, ...]:
    """Fill the cells below the fan's lowest reachable point at each ground range.

    The fan is unguided after its pitch programme, so no member passes low over long ranges,
    while a guided interceptor dives from that point onto a low target (cruise missiles).
    Below the lowest reached cell ``h_0`` of a range column, the time is taken as the time to
    ``h_0`` plus the height to lose over the speed there, ``T(h) = T(h_0) + (h_0 - h) / V``,
    and the speed as ``V(h_0)`` (a dive at constant speed; a modelling choice, documented in
    the module notes). Columns that the fan never reaches stay unreachable (NaN), and so do
    filled cells whose time exceeds ``max_flyout_time_s``.
    """
    T = T.copy()
    V = V.copy()
    finite = np.isfinite(T)
    has = finite.any(axis=1)
    lowest = np.argmax(finite, axis=1)
    for i in np.nonzero(has & (lowest > 0))[0]:
        j0 = lowest[i]
        v0 = V[i, j0]
        if not (np.isfinite(v0) and v0 > 0):
            continue
        dh = hg[j0] - hg[:j0]
        t_fill = T[i, j0] + dh / v0
        ok = t_fill <= max_flyout_time_s
        T[i, :j0] = np.where(ok, t_fill, np.nan)
        V[i, :j0] = np.where(ok, v0, np.nan)
    return T, V


def default_elevations(itype: InterceptorType, n: int = 64) -> FloatArray:
    """Fan elevations from 90 deg down to ``min_launch_elevation_rad``, denser when flat.

    ``theta_k = theta_min + (pi/2 - theta_min) (1 - k/(n-1))^1.5`` puts more members at low
    elevations, where the reach changes fastest with elevation.
    """
    if n < 3:
        raise InputError("n_elevations", f"must be at least 3, got {n}", ">= 3")
    lo = itype.min_launch_elevation_rad
    u = 1.0 - np.arange(n) / (n - 1)
    return lo + (math.pi / 2 - lo) * u**1.5


def build_flyout_table(
    itype: InterceptorType,
    *,
    n_elevations: int = 64,
    n_range: int = 241,
    n_altitude: int = 161,
    margin: float = 1.3,
    dt_boost_s: float = 0.1,
    dt_coast_s: float = 0.5,
) -> FlyoutTable:
    """Simulate the fan and tabulate it (uncached; see :func:`flyout_table`).

    The grids run from 0 to ``margin`` times the declared maximum range and altitude, so
    that the table also shows how far the physics reaches beyond the declared envelope.
    """
    if margin < 1.0:
        raise InputError("margin", f"must be at least 1, got {margin}", ">= 1")
    for label, v in (("n_range", n_range), ("n_altitude", n_altitude)):
        if int(v) != v or v < 2:
            raise InputError(label, f"must be an integer >= 2, got {v}")
    fan = simulate_fan(
        itype,
        default_elevations(itype, n_elevations),
        dt_boost_s=dt_boost_s,
        dt_coast_s=dt_coast_s,
    )
    rg = np.linspace(0.0, margin * itype.max_range_m, int(n_range))
    hg = np.linspace(0.0, margin * itype.max_intercept_altitude_m, int(n_altitude))
    return tabulate_fan(fan, rg, hg, name=itype.name, max_flyout_time_s=itype.max_flyout_time_s)


@functools.lru_cache(maxsize=32)
def flyout_table(itype: InterceptorType, **settings: float) -> FlyoutTable:
    """The flyout table of an interceptor type, built once per process and cached.

    ``settings`` are passed to :func:`build_flyout_table`. The table is a small picklable
    dataclass of arrays: build it once per campaign and ship it to the workers.
    """
    return build_flyout_table(itype, **settings)  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------
# Interpolation
# ---------------------------------------------------------------------------------------------


def _bilinear(table: FlyoutTable, values: FloatArray, rho: ArrayLike, h: ArrayLike) -> FloatArray:
    """Bilinear interpolation of ``values`` on the table's grid; NaN outside the grid."""
    rho, h = np.broadcast_arrays(np.asarray(rho, dtype=np.float64), np.asarray(h, np.float64))
    rg, hg = table.range_grid_m, table.altitude_grid_m
    out = np.empty(rho.size)
    _bilinear_kernel(
        np.ascontiguousarray(values, dtype=np.float64),
        float(rg[0]), float(rg[1] - rg[0]), float(hg[0]), float(hg[1] - hg[0]),
        np.ascontiguousarray(rho).reshape(-1), np.ascontiguousarray(h).reshape(-1), out,
    )  # fmt: skip
    return out.reshape(rho.shape)


@numba.njit(cache=True)
def _bilinear_kernel(
    values: FloatArray,
    r0: float,
    dr: float,
    h0: float,
    dh: float,
    rho: FloatArray,
    h: FloatArray,
    out: FloatArray,
) -> None:  # pragma: no cover - compiled
    nr, na = values.shape
    for n in range(rho.size):
        fx = (rho[n] - r0) / dr
        fy = (h[n] - h0) / dh
        if not (fx >= 0.0 and fx <= nr - 1 and fy >= 0.0 and fy <= na - 1):
            out[n] = np.nan
            continue
        i = min(int(fx), nr - 2)  # fx >= 0: truncation is the floor
        j = min(int(fy), na - 2)
        wx = fx - i
        wy = fy - j
        out[n] = (
            values[i, j] * (1 - wx) * (1 - wy)
            + values[i + 1, j] * wx * (1 - wy)
            + values[i, j + 1] * (1 - wx) * wy
            + values[i + 1, j + 1] * wx * wy
        )


def flyout_time(table: FlyoutTable, ground_range_m: ArrayLike, altitude_m: ArrayLike) -> FloatArray:
    """Time of flight from launch to the point ``(ground range, altitude)`` [s].

    Bilinear in the table; NaN outside the grid or where any corner node is unreachable.
    Inputs broadcast; the result has their broadcast shape.
    """
    return _bilinear(table, table.time_s, ground_range_m, altitude_m)


def flyout_speed(
    table: FlyoutTable, ground_range_m: ArrayLike, altitude_m: ArrayLike
) -> FloatArray:
    """Interceptor speed on arrival at ``(ground range, altitude)`` [m/s] (NaN if unreached)."""
    return _bilinear(table, table.speed_mps, ground_range_m, altitude_m)
