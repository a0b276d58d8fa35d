"""Scalar force kernels and the equations of motion of one object (numba, no allocation).

State ``y = [x, y, z, vx, vy, vz, m]``: position [m] and velocity relative to the Earth [m/s]
in the Earth-fixed frame (ECEF), mass [kg]. Equations of motion in the frame rotating at
``w = (0, 0, omega)``::

    dr/dt = v
    dv/dt = g(r) - 2 w x v - w x (w x r) + a_drag + a_lift + a_thrust
    dm/dt = -mdot           (while thrust > 0)

The atmosphere co-rotates with the Earth, so ``v`` is also the air-relative velocity;
altitude is read from ``r`` directly.

Forces
------
- Gravity, point mass: g = -mu r / |r|^3. With J2 (reference radius Re)::

      g_x = -mu x / r^3 [1 + 3/2 J2 (Re/r)^2 (1 - 5 z^2/r^2)]     (same for y)
      g_z = -mu z / r^3 [1 + 3/2 J2 (Re/r)^2 (3 - 5 z^2/r^2)]

- Drag: a = -rho(h) |v| v / (2 beta), or with a Cd(Mach) table
  a = -rho |v| v Cd(|v|/c(h)) A / (2 m). rho from linear interpolation of ln rho on the
  uniform table of ``hoplon.earth.atmosphere.log_density_table`` (0 above its top, the
  sea-level value below 0); c(h) the speed of sound interpolated on the same grid.
- Lift: |a_L| = (L/D) |a_D| along l = cos(s) l0 + sin(s) (v^ x l0), where l0 is the unit
  part of local up perpendicular to v^ and s the bank angle.
- Thrust: T/m along v^ (steering 0), or along the pitch-program direction in local ENU
  (steering 1); see ``hoplon.flight.params``.

Geodetic altitude: Bowring's method with one iteration, written without trigonometric
functions (only sqrt): altitude error below 1e-8 m up to 10,000 km. On the sphere model:
h = |r| - R and up = r/|r|.

GPU path
--------
Every function here is a pure scalar function of floats and flat float64 arrays
(``p``: one row of params, ``env``: ``EarthModel.to_array()``, ``atm``: (2, N) table,
``cdt``: (k, 2) table), without allocation, Python objects or numpy calls. A CUDA port
compiles the same source with ``numba.cuda.jit(device=True)`` (or transcribes it to a
CuPy ``RawKernel``), with one thread per object running the integrator loop of
``hoplon.flight.integrators``.
"""

from __future__ import annotations

import math

import numba
import numpy as np

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
from hoplon.flight.params import (
    AZIMUTH,
    BANK,
    BETA,
    LIFT_TO_DRAG,
    MDOT,
    PITCH0,
    PITCH_MIN,
    PITCH_RATE,
    REF_AREA,
    STEERING,
    T_START,
    THRUST,
    USE_CD_TABLE,
)

jit = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")
inline = numba.njit(cache=True, fastmath=False, nogil=True, error_model="numpy")


@inline
def geodetic_altitude(x: float, y: float, z: float, a: float, e2: float, sphere: float):
    """Altitude above the reference surface and the local vertical.

    Returns
    -------
    (h, cos_lat, sin_lat, cos_lon, sin_lon)
        h [m]; the trigonometric values of geodetic latitude (or geocentric on the sphere)
        and longitude. Local up = (cos_lat cos_lon, cos_lat sin_lon, sin_lat).
    """
    p = math.sqrt(x * x + y * y)
    if p > 0.0:
        cl = x / p
        sl = y / p
    else:
        cl = 1.0
        sl = 0.0
    if sphere != 0.0:
        r = math.sqrt(p * p + z * z)
        return r - a, p / r, z / r, cl, sl
    b = a * math.sqrt(1.0 - e2)
    if p < 1e-6:
        s = 1.0 if z >= 0.0 else -1.0
        return abs(z) - b, 0.0, s, cl, sl
    ep2 = e2 / (1.0 - e2)
    # reduced latitude u: tan u = (a z) / (b p)
    su = a * z
    cu = b * p
    nrm = math.sqrt(su * su + cu * cu)
    su /= nrm
    cu /= nrm
    # one Bowring iteration: altitude error < 1e-8 m, latitude error < 1e-8 rad up to
    # 10,000 km altitude (checked against hoplon.earth.frames.ecef_to_geodetic)
    num = z + ep2 * b * su * su * su
    den = p - e2 * a * cu * cu * cu
    nrm = math.sqrt(num * num + den * den)
    s = num / nrm
    c = den / nrm
    h = p * c + z * s - a * math.sqrt(1.0 - e2 * s * s)
    return h, c, s, cl, sl


@inline
def gravity(x: float, y: float, z: float, env: np.ndarray):
    """Gravitational acceleration [m/s^2] (point mass, + J2 when ``env[ENV_GRAVITY] == 2``)."""
    mode = env[ENV_GRAVITY]
    if mode == 0.0:
        return 0.0, 0.0, 0.0
    r2 = x * x + y * y + z * z
    r = math.sqrt(r2)
    k = -env[ENV_MU] / (r2 * r)
    if mode == 1.0:
        return k * x, k * y, k * z
    re = env[ENV_J2_R]
    f = 1.5 * env[ENV_J2] * re * re / r2
    q = 5.0 * z * z / r2
    kxy = k * (1.0 + f * (1.0 - q))
    return kxy * x, kxy * y, k * (1.0 + f * (3.0 - q)) * z


@inline
def table_interp(h: float, h0: float, dh: float, row: np.ndarray, n: int) -> float:
    """Linear interpolation on a uniform grid, clamped at both ends."""
    u = (h - h0) / dh
    if u <= 0.0:
        return row[0]
    if u >= n - 1:
        return row[n - 1]
    k = int(u)
    w = u - k
    return row[k] + w * (row[k + 1] - row[k])


@inline
def density(h: float, env: np.ndarray, atm: np.ndarray) -> float:
    """Air density [kg/m^3] from the ln rho table; 0 above the table's top."""
    n = int(env[ENV_ATM_N])
    h0 = env[ENV_ATM_H0]
    dh = env[ENV_ATM_DH]
    if h >= h0 + (n - 1) * dh:
        return 0.0
    return math.exp(table_interp(h, h0, dh, atm[0], n))


@inline
def speed_of_sound(h: float, env: np.ndarray, atm: np.ndarray) -> float:
    """Speed of sound [m/s] interpolated on the atmosphere grid (clamped at the ends)."""
    return table_interp(h, env[ENV_ATM_H0], env[ENV_ATM_DH], atm[1], int(env[ENV_ATM_N]))


@inline
def cd_of_mach(mach: float, cdt: np.ndarray) -> float:
    """Drag coefficient from a (k, 2) [Mach, Cd] table, linear, clamped at the ends."""
    k = cdt.shape[0]
    if mach <= cdt[0, 0]:
        return cdt[0, 1]
    if mach >= cdt[k - 1, 0]:
        return cdt[k - 1, 1]
    lo = 0
    hi = k - 1
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if cdt[mid, 0] <= mach:
            lo = mid
        else:
            hi = mid
    w = (mach - cdt[lo, 0]) / (cdt[hi, 0] - cdt[lo, 0])
    return cdt[lo, 1] + w * (cdt[hi, 1] - cdt[lo, 1])


@inline
def deriv(
    t: float,
    y: np.ndarray,
    p: np.ndarray,
    env: np.ndarray,
    atm: np.ndarray,
    cdt: np.ndarray,
    out: np.ndarray,
) -> None:
    """Equations of motion dy/dt of one object (see the module docstring); writes ``out``."""
    x = y[0]
    yy = y[1]
    z = y[2]
    vx = y[3]
    vy = y[4]
    vz = y[5]
    m = y[6]
    ax, ay, az = gravity(x, yy, z, env)
    w = env[ENV_OMEGA]
    if w != 0.0:
        # -2 w x v - w x (w x r), w = (0, 0, omega)
        ax += 2.0 * w * vy + w * w * x
        ay += -2.0 * w * vx + w * w * yy
    thrust = p[THRUST]
    drag_on = env[ENV_ATMOSPHERE] != 0.0 and (p[USE_CD_TABLE] != 0.0 or p[BETA] < math.inf)
    need_up = drag_on or (thrust > 0.0 and p[STEERING] == 1.0)
    h = 0.0
    cb = 1.0
    sb = 0.0
    cl = 1.0
    sl = 0.0
    if need_up:
        h, cb, sb, cl, sl = geodetic_altitude(x, yy, z, env[ENV_A], env[ENV_E2], env[ENV_SPHERE])
    speed = 0.0
    if drag_on or thrust > 0.0:
        speed = math.sqrt(vx * vx + vy * vy + vz * vz)
    if drag_on and speed > 0.0:
        rho = density(h, env, atm)
        if rho > 0.0:
            if p[USE_CD_TABLE] != 0.0:
                mach = speed / speed_of_sound(h, env, atm)
                k = 0.5 * rho * speed * cd_of_mach(mach, cdt) * p[REF_AREA] / m
            else:
                k = 0.5 * rho * speed / p[BETA]
            ax -= k * vx
            ay -= k * vy
            az -= k * vz
            ld = p[LIFT_TO_DRAG]
            if ld != 0.0:
                ux = cb * cl
                uy = cb * sl
                uz = sb
                ex = vx / speed
                ey = vy / speed
                ez = vz / speed
                d = ux * ex + uy * ey + uz * ez
                lx = ux - d * ex
                ly = uy - d * ey
                lz = uz - d * ez
                nl = math.sqrt(lx * lx + ly * ly + lz * lz)
                if nl > 1e-12:
                    lx /= nl
                    ly /= nl
                    lz /= nl
                    cs = math.cos(p[BANK])
                    ss = math.sin(p[BANK])
                    # v^ x l0
                    cx = ey * lz - ez * ly
                    cy = ez * lx - ex * lz
                    cz = ex * ly - ey * lx
                    aL = ld * k * speed
                    ax += aL * (cs * lx + ss * cx)
                    ay += aL * (cs * ly + ss * cy)
                    az += aL * (cs * lz + ss * cz)
    dm = 0.0
    if thrust > 0.0:
        at = thrust / m
        if p[STEERING] == 0.0:
            if speed > 1e-3:
                dx = vx / speed
                dy = vy / speed
                dz = vz / speed
            else:
                if not need_up:
                    h, cb, sb, cl, sl = geodetic_altitude(
                        x, yy, z, env[ENV_A], env[ENV_E2], env[ENV_SPHERE]
                    )
                dx = cb * cl
                dy = cb * sl
                dz = sb
        else:
            pitch = p[PITCH0] + p[PITCH_RATE] * (t - p[T_START])
            if pitch > 0.5 * math.pi:
                pitch = 0.5 * math.pi
            if pitch < p[PITCH_MIN]:
                pitch = p[PITCH_MIN]
            cp = math.cos(pitch)
            e = cp * math.sin(p[AZIMUTH])
            nn = cp * math.cos(p[AZIMUTH])
            u = math.sin(pitch)
            # ENU -> ECEF: east (-sl, cl, 0), north (-sb cl, -sb sl, cb), up (cb cl, cb sl, sb)
            dx = -sl * e - sb * cl * nn + cb * cl * u
            dy = cl * e - sb * sl * nn + cb * sl * u
            dz = cb * nn + sb * u
        ax += at * dx
        ay += at * dy
        az += at * dz
        dm = -p[MDOT]
    out[0] = vx
    out[1] = vy
    out[2] = vz
    out[3] = ax
    out[4] = ay
    out[5] = az
    out[6] = dm
