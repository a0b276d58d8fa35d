"""Blocked structure-of-arrays RK4 for ballistic batches (the fast path of ``propagate``).

Same equations, same RK4 formula, same step grid and same events as
``hoplon.flight.integrators`` (``METHOD_RK4``), for the common case of ballistic objects:
no thrust, no lift, drag from the ballistic coefficient (no Cd table), ``record=False``.

Layout
------
Each ``prange`` iteration owns a chunk of objects and flies them through ``LANES`` lanes. The
state of the lanes is held as structure of arrays (a tuple of separate 1-D arrays x, y, z,
vx, vy, vz of length ``LANES``: separate allocations, so that LLVM can check them for overlap
and vectorise; rows of one 2-D array defeat its dependence analysis), and every RK4 stage is
a few loops over the lanes without data-dependent branches, so LLVM vectorises them (SIMD
over objects) and independent objects overlap in the pipeline instead of
one object's dependent chain of sqrt/div/exp setting the pace. Each lane has its own step
counter and step length ``h_l`` on its own grid ``t0_l + k dt`` (the last step shortened to
``t_end``), so lanes never wait for each other: when an object stops (impact, ``t_end``, error,
step limit) its lane is refilled with the next object of the chunk. Idle lanes step with
``h = 0``.

Equations (per lane, see ``hoplon.flight.forces``)::

    dr/dt = v
    dv/dt = g_J2(r) - 2 w x v - w x (w x r) - rho(h) |v| v / (2 beta)
    rho(h) = exp(ln rho_k + (u - k) (ln rho_{k+1} - ln rho_k)),  u = (h - h0) / dh,  k = floor(u)

with the geodetic altitude h from one trig-free Bowring iteration. Every expression is
evaluated in the same order as the scalar kernel and without ``fastmath`` (vector sqrt and
division are correctly rounded like the scalar ones), so the results equal the generic path
bit for bit; events (impact, apogee) are flagged per lane and located by the scalar
``hoplon.flight.integrators.locate`` for just that object.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from hoplon.flight.integrators import (
    METHOD_RK4,
    STATUS_ERROR,
    STATUS_IMPACT,
    STATUS_STEP_LIMIT,
    STATUS_T_END,
    altitude_rate,
    locate,
)
from hoplon.flight.model import (
    ENV_A,
    ENV_ATM_DH,
    ENV_ATM_H0,
    ENV_ATM_N,
    ENV_ATMOSPHERE,
    ENV_E2,
    ENV_GRAVITY,
    ENV_J2,
    ENV_J2_R,
    ENV_MU,
    ENV_OMEGA,
    ENV_SPHERE,
)
from hoplon.flight.params import BETA

#: objects integrated side by side by one thread (SIMD width x pipeline depth)
LANES = 32
#: objects per ``prange`` iteration (a lane is refilled from its chunk when its object stops)
CHUNK = 1024

jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")


@jit
def _six(n):
    return (np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n))


@jit
def _three(n):
    return (np.zeros(n), np.zeros(n), np.zeros(n))


@jit
def lane_accel(S, A, beta, env, lnrho, H, RATE, SPD, RHO):
    """Acceleration of all lanes of the states ``S = (x, y, z, vx, vy, vz)`` into
    ``A = (ax, ay, az)`` [m/s^2], with the altitude ``H`` [m] and altitude rate ``RATE``
    [m/s] of each lane (as ``integrators.altitude_rate``); ``SPD``, ``RHO`` are work space.

    The arithmetic is that of ``forces.deriv`` in the same order. Three loops over the
    lanes: gravity, rotation terms and geodetic altitude (branches written as selects,
    vectorised), the density table lookup and ``exp`` (scalar: gathers do not pay on this
    hardware), drag (vectorised).
    """
    x = S[0]
    y = S[1]
    z = S[2]
    vx = S[3]
    vy = S[4]
    vz = S[5]
    ax = A[0]
    ay = A[1]
    az = A[2]
    mu = env[ENV_MU]
    mode = env[ENV_GRAVITY]
    if mode == 0.0:
        mu = 0.0  # k = -0 / (r^2 r): gravity vanishes exactly
    re = env[ENV_J2_R]
    cj2 = 1.5 * env[ENV_J2] * re * re if mode == 2.0 else 0.0  # f = 0: point mass exactly
    w = env[ENV_OMEGA]
    w2 = 2.0 * w
    wm2 = -2.0 * w
    ww = w * w
    a = env[ENV_A]
    e2 = env[ENV_E2]
    sphere = env[ENV_SPHERE] != 0.0
    b = a * math.sqrt(1.0 - e2)
    ep2 = e2 / (1.0 - e2)
    ep2b = ep2 * b
    e2a = e2 * a
    natm = lnrho.shape[0]
    h0 = env[ENV_ATM_H0]
    dh = env[ENV_ATM_DH]
    n_env = int(env[ENV_ATM_N])
    top = h0 + (n_env - 1) * dh if env[ENV_ATMOSPHERE] != 0.0 else -math.inf
    last = float(natm - 1)
    n = x.shape[0]
    # (loops from 0: with a variable start LLVM gives up on the overlap checks of the arrays)
    for i in range(n):
        xi = x[i]
        yi = y[i]
        zi = z[i]
        vxi = vx[i]
        vyi = vy[i]
        vzi = vz[i]
        # gravity (forces.gravity)
        r2 = xi * xi + yi * yi + zi * zi
        r = math.sqrt(r2)
        k = -mu / (r2 * r)
        f = cj2 / r2
        q = 5.0 * zi * zi / r2
        kxy = k * (1.0 + f * (1.0 - q))
        # Coriolis and centrifugal terms
        ax[i] = kxy * xi + (w2 * vyi + ww * xi)
        ay[i] = kxy * yi + (wm2 * vxi + ww * yi)
        az[i] = k * (1.0 + f * (3.0 - q)) * zi
        # geodetic altitude (forces.geodetic_altitude, branches as selects)
        p = math.sqrt(xi * xi + yi * yi)
        rs = math.sqrt(p * p + zi * zi)
        su = a * zi
        cu = b * p
        nrm = math.sqrt(su * su + cu * cu)
        su /= nrm
        cu /= nrm
        num = zi + ep2b * su * su * su
        den = p - e2a * cu * cu * cu
        nrm = math.sqrt(num * num + den * den)
        s = num / nrm
        c = den / nrm
        h = p * c + zi * s - a * math.sqrt(1.0 - e2 * s * s)
        if p < 1e-6:
            h = abs(zi) - b
            c = 0.0
            s = 1.0 if zi >= 0.0 else -1.0
        if sphere:
            h = rs - a
            c = p / rs
            s = zi / rs
        cl = xi / p
        sl = yi / p
        if not p > 0.0:
            cl = 1.0
            sl = 0.0
        H[i] = h
        RATE[i] = c * cl * vxi + c * sl * vyi + s * vzi
        SPD[i] = math.sqrt(vxi * vxi + vyi * vyi + vzi * vzi)
    # density: linear ln rho on the uniform table, 0 above its top (forces.density)
    for i in range(n):
        h = H[i]
        rho = 0.0
        if h < top:
            u = (h - h0) / dh
            if u <= 0.0:
                lr = lnrho[0]
            elif u >= last:
                lr = lnrho[natm - 1]
            else:
                kk = int(u)
                lr = lnrho[kk] + (u - kk) * (lnrho[kk + 1] - lnrho[kk])
            rho = math.exp(lr)
        RHO[i] = rho
    # drag: k = rho |v| / (2 beta), a -= k v (k = 0 for beta = inf or rho = 0)
    for i in range(n):
        kd = 0.5 * RHO[i] * SPD[i] / beta[i]
        ax[i] -= kd * vx[i]
        ay[i] -= kd * vy[i]
        az[i] -= kd * vz[i]


@jit
def lane_stage(S, V, A, hs, c, T):
    """RK4 stage argument ``T = S + (c h_l) (V, A)``: positions move with the velocities
    ``V``, velocities with the accelerations ``A`` (one short loop per axis: few arrays per
    loop keep LLVM's overlap checks cheap enough to vectorise)."""
    x, y, z, vx, vy, vz = S
    tx, ty, tz, tvx, tvy, tvz = T
    v0, v1, v2 = V
    a0, a1, a2 = A
    n = hs.shape[0]
    for i in range(n):
        tx[i] = x[i] + c * hs[i] * v0[i]
        tvx[i] = vx[i] + c * hs[i] * a0[i]
    for i in range(n):
        ty[i] = y[i] + c * hs[i] * v1[i]
        tvy[i] = vy[i] + c * hs[i] * a1[i]
    for i in range(n):
        tz[i] = z[i] + c * hs[i] * v2[i]
        tvz[i] = vz[i] + c * hs[i] * a2[i]


@jit
def lane_combine(S, A0, T1, A1, T2, A2, T3, A3, hs, SN):
    """``SN = S + h_l / 6 (K0 + 2 (K1 + K2) + K3)`` with ``K = (velocity, acceleration)``."""
    n = hs.shape[0]
    for j in range(3):
        y = S[j]
        k0 = S[j + 3]
        k1 = T1[j + 3]
        k2 = T2[j + 3]
        k3 = T3[j + 3]
        out = SN[j]
        for i in range(n):
            out[i] = y[i] + hs[i] / 6.0 * (k0[i] + 2.0 * (k1[i] + k2[i]) + k3[i])
        y = S[j + 3]
        k0 = A0[j]
        k1 = A1[j]
        k2 = A2[j]
        k3 = A3[j]
        out = SN[j + 3]
        for i in range(n):
            out[i] = y[i] + hs[i] / 6.0 * (k0[i] + 2.0 * (k1[i] + k2[i]) + k3[i])


@jit
def lane_prepare(t0l, tendl, stepsl, act, dt, tl, TN, hs):
    """Count the step of the busy lanes and set its end ``TN`` and length ``hs``
    (0 for idle lanes), as ``integrate_one``: t_new = t0 + k dt, clipped to t_end."""
    for i in range(hs.shape[0]):
        k = stepsl[i] + act[i]
        stepsl[i] = k
        t_new = t0l[i] + k * dt
        T = tendl[i]
        if t_new >= T - 1e-9 * dt:
            t_new = T
        TN[i] = t_new
        hs[i] = (t_new - tl[i]) if act[i] != 0.0 else 0.0


@jit
def lane_flags(SN, ALT, ALTN, RATE, RATEN, TN, tendl, stepsl, act, stop_alt, use_stop,
               max_steps, FLAG):  # fmt: skip
    """1 for busy lanes whose step needs the scalar path: non-finite state, impact or apogee
    within the step, end time or step limit reached; else 0."""
    x = SN[0]
    y = SN[1]
    z = SN[2]
    vx = SN[3]
    vy = SN[4]
    vz = SN[5]
    for i in range(FLAG.shape[0]):
        bad = not math.isfinite(x[i] + y[i] + z[i] + vx[i] + vy[i] + vz[i])
        hit = use_stop and ALT[i] > stop_alt and ALTN[i] <= stop_alt
        apo = RATE[i] > 0.0 and RATEN[i] <= 0.0
        end = not TN[i] < tendl[i] or stepsl[i] >= max_steps
        f = bad or hit or apo or end
        FLAG[i] = act[i] if f else 0.0


@jit
def lane_event(
    i, t, t_new, hh, S, A0, M, SN, alt, rate, alt_n, rate_n, p, env, atm, cdt, stop_alt,
    use_stop, yev, t_apo, y_apo, best_apo, wK, wtmp, wy, wyerr, wdense,
):  # fmt: skip
    """Impact and apogee of lane ``i`` within the step (t, t_new), as ``integrate_one``.

    Writes the state at the end of the (possibly shortened) step into ``yev``; updates the
    object's apogee outputs. Returns (t_evt, impact, alt_n, rate_n, best_apo).
    """
    wy[0] = S[0][i]
    wy[1] = S[1][i]
    wy[2] = S[2][i]
    wy[3] = S[3][i]
    wy[4] = S[4][i]
    wy[5] = S[5][i]
    yev[0] = SN[0][i]
    yev[1] = SN[1][i]
    yev[2] = SN[2][i]
    yev[3] = SN[3][i]
    yev[4] = SN[4][i]
    yev[5] = SN[5][i]
    wy[6] = M[i]
    yev[6] = M[i]
    t_evt = t_new
    impact = False
    if use_stop and alt > stop_alt and alt_n <= stop_alt:
        _k0(i, S, A0, wK)
        s = locate(
            0, stop_alt, METHOD_RK4, t, wy, hh, alt - stop_alt, alt_n - stop_alt,
            p, env, atm, cdt, wK, wtmp, yev, wyerr,
        )  # fmt: skip
        t_evt = t + s
        impact = True
        alt_n, rate_n = altitude_rate(yev, env)
    if rate > 0.0 and rate_n <= 0.0:
        _k0(i, S, A0, wK)
        s = locate(
            1, 0.0, METHOD_RK4, t, wy, t_evt - t, rate, rate_n,
            p, env, atm, cdt, wK, wtmp, wdense, wyerr,
        )  # fmt: skip
        alt_a, _ = altitude_rate(wdense, env)
        if alt_a > best_apo:
            best_apo = alt_a
            t_apo[0] = t + s
            for j in range(7):
                y_apo[j] = wdense[j]
    return t_evt, impact, alt_n, rate_n, best_apo


@jit
def _k0(i, S, A0, wK):
    """Row 0 of the scalar stage matrix: f(t, y) of lane ``i``."""
    wK[0, 0] = S[3][i]
    wK[0, 1] = S[4][i]
    wK[0, 2] = S[5][i]
    wK[0, 3] = A0[0][i]
    wK[0, 4] = A0[1][i]
    wK[0, 5] = A0[2][i]
    wK[0, 6] = 0.0


@jit
def run_chunk(
    first, stop, y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
    yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """Fly objects ``first:stop`` through the lanes (refilling a lane when its object stops).

    Per step: the RK4 stages over all lanes, then the new state, acceleration, altitude,
    rate and time become current by swapping the arrays; lanes flagged by ``lane_flags``
    (rare: an event, the end, an error) are finished on the scalar path, from the previous
    values that the swap left in the ``*N`` arrays.
    """
    L = LANES
    lnrho = atm[0]
    S = _six(L)
    SN = _six(L)
    T1 = _six(L)
    T2 = _six(L)
    T3 = _six(L)
    A0 = _three(L)
    A1 = _three(L)
    A2 = _three(L)
    A3 = _three(L)
    AN = _three(L)
    M = np.ones(L)
    hs = np.zeros(L)
    tl = np.zeros(L)
    TN = np.zeros(L)
    t0l = np.zeros(L)
    tendl = np.zeros(L)
    stepsl = np.zeros(L)
    act = np.zeros(L)
    FLAG = np.zeros(L)
    beta = np.full(L, math.inf)
    ALT = np.zeros(L)
    RATE = np.zeros(L)
    ALTN = np.zeros(L)
    RATEN = np.zeros(L)
    SPD = np.zeros(L)
    RHO = np.zeros(L)
    obj = np.full(L, -1, dtype=np.int64)
    best = np.full(L, -math.inf)
    wK = np.empty((7, 7))
    wtmp = np.empty(7)
    wy = np.empty(7)
    wyerr = np.empty(7)
    wdense = np.empty(7)
    yev = np.empty(7)
    # an idle lane holds a harmless state (above the equator, at rest) and steps with h = 0
    for i in range(L):
        S[0][i] = env[ENV_A] + 1e5
    nxt = first
    active = 0
    for i in range(L):
        nxt, busy = _fill(
            i, nxt, stop, y0, t0, tend, S, M, beta, P, tl, t0l, tendl, stepsl, act, obj, best,
            yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
        )  # fmt: skip
        active += busy
    lane_accel(S, A0, beta, env, lnrho, ALT, RATE, SPD, RHO)
    while active > 0:
        lane_prepare(t0l, tendl, stepsl, act, dt, tl, TN, hs)
        lane_stage(S, S[3:], A0, hs, 0.5, T1)
        lane_accel(T1, A1, beta, env, lnrho, ALTN, RATEN, SPD, RHO)
        lane_stage(S, T1[3:], A1, hs, 0.5, T2)
        lane_accel(T2, A2, beta, env, lnrho, ALTN, RATEN, SPD, RHO)
        lane_stage(S, T2[3:], A2, hs, 1.0, T3)
        lane_accel(T3, A3, beta, env, lnrho, ALTN, RATEN, SPD, RHO)
        lane_combine(S, A0, T1, A1, T2, A2, T3, A3, hs, SN)
        lane_accel(SN, AN, beta, env, lnrho, ALTN, RATEN, SPD, RHO)
        lane_flags(SN, ALT, ALTN, RATE, RATEN, TN, tendl, stepsl, act, stop_alt, use_stop,
                   max_steps, FLAG)  # fmt: skip
        # the step's results become current; the previous values stay in the *N arrays
        S, SN = SN, S
        A0, AN = AN, A0
        ALT, ALTN = ALTN, ALT
        RATE, RATEN = RATEN, RATE
        tl, TN = TN, tl
        loaded = False
        for i in range(L):
            if FLAG[i] == 0.0:
                continue
            o = obj[i]
            st = -1
            if not math.isfinite(S[0][i] + S[1][i] + S[2][i] + S[3][i] + S[4][i] + S[5][i]):
                st = STATUS_ERROR
                _restore(i, S, SN, A0, AN)
                tl[i] = TN[i]
            else:
                alt = ALTN[i]
                rate = RATEN[i]
                alt_n = ALT[i]
                rate_n = RATE[i]
                hit = use_stop and alt > stop_alt and alt_n <= stop_alt
                if hit or (rate > 0.0 and rate_n <= 0.0):
                    t_evt, impact, alt_n, rate_n, best[i] = lane_event(
                        i, TN[i], tl[i], hs[i], SN, AN, M, S, alt, rate, alt_n, rate_n, P[o],
                        env, atm, cdt, stop_alt, use_stop, yev, t_apo[o:], y_apo[o], best[i],
                        wK, wtmp, wy, wyerr, wdense,
                    )  # fmt: skip
                    if impact:
                        S[0][i] = yev[0]
                        S[1][i] = yev[1]
                        S[2][i] = yev[2]
                        S[3][i] = yev[3]
                        S[4][i] = yev[4]
                        S[5][i] = yev[5]
                        tl[i] = t_evt
                        t_imp[o] = t_evt
                        for j in range(7):
                            y_imp[o, j] = yev[j]
                        st = STATUS_IMPACT
                if st < 0:
                    if not tl[i] < tendl[i]:
                        st = STATUS_T_END
                    elif stepsl[i] >= max_steps:
                        st = STATUS_STEP_LIMIT
            if st >= 0:
                status[o] = st
                tf[o] = tl[i]
                yf[o, 0] = S[0][i]
                yf[o, 1] = S[1][i]
                yf[o, 2] = S[2][i]
                yf[o, 3] = S[3][i]
                yf[o, 4] = S[4][i]
                yf[o, 5] = S[5][i]
                yf[o, 6] = M[i]
                nsteps[o] = int(stepsl[i])
                obj[i] = -1
                act[i] = 0.0
                hs[i] = 0.0
                active -= 1
                nxt, busy = _fill(
                    i, nxt, stop, y0, t0, tend, S, M, beta, P, tl, t0l, tendl, stepsl, act,
                    obj, best, yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
                )  # fmt: skip
                active += busy
                loaded = loaded or busy == 1
        if loaded:
            # f(t0, y0), altitude and rate of new objects (the other lanes get the same values
            # again: one pass over all lanes is cheaper than a pass per new object)
            lane_accel(S, A0, beta, env, lnrho, ALT, RATE, SPD, RHO)


@jit
def _restore(i, S, SN, A0, AN):
    """Lane ``i`` back to its state before the step (kept in ``SN``, ``AN`` by the swap)."""
    S[0][i] = SN[0][i]
    S[1][i] = SN[1][i]
    S[2][i] = SN[2][i]
    S[3][i] = SN[3][i]
    S[4][i] = SN[4][i]
    S[5][i] = SN[5][i]
    A0[0][i] = AN[0][i]
    A0[1][i] = AN[1][i]
    A0[2][i] = AN[2][i]


@jit
def _fill(
    i, nxt, stop, y0, t0, tend, S, M, beta, P, tl, t0l, tendl, stepsl, act, obj, best,
    yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """Put the next object that needs a step into lane ``i``; returns (next object, 1 if the
    lane is busy else 0).

    Objects with ``t0 >= t_end`` finish on the way (status t_end, no step).
    """
    while nxt < stop:
        o = nxt
        nxt += 1
        t_apo[o] = np.nan
        t_imp[o] = np.nan
        for j in range(7):
            y_apo[o, j] = np.nan
            y_imp[o, j] = np.nan
        if not t0[o] < tend[o]:
            status[o] = STATUS_T_END
            tf[o] = t0[o]
            for j in range(7):
                yf[o, j] = y0[o, j]
            nsteps[o] = 0
            continue
        S[0][i] = y0[o, 0]
        S[1][i] = y0[o, 1]
        S[2][i] = y0[o, 2]
        S[3][i] = y0[o, 3]
        S[4][i] = y0[o, 4]
        S[5][i] = y0[o, 5]
        M[i] = y0[o, 6]
        beta[i] = P[o, BETA]
        tl[i] = t0[o]
        t0l[i] = t0[o]
        tendl[i] = tend[o]
        stepsl[i] = 0.0
        act[i] = 1.0
        best[i] = -math.inf
        obj[i] = o
        return nxt, 1
    return nxt, 0


@numba.njit(cache=True, fastmath=False, parallel=True, error_model="numpy")
def integrate_batch_blocked(
    y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
    yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """RK4 of a ballistic batch, ``CHUNK`` objects per ``prange`` iteration (see module)."""
    n = y0.shape[0]
    nchunks = (n + CHUNK - 1) // CHUNK
    for c in numba.prange(nchunks):
        first = c * CHUNK
        stop = min(n, first + CHUNK)
        run_chunk(
            first, stop, y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
            yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
        )  # fmt: skip
