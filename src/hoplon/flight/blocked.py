"""Blocked structure-of-arrays RK4 for ballistic batches (the fast path of ``propagate``).

Same equations, same RK4 formula, same step grid and same events as
``hoplon.flight.integrators`` (``METHOD_RK4``), for the common case of ballistic objects:
no thrust, no lift, drag from the ballistic coefficient (no Cd table).
``integrate_batch_blocked`` keeps only the final and event states (``record=False``);
``integrate_batch_blocked_record`` also records the samples of ``record=True``: (t0, y0) and
the end of every step (the located state for an impact step, nothing for the failed step of
an error), as many as the sample arrays hold, exactly as ``integrate_one`` does for RK4;
``integrate_batch_blocked_paths`` records the same samples' positions straight into rows of
a path array (the engagement prediction's grid run).

Layout
------
Each ``prange`` iteration owns a chunk of objects and flies them through ``LANES`` lanes. The
state of the lanes is held as structure of arrays in one flat work vector ``W``: row ``r``
(x, y, z, vx, ..., stage states, accelerations, times) is ``W[r * LANES : (r + 1) * LANES]``.
Rows are compile-time constants and ``LANES`` is too, so LLVM sees that rows never overlap,
needs no run-time overlap checks and no reference counting of views, and vectorises every
loop over the lanes (SIMD over objects). Every RK4 stage is a few such loops without
data-dependent branches and independent objects overlap in the pipeline instead of
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

# rows of the work vector W (each LANES long)
R_S = 0  # state x, y, z, vx, vy, vz at the start of the step (6 rows)
R_SN = 6  # state at the end of the step
R_T1 = 12  # RK4 stage arguments
R_T2 = 18
R_T3 = 24
R_A0 = 30  # accelerations ax, ay, az of S (3 rows)
R_A1 = 33
R_A2 = 36
R_A3 = 39
R_AN = 42  # of SN
R_ALT = 45  # altitude and altitude rate of S
R_RATE = 46
R_ALTN = 47  # of SN
R_RATEN = 48
R_SPD = 49  # work: speed, density
R_RHO = 50
R_H = 51  # step length (0 for idle lanes)
R_T = 52  # time of S
R_TN = 53  # time of SN
R_T0 = 54  # t0 and t_end of the lane's object
R_TEND = 55
R_STEPS = 56  # steps taken (as float)
R_ACT = 57  # 1 busy, 0 idle
R_FLAG = 58  # 1: the step needs the scalar path
R_BETA = 59  # ballistic coefficient
R_M = 60  # mass
N_ROWS = 61

jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")
inline = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy", inline="always")


@inline
def lane_accel(W, src, acc, alt, rate, env, lnrho):
    """Acceleration [m/s^2] of the lane states in rows ``src:src+6`` into rows ``acc:acc+3``,
    altitude [m] into row ``alt`` and altitude rate [m/s] into row ``rate`` (as
    ``integrators.altitude_rate``).

    The arithmetic is that of ``forces.deriv`` in the same order. Three loops over the
    lanes: gravity, rotation terms and geodetic altitude (branches written as selects,
    vectorised), the density table lookup and ``exp`` (scalar: gathers do not pay on this
    hardware), drag (vectorised).
    """
    L = LANES
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
    for i in range(L):
        xi = W[src * L + i]
        yi = W[(src + 1) * L + i]
        zi = W[(src + 2) * L + i]
        vxi = W[(src + 3) * L + i]
        vyi = W[(src + 4) * L + i]
        vzi = W[(src + 5) * L + i]
        # gravity (forces.gravity)
        r2 = xi * xi + yi * yi + zi * zi
        r = math.sqrt(r2)
        k = -mu / (r2 * r)
        f = cj2 / r2
        q = 5.0 * zi * zi / r2
        kxy = k * (1.0 + f * (1.0 - q))
        # Coriolis and centrifugal terms
        W[acc * L + i] = kxy * xi + (w2 * vyi + ww * xi)
        W[(acc + 1) * L + i] = kxy * yi + (wm2 * vxi + ww * yi)
        W[(acc + 2) * L + i] = k * (1.0 + f * (3.0 - q)) * zi
        # geodetic altitude (forces.geodetic_altitude, branches as selects)
        p = math.sqrt(xi * xi + yi * yi)
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
            rs = math.sqrt(p * p + zi * zi)
            h = rs - a
            c = p / rs
            s = zi / rs
        cl = xi / p
        sl = yi / p
        if not p > 0.0:
            cl = 1.0
            sl = 0.0
        W[alt * L + i] = h
        W[rate * L + i] = c * cl * vxi + c * sl * vyi + s * vzi
        W[R_SPD * L + i] = math.sqrt(vxi * vxi + vyi * vyi + vzi * vzi)
    # density: linear ln rho on the uniform table, 0 above its top (forces.density); 0 for
    # idle lanes (their values are never used: a refilled lane's are computed afresh)
    for i in range(L):
        h = W[alt * L + i]
        rho = 0.0
        if h < top and W[R_ACT * L + i] != 0.0:
            u = (h - h0) / dh
            if u <= 0.0:
                lr = lnrho[0]
            elif u >= last:
                lr = lnrho[natm - 1]
            else:
                kk = int(u)
                lr = lnrho[kk] + (u - kk) * (lnrho[kk + 1] - lnrho[kk])
            rho = math.exp(lr)
        W[R_RHO * L + i] = rho
    # drag: k = rho |v| / (2 beta), a -= k v (k = 0 for beta = inf or rho = 0)
    for i in range(L):
        kd = 0.5 * W[R_RHO * L + i] * W[R_SPD * L + i] / W[R_BETA * L + i]
        W[acc * L + i] -= kd * W[(src + 3) * L + i]
        W[(acc + 1) * L + i] -= kd * W[(src + 4) * L + i]
        W[(acc + 2) * L + i] -= kd * W[(src + 5) * L + i]


@inline
def lane_stage(W, vel, acc, c, out):
    """RK4 stage argument ``out = S + (c h_l) (V, A)``: positions move with the velocities
    in rows ``vel:vel+3``, velocities with the accelerations in rows ``acc:acc+3``."""
    L = LANES
    for j in range(3):
        for i in range(L):
            ch = c * W[R_H * L + i]
            W[(out + j) * L + i] = W[(R_S + j) * L + i] + ch * W[(vel + j) * L + i]
            W[(out + 3 + j) * L + i] = W[(R_S + 3 + j) * L + i] + ch * W[(acc + j) * L + i]


@inline
def lane_combine(W):
    """``SN = S + h_l / 6 (K0 + 2 (K1 + K2) + K3)`` with ``K = (velocity, acceleration)``."""
    L = LANES
    for j in range(3):
        for i in range(L):
            h6 = W[R_H * L + i] / 6.0
            k0 = W[(R_S + 3 + j) * L + i]
            k1 = W[(R_T1 + 3 + j) * L + i]
            k2 = W[(R_T2 + 3 + j) * L + i]
            k3 = W[(R_T3 + 3 + j) * L + i]
            W[(R_SN + j) * L + i] = W[(R_S + j) * L + i] + h6 * (k0 + 2.0 * (k1 + k2) + k3)
            k0 = W[(R_A0 + j) * L + i]
            k1 = W[(R_A1 + j) * L + i]
            k2 = W[(R_A2 + j) * L + i]
            k3 = W[(R_A3 + j) * L + i]
            W[(R_SN + 3 + j) * L + i] = W[(R_S + 3 + j) * L + i] + h6 * (k0 + 2.0 * (k1 + k2) + k3)


@inline
def lane_prepare(W, dt):
    """Count the step of the busy lanes and set its end ``TN`` and length ``H`` (0 for idle
    lanes), as ``integrate_one``: t_new = t0 + k dt, clipped to t_end."""
    L = LANES
    for i in range(L):
        act = W[R_ACT * L + i]
        k = W[R_STEPS * L + i] + act
        W[R_STEPS * L + i] = k
        t_new = W[R_T0 * L + i] + k * dt
        T = W[R_TEND * L + i]
        if t_new >= T - 1e-9 * dt:
            t_new = T
        W[R_TN * L + i] = t_new
        W[R_H * L + i] = (t_new - W[R_T * L + i]) if act != 0.0 else 0.0


@inline
def lane_flags(W, stop_alt, use_stop, max_steps):
    """Row FLAG = 1 for busy lanes whose step needs the scalar path: non-finite state, impact
    or apogee within the step, end time or step limit reached; else 0. Returns the count."""
    L = LANES
    nflag = 0.0
    for i in range(L):
        tot = W[R_SN * L + i] + W[(R_SN + 1) * L + i] + W[(R_SN + 2) * L + i]
        tot += W[(R_SN + 3) * L + i] + W[(R_SN + 4) * L + i] + W[(R_SN + 5) * L + i]
        bad = not math.isfinite(tot)
        alt = W[R_ALT * L + i]
        alt_n = W[R_ALTN * L + i]
        hit = use_stop and alt > stop_alt and alt_n <= stop_alt
        apo = W[R_RATE * L + i] > 0.0 and W[R_RATEN * L + i] <= 0.0
        end = not W[R_TN * L + i] < W[R_TEND * L + i] or W[R_STEPS * L + i] >= max_steps
        f = W[R_ACT * L + i] if (bad or hit or apo or end) else 0.0
        W[R_FLAG * L + i] = f
        nflag += f
    return nflag


@inline
def lane_commit(W):
    """The end of the step becomes current: S = SN, A0 = AN, ALT, RATE, T = TN."""
    L = LANES
    for j in range(6):
        for i in range(L):
            W[(R_S + j) * L + i] = W[(R_SN + j) * L + i]
    for j in range(3):
        for i in range(L):
            W[(R_A0 + j) * L + i] = W[(R_AN + j) * L + i]
    for i in range(L):
        W[R_ALT * L + i] = W[R_ALTN * L + i]
        W[R_RATE * L + i] = W[R_RATEN * L + i]
        W[R_T * L + i] = W[R_TN * L + i]


@jit
def lane_event(
    W, i, p, env, atm, cdt, stop_alt, use_stop, yev, t_apo, y_apo, best_apo, wK, wtmp, wy,
    wyerr, wdense,
):  # fmt: skip
    """Impact and apogee of lane ``i`` within the step (T, TN), as ``integrate_one``.

    Writes the state at the end of the (possibly shortened) step into ``yev``; updates the
    object's apogee outputs. Returns (t_evt, impact, best_apo).
    """
    L = LANES
    for j in range(6):
        wy[j] = W[(R_S + j) * L + i]
        yev[j] = W[(R_SN + j) * L + i]
    wy[6] = W[R_M * L + i]
    yev[6] = wy[6]
    for j in range(3):
        wK[0, j] = W[(R_S + 3 + j) * L + i]
        wK[0, j + 3] = W[(R_A0 + j) * L + i]
    wK[0, 6] = 0.0
    t = W[R_T * L + i]
    hh = W[R_H * L + i]
    alt = W[R_ALT * L + i]
    rate = W[R_RATE * L + i]
    alt_n = W[R_ALTN * L + i]
    rate_n = W[R_RATEN * L + i]
    t_evt = W[R_TN * L + i]
    impact = False
    if use_stop and alt > stop_alt and alt_n <= stop_alt:
        s = locate(
            0, stop_alt, METHOD_RK4, t, wy, hh, alt - stop_alt, alt_n - stop_alt,
            p, env, atm, cdt, wK, wtmp, yev, wyerr,
        )  # fmt: skip
        t_evt = t + s
        impact = True
        alt_n, rate_n = altitude_rate(yev, env)
    if rate > 0.0 and rate_n <= 0.0:
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
    return t_evt, impact, best_apo


@inline
def _record(W, i, o, ts, ys, nsamp, paths, rowmap):
    """Append the end of lane ``i``'s step (rows SN, TN: after an impact the located event
    state) to object ``o``'s samples, as ``integrate_one`` does after every step (RK4):
    the state into ``ys[o]``, or with ``paths`` the position only into ``ys[rowmap[o]]``."""
    L = LANES
    k = nsamp[o]
    if k < ts.shape[1]:
        ts[o, k] = W[R_TN * L + i]
        if paths:
            r = rowmap[o]
            for j in range(3):
                ys[r, k, j] = W[(R_SN + j) * L + i]
        else:
            for j in range(6):
                ys[o, k, j] = W[(R_SN + j) * L + i]
            ys[o, k, 6] = W[R_M * L + i]
        nsamp[o] = k + 1


@jit
def _fill(W, i, nxt, stop, y0, P, t0, tend, obj, best, yf, tf, status, t_imp, y_imp, t_apo,
          y_apo, nsteps, record, ts, ys, nsamp, paths, rowmap):  # fmt: skip
    """Put the next object that needs a step into lane ``i`` (rows SN, TN: the commit makes
    them current); returns (next object, 1 if the lane is busy else 0).

    Objects with ``t0 >= t_end`` finish on the way (status t_end, no step). With ``record``
    every object taken gets its first sample (t0, y0) (see ``_record`` for ``paths``).
    """
    L = LANES
    while nxt < stop:
        o = nxt
        nxt += 1
        if record and ts.shape[1] > 0:
            ts[o, 0] = t0[o]
            if paths:
                r = rowmap[o]
                for j in range(3):
                    ys[r, 0, j] = y0[o, j]
            else:
                for j in range(7):
                    ys[o, 0, j] = y0[o, j]
            nsamp[o] = 1
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
        for j in range(6):
            W[(R_SN + j) * L + i] = y0[o, j]
        W[R_M * L + i] = y0[o, 6]
        W[R_BETA * L + i] = P[o, BETA]
        W[R_TN * L + i] = t0[o]
        W[R_T0 * L + i] = t0[o]
        W[R_TEND * L + i] = tend[o]
        W[R_STEPS * L + i] = 0.0
        W[R_ACT * L + i] = 1.0
        best[i] = -math.inf
        obj[i] = o
        return nxt, 1
    return nxt, 0


@jit
def run_chunk(
    first, stop, y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
    yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps, record, ts, ys, nsamp, paths, rowmap,
):  # fmt: skip
    """Fly objects ``first:stop`` through the lanes (refilling a lane when its object stops).

    Per step: the RK4 stages over all lanes; lanes flagged by ``lane_flags`` (rare: an
    event, the end, an error) are finished on the scalar path, which leaves in the ``SN``
    rows what the lane continues with (the new object of a refilled lane, the old state
    after an error); then ``lane_commit`` makes the end of the step current.
    """
    L = LANES
    lnrho = atm[0]
    W = np.zeros(N_ROWS * L)
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
        W[R_SN * L + i] = env[ENV_A] + 1e5
        W[R_BETA * L + i] = math.inf
        W[R_M * L + i] = 1.0
    nxt = first
    active = 0
    for i in range(L):
        nxt, busy = _fill(
            W, i, nxt, stop, y0, P, t0, tend, obj, best, yf, tf, status, t_imp, y_imp, t_apo,
            y_apo, nsteps, record, ts, ys, nsamp, paths, rowmap,
        )  # fmt: skip
        active += busy
    lane_commit(W)
    lane_accel(W, R_S, R_A0, R_ALT, R_RATE, env, lnrho)
    while active > 0:
        lane_prepare(W, dt)
        lane_stage(W, R_S + 3, R_A0, 0.5, R_T1)
        lane_accel(W, R_T1, R_A1, R_ALTN, R_RATEN, env, lnrho)
        lane_stage(W, R_T1 + 3, R_A1, 0.5, R_T2)
        lane_accel(W, R_T2, R_A2, R_ALTN, R_RATEN, env, lnrho)
        lane_stage(W, R_T2 + 3, R_A2, 1.0, R_T3)
        lane_accel(W, R_T3, R_A3, R_ALTN, R_RATEN, env, lnrho)
        lane_combine(W)
        lane_accel(W, R_SN, R_AN, R_ALTN, R_RATEN, env, lnrho)
        nflag = lane_flags(W, stop_alt, use_stop, max_steps)
        if record:
            # the steps that need no scalar work (the flagged ones are recorded below)
            for i in range(L):
                if W[R_ACT * L + i] != 0.0 and W[R_FLAG * L + i] == 0.0:
                    _record(W, i, obj[i], ts, ys, nsamp, paths, rowmap)
        loaded = False
        if nflag > 0.0:
            for i in range(L):
                if W[R_FLAG * L + i] == 0.0:
                    continue
                o = obj[i]
                st = -1
                tot = 0.0
                for j in range(6):
                    tot += W[(R_SN + j) * L + i]
                if not math.isfinite(tot):
                    # error: the object stops at the start of the step
                    st = STATUS_ERROR
                    for j in range(6):
                        W[(R_SN + j) * L + i] = W[(R_S + j) * L + i]
                    W[R_TN * L + i] = W[R_T * L + i]
                else:
                    alt = W[R_ALT * L + i]
                    alt_n = W[R_ALTN * L + i]
                    hit = use_stop and alt > stop_alt and alt_n <= stop_alt
                    if hit or (W[R_RATE * L + i] > 0.0 and W[R_RATEN * L + i] <= 0.0):
                        t_evt, impact, best[i] = lane_event(
                            W, i, P[o], env, atm, cdt, stop_alt, use_stop, yev, t_apo[o:],
                            y_apo[o], best[i], wK, wtmp, wy, wyerr, wdense,
                        )  # fmt: skip
                        if impact:
                            for j in range(6):
                                W[(R_SN + j) * L + i] = yev[j]
                            W[R_TN * L + i] = t_evt
                            t_imp[o] = t_evt
                            for j in range(7):
                                y_imp[o, j] = yev[j]
                            st = STATUS_IMPACT
                    if st < 0:
                        if not W[R_TN * L + i] < W[R_TEND * L + i]:
                            st = STATUS_T_END
                        elif W[R_STEPS * L + i] >= max_steps:
                            st = STATUS_STEP_LIMIT
                if record and st != STATUS_ERROR:
                    _record(W, i, o, ts, ys, nsamp, paths, rowmap)
                if st >= 0:
                    status[o] = st
                    tf[o] = W[R_TN * L + i]
                    for j in range(6):
                        yf[o, j] = W[(R_SN + j) * L + i]
                    yf[o, 6] = W[R_M * L + i]
                    nsteps[o] = int(W[R_STEPS * L + i])
                    obj[i] = -1
                    W[R_ACT * L + i] = 0.0
                    active -= 1
                    nxt, busy = _fill(
                        W, i, nxt, stop, y0, P, t0, tend, obj, best, yf, tf, status, t_imp,
                        y_imp, t_apo, y_apo, nsteps, record, ts, ys, nsamp, paths, rowmap,
                    )  # fmt: skip
                    active += busy
                    loaded = loaded or busy == 1
        lane_commit(W)
        if loaded:
            # f(t0, y0), altitude and rate of new objects (the other lanes get the same values
            # again: one pass over all lanes is cheaper than a pass per new object)
            lane_accel(W, R_S, R_A0, R_ALT, R_RATE, env, lnrho)


@numba.njit(cache=True, fastmath=False, parallel=True, error_model="numpy")
def integrate_batch_blocked(
    y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
    yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """RK4 of a ballistic batch, ``CHUNK`` objects per ``prange`` iteration (see module)."""
    n = y0.shape[0]
    nchunks = (n + CHUNK - 1) // CHUNK
    ts = np.empty((0, 0))
    ys = np.empty((0, 0, 7))
    nsamp = np.empty(0, dtype=np.int64)
    rowmap = np.empty(0, dtype=np.int64)
    for c in numba.prange(nchunks):
        first = c * CHUNK
        stop = min(n, first + CHUNK)
        run_chunk(
            first, stop, y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
            yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps, False, ts, ys, nsamp, False,
            rowmap,
        )  # fmt: skip


@numba.njit(cache=True, fastmath=False, parallel=True, error_model="numpy")
def integrate_batch_blocked_record(
    y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
    ts, ys, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """``integrate_batch_blocked`` recording the samples as ``integrate_batch`` with
    ``record=True``: (t0, y0), then the end of every step (the located impact state for the
    impact step; not the failed step of an error), while ``ts.shape[1]`` allows, into
    ``ts (n, S)``, ``ys (n, S, 7)``; their counts into ``nsamp``. Other entries untouched."""
    n = y0.shape[0]
    nchunks = (n + CHUNK - 1) // CHUNK
    rowmap = np.empty(0, dtype=np.int64)
    for c in numba.prange(nchunks):
        first = c * CHUNK
        stop = min(n, first + CHUNK)
        run_chunk(
            first, stop, y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
            yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps, True, ts, ys, nsamp, False,
            rowmap,
        )  # fmt: skip


@numba.njit(cache=True, fastmath=False, parallel=True, error_model="numpy")
def integrate_batch_blocked_paths(
    y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
    rowmap, ts, paths, nsamp, yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps,
):  # fmt: skip
    """``integrate_batch_blocked_record`` recording only the positions, straight into rows
    of a path array: object ``o``'s samples ``k`` go to ``paths[rowmap[o], k, :3]`` (k <
    ``ts.shape[1]``, ``paths`` (m, >= ts.shape[1], 3)), their times to ``ts[o, k]``, their
    counts to ``nsamp``; other entries untouched. The same samples, bit for bit."""
    n = y0.shape[0]
    nchunks = (n + CHUNK - 1) // CHUNK
    for c in numba.prange(nchunks):
        first = c * CHUNK
        stop = min(n, first + CHUNK)
        run_chunk(
            first, stop, y0, P, env, atm, cdt, t0, tend, dt, stop_alt, use_stop, max_steps,
            yf, tf, status, t_imp, y_imp, t_apo, y_apo, nsteps, True, ts, paths, nsamp, True,
            rowmap,
        )  # fmt: skip
