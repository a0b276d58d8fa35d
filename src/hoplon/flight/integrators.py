"""Batch integrators with events: fixed-step RK4 and adaptive Dormand–Prince 5(4).

One compiled kernel, ``integrate_batch``, loops over the objects with ``numba.prange``; each
object is integrated independently (own step size, own events), so objects never wait for
each other. Work arrays are allocated once per object, never per step.

Methods
-------
- ``METHOD_RK4``: classical Runge–Kutta, step ``dt`` on the grid ``t0 + k dt`` (the last
  step is shortened to end exactly at ``t_end``).
- ``METHOD_DOPRI5``: Dormand–Prince 5(4) with FSAL, error per step
  ``err = rms_i(e_i / (atol + rtol max(|y_i|, |y_new_i|)))``, step factor
  ``0.9 err^(-1/5)`` clipped to [0.2, 5]. Samples on the grid ``t0 + k dt`` come from the
  method's 4th-order continuous extension (Hairer, Norsett & Wanner, dopri5.f).

Events
------
- Impact: altitude goes from above ``stop_alt`` to at or below it within a step. The step is
  re-integrated from its start with a shorter step length ``s`` (same Runge–Kutta formula),
  and ``s`` is found by the Illinois (modified regula falsi) method until the altitude is
  within 0.1 mm of ``stop_alt``. The object then stops with status ``STATUS_IMPACT``.
- Apogee: the altitude rate ``dh/dt = up . v`` (exact for geodetic altitude, ``up`` the
  ellipsoid normal) changes sign from + to -; located the same way (|dh/dt| < 1e-7 m/s).
  The highest apogee of the flight is kept.
- ``t_end``: status ``STATUS_T_END``.

GPU path
--------
``integrate_one`` only touches one object's rows and its own work arrays; a CUDA kernel is
the same loop body with ``i = cuda.grid(1)`` and the work arrays in thread-local memory
(``cuda.local.array((7, 7), float64)``); ``hoplon.flight.forces`` compiles unchanged as
device functions.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from hoplon.flight.forces import deriv, geodetic_altitude
from hoplon.flight.model import ENV_A, ENV_E2, ENV_SPHERE

METHOD_RK4 = 0
METHOD_DOPRI5 = 1

STATUS_T_END = 0
STATUS_IMPACT = 1
STATUS_ERROR = 2
STATUS_STEP_LIMIT = 3

jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")

# Dormand–Prince 5(4) tableau.
C2, C3, C4, C5 = 1.0 / 5.0, 3.0 / 10.0, 4.0 / 5.0, 8.0 / 9.0
A21 = 1.0 / 5.0
A31, A32 = 3.0 / 40.0, 9.0 / 40.0
A41, A42, A43 = 44.0 / 45.0, -56.0 / 15.0, 32.0 / 9.0
A51, A52, A53, A54 = 19372.0 / 6561.0, -25360.0 / 2187.0, 64448.0 / 6561.0, -212.0 / 729.0
A61, A62, A63, A64, A65 = (
    9017.0 / 3168.0,
    -355.0 / 33.0,
    46732.0 / 5247.0,
    49.0 / 176.0,
    -5103.0 / 18656.0,
)
B1, B3, B4, B5, B6 = 35.0 / 384.0, 500.0 / 1113.0, 125.0 / 192.0, -2187.0 / 6784.0, 11.0 / 84.0
E1, E3, E4, E5, E6, E7 = (
    71.0 / 57600.0,
    -71.0 / 16695.0,
    71.0 / 1920.0,
    -17253.0 / 339200.0,
    22.0 / 525.0,
    -1.0 / 40.0,
)
D1, D3, D4, D5, D6, D7 = (
    -12715105075.0 / 11282082432.0,
    87487479700.0 / 32700410799.0,
    -10690763975.0 / 1880347072.0,
    701980252875.0 / 199316789632.0,
    -1453857185.0 / 822651844.0,
    69997945.0 / 29380423.0,
)


@jit
def rk_step(method, t, y, h, p, env, atm, cdt, K, tmp, yout, yerr):
    """One Runge–Kutta step of length ``h`` from (t, y); ``K[0]`` must hold f(t, y).

    RK4 fills K[1..3]; DOPRI5 fills K[1..6] (K[6] = f(t + h, yout)) and ``yerr``.
    """
    if method == METHOD_RK4:
        for j in range(7):
            tmp[j] = y[j] + 0.5 * h * K[0, j]
        deriv(t + 0.5 * h, tmp, p, env, atm, cdt, K[1])
        for j in range(7):
            tmp[j] = y[j] + 0.5 * h * K[1, j]
        deriv(t + 0.5 * h, tmp, p, env, atm, cdt, K[2])
        for j in range(7):
            tmp[j] = y[j] + h * K[2, j]
        deriv(t + h, tmp, p, env, atm, cdt, K[3])
        for j in range(7):
            yout[j] = y[j] + h / 6.0 * (K[0, j] + 2.0 * (K[1, j] + K[2, j]) + K[3, j])
        return
    for j in range(7):
        tmp[j] = y[j] + h * A21 * K[0, j]
    deriv(t + C2 * h, tmp, p, env, atm, cdt, K[1])
    for j in range(7):
        tmp[j] = y[j] + h * (A31 * K[0, j] + A32 * K[1, j])
    deriv(t + C3 * h, tmp, p, env, atm, cdt, K[2])
    for j in range(7):
        tmp[j] = y[j] + h * (A41 * K[0, j] + A42 * K[1, j] + A43 * K[2, j])
    deriv(t + C4 * h, tmp, p, env, atm, cdt, K[3])
    for j in range(7):
        tmp[j] = y[j] + h * (A51 * K[0, j] + A52 * K[1, j] + A53 * K[2, j] + A54 * K[3, j])
    deriv(t + C5 * h, tmp, p, env, atm, cdt, K[4])
    for j in range(7):
        tmp[j] = y[j] + h * (
            A61 * K[0, j] + A62 * K[1, j] + A63 * K[2, j] + A64 * K[3, j] + A65 * K[4, j]
        )
    deriv(t + h, tmp, p, env, atm, cdt, K[5])
    for j in range(7):
        yout[j] = y[j] + h * (
            B1 * K[0, j] + B3 * K[2, j] + B4 * K[3, j] + B5 * K[4, j] + B6 * K[5, j]
        )
    deriv(t + h, yout, p, env, atm, cdt, K[6])
    for j in range(7):
        yerr[j] = h * (
            E1 * K[0, j] + E3 * K[2, j] + E4 * K[3, j] + E5 * K[4, j] + E6 * K[5, j] + E7 * K[6, j]
        )


@jit
def dense_output(theta, h, y0, y1, K, out):
    """DOPRI5 continuous extension at ``t + theta h`` (K from the step y0 -> y1)."""
    t1 = 1.0 - theta
    for j in range(7):
        ydiff = y1[j] - y0[j]
        bspl = h * K[0, j] - ydiff
        r4 = ydiff - h * K[6, j] - bspl
        r5 = h * (
            D1 * K[0, j] + D3 * K[2, j] + D4 * K[3, j] + D5 * K[4, j] + D6 * K[5, j] + D7 * K[6, j]
        )
        out[j] = y0[j] + theta * (ydiff + t1 * (bspl + theta * (r4 + t1 * r5)))


@jit
def altitude_rate(yv, env):
    """(altitude [m], altitude rate [m/s]) of a state."""
    h, cb, sb, cl, sl = geodetic_altitude(
        yv[0], yv[1], yv[2], env[ENV_A], env[ENV_E2], env[ENV_SPHERE]
    )
    return h, cb * cl * yv[3] + cb * sl * yv[4] + sb * yv[5]


@jit
def locate(kind, target, method, t, y, h, fa, fb, p, env, atm, cdt, K, tmp, yout, yerr):
    """Step length s in (0, h] where the event function crosses ``target``.

    kind 0: altitude; kind 1: altitude rate. ``fa`` = f(0) - target > 0 and
    ``fb`` = f(h) - target <= 0. On return ``yout`` holds the state at t + s.
    Illinois method on re-integrated steps; ``K[0]`` must hold f(t, y).
    """
    tol = 1e-4 if kind == 0 else 1e-7
    a = 0.0
    b = h
    side = 0
    s = h
    for _ in range(100):
        s = (a * fb - b * fa) / (fb - fa)
        if not (a < s < b):
            s = 0.5 * (a + b)
        rk_step(method, t, y, s, p, env, atm, cdt, K, tmp, yout, yerr)
        alt, rate = altitude_rate(yout, env)
        fs = (alt if kind == 0 else rate) - target
        if abs(fs) < tol or (b - a) < 1e-12 * (1.0 + abs(t)):
            return s
        if fs > 0.0:
            a = s
            fa = fs
            if side == 1:
                fb *= 0.5
            side = 1
        else:
            b = s
            fb = fs
            if side == -1:
                fa *= 0.5
            side = -1
    return s


@jit
def integrate_one(
    i, method, y0, P, env, atm, cdt, t0, tend, dt, rtol, atol, max_step, stop_alt, use_stop,
    record, max_steps, ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """Integrate object ``i`` and write its rows of the output arrays."""
    p = P[i]
    y = y0[i].copy()
    K = np.empty((7, 7))
    Kev = np.empty((7, 7))
    tmp = np.empty(7)
    yn = np.empty(7)
    yerr = np.empty(7)
    yev = np.empty(7)
    ydense = np.empty(7)
    t = t0[i]
    T = tend[i]
    cap = ts.shape[1]
    ns = 0
    if record:
        ts[i, 0] = t
        for j in range(7):
            ys[i, 0, j] = y[j]
        ns = 1
    t_apo[i] = np.nan
    t_imp[i] = np.nan
    for j in range(7):
        y_apo[i, j] = np.nan
        y_imp[i, j] = np.nan
    best_apo = -np.inf
    alt, rate = altitude_rate(y, env)
    deriv(t, y, p, env, atm, cdt, K[0])
    h = min(dt, max_step)
    st = STATUS_T_END
    steps = 0
    kgrid = 1
    while t < T:
        if method == METHOD_RK4:
            t_new = t0[i] + (steps + 1) * dt
            if t_new >= T - 1e-9 * dt:
                t_new = T
            hh = t_new - t
            rk_step(method, t, y, hh, p, env, atm, cdt, K, tmp, yn, yerr)
            h_next = dt
        else:
            hh = min(h, max_step)
            if hh >= T - t - 1e-12 * (1.0 + abs(T)):
                hh = T - t
                t_new = T
            else:
                t_new = t + hh
            rk_step(method, t, y, hh, p, env, atm, cdt, K, tmp, yn, yerr)
            err = 0.0
            for j in range(7):
                sc = atol + rtol * max(abs(y[j]), abs(yn[j]))
                err += (yerr[j] / sc) ** 2
            err = math.sqrt(err / 7.0)
            if not math.isfinite(err):
                err = 1e10
            if err > 1.0:
                h = hh * max(0.2, 0.9 * err**-0.2)
                if h < 1e-10 * (1.0 + abs(t)):
                    st = STATUS_STEP_LIMIT
                    break
                steps += 1
                if steps >= max_steps:
                    st = STATUS_STEP_LIMIT
                    break
                continue
            if err == 0.0:
                h_next = 5.0 * hh
            else:
                h_next = hh * min(5.0, max(0.2, 0.9 * err**-0.2))
        steps += 1
        ok = yn[6] > 0.0
        for j in range(7):
            if not math.isfinite(yn[j]):
                ok = False
        if not ok:
            st = STATUS_ERROR
            break
        alt_n, rate_n = altitude_rate(yn, env)
        t_evt = t_new
        impact = False
        for j in range(7):
            yev[j] = yn[j]
        if use_stop and alt > stop_alt and alt_n <= stop_alt:
            Kev[0, :] = K[0, :]
            s = locate(
                0, stop_alt, method, t, y, hh, alt - stop_alt, alt_n - stop_alt,
                p, env, atm, cdt, Kev, tmp, yev, yerr,
            )  # fmt: skip
            t_evt = t + s
            impact = True
            alt_n, rate_n = altitude_rate(yev, env)
        if rate > 0.0 and rate_n <= 0.0:
            Kev[0, :] = K[0, :]
            s = locate(
                1, 0.0, method, t, y, t_evt - t, rate, rate_n,
                p, env, atm, cdt, Kev, tmp, ydense, yerr,
            )  # fmt: skip
            alt_a, _ = altitude_rate(ydense, env)
            if alt_a > best_apo:
                best_apo = alt_a
                t_apo[i] = t + s
                for j in range(7):
                    y_apo[i, j] = ydense[j]
        if record:
            last = impact or t_evt >= T
            if method == METHOD_DOPRI5:
                tg = t0[i] + kgrid * dt
                while tg < t_evt - 1e-9 * dt and ns < cap:
                    dense_output((tg - t) / hh, hh, y, yn, K, ydense)
                    ts[i, ns] = tg
                    for j in range(7):
                        ys[i, ns, j] = ydense[j]
                    ns += 1
                    kgrid += 1
                    tg = t0[i] + kgrid * dt
                if tg <= t_evt + 1e-9 * dt:
                    kgrid += 1
                    last = True
            else:
                last = True
            if last and ns < cap:
                ts[i, ns] = t_evt
                for j in range(7):
                    ys[i, ns, j] = yev[j]
                ns += 1
        t = t_evt
        for j in range(7):
            y[j] = yev[j]
        alt = alt_n
        rate = rate_n
        if impact:
            st = STATUS_IMPACT
            t_imp[i] = t
            for j in range(7):
                y_imp[i, j] = y[j]
            break
        if method == METHOD_DOPRI5:
            K[0, :] = K[6, :]
            h = h_next
        else:
            deriv(t, y, p, env, atm, cdt, K[0])
        if steps >= max_steps:
            st = STATUS_STEP_LIMIT
            break
    status[i] = st
    tf[i] = t
    for j in range(7):
        yf[i, j] = y[j]
    nsamp[i] = ns
    nsteps[i] = steps


@numba.njit(cache=True, fastmath=False, parallel=True, error_model="numpy")
def integrate_batch(
    method, y0, P, env, atm, cdt, t0, tend, dt, rtol, atol, max_step, stop_alt, use_stop,
    record, max_steps, ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """Integrate every object of the batch (``prange`` over objects); see ``integrate_one``."""
    n = y0.shape[0]
    for i in numba.prange(n):
        integrate_one(
            i, method, y0, P, env, atm, cdt, t0, tend, dt, rtol, atol, max_step, stop_alt,
            use_stop, record, max_steps, ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo,
            y_apo, nsteps,
        )  # fmt: skip


@jit
def deriv_rows(t, y, p, env, atm, cdt, out):
    """dy/dt for the rows of ``y (k, 7)`` at times ``t (k,)``, one parameter row ``p``."""
    for k in range(y.shape[0]):
        deriv(t[k], y[k], p, env, atm, cdt, out[k])
