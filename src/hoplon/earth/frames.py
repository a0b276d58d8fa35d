"""Reference frames: geodetic, ECEF, ENU, AER and a rotating-Earth ECI.

All functions are vectorised and broadcast over leading axes. Positions are arrays shaped
``(..., 3)``; angles are radians; lengths metres; time seconds.

Frames
------
- **Geodetic** (lat, lon, alt): latitude and longitude on an :class:`Ellipsoid`, altitude along
  the ellipsoid normal.
- **ECEF**: Earth-centred Earth-fixed, z along the rotation axis, x through (0, 0).
- **ENU**: local east-north-up at a reference point (lat0, lon0, alt0).
- **AER**: azimuth (clockwise from north, in [0, 2*pi)), elevation above the local horizontal
  plane, slant range.
- **ECI** (``_eci``): an inertial frame that coincides with ECEF rotated by the Earth rotation
  angle ``theta(t) = theta0 + omega * t`` about z. Inside the engine ``t`` is seconds since the
  scenario epoch; :func:`gmst_rad` gives ``theta0`` for a calendar epoch (IAU 1982 GMST;
  precession, nutation and polar motion are neglected).
"""

from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass

import numba
import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import OMEGA_EARTH_RAD_S, R_EARTH_MEAN_M, WGS84_A_M, WGS84_F

__all__ = [
    "SPHERE",
    "WGS84",
    "Ellipsoid",
    "aer_to_ecef",
    "aer_to_enu",
    "ecef_to_aer",
    "ecef_to_eci",
    "ecef_to_enu",
    "ecef_to_geodetic",
    "ecef_vector_to_enu",
    "eci_to_ecef",
    "enu_matrix",
    "enu_to_aer",
    "enu_to_ecef",
    "enu_vector_to_ecef",
    "geodetic_to_ecef",
    "gmst_rad",
    "julian_date",
    "rotation_z",
]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Ellipsoid:
    """An oblate ellipsoid of revolution about z.

    Parameters
    ----------
    a_m : float
        Semi-major (equatorial) axis [m].
    f : float
        Flattening ``(a - b) / a`` [-]; 0 gives a sphere of radius ``a_m``.
    """

    a_m: float
    f: float

    @property
    def b_m(self) -> float:
        """Semi-minor (polar) axis ``b = a (1 - f)`` [m]."""
        return self.a_m * (1.0 - self.f)

    @property
    def e2(self) -> float:
        """First eccentricity squared ``e^2 = f (2 - f)`` [-]."""
        return self.f * (2.0 - self.f)

    @property
    def ep2(self) -> float:
        """Second eccentricity squared ``e'^2 = e^2 / (1 - e^2)`` [-]."""
        return self.e2 / (1.0 - self.e2)


#: The WGS84 ellipsoid (NIMA TR8350.2).
WGS84 = Ellipsoid(WGS84_A_M, WGS84_F)
#: A sphere with the mean Earth radius (6371 km).
SPHERE = Ellipsoid(R_EARTH_MEAN_M, 0.0)


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


# --------------------------------------------------------------------------------------------
# Geodetic <-> ECEF
# --------------------------------------------------------------------------------------------


def geodetic_to_ecef(
    lat: ArrayLike, lon: ArrayLike, alt: ArrayLike, ellipsoid: Ellipsoid = WGS84
) -> FloatArray:
    """Geodetic latitude, longitude [rad] and altitude [m] to ECEF position [m].

    ``N = a / sqrt(1 - e^2 sin^2(lat))``, ``x = (N + h) cos(lat) cos(lon)``,
    ``y = (N + h) cos(lat) sin(lon)``, ``z = (N (1 - e^2) + h) sin(lat)``.

    Returns
    -------
    ndarray, shape (..., 3)
        Broadcast shape of the inputs, with a trailing axis of 3.
    """
    lat, lon, alt = np.broadcast_arrays(_f(lat), _f(lon), _f(alt))
    sl, cl = np.sin(lat), np.cos(lat)
    n = ellipsoid.a_m / np.sqrt(1.0 - ellipsoid.e2 * sl * sl)
    rho = (n + alt) * cl
    return np.stack(
        (rho * np.cos(lon), rho * np.sin(lon), (n * (1.0 - ellipsoid.e2) + alt) * sl), axis=-1
    )


def ecef_to_geodetic(
    r: ArrayLike, ellipsoid: Ellipsoid = WGS84
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """ECEF position [m] to geodetic latitude, longitude [rad] and altitude [m].

    Solves for the parametric (reduced) latitude ``beta`` of the foot point on the meridian
    ellipse ``(a cos(beta), b sin(beta))`` whose normal passes through the point ``(p, |z|)``,

    ``f(beta) = a p sin(beta) - b |z| cos(beta) - (a^2 - b^2) sin(beta) cos(beta) = 0``,

    by safeguarded Newton iteration in ``[0, pi/2]`` (converges to machine precision in a few
    steps everywhere outside the evolute of the ellipse, i.e. more than ~43 km from the
    centre; inside it, a valid foot point is returned whose geodetic coordinates map back to
    the same ECEF point). Then ``lat = atan2(a sin(beta), b cos(beta))`` and the altitude is
    the signed distance along the normal,
    ``h = (p - a cos(beta)) cos(lat) + (|z| - b sin(beta)) sin(lat)``.

    Accurate to well below 1 mm at all altitudes, at the poles and on the equator.

    Returns
    -------
    lat, lon, alt : ndarray
        Shapes ``r.shape[:-1]``; ``lon`` in (-pi, pi].
    """
    r = _f(r)
    shape = r.shape[:-1]
    flat = np.ascontiguousarray(r.reshape(-1, 3))
    lat = np.empty(flat.shape[0])
    lon = np.empty(flat.shape[0])
    alt = np.empty(flat.shape[0])
    _geodetic_kernel(flat, ellipsoid.a_m, ellipsoid.b_m, lat, lon, alt)
    return lat.reshape(shape), lon.reshape(shape), alt.reshape(shape)


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _geodetic_kernel(
    r: FloatArray, a: float, b: float, lat: FloatArray, lon: FloatArray, alt: FloatArray
) -> None:  # pragma: no cover - compiled
    """:func:`ecef_to_geodetic` point by point (each point iterates to its own tolerance)."""
    for i in range(r.shape[0]):
        x, y, z = r[i, 0], r[i, 1], r[i, 2]
        lon[i] = math.atan2(y, x)
        la, alt[i] = _geodetic_point(x, y, z, a, b)
        lat[i] = -la if z < 0.0 else la


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _geodetic_altitude(
    x: float, y: float, z: float, a: float, b: float
) -> float:  # pragma: no cover - compiled
    """The altitude of :func:`_geodetic_kernel` for one point (NaN for a NaN point), for
    compiled callers that need the altitude only."""
    return _geodetic_point(x, y, z, a, b)[1]


@numba.njit(cache=True, nogil=True, error_model="numpy")
def _geodetic_point(
    x: float, y: float, z: float, a: float, b: float
) -> tuple[float, float]:  # pragma: no cover - compiled
    """|Geodetic latitude| [rad] and altitude [m] of one point (NaN, NaN for a NaN point)."""
    c2 = a * a - b * b
    p = math.hypot(x, y)
    if math.isnan(p) or math.isnan(z):  # NaN in, NaN out
        return math.nan, math.nan
    az = abs(z)
    beta = math.atan2(a * az, b * p)
    if c2 > 0.0:
        # Bracketed Newton: f(0) = -b|z| <= 0 <= a p = f(pi/2), keep [lo, hi] around a
        # root and bisect whenever the Newton step leaves the bracket.
        lo = 0.0
        hi = 0.5 * math.pi
        for _ in range(80):
            sb, cb = math.sin(beta), math.cos(beta)
            fval = a * p * sb - b * az * cb - c2 * sb * cb
            fder = a * p * cb + b * az * sb - c2 * (cb * cb - sb * sb)
            if fval <= 0.0:
                lo = beta
            if fval >= 0.0:
                hi = beta
            new = beta - fval / fder
            if not (new >= lo and new <= hi):  # also catches nan from fder == 0
                new = 0.5 * (lo + hi)
            delta = abs(new - beta)
            beta = new
            if delta < 4e-16:
                break
    sb, cb = math.sin(beta), math.cos(beta)
    la = math.atan2(a * sb, b * cb)
    return la, (p - a * cb) * math.cos(la) + (az - b * sb) * math.sin(la)


# --------------------------------------------------------------------------------------------
# ENU and AER
# --------------------------------------------------------------------------------------------


def enu_matrix(lat: ArrayLike, lon: ArrayLike) -> FloatArray:
    """Rotation matrix from ECEF to local east-north-up axes at (lat, lon).

    Rows are the unit vectors e, n, u in ECEF::

        e = (-sin(lon),            cos(lon),           0)
        n = (-sin(lat) cos(lon),  -sin(lat) sin(lon),  cos(lat))
        u = ( cos(lat) cos(lon),   cos(lat) sin(lon),  sin(lat))

    Returns
    -------
    ndarray, shape (..., 3, 3)
        ``v_enu = M @ v_ecef`` and ``v_ecef = M.T @ v_enu``.
    """
    lat, lon = np.broadcast_arrays(_f(lat), _f(lon))
    sl, cl = np.sin(lat), np.cos(lat)
    so, co = np.sin(lon), np.cos(lon)
    zero = np.zeros_like(sl)
    return np.stack(
        (
            np.stack((-so, co, zero), axis=-1),
            np.stack((-sl * co, -sl * so, cl), axis=-1),
            np.stack((cl * co, cl * so, sl), axis=-1),
        ),
        axis=-2,
    )


def ecef_vector_to_enu(v: ArrayLike, lat0: ArrayLike, lon0: ArrayLike) -> FloatArray:
    """Rotate an ECEF vector (velocity, direction, difference) into ENU axes at (lat0, lon0)."""
    m = enu_matrix(lat0, lon0)
    return np.einsum("...ij,...j->...i", m, _f(v))


def enu_vector_to_ecef(v_enu: ArrayLike, lat0: ArrayLike, lon0: ArrayLike) -> FloatArray:
    """Rotate an ENU vector at (lat0, lon0) back into ECEF axes (no translation)."""
    m = enu_matrix(lat0, lon0)
    return np.einsum("...ji,...j->...i", m, _f(v_enu))


def ecef_to_enu(
    r: ArrayLike,
    lat0: ArrayLike,
    lon0: ArrayLike,
    alt0: ArrayLike,
    ellipsoid: Ellipsoid = WGS84,
) -> FloatArray:
    """ECEF position [m] to ENU coordinates [m] relative to the geodetic point (lat0, lon0, alt0).

    ``r_enu = M(lat0, lon0) (r - r0)`` with ``r0 = geodetic_to_ecef(lat0, lon0, alt0)``.

    Returns
    -------
    ndarray, shape (..., 3)
        East, north, up on the last axis.
    """
    r0 = geodetic_to_ecef(lat0, lon0, alt0, ellipsoid)
    return ecef_vector_to_enu(_f(r) - r0, lat0, lon0)


def enu_to_ecef(
    r_enu: ArrayLike,
    lat0: ArrayLike,
    lon0: ArrayLike,
    alt0: ArrayLike,
    ellipsoid: Ellipsoid = WGS84,
) -> FloatArray:
    """ENU coordinates [m] at (lat0, lon0, alt0) to ECEF position [m]: ``r0 + M^T r_enu``."""
    r0 = geodetic_to_ecef(lat0, lon0, alt0, ellipsoid)
    return r0 + enu_vector_to_ecef(r_enu, lat0, lon0)


def enu_to_aer(
    e: ArrayLike, n: ArrayLike, u: ArrayLike
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """East, north, up [m] to azimuth, elevation [rad] and slant range [m].

    ``az = atan2(e, n) mod 2 pi`` (clockwise from north, in [0, 2 pi)),
    ``el = atan2(u, sqrt(e^2 + n^2))``, ``rng = sqrt(e^2 + n^2 + u^2)``.
    For an ``(..., 3)`` array ``x`` call ``enu_to_aer(*np.moveaxis(x, -1, 0))``.
    """
    e, n, u = np.broadcast_arrays(_f(e), _f(n), _f(u))
    horiz = np.hypot(e, n)
    az = np.mod(np.arctan2(e, n), 2.0 * math.pi)
    az = np.where(az >= 2.0 * math.pi, 0.0, az)  # mod can round up to 2 pi
    el = np.arctan2(u, horiz)
    rng = np.hypot(horiz, u)
    return az, el, rng


def aer_to_enu(az: ArrayLike, el: ArrayLike, rng: ArrayLike) -> FloatArray:
    """Azimuth, elevation [rad] and slant range [m] to ENU [m], shape ``(..., 3)``.

    ``e = rng cos(el) sin(az)``, ``n = rng cos(el) cos(az)``, ``u = rng sin(el)``.
    """
    az, el, rng = np.broadcast_arrays(_f(az), _f(el), _f(rng))
    h = rng * np.cos(el)
    return np.stack((h * np.sin(az), h * np.cos(az), rng * np.sin(el)), axis=-1)


def ecef_to_aer(
    target_r: ArrayLike,
    lat0: ArrayLike,
    lon0: ArrayLike,
    alt0: ArrayLike,
    ellipsoid: Ellipsoid = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Azimuth, elevation [rad] and slant range [m] of ECEF targets seen from (lat0, lon0, alt0)."""
    enu = ecef_to_enu(target_r, lat0, lon0, alt0, ellipsoid)
    return enu_to_aer(enu[..., 0], enu[..., 1], enu[..., 2])


def aer_to_ecef(
    az: ArrayLike,
    el: ArrayLike,
    rng: ArrayLike,
    lat0: ArrayLike,
    lon0: ArrayLike,
    alt0: ArrayLike,
    ellipsoid: Ellipsoid = WGS84,
) -> FloatArray:
    """ECEF position [m] of the point at (az, el, rng) seen from (lat0, lon0, alt0)."""
    return enu_to_ecef(aer_to_enu(az, el, rng), lat0, lon0, alt0, ellipsoid)


# --------------------------------------------------------------------------------------------
# ECEF <-> ECI (rotation about z)
# --------------------------------------------------------------------------------------------


def rotation_z(theta: ArrayLike) -> FloatArray:
    """Active rotation by ``theta`` [rad] about z, shape ``(..., 3, 3)``.

    ``R_z(theta) = [[cos, -sin, 0], [sin, cos, 0], [0, 0, 1]]``.
    """
    theta = _f(theta)
    c, s = np.cos(theta), np.sin(theta)
    zero, one = np.zeros_like(c), np.ones_like(c)
    return np.stack(
        (np.stack((c, -s, zero), -1), np.stack((s, c, zero), -1), np.stack((zero, zero, one), -1)),
        axis=-2,
    )


def _rotate_z(v: FloatArray, c: FloatArray, s: FloatArray) -> FloatArray:
    x, y = v[..., 0], v[..., 1]
    return np.stack((c * x - s * y, s * x + c * y, np.broadcast_to(v[..., 2], (c * x).shape)), -1)


def ecef_to_eci(
    r: ArrayLike,
    v: ArrayLike | None,
    t_s: ArrayLike,
    theta0_rad: ArrayLike = 0.0,
    omega: float = OMEGA_EARTH_RAD_S,
) -> tuple[FloatArray, FloatArray | None]:
    """ECEF position [m] and velocity [m/s] at time ``t_s`` [s] to the rotating-Earth ECI frame.

    ``theta = theta0 + omega t``; ``r_eci = R_z(theta) r``;
    ``v_eci = R_z(theta) (v + w x r)`` with ``w = (0, 0, omega)``.

    Parameters
    ----------
    v : array_like or None
        ECEF velocity; ``None`` converts positions only (``v_eci`` is then ``None``).

    Returns
    -------
    r_eci, v_eci : ndarray, shape (..., 3)
    """
    r = _f(r)
    theta = _f(theta0_rad) + omega * _f(t_s)
    c, s = np.cos(theta), np.sin(theta)
    r_eci = _rotate_z(r, c, s)
    if v is None:
        return r_eci, None
    v = _f(v)
    w_x_r = np.stack((-omega * r[..., 1], omega * r[..., 0], np.zeros_like(r[..., 2])), -1)
    return r_eci, _rotate_z(v + w_x_r, c, s)


def eci_to_ecef(
    r_eci: ArrayLike,
    v_eci: ArrayLike | None,
    t_s: ArrayLike,
    theta0_rad: ArrayLike = 0.0,
    omega: float = OMEGA_EARTH_RAD_S,
) -> tuple[FloatArray, FloatArray | None]:
    """Inverse of :func:`ecef_to_eci`.

    ``r = R_z(-theta) r_eci``; ``v = R_z(-theta) v_eci - w x r``.
    """
    r_eci = _f(r_eci)
    theta = _f(theta0_rad) + omega * _f(t_s)
    c, s = np.cos(theta), np.sin(theta)
    r = _rotate_z(r_eci, c, -s)
    if v_eci is None:
        return r, None
    w_x_r = np.stack((-omega * r[..., 1], omega * r[..., 0], np.zeros_like(r[..., 2])), -1)
    return r, _rotate_z(_f(v_eci), c, -s) - w_x_r


# --------------------------------------------------------------------------------------------
# Calendar time (edges only)
# --------------------------------------------------------------------------------------------

_JD_UNIX_EPOCH = 2440587.5
_J2000_JD = 2451545.0


def julian_date(when: _dt.datetime) -> float:
    """Julian date of a datetime (naive datetimes are taken as UTC)."""
    if when.tzinfo is not None:
        when = when.astimezone(_dt.UTC).replace(tzinfo=None)
    delta = when - _dt.datetime(1970, 1, 1)
    return _JD_UNIX_EPOCH + delta / _dt.timedelta(days=1)


def gmst_rad(when: _dt.datetime | ArrayLike) -> FloatArray:
    """Greenwich mean sidereal time (IAU 1982) [rad] in [0, 2 pi).

    ``GMST[s] = 67310.54841 + (876600 h + 8640184.812866 s) T + 0.093104 T^2 - 6.2e-6 T^3``
    with ``T = (JD_UT1 - 2451545.0) / 36525`` (Aoki et al. 1982; Vallado eq. 3-47).

    Parameters
    ----------
    when : datetime or array_like
        A datetime (naive = UTC; UT1 - UTC, below 0.9 s, is neglected) or Julian date(s) UT1.
    """
    jd = julian_date(when) if isinstance(when, _dt.datetime) else _f(when)
    # Split into whole days and fraction to keep precision in T.
    t = (jd - _J2000_JD) / 36525.0
    gmst_s = (
        67310.54841
        + (876600.0 * 3600.0 + 8640184.812866) * t
        + 0.093104 * t * t
        - 6.2e-6 * t * t * t
    )
    return np.mod(gmst_s, 86400.0) * (2.0 * math.pi / 86400.0)
