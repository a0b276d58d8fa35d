"""Predicted intercept point (PIP): earliest and latest feasible intercepts of tracked threats.

Inputs are *beliefs*: the threat path is a track's prediction (e.g. the tracker's ballistic
motion model sampled forward), never truth.

Problem
-------
For threat ``i`` with predicted position ``r_i(t)`` and battery ``j`` at ``s_j``, let
``rho_ij(t) = R_mean * angle(s_j, r_i(t))`` be the ground range and ``h_i(t)`` the geodetic
altitude of the predicted point, and ``T(rho, h - h_j)`` the flyout time from the table
(:mod:`hoplon.weapons.flyout`). An intercept at time ``t`` is *feasible* when

- the interceptor can be launched in time: ``t - T(rho_ij(t), h_i(t) - h_j) >= t_L,min``
  (``t_L,min`` = now + reaction time, or the battery's next possible launch);
- the point is inside the envelope: ``h_min <= h_i(t) <= h_max``,
  ``rho_min <= rho_ij(t) <= rho_max``, and ``T <= T_max`` (and ``T`` is finite: the point is
  within kinematic reach).

The earliest feasible time ``t_e`` is the first ``t`` where this holds (at a root of
``t - T - t_L,min = 0`` the launch is at ``t_L,min`` exactly); the latest ``t_l`` is the last
one. Launch time for an intercept at ``t`` is ``t - T``.

Method
------
All pairs (threats x batteries) at once: evaluate feasibility on the path's sample times,
take the first and last feasible sample, and refine each transition by bisection inside its
sample interval, with range and altitude linear in time between samples (error
``<= g dt^2 / 8`` in altitude, about 1 m for 1 s samples). Returned times are always on the
feasible side, within ``t_tol_s``. A feasible window narrower than one sample interval can be
missed: sample the prediction at least as finely as the shortest window of interest. The
feasible set between ``t_e`` and ``t_l`` need not be one interval.

:func:`solve_pip` runs this per (threat, battery) pair in one compiled kernel
(:func:`_pip_pairs_kernel`): scan the samples from the start for the first feasible one and
from the end for the last, then bisect. Every pair is computed on its own, so a threat's
result does not depend on the other threats in the batch (bit for bit). The array
formulation :func:`pip_kernel` (all pairs at once with numpy) is the reference it is tested
against (``_solve_pip_numpy``). Given no altitudes (``ThreatPath.altitude_m``), the kernel
computes only those it reads, the values ``ecef_to_geodetic`` gives bit for bit, skipping in
the scans the samples that cheap bounds on the altitude put surely outside the altitude band
(and those outside the range band): the same results as with all altitudes given. The scans
also skip, without computing anything, the samples they would surely reject: the NaN tail of
a prediction, the samples after one out of the range (altitude) band by more than they can
change in as many steps (bounds on the step from the row's largest chord), and they reject
points whose flyout time is surely too long from bounds on the altitude before computing it:
the same first and last feasible samples, so the same results bit for bit.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import WGS84, _geodetic_altitude, ecef_to_geodetic
from hoplon.errors import InputError
from hoplon.weapons.flyout import FlyoutTable, flyout_time
from hoplon.weapons.interceptor import Envelope

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class ThreatPath:
    """Predicted positions of ``m`` threats on a common time grid (beliefs, not truth).

    Attributes
    ----------
    t_s : (k,) float
        Strictly increasing sample times [s], ``k >= 2``.
    r_ecef : (m, k, 3) float
        Predicted ECEF positions [m]; NaN rows mark times with no prediction (e.g. after
        predicted impact): such samples are infeasible.
    altitude_m : (m, k) float, optional
        Geodetic altitudes of ``r_ecef`` when the caller already has them (otherwise
        :func:`solve_pip` computes those it reads, the same values bit for bit).
    """

    t_s: FloatArray
    r_ecef: FloatArray
    altitude_m: FloatArray | None = None

    def __post_init__(self) -> None:
        t = np.asarray(self.t_s, dtype=np.float64)
        r = np.asarray(self.r_ecef, dtype=np.float64)
        if r.ndim == 2:
            r = r[None]
        if t.ndim != 1 or t.size < 2 or not np.all(np.isfinite(t)) or np.any(np.diff(t) <= 0):
            raise InputError("t_s", "must be a strictly increasing 1-D array of >= 2 finite times")
        if r.ndim != 3 or r.shape[1:] != (t.size, 3):
            raise InputError("r_ecef", f"must have shape (m, {t.size}, 3), got {r.shape}")
        object.__setattr__(self, "t_s", t)
        object.__setattr__(self, "r_ecef", r)
        if self.altitude_m is not None:
            h = np.asarray(self.altitude_m, dtype=np.float64)
            if h.shape != r.shape[:2]:
                raise InputError("altitude_m", f"must have shape {r.shape[:2]}, got {h.shape}")
            object.__setattr__(self, "altitude_m", h)

    def __len__(self) -> int:
        return int(self.r_ecef.shape[0])

    @classmethod
    def from_callable(
        cls, predict: Callable[[FloatArray], ArrayLike], t_s: ArrayLike
    ) -> ThreatPath:
        """Sample ``predict(t) -> (m, k, 3)`` (or ``(k, 3)``) positions at the times ``t_s``."""
        t = np.asarray(t_s, dtype=np.float64)
        return cls(t_s=t, r_ecef=np.asarray(predict(t), dtype=np.float64))


@dataclass(frozen=True)
class PipSolution:
    """Earliest and latest feasible intercepts for ``m`` threats x ``b`` batteries.

    All arrays are ``(m, b)`` (``(m, b, 3)`` for points); NaN where not ``feasible``.

    Attributes
    ----------
    feasible : bool
        At least one feasible intercept time exists within the predicted path.
    t_earliest_s, t_latest_s : float
        Earliest and latest feasible intercept times [s].
    t_launch_s, flyout_s : float
        Launch time and flyout time for the earliest intercept [s]
        (``t_launch_s + flyout_s == t_earliest_s``).
    r_intercept_ecef : (m, b, 3)
        Predicted intercept point of the earliest intercept [m].
    t_launch_latest_s, flyout_latest_s, r_intercept_latest_ecef
        The same for the latest intercept (``t_launch_latest_s`` is the last moment to
        launch at this threat at all).
    ground_range_m, altitude_m : float
        Ground range from the battery and altitude of the earliest intercept point [m].
    """

    feasible: BoolArray
    t_earliest_s: FloatArray
    t_latest_s: FloatArray
    t_launch_s: FloatArray
    flyout_s: FloatArray
    r_intercept_ecef: FloatArray
    t_launch_latest_s: FloatArray
    flyout_latest_s: FloatArray
    r_intercept_latest_ecef: FloatArray
    ground_range_m: FloatArray
    altitude_m: FloatArray

    @property
    def shape(self) -> tuple[int, int]:
        """``(m threats, b batteries)``."""
        return self.feasible.shape  # type: ignore[return-value]


def ground_range_m(r_ecef: ArrayLike, site_ecef: ArrayLike) -> FloatArray:
    """Ground range ``R_mean * angle(site, r)`` [m] for every point and site.

    Parameters
    ----------
    r_ecef : (..., 3)
        Points [m].
    site_ecef : (b, 3)
        Sites [m].

    Returns
    -------
    (..., b)
        ``rho = R_mean * atan2(sqrt(1 - c^2), c)`` with ``c = u_r . u_s`` (unit vectors).
    """
    r = np.asarray(r_ecef, dtype=np.float64)
    s = np.atleast_2d(np.asarray(site_ecef, dtype=np.float64))
    ur = r / np.linalg.norm(r, axis=-1, keepdims=True)
    us = s / np.linalg.norm(s, axis=-1, keepdims=True)
    c = np.clip(ur @ us.T, -1.0, 1.0)
    return R_EARTH_MEAN_M * np.arctan2(np.sqrt(np.maximum(0.0, 1.0 - c * c)), c)


def _feasible(
    t: FloatArray,
    rho: FloatArray,
    h: FloatArray,
    h_site: FloatArray,
    t_launch_min: FloatArray,
    table: FlyoutTable,
    env: Envelope,
) -> tuple[BoolArray, FloatArray]:
    """Feasibility mask and flyout time at given times/points (all arrays broadcast)."""
    T = flyout_time(table, rho, h - h_site)
    with np.errstate(invalid="ignore"):
        ok = (
            np.isfinite(T)
            & (T <= env.max_flyout_time_s)
            & (h >= env.min_altitude_m)
            & (h <= env.max_altitude_m)
            & (rho >= env.min_range_m)
            & (rho <= env.max_range_m)
            & (t - T >= t_launch_min)
        )
    return ok, T


def pip_kernel(
    t: FloatArray,
    rho: FloatArray,
    h: FloatArray,
    h_site: FloatArray,
    t_launch_min: FloatArray,
    table: FlyoutTable,
    env: Envelope,
    t_tol_s: float = 1e-3,
    refine_latest: bool = True,
) -> dict[str, FloatArray]:
    """Earliest/latest feasible intercept on sampled range and altitude histories.

    Parameters
    ----------
    t : (k,)
        Sample times [s].
    rho : (m, b, k)
        Ground range of the predicted point from each battery [m].
    h : (m, 1 or b, k)
        Geodetic altitude of the predicted point [m].
    h_site : (1 or m, b, 1)
        Battery altitudes [m] (the table is in altitude above the launcher).
    t_launch_min : (m or 1, b, 1)
        Earliest launch time [s].
    table, env
        Flyout table and envelope of the interceptor type.
    t_tol_s : float
        Time resolution of the refinement [s].
    refine_latest : bool
        Refine the latest intercept too (else it is the last feasible sample: callers that
        plan on the earliest intercept save half the work).

    Returns
    -------
    dict of (m, b) arrays
        ``feasible``, ``k_e``/``w_e`` and ``k_l``/``w_l`` (sample interval index and fraction
        of the earliest and latest feasible point: time ``t[k] + w (t[k+1] - t[k])``),
        ``t_e``, ``t_l``, ``T_e``, ``T_l``.
    """
    ok, _ = _feasible(t, rho, h, h_site, t_launch_min, table, env)
    m, b, k = ok.shape
    feasible = ok.any(axis=-1)
    first = np.argmax(ok, axis=-1)
    last = k - 1 - np.argmax(ok[..., ::-1], axis=-1)
    n_iter = _n_iter(t, t_tol_s)
    hb = np.broadcast_to(h, (m, b, k))
    hs = np.broadcast_to(h_site, (m, b, 1))[..., 0]
    tl = np.broadcast_to(t_launch_min, (m, b, 1))[..., 0]

    def interval(idx: NDArray[np.intp]) -> tuple[FloatArray, ...]:
        i0 = np.clip(idx, 0, k - 2)[..., None]
        i1 = i0 + 1
        take = np.take_along_axis
        return (
            t[i0[..., 0]], t[i1[..., 0]],
            take(rho, i0, -1)[..., 0], take(rho, i1, -1)[..., 0],
            take(hb, i0, -1)[..., 0], take(hb, i1, -1)[..., 0],
        )  # fmt: skip

    def at(w: FloatArray, iv: tuple[FloatArray, ...]) -> tuple[FloatArray, BoolArray, FloatArray]:
        ta, tb, ra, rb, ha, hb_ = iv
        tt = ta + w * (tb - ta)
        okw, Tw = _feasible(tt, ra + w * (rb - ra), ha + w * (hb_ - ha), hs, tl, table, env)
        return tt, okw, Tw

    # Earliest: bracket [first-1 (infeasible), first (feasible)], keep the feasible end.
    need_e = feasible & (first > 0)
    iv_e = interval(first - 1)
    lo = np.zeros((m, b))
    hi = np.ones((m, b))
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        _, okm, _ = at(mid, iv_e)
        hi = np.where(okm, mid, hi)
        lo = np.where(okm, lo, mid)
    k_e = np.where(need_e, first - 1, np.minimum(first, k - 2))
    w_e = np.where(need_e, hi, np.where(first > k - 2, 1.0, 0.0))
    # Latest: bracket [last (feasible), last+1 (infeasible)], keep the feasible end.
    need_l = feasible & (last < k - 1)
    iv_l = interval(last)
    lo = np.zeros((m, b))
    hi = np.ones((m, b))
    for _ in range(n_iter if refine_latest else 0):
        mid = 0.5 * (lo + hi)
        _, okm, _ = at(mid, iv_l)
        lo = np.where(okm, mid, lo)
        hi = np.where(okm, hi, mid)
    k_l = np.where(need_l, last, np.minimum(last, k - 2))
    w_l = np.where(need_l, lo, np.where(last > k - 2, 1.0, 0.0))
    t_e, _, T_e = at(w_e, interval(k_e))
    t_l, _, T_l = at(w_l, interval(k_l))
    nan = np.nan
    return {
        "feasible": feasible,
        "k_e": k_e,
        "w_e": w_e,
        "k_l": k_l,
        "w_l": w_l,
        "t_e": np.where(feasible, t_e, nan),
        "t_l": np.where(feasible, t_l, nan),
        "T_e": np.where(feasible, T_e, nan),
        "T_l": np.where(feasible, T_l, nan),
    }


def _interp_points(r: FloatArray, k: NDArray[np.intp], w: FloatArray) -> FloatArray:
    """Positions (m, b, 3) linear between samples k and k+1 of r (m, K, 3) at fraction w."""
    m = r.shape[0]
    ii = np.arange(m)[:, None]
    a = r[ii, k]
    c = r[ii, k + 1]
    return a + w[..., None] * (c - a)


def _n_iter(t: FloatArray, t_tol_s: float) -> int:
    """Bisection steps to resolve the widest sample interval to ``t_tol_s``."""
    dt_max = float(np.max(np.diff(t)))
    return max(1, math.ceil(math.log2(max(dt_max / t_tol_s, 2.0))))


@numba.njit(cache=True, nogil=True)
def _max_step(t: FloatArray) -> float:  # pragma: no cover - compiled
    """``np.max(np.diff(t))`` [s] of finite sample times ``t`` (k >= 2,)."""
    best = t[1] - t[0]
    for q in range(2, t.shape[0]):
        dt = t[q] - t[q - 1]
        if dt > best:
            best = dt
    return best


@numba.njit(cache=True, nogil=True)
def _all_finite(x: FloatArray) -> bool:  # pragma: no cover - compiled
    """``np.all(np.isfinite(x))`` of a 1-D array."""
    for v in x:
        if not math.isfinite(v):
            return False
    return True


@numba.njit(cache=True, nogil=True)
def _any_nan(x: FloatArray) -> bool:  # pragma: no cover - compiled
    """``np.any(np.isnan(x))`` of a 1-D array."""
    for v in x:
        if math.isnan(v):
            return True
    return False


#: Unit site vectors (b, 3) by the sites' bytes (a campaign's few launchers; bounded).
_U_SITES: dict[bytes, FloatArray] = {}
#: The kernel's flyout values and scalar parameters by (table, envelope) identity (the
#: objects are kept with them, so the identities stay theirs).
_TABLE_PAR: dict[tuple[int, int], tuple[object, object, FloatArray, FloatArray]] = {}


def _unit_sites(sites: FloatArray) -> FloatArray:
    """``sites / |sites|`` (b, 3), numpy's ``np.linalg.norm`` (cached by value; callers
    only read it)."""
    key = sites.tobytes()
    u = _U_SITES.get(key)
    if u is None:
        u = np.ascontiguousarray(sites / np.linalg.norm(sites, axis=-1, keepdims=True))
        if len(_U_SITES) >= 256:
            _U_SITES.clear()
        _U_SITES[key] = u
    return u


def _kernel_table(table: FlyoutTable, env: Envelope) -> tuple[FloatArray, FloatArray]:
    """The flyout times (nr, na) [s] and the scalar parameters (9,) (see ``_P_*``) of
    :func:`_pip_pairs_kernel` for ``table`` and ``env`` (built once per pair of objects;
    tables and envelopes are not changed once built)."""
    key = (id(table), id(env))
    hit = _TABLE_PAR.get(key)
    if hit is not None and hit[0] is table and hit[1] is env:
        return hit[2], hit[3]
    rg, hg = table.range_grid_m, table.altitude_grid_m
    par = np.array(
        [
            rg[0], rg[1] - rg[0], hg[0], hg[1] - hg[0],
            env.max_flyout_time_s, env.min_altitude_m, env.max_altitude_m,
            env.min_range_m, env.max_range_m,
        ],
        dtype=np.float64,
    )  # fmt: skip
    values = np.ascontiguousarray(table.time_s, dtype=np.float64)
    if len(_TABLE_PAR) >= 64:
        _TABLE_PAR.clear()
    _TABLE_PAR[key] = (table, env, values, par)
    return values, par


# Scalar parameters of the compiled kernel (flyout grid and envelope), in this order.
_P_R0, _P_DR, _P_H0, _P_DH, _P_TMAX, _P_HMIN, _P_HMAX, _P_RMIN, _P_RMAX = range(9)


@numba.njit(cache=True, nogil=True)
def _bilinear1(
    values: FloatArray, r0: float, dr: float, h0: float, dh: float, rho: float, h: float
) -> float:  # pragma: no cover - compiled
    """One point of :func:`hoplon.weapons.flyout.flyout_time` (same arithmetic as its
    ``_bilinear_kernel``): bilinear in ``values``, NaN outside the grid."""
    nr, na = values.shape
    fx = (rho - r0) / dr
    fy = (h - h0) / dh
    if not (fx >= 0.0 and fx <= nr - 1 and fy >= 0.0 and fy <= na - 1):
        return np.nan
    i = min(int(fx), nr - 2)  # fx >= 0: truncation is the floor
    j = min(int(fy), na - 2)
    wx = fx - i
    wy = fy - j
    return (
        values[i, j] * (1 - wx) * (1 - wy)
        + values[i + 1, j] * wx * (1 - wy)
        + values[i, j + 1] * (1 - wx) * wy
        + values[i + 1, j + 1] * wx * wy
    )


@numba.njit(cache=True, nogil=True)
def _ground_range1(
    x: float, y: float, z: float, ux: float, uy: float, uz: float
) -> float:  # pragma: no cover - compiled
    """:func:`ground_range_m` of one point ``(x, y, z)`` from the unit site vector ``u``."""
    n = math.sqrt(x * x + y * y + z * z)
    c = (x / n) * ux + (y / n) * uy + (z / n) * uz
    if c > 1.0:
        c = 1.0
    elif c < -1.0:
        c = -1.0
    s2 = 1.0 - c * c
    if s2 < 0.0:
        s2 = 0.0
    return R_EARTH_MEAN_M * math.atan2(math.sqrt(s2), c)


@numba.njit(cache=True, nogil=True)
def _feasible1(
    t: float, rho: float, h: float, h_site: float, t_launch_min: float,
    values: FloatArray, par: FloatArray,
) -> bool:  # pragma: no cover - compiled  # fmt: skip
    """:func:`_feasible` at one point (the envelope first: the table only when inside)."""
    if not (
        h >= par[_P_HMIN] and h <= par[_P_HMAX] and rho >= par[_P_RMIN] and rho <= par[_P_RMAX]
    ):
        return False
    T = _bilinear1(values, par[_P_R0], par[_P_DR], par[_P_H0], par[_P_DH], rho, h - h_site)
    return math.isfinite(T) and T <= par[_P_TMAX] and t - T >= t_launch_min


@numba.njit(cache=True, nogil=True)
def _bisect1(
    ta: float, tb: float, ra: float, rb: float, ha: float, hb: float, hs: float, tl: float,
    values: FloatArray, par: FloatArray, n_iter: int, rising: bool,
) -> float:  # pragma: no cover - compiled  # fmt: skip
    """Fraction ``w`` of the interval (time ``ta..tb``, ground range ``ra..rb``, altitude
    ``ha..hb``) where feasibility changes, by ``n_iter`` bisections, keeping the feasible
    end: the interval starts infeasible and ends feasible (``rising``), or the reverse."""
    lo = 0.0
    hi = 1.0
    for _ in range(n_iter):
        mid = 0.5 * (lo + hi)
        ok = _feasible1(
            ta + mid * (tb - ta), ra + mid * (rb - ra), ha + mid * (hb - ha), hs, tl, values, par
        )
        if ok == rising:
            hi = mid
        else:
            lo = mid
    return hi if rising else lo


# States of a sample's altitude in the lazy kernel (per threat row): not looked at, surely
# outside the altitude band, perhaps inside (not computed), computed (in the row cache).
_H_UNKNOWN, _H_OUT, _H_MAYBE, _H_KNOWN = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True)
def _alt_lazy(
    r: FloatArray, i: int, q: int, hc: FloatArray, state: NDArray[np.int8], a: float, b: float
) -> float:  # pragma: no cover - compiled
    """Geodetic altitude of ``r[i, q]`` (``ecef_to_geodetic``'s, bit for bit), computed on
    first use and kept in the row cache ``hc``."""
    if state[q] != _H_KNOWN:
        hc[q] = _geodetic_altitude(r[i, q, 0], r[i, q, 1], r[i, q, 2], a, b)
        state[q] = _H_KNOWN
    return hc[q]


@numba.njit(cache=True, nogil=True)
def _band_bounds(
    x: float, y: float, z: float, a: float, b: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """Lower and upper bounds ``(lo, hi)`` on the geodetic altitude ``h`` of ``(x, y, z)``
    on the ellipsoid of semi-axes ``a >= b``:

    - always ``n - a <= h <= n - b`` (``n = |r|``; inside or outside the ellipsoid);
    - outside the ellipsoid, with ``S`` the surface point on the ray to ``r`` (radius
      ``rho``) and ``d = n - rho >= 0``: ``d c <= h <= d``, ``h`` being the distance to the
      nearest surface point: at most ``|r - S| = d``, at least the distance ``d c`` to the
      tangent plane at ``S`` (the ellipsoid lies behind it; ``c`` is the cosine between
      the ray and the normal at ``S``, ``> 0.99999``).

    Both are bounds on the signed distance ``D`` to the surface too (positive outside; the
    ellipsoid lies between the spheres of radii ``b`` and ``a``), with ``h <= D`` (equal
    outside). NaN for a NaN point."""
    xy2 = x * x + y * y
    z2 = z * z
    n = math.sqrt(xy2 + z2)
    ia2 = 1.0 / (a * a)
    ib2 = 1.0 / (b * b)
    g = xy2 * ia2 + z2 * ib2  # (n / rho)^2
    if not g > 0.0:  # the centre, or NaN
        return n - a, n - b
    d = n - n / math.sqrt(g)
    if d >= 0.0:  # outside (not NaN)
        c = g / (n * math.sqrt(xy2 * (ia2 * ia2) + z2 * (ib2 * ib2)))
        return d * c, d
    return n - a, n - b


@numba.njit(cache=True, nogil=True)
def _maybe_in_band(
    x: float, y: float, z: float, a: float, b: float, lo: float, hi: float
) -> bool:  # pragma: no cover - compiled
    """False when the geodetic altitude ``h`` of ``(x, y, z)`` is surely outside ``[lo, hi]``
    (the band widened by a margin for rounding), from the bounds of :func:`_band_bounds`.

    False for a non-finite point (its altitude is NaN or infinite, outside the band too)."""
    h_lo, h_hi = _band_bounds(x, y, z, a, b)
    return h_hi >= lo and h_lo <= hi


#: Bound [m] on the rounding error of :func:`_ground_range1` against ``R_mean`` times the exact
#: angle between the point and the site (at most about 0.4 m, near angles 0 and pi where
#: ``sqrt(1 - c^2)`` magnifies the error of ``c``; ~1e-8 m elsewhere), with ample room.
_RHO_ERR_M = 4.0


@numba.njit(cache=True, nogil=True)
def _last_finite(r: FloatArray, i: int) -> int:  # pragma: no cover - compiled
    """Index of the last sample of row ``i`` of ``r`` (m, k, 3) with finite coordinates (-1
    if none): the later ones have NaN (or infinite) ground ranges or altitudes, and fail
    every test of the scans."""
    q = r.shape[1] - 1
    while q >= 0 and not (
        math.isfinite(r[i, q, 0]) and math.isfinite(r[i, q, 1]) and math.isfinite(r[i, q, 2])
    ):
        q -= 1
    return q


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _row_steps(r: FloatArray, i: int, last: int) -> tuple[float, float]:  # pragma: no cover
    """Upper bounds [m] on the change of the ground range (from any site) and on the distance
    between consecutive samples ``0..last`` of row ``i`` of ``r``, ``inf`` where none is
    known (a non-finite sample among them, the centre of the Earth, overflow).

    The distance bound is the largest chord ``|p - p'|``. For points ``p, p'`` with unit
    vectors ``u, u'``, ``|u - u'| <= |p - p'| / min(|p|, |p'|)`` (the point at ``|p|`` on
    the ray of ``p'`` is nearer to ``p`` than ``p'`` is), and the angle between them is
    ``2 asin(|u - u'| / 2)``. The angle to a site changes by at most the angle between the
    points (triangle inequality on the sphere), so the exact ground range
    ``R_mean * angle`` changes by at most ``R_mean * 2 asin(x / 2)`` per step, with ``x``
    the largest chord over the smallest norm of the row (at most 1 here: ``asin`` is well
    conditioned). The factors ``1 + 1e-9`` cover the rounding of the chords, ``x`` and
    ``asin``."""
    if last < 1:
        return math.inf, math.inf
    px = r[i, 0, 0]
    py = r[i, 0, 1]
    pz = r[i, 0, 2]
    n2min = px * px + py * py + pz * pz
    c2max = 0.0
    n2sum = n2min  # NaN or inf if any coordinate is (or on overflow)
    for q in range(1, last + 1):
        x = r[i, q, 0]
        y = r[i, q, 1]
        z = r[i, q, 2]
        dx = x - px
        dy = y - py
        dz = z - pz
        n2 = x * x + y * y + z * z
        c2max = max(c2max, dx * dx + dy * dy + dz * dz)
        n2min = min(n2min, n2)
        n2sum += n2
        px = x
        py = y
        pz = z
    if not math.isfinite(n2sum):
        return math.inf, math.inf
    chord = math.sqrt(c2max) * (1.0 + 1e-9)
    if not (chord < math.inf):  # overflow
        return math.inf, math.inf
    ratio = math.sqrt(c2max / n2min)
    if not (ratio <= 1.0):  # steps over 60 deg (asin ill-conditioned), the centre, overflow
        return math.inf, chord
    return R_EARTH_MEAN_M * (2.0 * math.asin(0.5 * ratio)) * (1.0 + 1e-9), chord


#: Margin [m] of the altitude skips for the rounding of the bounds of :func:`_band_bounds`
#: and of the altitudes (both ~1e-8 m).
_H_SKIP_M = 2.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _n_out_of_band(
    h_lo: float, h_hi: float, h_min: float, h_max: float, chord: float, rem: int
) -> int:  # pragma: no cover - compiled
    """How many of the next (at most ``rem``) samples surely have altitudes outside
    ``[h_min, h_max]``, from the bounds ``h_lo, h_hi`` (:func:`_band_bounds`) of a sample's
    altitude and the bound ``chord`` on the distance between consecutive samples
    (:func:`_row_steps`).

    The signed distance ``D`` to the ellipsoid is 1-Lipschitz: ``p`` samples on,
    ``|D' - D| <= p chord``. Below: ``h' <= D' <= h_hi + p chord < h_min`` while
    ``h_min - h_hi - margin >= p chord``. Above: ``D' >= h_lo - p chord > max(h_max, 0)``
    puts the point outside, where ``h' = D' > h_max``. 0 for NaN or bounds in the band."""
    if h_hi < h_min:
        ex = h_min - h_hi
    elif h_lo > h_max:
        ex = h_lo - max(h_max, 0.0)
    else:
        return 0
    pf = (ex - _H_SKIP_M) / chord
    if not (pf >= 1.0):
        return 0
    if pf >= rem:
        return rem
    return int(pf)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _n_out_of_range(
    rho: float, rho_min: float, rho_max: float, step: float, rem: int
) -> int:  # pragma: no cover - compiled
    """How many of the next (at most ``rem``) samples surely have ground ranges outside
    ``[rho_min, rho_max]`` too, from the ground range ``rho`` (:func:`_ground_range1`,
    outside) of a sample and the bound ``step`` (:func:`_row_step_bound`).

    Sample ``q + p`` is ``p`` steps away: its exact range is within ``p * step`` of this
    one's, and each computed range is within ``_RHO_ERR_M`` of the exact one, so its
    computed range is above ``rho_max`` (below ``rho_min``) while
    ``rho - 2 _RHO_ERR_M - p step > rho_max`` (``rho + 2 _RHO_ERR_M + p step < rho_min``).
    0 for NaN."""
    if rho > rho_max:
        ex = rho - rho_max
    else:
        ex = rho_min - rho
    pf = (ex - 2.0 * _RHO_ERR_M) / step
    if not (pf >= 1.0):
        return 0
    if pf >= rem:
        return rem
    return int(pf)


#: Margin [m] on the bounds of :func:`_band_bounds` for the rounding of the bounds and of the
#: altitudes (both ~1e-8 m), as the scans' band.
_H_BOUND_M = 1.0


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _surely_late(
    t: float, rho: float, h_lo: float, h_hi: float, h_site: float, t_launch_min: float,
    values: FloatArray, par: FloatArray,
) -> bool:  # pragma: no cover - compiled  # fmt: skip
    """True when :func:`_feasible1` surely rejects the point at time ``t``, ground range
    ``rho`` and any altitude ``h`` in ``[h_lo, h_hi]`` (bounds on the computed altitude), by
    the flyout time alone: outside the table's ranges, or a flyout time over ``T_max`` or
    too long to launch after ``t_launch_min``. False when unsure (then test exactly).

    ``rho`` is the tested one: same ``fx``, cell ``i`` and ``wx``. The altitude enters by
    ``fy = ((h - h_site) - h0) / dh``, non-decreasing in ``h`` (rounding is monotone), so
    ``fy`` of ``h`` lies between those of the bounds; when both are in one table cell,
    ``wy`` does too, and the computed bilinear value is within ``6.1 u S`` (``u = 2^-53``,
    ``S`` the sum of the cell's ``|values|``) of the exact one, linear in ``wy``: the
    flyout time at ``h`` is at least the smaller one at the bounds less ``1e-12 S``. A
    larger lower bound gives a smaller ``t - T`` (monotone rounding again)."""
    nr, na = values.shape
    fx = (rho - par[_P_R0]) / par[_P_DR]
    if not (fx >= 0.0 and fx <= nr - 1):
        return True  # NaN flyout time whatever the altitude
    h0 = par[_P_H0]
    dh = par[_P_DH]
    fy_lo = ((h_lo - h_site) - h0) / dh
    fy_hi = ((h_hi - h_site) - h0) / dh
    if not (fy_lo >= 0.0 and fy_hi <= na - 1):
        return False
    if min(int(fy_lo), na - 2) != min(int(fy_hi), na - 2):
        return False
    i = min(int(fx), nr - 2)
    j = min(int(fy_lo), na - 2)
    s = (
        abs(values[i, j])
        + abs(values[i + 1, j])
        + abs(values[i, j + 1])
        + abs(values[i + 1, j + 1])
    )
    T_lo = _bilinear1(values, par[_P_R0], par[_P_DR], h0, dh, rho, h_lo - h_site)
    T_hi = _bilinear1(values, par[_P_R0], par[_P_DR], h0, dh, rho, h_hi - h_site)
    T_min = min(T_lo, T_hi) - 1e-12 * s  # NaN (NaN or infinite values): unsure
    return T_min > par[_P_TMAX] or t - T_min < t_launch_min


@numba.njit(cache=True, nogil=True)
def _scan1(
    t: FloatArray, r: FloatArray, h: FloatArray, i: int, q0: int, q1: int, d: int,
    ux: float, uy: float, uz: float, hs: float, tl: float, values: FloatArray,
    par: FloatArray, lazy: bool, hc: FloatArray, hbd: FloatArray, state: NDArray[np.int8],
    a_ell: float,
    b_ell: float, band_lo: float, band_hi: float, step: float, chord: float,
) -> int:  # pragma: no cover - compiled  # fmt: skip
    """The first feasible sample of row ``i`` among ``q0, q0 + d, ..`` (``d = +-1``), before
    ``q1``; -1 if none.

    Each sample is tested as :func:`_feasible1` does, the cheap tests first, each only
    rejecting samples that it would reject: (lazy) the bounds on the altitude
    (:func:`_maybe_in_band`), the ground range, the altitude; the samples after one out of
    the range band that are surely out too (:func:`_n_out_of_range`) are skipped."""
    h_min = par[_P_HMIN]
    h_max = par[_P_HMAX]
    rho_min = par[_P_RMIN]
    rho_max = par[_P_RMAX]
    q = q0
    while q != q1:
        if lazy:
            sq = state[q]
            if sq == _H_OUT:
                q += d
                continue
            if sq == _H_UNKNOWN:
                h_lo, h_hi = _band_bounds(r[i, q, 0], r[i, q, 1], r[i, q, 2], a_ell, b_ell)
                if not (h_hi >= band_lo and h_lo <= band_hi):  # _maybe_in_band
                    state[q] = _H_OUT
                    rem = (q1 - q) * d - 1  # samples left after q
                    q += d * (1 + _n_out_of_band(h_lo, h_hi, h_min, h_max, chord, rem))
                    continue
                state[q] = _H_MAYBE
                hbd[q, 0] = h_lo - _H_BOUND_M
                hbd[q, 1] = h_hi + _H_BOUND_M
        else:
            hq = h[i, q]
            if not (hq >= h_min and hq <= h_max):
                q += d
                continue
        rq = _ground_range1(r[i, q, 0], r[i, q, 1], r[i, q, 2], ux, uy, uz)
        if not (rq >= rho_min and rq <= rho_max):
            rem = (q1 - q) * d - 1  # samples left after q
            q += d * (1 + _n_out_of_range(rq, rho_min, rho_max, step, rem))
            continue
        if lazy:
            if state[q] != _H_KNOWN and _surely_late(
                t[q], rq, hbd[q, 0], hbd[q, 1], hs, tl, values, par
            ):
                q += d
                continue
            hq = _alt_lazy(r, i, q, hc, state, a_ell, b_ell)
            if not (hq >= h_min and hq <= h_max):
                q += d
                continue
        if _feasible1(t[q], rq, hq, hs, tl, values, par):
            return q
        q += d
    return -1


@numba.njit(cache=True, nogil=True)
def _pip_rows_kernel(
    t: FloatArray,
    r: FloatArray,
    rows: IntArray,
    h: FloatArray,
    u_site: FloatArray,
    h_site: FloatArray,
    t_launch_min: FloatArray,
    values: FloatArray,
    par: FloatArray,
    n_iter: int,
    refine_latest: bool,
    lazy: bool = False,
    a_ell: float = 0.0,
    b_ell: float = 0.0,
) -> tuple[FloatArray, ...]:  # pragma: no cover - compiled
    """:func:`_pip_pairs_kernel` on the rows ``rows`` of ``r`` (and ``h``): output row ``i`` is
    the solution of path row ``rows[i]``.

    Parameters
    ----------
    t : (k,)
        Sample times [s].
    r : (m, k, 3)
        Predicted positions [m] (NaN: no prediction).
    h : (m, k)
        Their geodetic altitudes [m] (not read when ``lazy``).
    u_site : (b, 3)
        Unit vectors of the sites.
    h_site : (b,)
        Site altitudes [m].
    t_launch_min : (m, b)
        Earliest launch times [s].
    values : (nr, na)
        Flyout times of the table [s].
    par : (9,)
        Table grid ``r0, dr, h0, dh`` and envelope ``T_max, h_min, h_max, rho_min, rho_max``.
    n_iter : int
        Bisection steps.
    refine_latest : bool
        Bisect the latest intercept too.
    lazy : bool
        Compute the altitudes here, only where read (the scans skip the samples surely
        outside the altitude band by :func:`_maybe_in_band` and :func:`_n_out_of_band`, or
        outside the range band, and those surely too late by :func:`_surely_late`), on the
        ellipsoid of semi-axes ``a_ell, b_ell`` [m]: the same values bit for bit, so the
        same results. Either way the scans (:func:`_scan1`) stop at the row's last finite
        sample and skip the samples surely outside the range band (:func:`_n_out_of_range`).

    Returns
    -------
    feasible (m, b) bool, t_e, t_l, T_e, T_l, rho_e, h_e (m, b), r_e, r_l (m, b, 3)
        NaN where not feasible.
    """
    m = rows.shape[0]
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
    hbd = np.empty((k if lazy else 0, 2))  # bounds on them (_H_MAYBE, _H_KNOWN)
    state = np.zeros(k if lazy else 0, dtype=np.int8)
    # the band with a margin for the rounding of the bounds and of the altitudes (lazy)
    band_lo = h_min - 1.0
    band_hi = h_max + 1.0
    for i in range(m):
        ri = rows[i]
        if lazy:
            state[:] = _H_UNKNOWN
        last_fin = _last_finite(r, ri)
        step, chord = _row_steps(r, ri, last_fin)
        for j in range(b):
            ux = u_site[j, 0]
            uy = u_site[j, 1]
            uz = u_site[j, 2]
            hs = h_site[j]
            tl = t_launch_min[i, j]
            # first and last feasible samples (none after the row's last finite sample)
            first = _scan1(
                t, r, h, ri, 0, last_fin + 1, 1, ux, uy, uz, hs, tl, values, par, lazy,
                hc, hbd, state, a_ell, b_ell, band_lo, band_hi, step, chord,
            )  # fmt: skip
            if first < 0:
                continue
            last = _scan1(
                t, r, h, ri, last_fin, first, -1, ux, uy, uz, hs, tl, values, par, lazy,
                hc, hbd, state, a_ell, b_ell, band_lo, band_hi, step, chord,
            )  # fmt: skip
            if last < 0:
                last = first
            feasible[i, j] = True
            # earliest: bracket [first-1 (infeasible), first (feasible)], keep the feasible end
            if first > 0:
                k_e = first - 1
                ta, tb = t[k_e], t[k_e + 1]
                ra = _ground_range1(r[ri, k_e, 0], r[ri, k_e, 1], r[ri, k_e, 2], ux, uy, uz)
                rb = _ground_range1(r[ri, first, 0], r[ri, first, 1], r[ri, first, 2], ux, uy, uz)
                if lazy:
                    ha = _alt_lazy(r, ri, k_e, hc, state, a_ell, b_ell)
                    hb = _alt_lazy(r, ri, k_e + 1, hc, state, a_ell, b_ell)
                else:
                    ha, hb = h[ri, k_e], h[ri, k_e + 1]
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
                    ra = _ground_range1(r[ri, k_l, 0], r[ri, k_l, 1], r[ri, k_l, 2], ux, uy, uz)
                    rb = _ground_range1(
                        r[ri, k_l + 1, 0], r[ri, k_l + 1, 1], r[ri, k_l + 1, 2], ux, uy, uz
                    )
                    if lazy:
                        ha = _alt_lazy(r, ri, k_l, hc, state, a_ell, b_ell)
                        hb = _alt_lazy(r, ri, k_l + 1, hc, state, a_ell, b_ell)
                    else:
                        ha, hb = h[ri, k_l], h[ri, k_l + 1]
                    w_l = _bisect1(ta, tb, ra, rb, ha, hb, hs, tl, values, par, n_iter, False)
            else:
                k_l = k - 2
                w_l = 1.0
            # the points: linear between the samples of the interval
            for which in range(2):
                kk = k_e if which == 0 else k_l
                w = w_e if which == 0 else w_l
                ta, tb = t[kk], t[kk + 1]
                ra = _ground_range1(r[ri, kk, 0], r[ri, kk, 1], r[ri, kk, 2], ux, uy, uz)
                rb = _ground_range1(
                    r[ri, kk + 1, 0], r[ri, kk + 1, 1], r[ri, kk + 1, 2], ux, uy, uz
                )
                if lazy:
                    ha = _alt_lazy(r, ri, kk, hc, state, a_ell, b_ell)
                    hb = _alt_lazy(r, ri, kk + 1, hc, state, a_ell, b_ell)
                else:
                    ha, hb = h[ri, kk], h[ri, kk + 1]
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
                        a = r[ri, kk, c]
                        r_e[i, j, c] = a + w * (r[ri, kk + 1, c] - a)
                else:
                    t_l[i, j] = tt
                    T_l[i, j] = T
                    for c in range(3):
                        a = r[ri, kk, c]
                        r_l[i, j, c] = a + w * (r[ri, kk + 1, c] - a)
    return feasible, t_e, t_l, T_e, T_l, rho_e, h_e, r_e, r_l


@numba.njit(cache=True, nogil=True)
def _pip_pairs_kernel(
    t: FloatArray,
    r: FloatArray,
    h: FloatArray,
    u_site: FloatArray,
    h_site: FloatArray,
    t_launch_min: FloatArray,
    values: FloatArray,
    par: FloatArray,
    n_iter: int,
    refine_latest: bool,
    lazy: bool = False,
    a_ell: float = 0.0,
    b_ell: float = 0.0,
) -> tuple[FloatArray, ...]:  # pragma: no cover - compiled
    """:func:`pip_kernel` and the intercept points of :func:`solve_pip`, pair by pair, on
    every row of ``r`` (see :func:`_pip_rows_kernel` for the parameters and returns)."""
    return _pip_rows_kernel(
        t, r, np.arange(r.shape[0]), h, u_site, h_site, t_launch_min, values, par, n_iter,
        refine_latest, lazy, a_ell, b_ell,
    )  # fmt: skip


def _prepare(
    path: ThreatPath,
    site_ecef: ArrayLike,
    t_launch_min_s: ArrayLike,
    site_alt_m: ArrayLike | None,
    t_tol_s: float,
    altitudes: bool = True,
    m: int | None = None,
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray | None]:
    """Checked inputs of :func:`solve_pip`: sites (b, 3), site altitudes (b,), launch
    minima (m, b) and the path's altitudes (m, k) (None when the path has none and not
    ``altitudes``)."""
    sites = np.atleast_2d(np.asarray(site_ecef, dtype=np.float64))
    if sites.ndim != 2 or sites.shape[1] != 3 or not _all_finite(sites.reshape(-1)):
        raise InputError("site_ecef", f"must be finite with shape (b, 3), got {sites.shape}")
    if not (math.isfinite(t_tol_s) and t_tol_s > 0):
        raise InputError("t_tol_s", f"must be positive, got {t_tol_s}")
    b = sites.shape[0]
    if m is None:
        m = path.r_ecef.shape[0]
    if site_alt_m is None:
        site_alt = ecef_to_geodetic(sites)[2]
    else:
        site_alt = np.asarray(site_alt_m, dtype=np.float64)
        if site_alt.shape != (b,):
            site_alt = np.broadcast_to(site_alt, (b,))
    tlm = np.asarray(t_launch_min_s, dtype=np.float64)
    if tlm.shape != (m, b):
        try:
            tlm = np.broadcast_to(tlm, (m, b))
        except ValueError:
            raise InputError(
                "t_launch_min_s", f"must broadcast to ({m}, {b}), got {tlm.shape}"
            ) from None
    if _any_nan(np.ascontiguousarray(tlm).reshape(-1)):
        raise InputError("t_launch_min_s", "must not be NaN (use inf for 'cannot launch')")
    r = path.r_ecef
    h = path.altitude_m
    if h is None and altitudes:
        h = ecef_to_geodetic(r)[2]
    return sites, site_alt, tlm, h


def solve_pip(
    path: ThreatPath,
    site_ecef: ArrayLike,
    table: FlyoutTable,
    envelope: Envelope,
    t_launch_min_s: ArrayLike,
    *,
    site_alt_m: ArrayLike | None = None,
    t_tol_s: float = 1e-3,
    refine_latest: bool = True,
    rows: ArrayLike | None = None,
) -> PipSolution:
    """Earliest and latest feasible intercepts of every threat by every battery of one type.

    Parameters
    ----------
    path : ThreatPath
        Predicted threat positions (``m`` threats on ``k`` times) from the tracks.
    site_ecef : (b, 3)
        Launcher positions [m] (all batteries here fire the interceptor type of ``table``).
    table : FlyoutTable
        Flyout table of the type (:func:`hoplon.weapons.flyout.flyout_table`).
    envelope : Envelope
        The type's engagement envelope (``InterceptorType.envelope``).
    t_launch_min_s : float, (b,) or (m, b)
        Earliest possible launch time [s] (now + reaction time, or a battery's next launch).
    site_alt_m : (b,), optional
        Geodetic altitudes of the sites [m] (computed from ``site_ecef`` when omitted).
    t_tol_s : float
        Time resolution of the refinement [s].
    refine_latest : bool
        Also refine the latest intercept (else it is the last feasible sample).
    rows : (m,) int, optional
        Solve only these rows of the path (without copying them out): row ``i`` of the
        solution is path row ``rows[i]``, and ``t_launch_min_s`` has one row per entry.

    Returns
    -------
    PipSolution
        ``(m, b)`` arrays. Each threat's row is computed on its own: the same whatever else
        is in the batch.
    """
    n_paths = path.r_ecef.shape[0]
    if rows is None:
        idx = np.arange(n_paths)
    else:
        idx = np.asarray(rows)
        if idx.ndim != 1 or idx.dtype.kind not in "iu":
            raise InputError("rows", f"must be a 1-D integer array, got {idx.dtype} {idx.shape}")
        if idx.size and (idx.min() < 0 or idx.max() >= n_paths):
            raise InputError("rows", "row index out of range", f"0 <= row < {n_paths}")
        idx = idx.astype(np.int64, copy=False)
    sites, site_alt, tlm, h = _prepare(
        path, site_ecef, t_launch_min_s, site_alt_m, t_tol_s, altitudes=False, m=len(idx)
    )
    t = np.ascontiguousarray(path.t_s)
    values, par = _kernel_table(table, envelope)
    dt_max = _max_step(t)
    n_iter = max(1, math.ceil(math.log2(max(dt_max / t_tol_s, 2.0))))  # as _n_iter
    feas, t_e, t_l, T_e, T_l, rho_e, h_e, r_e, r_l = _pip_rows_kernel(
        t,
        np.ascontiguousarray(path.r_ecef),
        idx,
        np.empty((0, 0)) if h is None else np.ascontiguousarray(h, dtype=np.float64),
        _unit_sites(sites),
        np.ascontiguousarray(site_alt, dtype=np.float64),
        np.ascontiguousarray(tlm),
        values,
        par,
        n_iter,
        bool(refine_latest),
        h is None,
        WGS84.a_m,
        WGS84.b_m,
    )
    return PipSolution(
        feasible=feas,
        t_earliest_s=t_e,
        t_latest_s=t_l,
        t_launch_s=t_e - T_e,
        flyout_s=T_e,
        r_intercept_ecef=r_e,
        t_launch_latest_s=t_l - T_l,
        flyout_latest_s=T_l,
        r_intercept_latest_ecef=r_l,
        ground_range_m=rho_e,
        altitude_m=h_e,
    )


def _solve_pip_numpy(
    path: ThreatPath,
    site_ecef: ArrayLike,
    table: FlyoutTable,
    envelope: Envelope,
    t_launch_min_s: ArrayLike,
    *,
    site_alt_m: ArrayLike | None = None,
    t_tol_s: float = 1e-3,
    refine_latest: bool = True,
) -> PipSolution:
    """:func:`solve_pip` with the array formulation :func:`pip_kernel` (the reference the
    compiled kernel is tested and benchmarked against)."""
    sites, site_alt, tlm, h2d = _prepare(path, site_ecef, t_launch_min_s, site_alt_m, t_tol_s)
    m = len(path)
    b = sites.shape[0]
    r = path.r_ecef
    t = path.t_s
    rho = np.moveaxis(ground_range_m(r, sites), -1, 1)  # (m, b, k)
    h = h2d[:, None, :]
    res = pip_kernel(
        t, rho, h, site_alt[None, :, None], tlm[..., None], table, envelope, t_tol_s,
        refine_latest=refine_latest,
    )  # fmt: skip
    feas = res["feasible"]
    r_e = _interp_points(r, res["k_e"], res["w_e"])
    r_l = _interp_points(r, res["k_l"], res["w_l"])
    r_e = np.where(feas[..., None], r_e, np.nan)
    r_l = np.where(feas[..., None], r_l, np.nan)
    ii = np.arange(m)[:, None]
    jj = np.arange(b)[None, :]
    k_e, w_e = res["k_e"], res["w_e"]
    rho_e = rho[ii, jj, k_e] + w_e * (rho[ii, jj, k_e + 1] - rho[ii, jj, k_e])
    h2 = np.broadcast_to(h, rho.shape)
    h_e = h2[ii, jj, k_e] + w_e * (h2[ii, jj, k_e + 1] - h2[ii, jj, k_e])
    nan = np.nan
    return PipSolution(
        feasible=feas,
        t_earliest_s=res["t_e"],
        t_latest_s=res["t_l"],
        t_launch_s=res["t_e"] - res["T_e"],
        flyout_s=res["T_e"],
        r_intercept_ecef=r_e,
        t_launch_latest_s=res["t_l"] - res["T_l"],
        flyout_latest_s=res["T_l"],
        r_intercept_latest_ecef=r_l,
        ground_range_m=np.where(feas, rho_e, nan),
        altitude_m=np.where(feas, h_e, nan),
    )


def predicted_intercept(
    path: ThreatPath,
    site_ecef: ArrayLike,
    itype: object,
    now_s: float | ArrayLike,
    *,
    table: FlyoutTable | None = None,
    site_alt_m: ArrayLike | None = None,
    t_tol_s: float = 1e-3,
) -> PipSolution:
    """:func:`solve_pip` for an :class:`InterceptorType`, launching no earlier than
    ``now_s + reaction_time_s``, with the type's cached flyout table unless one is given.
    """
    from hoplon.weapons.flyout import flyout_table
    from hoplon.weapons.interceptor import InterceptorType

    if not isinstance(itype, InterceptorType):
        raise InputError("itype", f"must be an InterceptorType, got {type(itype).__name__}")
    tab = flyout_table(itype) if table is None else table
    t_min = np.asarray(now_s, dtype=np.float64) + itype.reaction_time_s
    return solve_pip(
        path, site_ecef, tab, itype.envelope, t_min, site_alt_m=site_alt_m, t_tol_s=t_tol_s
    )
