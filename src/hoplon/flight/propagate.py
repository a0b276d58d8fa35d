"""Python API of batch flight: ``propagate``, ``BatchResult`` and ``initial_state``.

``propagate`` validates its inputs, packs them into contiguous float64 arrays and calls a
compiled batch kernel: ``hoplon.flight.blocked.integrate_batch_blocked`` (SIMD over blocks
of objects) for ballistic RK4 batches (no thrust, no lift, no Cd table), or its recording
variant ``integrate_batch_blocked_record`` with ``record=True``; else
``hoplon.flight.integrators.integrate_batch``. Both give the same results (samples
included) bit for bit. Thrust, mass flow
and steering are constant within one call: chain calls stage by stage (the final state of
one call is the initial state of the next), so burnout times are exact call boundaries.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

import numba
import numpy as np

from hoplon.earth.frames import geodetic_to_ecef
from hoplon.errors import InputError
from hoplon.flight import blocked as _bl
from hoplon.flight import integrators as _ig
from hoplon.flight.model import EarthModel
from hoplon.flight.params import (
    LIFT_TO_DRAG,
    N_PARAMS,
    THRUST,
    USE_CD_TABLE,
    validate_cd_table,
    validate_params,
)

if TYPE_CHECKING:
    from hoplon.flight.trajectory import Trajectory

STATUS_T_END = _ig.STATUS_T_END
STATUS_IMPACT = _ig.STATUS_IMPACT
STATUS_ERROR = _ig.STATUS_ERROR
STATUS_STEP_LIMIT = _ig.STATUS_STEP_LIMIT
STATUS_NAMES = {
    STATUS_T_END: "t_end",
    STATUS_IMPACT: "impact",
    STATUS_ERROR: "error",
    STATUS_STEP_LIMIT: "step_limit",
}

_METHODS = {"rk4": _ig.METHOD_RK4, "dopri5": _ig.METHOD_DOPRI5}


@dataclass
class BatchResult:
    """Result of ``propagate`` for n objects.

    Attributes
    ----------
    t : (n, S) array or None
        Sample times [s] (on the grid t0 + k dt plus the final time), NaN-padded; None when
        ``record=False``.
    y : (n, S, 7) array or None
        Sampled states [x, y, z, vx, vy, vz, m] (ECEF m, m/s, kg), NaN-padded.
    n_samples : (n,) int array
        Number of valid samples per object.
    t_final, y_final : (n,), (n, 7)
        Time and state where each object stopped.
    status : (n,) int array
        ``STATUS_T_END`` (0), ``STATUS_IMPACT`` (1), ``STATUS_ERROR`` (2: non-finite state or
        mass <= 0), ``STATUS_STEP_LIMIT`` (3).
    impact_t, impact_y : (n,), (n, 7)
        Impact time and state (NaN when no impact).
    apogee_t, apogee_y : (n,), (n, 7)
        Time and state of the highest located apogee (NaN when none).
    n_steps : (n,) int array
        Integration steps taken (accepted and rejected).
    """

    t: np.ndarray | None
    y: np.ndarray | None
    n_samples: np.ndarray
    t_final: np.ndarray
    y_final: np.ndarray
    status: np.ndarray
    impact_t: np.ndarray
    impact_y: np.ndarray
    apogee_t: np.ndarray
    apogee_y: np.ndarray
    n_steps: np.ndarray
    model: EarthModel = field(default_factory=EarthModel)
    params: np.ndarray | None = None
    cd_table: np.ndarray | None = None

    def __len__(self) -> int:
        return int(self.status.shape[0])

    @property
    def impacted(self) -> np.ndarray:
        """(n,) bool: the object reached the stop altitude."""
        return self.status == STATUS_IMPACT

    def trajectory(self, i: int, name: str = "", **metadata: object) -> Trajectory:
        """The recorded samples of object ``i`` as a ``Trajectory``."""
        from hoplon.flight.trajectory import Trajectory

        if self.t is None or self.y is None:
            raise InputError("record", "no samples were recorded", "propagate(..., record=True)")
        k = int(self.n_samples[i])
        meta = {"status": STATUS_NAMES.get(int(self.status[i]), "unknown")}
        meta.update(metadata)
        return Trajectory(
            t_s=self.t[i, :k].copy(),
            y=self.y[i, :k].copy(),
            model=self.model,
            name=name,
            params=None if self.params is None else self.params[i].copy(),
            cd_table=self.cd_table,
            metadata=meta,
        )


def _as_times(value: float | np.ndarray, n: int, name: str) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    try:
        arr = np.ascontiguousarray(np.broadcast_to(arr, (n,)), dtype=np.float64)
    except ValueError:
        raise InputError(name, f"must be a scalar or shape ({n},), got {arr.shape}") from None
    if not np.all(np.isfinite(arr)):
        raise InputError(name, "must be finite")
    return arr


def propagate(
    y0: np.ndarray,
    params: np.ndarray,
    *,
    model: EarthModel | None = None,
    t0: float | np.ndarray = 0.0,
    t_end: float | np.ndarray,
    dt: float = 1.0,
    method: Literal["rk4", "dopri5"] = "rk4",
    rtol: float = 1e-9,
    atol: float = 1e-6,
    stop_altitude_m: float | None = 0.0,
    record: bool = True,
    cd_table: np.ndarray | None = None,
    max_step_s: float = math.inf,
    max_steps: int = 10_000_000,
) -> BatchResult:
    """Propagate n objects from ``t0`` to ``t_end`` or impact.

    Parameters
    ----------
    y0 : (n, 7) array
        Initial states [x, y, z, vx, vy, vz, m]: ECEF position [m], velocity relative to the
        Earth [m/s], mass [kg].
    params : (n, N_PARAMS) array
        Per-object parameters (``hoplon.flight.params.make_params``).
    model : EarthModel
        Earth shape, gravity, rotation, atmosphere (default: rotating WGS84, J2, US76).
    t0, t_end : float or (n,) array
        Start and end times [s].
    dt : float
        RK4 step and sample interval [s] (dopri5: sample interval and first step).
    method : {"rk4", "dopri5"}
        Fixed-step RK4 or adaptive Dormand–Prince 5(4).
    rtol, atol : float
        Dopri5 relative and absolute tolerances (absolute in m, m/s, kg).
    stop_altitude_m : float or None
        Stop when the altitude falls through this value (impact event); None: never stop.
    record : bool
        Keep samples (True) or only final and event states (False: for big batches).
    cd_table : (k, 2) array, optional
        [Mach, Cd] table for objects with ``use_cd_table = 1``.
    max_step_s : float
        Largest dopri5 step [s].
    max_steps : int
        Per-object step limit (status ``STATUS_STEP_LIMIT`` when reached).

    Returns
    -------
    BatchResult
    """
    model = EarthModel() if model is None else model
    y0 = np.ascontiguousarray(np.asarray(y0, dtype=np.float64))
    if y0.ndim == 1:
        y0 = y0[None, :]
    if y0.ndim != 2 or y0.shape[1] != 7:
        raise InputError("y0", f"must have shape (n, 7), got {y0.shape}")
    n = y0.shape[0]
    if not np.all(np.isfinite(y0)):
        raise InputError("y0", "must be finite")
    if np.any(y0[:, 6] <= 0):
        raise InputError("y0 mass", "must be positive", "> 0 kg")
    P = np.ascontiguousarray(np.asarray(params, dtype=np.float64))
    if P.ndim == 1:
        P = P[None, :]
    if P.shape != (n, N_PARAMS):
        raise InputError("params", f"must have shape ({n}, {N_PARAMS}), got {P.shape}")
    validate_params(P, cd_table)
    cdt = validate_cd_table(cd_table)
    if method not in _METHODS:
        raise InputError("method", f"unknown method {method!r}", "rk4, dopri5")
    if not (math.isfinite(dt) and dt > 0):
        raise InputError("dt", f"must be positive, got {dt}", "> 0 s")
    if not (rtol > 0 and atol > 0):
        raise InputError("rtol/atol", "must be positive")
    if not max_step_s > 0:
        raise InputError("max_step_s", "must be positive")
    t0a = _as_times(t0, n, "t0")
    tenda = _as_times(t_end, n, "t_end")
    if np.any(tenda < t0a):
        raise InputError("t_end", "must not be before t0")
    use_stop = stop_altitude_m is not None
    stop = float(stop_altitude_m) if use_stop else 0.0
    if use_stop and not math.isfinite(stop):
        raise InputError("stop_altitude_m", "must be finite or None")

    span = float(np.max(tenda - t0a)) if n else 0.0
    S = math.floor(span / dt + 1e-9) + 2 if record else 1
    ts = np.full((n, S), np.nan)
    ys = np.full((n, S, 7), np.nan)
    nsamp = np.zeros(n, dtype=np.int64)
    yf = np.empty((n, 7))
    tf = np.empty(n)
    status = np.empty(n, dtype=np.int64)
    t_imp = np.empty(n)
    y_imp = np.empty((n, 7))
    t_apo = np.empty(n)
    y_apo = np.empty((n, 7))
    nsteps = np.zeros(n, dtype=np.int64)
    env = model.to_array()
    atm = np.ascontiguousarray(model.atmosphere_tables())
    ballistic = (
        method == "rk4"
        and not np.any(P[:, THRUST] != 0.0)
        and not np.any(P[:, USE_CD_TABLE] != 0.0)
        and not np.any(P[:, LIFT_TO_DRAG] != 0.0)
    )
    # Small batches run on one thread: waking the thread pool costs more than it saves
    # (measured: 5 objects x 300 steps took 8 ms on 2 threads, 0.45 ms on one).
    threads = numba.get_num_threads()
    if n < SERIAL_BELOW_OBJECTS:
        numba.set_num_threads(1)
    try:
        _run_kernel(
            n, ballistic, method, y0, P, env, atm, cdt, t0a, tenda, dt, rtol, atol, max_step_s,
            stop, use_stop, record, max_steps, ts, ys, nsamp, yf, tf, status, t_imp, y_imp,
            t_apo, y_apo, nsteps,
        )  # fmt: skip
    finally:
        numba.set_num_threads(threads)
    return BatchResult(
        t=ts if record else None,
        y=ys if record else None,
        n_samples=nsamp,
        t_final=tf,
        y_final=yf,
        status=status,
        impact_t=t_imp,
        impact_y=y_imp,
        apogee_t=t_apo,
        apogee_y=y_apo,
        n_steps=nsteps,
        model=model,
        params=P,
        cd_table=None if cd_table is None else cdt,
    )


#: Batches smaller than this run single-threaded (see ``propagate``).
SERIAL_BELOW_OBJECTS = 64


def _run_kernel(
    n, ballistic, method, y0, P, env, atm, cdt, t0a, tenda, dt, rtol, atol, max_step_s, stop,
    use_stop, record, max_steps, ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo,
    nsteps,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """Call the fast blocked kernel or the generic one (arguments as in ``propagate``)."""
    if n and ballistic and record:
        _bl.integrate_batch_blocked_record(
            y0, P, env, atm, cdt, t0a, tenda, float(dt), stop, bool(use_stop),
            np.int64(max_steps), ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo,
            nsteps,
        )  # fmt: skip
    elif n and ballistic:
        _bl.integrate_batch_blocked(
            y0, P, env, atm, cdt, t0a, tenda, float(dt), stop, bool(use_stop),
            np.int64(max_steps), yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
        )  # fmt: skip
    elif n:
        _ig.integrate_batch(
            np.int64(_METHODS[method]), y0, P, env, atm, cdt, t0a, tenda, float(dt),
            float(rtol), float(atol), float(max_step_s), stop, bool(use_stop), bool(record),
            np.int64(max_steps), ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo,
            nsteps,
        )  # fmt: skip


def enu_basis(lat: np.ndarray, lon: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Unit east, north, up vectors in ECEF, each (..., 3), at geodetic (lat, lon) [rad]."""
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    east = np.stack([-so, co, np.zeros_like(so)], axis=-1)
    north = np.stack([-sl * co, -sl * so, cl], axis=-1)
    up = np.stack([cl * co, cl * so, sl], axis=-1)
    return east, north, up


def initial_state(
    lat_rad: float | np.ndarray,
    lon_rad: float | np.ndarray,
    alt_m: float | np.ndarray,
    speed_mps: float | np.ndarray,
    flight_path_angle_rad: float | np.ndarray,
    azimuth_rad: float | np.ndarray,
    mass_kg: float | np.ndarray = 1.0,
    model: EarthModel | None = None,
) -> np.ndarray:
    """States ``(n, 7)`` from launch/burnout points and Earth-relative velocity.

    Position: geodetic (lat, lon, alt) on the model's surface (on the sphere model the
    latitude is geocentric). Velocity relative to the Earth [m/s] in local ENU::

        v_enu = speed (cos(gamma) sin(az), cos(gamma) cos(az), sin(gamma))

    with flight-path angle gamma above the local horizontal and azimuth az clockwise from
    north; rotated to ECEF. Inputs broadcast; the result is always 2-D.
    """
    model = EarthModel() if model is None else model
    lat, lon, alt, v, gam, az, m = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(a, dtype=np.float64))
            for a in (
                lat_rad,
                lon_rad,
                alt_m,
                speed_mps,
                flight_path_angle_rad,
                azimuth_rad,
                mass_kg,
            )
        )
    )
    if np.any(np.abs(lat) > math.pi / 2 + 1e-12):
        raise InputError("lat_rad", "must lie in [-pi/2, pi/2]")
    if np.any(v < 0):
        raise InputError("speed_mps", "must not be negative")
    if np.any(m <= 0):
        raise InputError("mass_kg", "must be positive")
    pos = geodetic_to_ecef(lat, lon, alt, model.ellipsoid)
    east, north, up = enu_basis(lat, lon)
    ve = v * np.cos(gam) * np.sin(az)
    vn = v * np.cos(gam) * np.cos(az)
    vu = v * np.sin(gam)
    vel = ve[..., None] * east + vn[..., None] * north + vu[..., None] * up
    out = np.empty((*lat.shape, 7))
    out[..., 0:3] = pos
    out[..., 3:6] = vel
    out[..., 6] = m
    return out.reshape(-1, 7)
