"""Path predictions and impact beliefs for engagement planning (pure functions on arrays).

A command node predicts each track's path on a common time grid (``PREDICTION_STEP_S``
apart, ``PREDICTION_HORIZON_S`` long): ballistic tracks with the flight kernels (gravity,
drag of a generic re-entry vehicle, rotating Earth), air-breathing tracks (low and slow) on
a great circle at their altitude. From a path and the track's covariance it forms an impact
belief (predicted impact, or closest approach to a defended asset, with a circular error)
for the threat evaluation. Every row is computed on its own (a row's result does not depend
on the other rows of the batch), which the lockstep campaign engine relies on.
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Iterator, Sequence

import numba
import numpy as np

from hoplon.command.threat_evaluation import DefendedAsset, ImpactPredictions
from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import (
    WGS84,
    _geodetic_altitude,
    _geodetic_point,
    ecef_to_geodetic,
    geodetic_to_ecef,
)
from hoplon.earth.geodesy import destination
from hoplon.flight import EarthModel, make_params, propagate
from hoplon.flight import blocked as _bl
from hoplon.flight import integrators as _ig
from hoplon.flight.params import N_PARAMS, validate_cd_table

#: Prediction horizon and step for engagement planning [s].
PREDICTION_HORIZON_S = 1200.0
PREDICTION_STEP_S = 4.0
#: Ballistic coefficient assumed for predicting tracked ballistic objects [kg/m^2].
PREDICTION_BETA_KG_M2 = 5_000.0
#: Tracks below this altitude [m] and speed [m/s] are treated as air-breathing.
AIR_BREATHING_ALT_M = 30_000.0
AIR_BREATHING_SPEED_MPS = 700.0

#: ``propagate``'s defaults, as its kernels are called here.
_MAX_STEPS = np.int64(10_000_000)


@functools.cache
def _flight_inputs() -> tuple[EarthModel, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """What ``propagate`` would build on every call of the prediction: the default Earth
    model, its kernel arrays, the (dummy) Cd table and the parameter row of a predicted
    ballistic object. Built once; the kernels only read them."""
    model = EarthModel()
    env = model.to_array()
    atm = np.ascontiguousarray(model.atmosphere_tables())
    cdt = validate_cd_table(None)
    row = make_params(1, beta_kg_m2=PREDICTION_BETA_KG_M2)[0]
    return model, env, atm, cdt, row


def predict_paths(
    t: float, x: np.ndarray, tx: np.ndarray, *, altitudes: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """Predicted paths of ``n`` tracks from their states ``x`` (n, 6) [m, m/s] (ECEF) at
    times ``tx`` (n,) [s].

    Returns the grid ``t + j*step`` (k,) [s], the positions on it (n, k, 3) [m] (NaN after
    the path ends), the impact time (n,) [s] and impact point (n, 3) [m] (NaN where no
    impact within the horizon) and the geodetic altitudes of the positions (n, k) [m]
    (``None`` unless ``altitudes``; :func:`path_altitudes` gives them later).

    Ballistic tracks: brought to ``t`` with RK4 steps of 1 s, then sampled on the grid by
    RK4 steps of ``step`` (the kernels of ``hoplon.flight.propagate``, called as
    ``propagate`` calls them); an impacting path ends at its last grid sample (the impact
    itself is off the grid). Air-breathing tracks: a great circle at the track's altitude.
    """
    x = np.ascontiguousarray(x, dtype=np.float64)
    tx = np.ascontiguousarray(tx, dtype=np.float64)
    n = len(x)
    if x.shape != (n, 6) or tx.shape != (n,):
        return _predict_paths_numpy(t, x, tx, altitudes=altitudes)
    grid = t + _grid_offsets()
    paths = np.empty((n, grid.size, 3))
    t_imp = np.full(n, np.nan)
    r_imp = np.full((n, 3), np.nan)
    geo = np.empty((3, n))  # lat [rad], lon [rad], h [m]
    air = np.empty(n, dtype=np.bool_)
    _classify(x, WGS84.a_m, WGS84.b_m, AIR_BREATHING_ALT_M, AIR_BREATHING_SPEED_MPS, geo, air)
    # air-breathing: great circle at the track's altitude and horizontal speed (a noisy
    # vertical velocity would otherwise fly the prediction into the ground)
    ia = np.flatnonzero(air)
    if len(ia):
        _great_circles(x, tx, ia, geo, grid, paths)
    bal = np.flatnonzero(~air)
    if len(bal):
        _predict_ballistic(t, x, tx, grid, bal, paths, t_imp, r_imp)
    return grid, paths, t_imp, r_imp, path_altitudes(paths) if altitudes else None


def _predict_paths_numpy(
    t: float, x: np.ndarray, tx: np.ndarray, *, altitudes: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """:func:`predict_paths` with the air-breathing branch as numpy arrays (the reference of
    the compiled :func:`_classify` and :func:`_great_circles`; also taken for inputs of
    unexpected shapes, which fail as they always did)."""
    x = np.asarray(x, dtype=np.float64)
    tx = np.asarray(tx, dtype=np.float64)
    n = len(x)
    grid = t + np.arange(0.0, PREDICTION_HORIZON_S + 1e-9, PREDICTION_STEP_S)
    paths = np.empty((n, grid.size, 3))
    t_imp = np.full(n, np.nan)
    r_imp = np.full((n, 3), np.nan)
    lat, lon, h = ecef_to_geodetic(x[:, :3], WGS84)
    speed = np.linalg.norm(x[:, 3:6], axis=1)
    air = (h < AIR_BREATHING_ALT_M) & (speed < AIR_BREATHING_SPEED_MPS)
    ia = np.nonzero(air)[0]
    if len(ia):
        lat, lon, h = lat[ia], lon[ia], h[ia]
        vx, vy, vz = x[ia, 3], x[ia, 4], x[ia, 5]
        sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
        e = -so * vx + co * vy  # east and north components of the velocity
        n_ = -sl * co * vx - sl * so * vy + cl * vz
        dist = np.hypot(e, n_)[:, None] * (grid[None, :] - tx[ia][:, None])
        la, lo = destination(lat[:, None], lon[:, None], np.arctan2(e, n_)[:, None], dist)
        hh = np.broadcast_to(np.maximum(h, 10.0)[:, None], la.shape)
        paths[ia] = geodetic_to_ecef(la, lo, hh, WGS84)
    bal = np.nonzero(~air)[0]
    if len(bal):
        _predict_ballistic_numpy(t, x[bal], tx[bal], grid, bal, paths, t_imp, r_imp)
    return grid, paths, t_imp, r_imp, path_altitudes(paths) if altitudes else None


@functools.cache
def _grid_offsets() -> np.ndarray:
    """The grid's offsets ``j * step`` from its start [s] (built once, read only)."""
    g = np.arange(0.0, PREDICTION_HORIZON_S + 1e-9, PREDICTION_STEP_S)
    g.setflags(write=False)
    return g


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _classify(x, a, b, alt_max, speed_max, geo, air):  # pragma: no cover - compiled
    """Geodetic latitude, longitude [rad] and altitude [m] of the positions of the states
    ``x`` (n, 6) into the rows of ``geo`` (3, n) (``ecef_to_geodetic``'s, bit for bit) and
    ``air`` (n,): altitude below ``alt_max`` [m] and speed ``sqrt((vx^2 + vy^2) + vz^2)``
    (``np.linalg.norm``'s sum order) below ``speed_max`` [m/s]."""
    for i in range(x.shape[0]):
        la, h = _geodetic_point(x[i, 0], x[i, 1], x[i, 2], a, b)
        geo[0, i] = -la if x[i, 2] < 0.0 else la
        geo[1, i] = math.atan2(x[i, 1], x[i, 0])
        geo[2, i] = h
        v = math.sqrt((x[i, 3] * x[i, 3] + x[i, 4] * x[i, 4]) + x[i, 5] * x[i, 5])
        air[i] = h < alt_max and v < speed_max


def _great_circles(
    x: np.ndarray,
    tx: np.ndarray,
    ia: np.ndarray,
    geo: np.ndarray,
    grid: np.ndarray,
    paths: np.ndarray,
) -> None:
    """Rows ``ia`` of ``paths`` (n, k, 3) [m]: the air-breathing tracks' great circles.

    From the state ``x[i]`` (m, m/s) at ``tx[i]`` [s], at geodetic ``geo[:, i]`` (lat, lon
    [rad], h [m]): the horizontal velocity ``(v_e, v_n)`` [m/s], the azimuth
    ``atan2(v_e, v_n)`` and the distance ``hypot(v_e, v_n) (t_j - tx)`` [m] along the great
    circle of the mean Earth radius (``hoplon.earth.geodesy.destination``), at altitude
    ``max(h, 10 m)`` (``geodetic_to_ecef``). The arithmetic is the numpy formulation's
    (:func:`_predict_paths_numpy`), compiled; its ``arctan2`` calls stay in numpy (whose
    SIMD ``arctan2`` differs from libm's in the last bit)."""
    m, K = len(ia), grid.size
    ven = np.empty((2, m))
    _velocity_en(x, ia, geo, ven)
    az = np.arctan2(ven[0], ven[1])
    xyz = np.empty((4, m, K))
    _great_circle_points(tx, ia, geo, az, ven, grid, R_EARTH_MEAN_M, xyz)
    lat = np.arctan2(xyz[0], xyz[1])
    lon = np.arctan2(xyz[2], xyz[3])
    _great_circle_ecef(ia, geo, lat, lon, WGS84.a_m, WGS84.e2, paths)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _velocity_en(x, ia, geo, ven):  # pragma: no cover - compiled
    """East and north velocity [m/s] of the states ``x[ia]`` at ``geo`` into ``ven`` (2, m):
    ``v_e = -sin(lon) vx + cos(lon) vy``, ``v_n = -sin(lat) cos(lon) vx - sin(lat) sin(lon)
    vy + cos(lat) vz``."""
    for q in range(ia.shape[0]):
        i = ia[q]
        lat = geo[0, i]
        lon = geo[1, i]
        sl, cl, so, co = math.sin(lat), math.cos(lat), math.sin(lon), math.cos(lon)
        vx, vy, vz = x[i, 3], x[i, 4], x[i, 5]
        ven[0, q] = -so * vx + co * vy
        ven[1, q] = -sl * co * vx - sl * so * vy + cl * vz


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _great_circle_points(tx, ia, geo, az, ven, grid, radius, xyz):  # pragma: no cover
    """``destination``'s point before its ``arctan2`` calls: for the start ``geo[:, ia[q]]``,
    azimuth ``az[q]`` [rad] and distance ``hypot(ven[:, q]) (grid - tx[ia[q]])`` [m] on the
    sphere of ``radius`` [m], the unit vector ``p2 = cos(d) p1 + sin(d) t`` (``d`` = distance
    / radius): ``xyz`` (4, m, k) gets ``z2``, ``hypot(x2, y2)``, ``y2``, ``x2``."""
    for q in range(ia.shape[0]):
        i = ia[q]
        p = geo[0, i]
        lo = geo[1, i]
        speed = math.hypot(ven[0, q], ven[1, q])
        t0 = tx[i]
        sp, cp, so, co = math.sin(p), math.cos(p), math.sin(lo), math.cos(lo)
        sa, ca = math.sin(az[q]), math.cos(az[q])
        tx_ = ca * (-sp * co) + sa * (-so)
        ty = ca * (-sp * so) + sa * co
        tz = ca * cp
        for k in range(grid.shape[0]):
            d = speed * (grid[k] - t0) / radius
            sd, cd = math.sin(d), math.cos(d)
            x2 = cd * cp * co + sd * tx_
            y2 = cd * cp * so + sd * ty
            xyz[0, q, k] = cd * sp + sd * tz
            xyz[1, q, k] = math.hypot(x2, y2)
            xyz[2, q, k] = y2
            xyz[3, q, k] = x2


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _great_circle_ecef(ia, geo, lat, lon, a, e2, paths):  # pragma: no cover - compiled
    """Rows ``ia`` of ``paths``: ``geodetic_to_ecef(lat, wrap_pi(lon), max(h, 10))`` [m] of
    the great-circle points ``lat``, ``lon`` (m, k) [rad] at the start altitudes ``geo[2]``;
    ``wrap_pi`` as numpy forms it (``np.mod``: ``fmod`` with the sign fixed)."""
    two_pi = 2.0 * math.pi
    for q in range(ia.shape[0]):
        i = ia[q]
        h = geo[2, i]
        if not (h >= 10.0 or math.isnan(h)):  # np.maximum(h, 10)
            h = 10.0
        for k in range(lat.shape[1]):
            # wrap_pi
            v = lon[q, k] + math.pi
            if 0.0 < v < two_pi:
                md = v  # fmod(v, 2 pi) = v exactly (arctan2's range: always)
            else:
                md = np.fmod(v, two_pi)
                if md != 0.0:
                    if md < 0.0:
                        md += two_pi
                else:
                    md = 0.0
            w = md - math.pi
            lo = w + two_pi if w <= -math.pi else w
            # geodetic_to_ecef
            la = lat[q, k]
            sl, cl = math.sin(la), math.cos(la)
            n = a / math.sqrt(1.0 - e2 * sl * sl)
            rho = (n + h) * cl
            paths[i, k, 0] = rho * math.cos(lo)
            paths[i, k, 1] = rho * math.sin(lo)
            paths[i, k, 2] = (n * (1.0 - e2) + h) * sl


def path_altitudes(paths: np.ndarray) -> np.ndarray:
    """Geodetic altitudes (..., k) [m] of predicted positions (..., k, 3) [m] (NaN where the
    position is NaN; ``ecef_to_geodetic``'s altitude bit for bit)."""
    r = np.ascontiguousarray(paths, dtype=np.float64)
    alt = np.empty(r.shape[:-1])
    _altitudes(r.reshape(-1, 3), WGS84.a_m, WGS84.b_m, alt.reshape(-1))
    return alt


def _predict_ballistic(
    t: float,
    x: np.ndarray,
    tx: np.ndarray,
    grid: np.ndarray,
    rows: np.ndarray,
    paths: np.ndarray,
    t_imp: np.ndarray,
    r_imp: np.ndarray,
) -> None:
    """Ballistic rows ``rows`` of ``predict_paths``'s outputs from the states ``x[rows]``
    (m, m/s) at ``tx[rows]`` [s] (``x`` (n, 6), ``tx`` (n,) C-contiguous).

    What :func:`_predict_ballistic_numpy` does (the same blocked kernels, the same samples),
    with its set-up, checks and stores compiled (:func:`_ballistic_inputs`,
    :func:`_grid_order`, :func:`_grid_store`) and the grid run recording the positions
    straight into ``paths`` (``integrate_batch_blocked_paths``); batches of more than one
    chunk of the blocked kernel, and inputs that ``propagate`` rejects (it raises its usual
    error), go through the former.
    """
    n = len(rows)
    _, env, atm, cdt, row = _flight_inputs()
    y0 = np.empty((n, 7))
    params = np.empty((n, N_PARAMS))
    t0a = np.empty(n)
    t = float(t)
    if n > _bl.CHUNK or not _ballistic_inputs(t, x, tx, rows, row, y0, params, t0a):
        _predict_ballistic_numpy(t, x[rows], tx[rows], grid, rows, paths, t_imp, r_imp)
        return
    tend = np.full(n, t)
    yf, tf, status = np.empty((n, 7)), np.empty(n), np.empty(n, dtype=np.int64)
    ti, yi = np.empty(n), np.empty((n, 7))
    ta, ya = np.empty(n), np.empty((n, 7))
    nsteps = np.zeros(n, dtype=np.int64)
    t_end = float(grid[-1])
    # samples kept: as many as the grid has (every row's span is t_end - t)
    K = min(math.floor((t_end - t) / PREDICTION_STEP_S + 1e-9) + 2, grid.size)
    # one chunk of the blocked kernel runs on one thread anyway: skip the pool
    with _serial(True):
        # bring every state to now (as in propagate for record=False)
        _bl.integrate_batch_blocked(
            y0, params, env, atm, cdt, t0a, tend, 1.0, 0.0, True, _MAX_STEPS,
            yf, tf, status, ti, yi, ta, ya, nsteps,
        )  # fmt: skip
        if not _states_ok(yf):
            # (never: the kernel ends on the last finite state) propagate raises its error
            _predict_ballistic_numpy(t, x[rows], tx[rows], grid, rows, paths, t_imp, r_imp)
            return
        # then sample on the common grid (recording, as in propagate), the positions straight
        # into the rows of paths, the longest flights first (fewer idle lanes at the end; a
        # row's samples do not depend on the order)
        y1, rowmap, alive = np.empty((n, 7)), np.empty(n, dtype=np.int64), np.empty(n, np.bool_)
        _grid_order(yf, rows, status, R_EARTH_MEAN_M, y1, rowmap, alive)
        ts, nsamp = np.empty((n, K)), np.zeros(n, dtype=np.int64)
        _bl.integrate_batch_blocked_paths(
            y1, params, env, atm, cdt, tend, np.full(n, t_end), float(PREDICTION_STEP_S), 0.0,
            True, _MAX_STEPS, rowmap, ts, paths, nsamp, yf, tf, status, ti, yi, ta, ya, nsteps,
        )  # fmt: skip
    _grid_store(t, PREDICTION_STEP_S, rowmap, alive, status, ti, yi, nsamp, ts, paths, t_imp,
                r_imp)  # fmt: skip


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _grid_order(y, rows, status, radius, y1, rowmap, alive):  # pragma: no cover - compiled
    """The states ``y`` (m, 7) of the rows ``rows`` (their first run's ``status``) in the
    order of the grid run: by a rough time to fall [s] (from the height ``|r| - radius``
    [m] and the radial speed, at 9.8 m/s^2), the longest first, into ``y1``; the path row of
    each into ``rowmap`` and whether it was alive at the start (not impacted) into ``alive``.
    Only the order depends on the estimate (the kernel's rows are independent)."""
    m = y.shape[0]
    est = np.empty(m)
    for i in range(m):
        r = math.sqrt(y[i, 0] * y[i, 0] + y[i, 1] * y[i, 1] + y[i, 2] * y[i, 2])
        vr = (y[i, 0] * y[i, 3] + y[i, 1] * y[i, 4] + y[i, 2] * y[i, 5]) / r
        q = vr / 9.8
        est[i] = -(q + math.sqrt(max(q * q + 2.0 * (r - radius) / 9.8, 0.0)))
    order = np.argsort(est, kind="mergesort")
    for o in range(m):
        i = order[o]
        for j in range(7):
            y1[o, j] = y[i, j]
        rowmap[o] = rows[i]
        alive[o] = status[i] != _ig.STATUS_IMPACT


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _grid_store(
    t, step, rowmap, alive, status, ti, yi, nsamp, ts, paths, t_imp, r_imp
):  # pragma: no cover - compiled
    """Finish the rows ``rowmap`` of ``paths`` (n, k, 3) from the grid run (positions
    recorded into them, times ``ts``, counts ``nsamp``, ``status``), as :func:`_fill_paths`
    from recorded samples: sample ``j`` kept where the object was ``alive`` at ``t``, ``j <
    nsamp`` and (for a hit: alive and an impact in the run) the sample lies on the grid
    (``|u - rint(u)| <= 1e-8 + 1e-5 |rint(u)|``, ``u = (t_j - t) / step``); NaN else. The
    impact time ``ti`` and point ``yi[:, :3]`` of the hits into ``t_imp``, ``r_imp``."""
    K = min(ts.shape[1], paths.shape[1])
    for o in range(rowmap.shape[0]):
        r = rowmap[o]
        hit = alive[o] and status[o] == _ig.STATUS_IMPACT
        if hit:
            t_imp[r] = ti[o]
            for j in range(3):
                r_imp[r, j] = yi[o, j]
        m = min(nsamp[o], K) if alive[o] else 0
        if hit:
            for k in range(m):
                u = (ts[o, k] - t) / step
                on = np.rint(u)
                if abs(u - on) > 1e-8 + 1e-5 * abs(on):
                    for j in range(3):
                        paths[r, k, j] = np.nan
        for k in range(m, paths.shape[1]):
            for j in range(3):
                paths[r, k, j] = np.nan


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _ballistic_inputs(t, x, tx, rows, row, y0, params, t0a):  # pragma: no cover - compiled
    """The blocked kernel's inputs for the rows ``rows`` of the states ``x`` (n, 6) at
    ``tx`` (n,) [s]: ``y0`` (m, 7) (the state and a unit mass), ``params`` (m, p) (the
    parameter ``row`` on every row) and ``t0a`` (m,) [s]. False (then nothing is to be
    used) where ``propagate`` would reject them: a non-finite ``t``, state or time, or
    ``tx > t``."""
    if not math.isfinite(t):
        return False
    for i in range(rows.shape[0]):
        r = rows[i]
        if not (math.isfinite(tx[r]) and tx[r] <= t):
            return False
        for j in range(6):
            v = x[r, j]
            if not math.isfinite(v):
                return False
            y0[i, j] = v
        y0[i, 6] = 1.0
        params[i, :] = row
        t0a[i] = tx[r]
    return True


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _states_ok(y):  # pragma: no cover - compiled
    """Every state of ``y`` (m, 7) finite with a positive mass (``propagate``'s check)."""
    for i in range(y.shape[0]):
        for j in range(7):
            if not math.isfinite(y[i, j]):
                return False
        if not y[i, 6] > 0.0:
            return False
    return True


def _predict_ballistic_numpy(
    t: float,
    x: np.ndarray,
    tx: np.ndarray,
    grid: np.ndarray,
    rows: np.ndarray,
    paths: np.ndarray,
    t_imp: np.ndarray,
    r_imp: np.ndarray,
) -> None:
    """Ballistic rows ``rows`` of ``predict_paths``'s outputs from states ``x`` at ``tx``.

    Does what ``propagate(y0, params, t0=tx, t_end=t, dt=1, record=False)`` followed by
    ``propagate(y_final, params, t0=t, t_end=grid[-1], dt=step, record=True)`` (both with
    ``stop_altitude_m=0``) did, calling the same kernels with the same arrays, without the
    per-call validation and set-up (constant here). Inputs ``propagate`` would reject go
    through ``propagate`` itself, which raises its usual error."""
    n = len(rows)
    model, env, atm, cdt, row = _flight_inputs()
    y0 = np.empty((n, 7))
    y0[:, :6] = x
    y0[:, 6] = 1.0
    params = np.empty((n, N_PARAMS))
    params[:] = row
    if not (math.isfinite(t) and np.all(np.isfinite(y0)) and np.all(np.isfinite(tx))) or np.any(
        tx > t
    ):
        # propagate raises its usual error here
        propagate(y0, params, model=model, t0=tx, t_end=t, dt=1.0, record=False)
    # bring every state to now (blocked kernel, as in propagate for record=False)
    t0a = np.ascontiguousarray(tx)
    tend = np.full(n, t, dtype=np.float64)
    yf, tf, status = np.empty((n, 7)), np.empty(n), np.empty(n, dtype=np.int64)
    ti, yi = np.empty(n), np.empty((n, 7))
    ta, ya = np.empty(n), np.empty((n, 7))
    nsteps = np.zeros(n, dtype=np.int64)
    # one chunk of the blocked kernel runs on one thread anyway: skip the pool
    with _serial(n <= _bl.CHUNK):
        _bl.integrate_batch_blocked(
            y0, params, env, atm, cdt, t0a, tend, 1.0, 0.0, True, _MAX_STEPS,
            yf, tf, status, ti, yi, ta, ya, nsteps,
        )  # fmt: skip
    alive = status != _ig.STATUS_IMPACT
    # then sample on the common grid (blocked kernel, recording, as in propagate)
    y1 = yf
    if not (np.all(np.isfinite(y1)) and np.all(y1[:, 6] > 0.0)):
        # (never: the kernel ends on the last finite state) propagate raises its error here
        propagate(y1, params, model=model, t0=t, t_end=grid[-1], dt=PREDICTION_STEP_S)
    t0a = np.full(n, t, dtype=np.float64)
    tend = np.full(n, grid[-1], dtype=np.float64)
    span = float(np.max(tend - t0a))
    S = math.floor(span / PREDICTION_STEP_S + 1e-9) + 2
    ts, ys = np.empty((n, S)), np.empty((n, S, 7))
    nsamp = np.zeros(n, dtype=np.int64)
    yf, tf, status = np.empty((n, 7)), np.empty(n), np.empty(n, dtype=np.int64)
    nsteps = np.zeros(n, dtype=np.int64)
    with _serial(n <= _bl.CHUNK):
        _bl.integrate_batch_blocked_record(
            y1, params, env, atm, cdt, t0a, tend, float(PREDICTION_STEP_S), 0.0, True,
            _MAX_STEPS, ts, ys, nsamp, yf, tf, status, ti, yi, ta, ya, nsteps,
        )  # fmt: skip
    hit = alive & (status == _ig.STATUS_IMPACT)
    t_imp[rows[hit]] = ti[hit]
    r_imp[rows[hit]] = yi[hit, :3]
    _fill_paths(float(t), PREDICTION_STEP_S, rows, alive, hit, nsamp, ts, ys, paths)


@contextlib.contextmanager
def _serial(on: bool) -> Iterator[None]:
    """Run the enclosed kernel call on one numba thread when ``on`` (as ``propagate`` does
    for small batches; a kernel's results do not depend on the number of threads)."""
    threads = numba.get_num_threads()
    if not on or threads == 1:
        yield
        return
    numba.set_num_threads(1)
    try:
        yield
    finally:
        numba.set_num_threads(threads)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _fill_paths(t, step, rows, alive, hit, nsamp, ts, ys, paths):  # pragma: no cover - compiled
    """Rows ``rows`` of ``paths`` from the recorded samples: sample ``k`` where the object
    was alive at ``t``, ``k < nsamp`` and (for an impacting path) the sample lies on the
    grid (``|u - rint(u)| <= 1e-8 + 1e-5 |rint(u)|``, ``u = (t_k - t) / step``); NaN else."""
    K = min(ts.shape[1], paths.shape[1])
    for i in range(rows.shape[0]):
        r = rows[i]
        m = min(nsamp[i], K) if alive[i] else 0
        for k in range(m):
            keep = True
            if hit[i]:
                u = (ts[i, k] - t) / step
                on = np.rint(u)
                keep = not (abs(u - on) > 1e-8 + 1e-5 * abs(on))
            for j in range(3):
                paths[r, k, j] = ys[i, k, j] if keep else np.nan
        for k in range(m, paths.shape[1]):
            for j in range(3):
                paths[r, k, j] = np.nan


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _altitudes(r, a, b, alt):  # pragma: no cover - compiled
    """The geodetic altitude of every point of ``r`` (m, 3) (``ecef_to_geodetic``'s, bit for
    bit; NaN for NaN points) into ``alt`` (m,)."""
    for i in range(r.shape[0]):
        alt[i] = _geodetic_altitude(r[i, 0], r[i, 1], r[i, 2], a, b)


def impact_predictions(
    assets: Sequence[DefendedAsset],
    t: float,
    P: np.ndarray,
    grid: np.ndarray,
    paths: np.ndarray,
    t_imp: np.ndarray,
    r_imp: np.ndarray,
) -> ImpactPredictions:
    """Impact beliefs of ``n`` entries: the predicted impact, or for entries with none in
    the horizon (air-breathing) the closest approach to an asset, with a circular error."""
    n = len(P)
    t_imp = t_imp.copy()
    lat = np.full(n, np.nan)
    lon = np.full(n, np.nan)
    cov = np.zeros((n, 2, 2))
    has_impact = np.isfinite(t_imp)
    if has_impact.any():
        la_all, lo_all, _ = ecef_to_geodetic(r_imp[has_impact], WGS84)
        lat[has_impact], lon[has_impact] = la_all, lo_all
    sig_p2 = (P[:, 0, 0] + P[:, 1, 1] + P[:, 2, 2]) / 3.0
    sig_v2 = (P[:, 3, 3] + P[:, 4, 4] + P[:, 5, 5]) / 3.0
    var = np.full(n, np.nan)
    if has_impact.any():
        tgo = np.maximum(t_imp[has_impact] - t, 0.0)
        var[has_impact] = sig_p2[has_impact] + sig_v2[has_impact] * tgo**2 + 500.0**2
    # air-breathing or no impact in the horizon: the closest approach to an asset (the
    # asset whose disc the path comes nearest, in radii; the first such point)
    rows = np.nonzero(~has_impact)[0] if assets else np.empty(0, dtype=np.int64)
    if len(rows):
        centres = np.array([_asset_centre(a.lat_rad, a.lon_rad) for a in assets])
        radii = np.array([a.radius_m for a in assets], dtype=np.float64)
        j = np.empty(len(rows), dtype=np.int64)
        pts = np.empty((len(rows), 3))
        _closest_approach(
            np.ascontiguousarray(paths, dtype=np.float64), rows, centres, radii, j, pts
        )
        found = j >= 0
        rows, j, pts = rows[found], j[found], pts[found]
    if len(rows):
        la, lo, _ = ecef_to_geodetic(pts, WGS84)
        lat[rows], lon[rows] = la, lo
        t_imp[rows] = grid[j]
        tgo = np.maximum(t_imp[rows] - t, 0.0)
        var[rows] = sig_p2[rows] + sig_v2[rows] * tgo**2 + 2_000.0**2
    has_var = np.isfinite(var)
    cov[has_var] = np.eye(2) * var[has_var, None, None]
    ok = np.isfinite(lat)
    lat = np.where(ok, lat, 0.0)
    lon = np.where(ok, lon, 0.0)
    cov[~ok] = np.eye(2) * 1e18  # no prediction: threatens nothing
    return ImpactPredictions(
        track_id=np.arange(n),
        lat_rad=lat,
        lon_rad=lon,
        cov_en_m2=cov,
        impact_time_s=np.where(np.isfinite(t_imp), t_imp, t + PREDICTION_HORIZON_S),
    )


@functools.lru_cache(maxsize=256)
def _asset_centre(lat_rad: float, lon_rad: float) -> np.ndarray:
    """ECEF centre [m] of an asset at (lat, lon) on the ellipsoid (cached)."""
    return np.asarray(geodetic_to_ecef(lat_rad, lon_rad, 0.0, WGS84))


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _closest_approach(paths, rows, centres, radii, j, pts):  # pragma: no cover - compiled
    """For each row ``rows[i]`` of ``paths`` (n, k, 3): over its finite points, the point
    nearest each asset centre (the first at the least distance) and the asset with the
    least distance in radii (the first such); its index into ``j[i]`` and the point into
    ``pts[i]``; ``j[i] = -1`` where the row has no finite point. Distances as numpy forms
    them: ``sqrt((dx*dx + dy*dy) + dz*dz)``."""
    k = paths.shape[1]
    m = centres.shape[0]
    near = np.empty(m, dtype=np.int64)
    score = np.empty(m)
    ok = np.empty(k, dtype=np.bool_)
    d = np.empty(k)
    for i in range(rows.shape[0]):
        r = rows[i]
        some = False
        for q in range(k):
            ok[q] = (
                math.isfinite(paths[r, q, 0])
                and math.isfinite(paths[r, q, 1])
                and math.isfinite(paths[r, q, 2])
            )
            some = some or ok[q]
        if not some:
            j[i] = -1
            continue
        for a in range(m):
            cx, cy, cz = centres[a, 0], centres[a, 1], centres[a, 2]
            for q in range(k):
                dx = paths[r, q, 0] - cx
                dy = paths[r, q, 1] - cy
                dz = paths[r, q, 2] - cz
                d[q] = math.sqrt((dx * dx + dy * dy) + dz * dz) if ok[q] else math.inf
            best = 0  # np.argmin: the first least value (the first NaN if any)
            for q in range(1, k):
                if d[q] < d[best] or (math.isnan(d[q]) and not math.isnan(d[best])):
                    best = q
            near[a] = best
            score[a] = d[best] / radii[a]
        ba = 0
        for a in range(1, m):
            if score[a] < score[ba] or (math.isnan(score[a]) and not math.isnan(score[ba])):
                ba = a
        q = near[ba]
        j[i] = q
        for c in range(3):
            pts[i, c] = paths[r, q, c]


__all__ = ["impact_predictions", "path_altitudes", "predict_paths"]
