"""A drawn (not simulated) interceptor flyout for displays: launch site to aim point.

The run directory records where and when each interceptor left its battery and where and
when it met (or missed) its aim point, but not the interceptor's path. For viewers and DIS
streams this module draws a smooth, plausible path between those two points. It is a
*sketch for display*: no forces are integrated and nothing here should be read as
interceptor performance.

The approximation
-----------------
Geometry, in the vertical plane of the great circle from the site to the aim point's
sub-point (downrange ``x`` [m], altitude ``h`` [m]): a quadratic Bézier curve

    P(u) = (1 - u)^2 P0 + 2 u (1 - u) P1 + u^2 P2,   u in [0, 1],
    P0 = (0, h0),  P1 = (c X, h_a),  P2 = (X, h_a),

with ``X`` the great-circle distance, ``h0`` the site altitude, ``h_a`` the aim altitude and
``c = 0.3``: a steep climb out of the launcher that bends over and arrives level at the aim
altitude. Downrange distance is mapped onto the great circle by spherical linear
interpolation of the geodetic normal vectors (exact at both ends).

Timing: a boost-then-coast speed profile along the curve's arc length ``L``: the speed
rises linearly from 0 to ``v_c`` over the first fraction ``b`` of the flight time ``T``,
then stays at ``v_c``, so the travelled fraction of ``L`` is

    p(tau) = tau^2 / (2 b) / (1 - b/2)          for tau <= b,
    p(tau) = (tau - b/2) / (1 - b/2)            for tau >  b,    tau = (t - t0) / T.

Velocities are finite differences of the sampled ECEF positions.
"""

from __future__ import annotations

import numpy as np

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import geodetic_to_ecef

#: Fraction of the flight time spent boosting (speed ramps up linearly).
BOOST_FRACTION = 0.2
#: Downrange position of the Bézier control point, as a fraction of the ground range.
CONTROL_FRACTION = 0.3


def _normal(lat: float, lon: float) -> np.ndarray:
    return np.array([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)])


def progress(tau: np.ndarray, boost_fraction: float = BOOST_FRACTION) -> np.ndarray:
    """Travelled fraction of the path at normalised time ``tau`` in [0, 1] (boost, coast).

    ``p = tau^2 / (2 b) / (1 - b/2)`` while boosting (``tau <= b``), then
    ``p = (tau - b/2) / (1 - b/2)``; continuous with a continuous derivative, p(0) = 0,
    p(1) = 1.
    """
    b = float(boost_fraction)
    tau = np.clip(np.asarray(tau, dtype=np.float64), 0.0, 1.0)
    norm = 1.0 - 0.5 * b
    return np.where(tau <= b, tau * tau / (2.0 * b) / norm, (tau - 0.5 * b) / norm)


def sketch_flyout(
    site_lat: float,
    site_lon: float,
    site_alt: float,
    aim_lat: float,
    aim_lon: float,
    aim_alt: float,
    t0: float,
    t1: float,
    step_s: float = 1.0,
    boost_fraction: float = BOOST_FRACTION,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sampled drawn flyout from the site (at ``t0`` [s]) to the aim point (at ``t1`` [s]).

    Parameters
    ----------
    site_lat, site_lon, aim_lat, aim_lon : float
        Geodetic latitude and longitude [rad].
    site_alt, aim_alt : float
        Altitude above the WGS84 ellipsoid [m].
    t0, t1 : float
        Launch and intercept times [s], ``t1 > t0``.
    step_s : float
        Sample spacing [s] (the end of the boost and ``t1`` are always sampled).

    Returns
    -------
    t : (k,) array [s], r : (k, 3) ECEF positions [m], v : (k, 3) ECEF velocities [m/s]
        ``r[0]`` is the site and ``r[-1]`` the aim point (to rounding).
    """
    if not t1 > t0:
        raise ValueError(f"intercept time {t1} must be after launch time {t0}")
    T = t1 - t0
    t = np.append(np.arange(t0, t1, step_s), [t0 + boost_fraction * T, t1])
    t = np.unique(t)
    p = progress((t - t0) / T, boost_fraction)

    n0, n1 = _normal(site_lat, site_lon), _normal(aim_lat, aim_lon)
    omega = float(np.arctan2(np.linalg.norm(np.cross(n0, n1)), np.dot(n0, n1)))
    X = R_EARTH_MEAN_M * omega

    # Bézier curve in (downrange, altitude), parametrised by arc length through a table.
    u = np.linspace(0.0, 1.0, 513)
    P0 = np.array([0.0, site_alt])
    P1 = np.array([CONTROL_FRACTION * X, aim_alt])
    P2 = np.array([X, aim_alt])
    uu = u[:, None]
    curve = (1 - uu) ** 2 * P0 + 2 * uu * (1 - uu) * P1 + uu**2 * P2
    seg = np.hypot(*np.diff(curve, axis=0).T)
    s = np.concatenate(([0.0], np.cumsum(seg)))
    if s[-1] > 0:
        uq = np.interp(p * s[-1], s, u)
    else:  # site and aim point coincide
        uq = p
    uq = uq[:, None]
    xh = (1 - uq) ** 2 * P0 + 2 * uq * (1 - uq) * P1 + uq**2 * P2
    f = xh[:, 0] / X if X > 0 else np.zeros(t.size)

    if omega > 1e-12:
        w0 = np.sin((1 - f) * omega) / np.sin(omega)
        w1 = np.sin(f * omega) / np.sin(omega)
        n = w0[:, None] * n0 + w1[:, None] * n1
    else:
        n = np.tile(n0, (t.size, 1))
    lat = np.arcsin(np.clip(n[:, 2], -1.0, 1.0))
    lon = np.arctan2(n[:, 1], n[:, 0])
    r = geodetic_to_ecef(lat, lon, xh[:, 1])
    r[0] = geodetic_to_ecef(site_lat, site_lon, site_alt)
    r[-1] = geodetic_to_ecef(aim_lat, aim_lon, aim_alt)
    v = np.gradient(r, t, axis=0) if t.size > 1 else np.zeros_like(r)
    return t, r, v
