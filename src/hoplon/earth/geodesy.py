"""Distances and azimuths: great circles on a sphere, geodesics on the ellipsoid.

Angles in radians, lengths in metres; all functions accept arrays and broadcast.
Azimuths are clockwise from north in [0, 2 pi); longitudes are returned in (-pi, pi].

Ellipsoidal geodesics use Vincenty's series (Vincenty 1975, Survey Review 23(176), accurate to
about 0.1 mm on WGS84) for the longitude and distance along the geodesic. The inverse problem
is solved not by Vincenty's fixed-point iteration, which fails for nearly antipodal points,
but as in Karney (2013, J. Geodesy 87:43) by bracketing: after the canonical reflection
(``lat1 <= 0``, ``|lat1| >= |lat2|``, ``0 <= lon12 <= pi``) the longitude reached at latitude
``lat2`` grows monotonically with the starting azimuth in [0, pi], so bisection always
converges, antipodal points included (at most ~200 halvings; 55 - 60 typically).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import WGS84, Ellipsoid

__all__ = [
    "central_angle",
    "destination",
    "geodesic_direct",
    "geodesic_inverse",
    "great_circle_distance",
    "initial_azimuth",
    "wrap_pi",
    "wrap_two_pi",
]

FloatArray = NDArray[np.float64]
_TWO_PI = 2.0 * math.pi
_TINY = math.sqrt(np.finfo(np.float64).tiny)


def _f(x: ArrayLike) -> FloatArray:
    return np.asarray(x, dtype=np.float64)


def wrap_pi(angle: ArrayLike) -> FloatArray:
    """Wrap angles [rad] into (-pi, pi]."""
    a = _f(angle)
    w = np.mod(a + math.pi, _TWO_PI) - math.pi
    return np.where(w <= -math.pi, w + _TWO_PI, w)


def wrap_two_pi(angle: ArrayLike) -> FloatArray:
    """Wrap angles [rad] into [0, 2 pi)."""
    w = np.mod(_f(angle), _TWO_PI)
    return np.where(w >= _TWO_PI, 0.0, w)


# --------------------------------------------------------------------------------------------
# Sphere
# --------------------------------------------------------------------------------------------


def central_angle(lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike) -> FloatArray:
    """Great-circle central angle [rad] between two points on a sphere.

    ``psi = atan2(sqrt((cos p2 sin dl)^2 + (cos p1 sin p2 - sin p1 cos p2 cos dl)^2),
    sin p1 sin p2 + cos p1 cos p2 cos dl)`` (well conditioned at all separations).
    """
    p1, p2 = _f(lat1), _f(lat2)
    dl = _f(lon2) - _f(lon1)
    s1, c1, s2, c2 = np.sin(p1), np.cos(p1), np.sin(p2), np.cos(p2)
    cd, sd = np.cos(dl), np.sin(dl)
    num = np.hypot(c2 * sd, c1 * s2 - s1 * c2 * cd)
    return np.arctan2(num, s1 * s2 + c1 * c2 * cd)


def great_circle_distance(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    radius_m: float = R_EARTH_MEAN_M,
) -> FloatArray:
    """Great-circle distance [m] on a sphere of radius ``radius_m``: ``R psi``."""
    return radius_m * central_angle(lat1, lon1, lat2, lon2)


def initial_azimuth(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike
) -> FloatArray:
    """Initial great-circle azimuth [rad] from point 1 to point 2, in [0, 2 pi).

    ``az = atan2(sin dl cos p2, cos p1 sin p2 - sin p1 cos p2 cos dl)``.
    """
    p1, p2 = _f(lat1), _f(lat2)
    dl = _f(lon2) - _f(lon1)
    y = np.sin(dl) * np.cos(p2)
    x = np.cos(p1) * np.sin(p2) - np.sin(p1) * np.cos(p2) * np.cos(dl)
    return wrap_two_pi(np.arctan2(y, x))


def destination(
    lat: ArrayLike,
    lon: ArrayLike,
    azimuth: ArrayLike,
    distance_m: ArrayLike,
    radius_m: float = R_EARTH_MEAN_M,
) -> tuple[FloatArray, FloatArray]:
    """Point reached along a great circle from (lat, lon) [rad] with azimuth [rad] after
    ``distance_m`` [m] on a sphere of radius ``radius_m``.

    With unit vectors ``p1`` (the start), ``t = cos(az) north + sin(az) east`` and
    ``d = s / R``: ``p2 = cos(d) p1 + sin(d) t``; then ``lat2 = atan2(z2, hypot(x2, y2))``,
    ``lon2 = atan2(y2, x2)`` (well conditioned at the poles and for any distance).
    """
    p, lo, az = np.broadcast_arrays(_f(lat), _f(lon), _f(azimuth))
    d = _f(distance_m) / radius_m
    sp, cp, so, co = np.sin(p), np.cos(p), np.sin(lo), np.cos(lo)
    sa, ca, sd, cd = np.sin(az), np.cos(az), np.sin(d), np.cos(d)
    tx = ca * (-sp * co) + sa * (-so)
    ty = ca * (-sp * so) + sa * co
    tz = ca * cp
    x = cd * cp * co + sd * tx
    y = cd * cp * so + sd * ty
    z = cd * sp + sd * tz
    return np.arctan2(z, np.hypot(x, y)), wrap_pi(np.arctan2(y, x))


# --------------------------------------------------------------------------------------------
# Ellipsoid (Vincenty series)
# --------------------------------------------------------------------------------------------


def _series_ab(u2: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Vincenty's A and B coefficients of the distance series (his eqs. 3 and 4)."""
    a = 1.0 + u2 / 16384.0 * (4096.0 + u2 * (-768.0 + u2 * (320.0 - 175.0 * u2)))
    b = u2 / 1024.0 * (256.0 + u2 * (-128.0 + u2 * (74.0 - 47.0 * u2)))
    return a, b


def _delta_sigma(b: FloatArray, sig: FloatArray, c2sm: FloatArray) -> FloatArray:
    """Vincenty's eq. 6: ``sigma - s/(b A)``."""
    ss, cs = np.sin(sig), np.cos(sig)
    return (
        b
        * ss
        * (
            c2sm
            + b
            / 4.0
            * (
                cs * (-1.0 + 2.0 * c2sm * c2sm)
                - b / 6.0 * c2sm * (-3.0 + 4.0 * ss * ss) * (-3.0 + 4.0 * c2sm * c2sm)
            )
        )
    )


def _lambda_correction(
    f: float, salp0: FloatArray, sig: FloatArray, c2sm: FloatArray
) -> FloatArray:
    """Vincenty's eqs. 10-11: ``omega - L`` (auxiliary-sphere minus ellipsoid longitude)."""
    calp0_2 = 1.0 - salp0 * salp0
    c = f / 16.0 * calp0_2 * (4.0 + f * (4.0 - 3.0 * calp0_2))
    return (
        (1.0 - c)
        * f
        * salp0
        * (sig + c * np.sin(sig) * (c2sm + c * np.cos(sig) * (-1.0 + 2.0 * c2sm * c2sm)))
    )


def _reduced(lat: FloatArray, f: float) -> tuple[FloatArray, FloatArray]:
    sb = (1.0 - f) * np.sin(lat)
    cb = np.cos(lat)
    n = np.hypot(sb, cb)
    return sb / n, np.maximum(cb / n, _TINY)


def geodesic_inverse(
    lat1: ArrayLike,
    lon1: ArrayLike,
    lat2: ArrayLike,
    lon2: ArrayLike,
    ellipsoid: Ellipsoid = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Shortest geodesic between two points on the ellipsoid.

    Returns
    -------
    distance_m, az1, az2 : ndarray
        Length [m]; forward azimuths [rad] in [0, 2 pi) at point 1 and at point 2 (the
        direction of travel at point 2, as in Karney's ``azi2``). For coincident points the
        azimuths are 0; for exactly antipodal points (or a pole) one of the equally short
        geodesics is returned.
    """
    f = ellipsoid.f
    a, b = ellipsoid.a_m, ellipsoid.b_m
    la1, lo1, la2, lo2 = np.broadcast_arrays(_f(lat1), _f(lon1), _f(lat2), _f(lon2))
    # Latitudes within 1e-30 rad (6e-24 m) of the equator are put on it (as Karney rounds).
    la1 = np.where(np.abs(la1) < 1e-30, 0.0, la1)
    la2 = np.where(np.abs(la2) < 1e-30, 0.0, la2)
    lam12 = wrap_pi(lo2 - lo1)
    lonsign = np.where(lam12 < 0.0, -1.0, 1.0)
    lam12 = np.abs(lam12)
    swap = np.abs(la1) < np.abs(la2)
    swapp = np.where(swap, -1.0, 1.0)
    lonsign = lonsign * swapp
    p1 = np.where(swap, la2, la1)
    p2 = np.where(swap, la1, la2)
    latsign = np.where(p1 < 0.0, 1.0, -1.0)
    p1 = p1 * latsign
    p2 = p2 * latsign

    sb1, cb1 = _reduced(p1, f)
    sb2, cb2 = _reduced(p2, f)
    # Exactly on the same parallel (|b2| == |b1|): keep cb2 identical to cb1.
    same = np.abs(p2) == np.abs(p1)
    cb2 = np.where(same, cb1, cb2)
    d_cb = np.where(cb1 < -sb1, (cb2 - cb1) * (cb1 + cb2), (sb1 - sb2) * (sb1 + sb2))

    def trace(salp1: FloatArray, calp1: FloatArray) -> tuple[FloatArray, ...]:
        salp0 = salp1 * cb1
        ssig1, csig1 = sb1, calp1 * cb1
        somg1, comg1 = salp0 * sb1, csig1
        calp2cb2 = np.sqrt(np.maximum(csig1 * csig1 + d_cb, 0.0))
        calp2cb2 = np.where(same, np.abs(csig1), calp2cb2)
        ssig2, csig2 = sb2, calp2cb2
        somg2, comg2 = salp0 * sb2, calp2cb2
        sig12 = np.arctan2(
            np.maximum(csig1 * ssig2 - ssig1 * csig2, 0.0), csig1 * csig2 + ssig1 * ssig2
        )
        omg12 = np.arctan2(
            np.maximum(comg1 * somg2 - somg1 * comg2, 0.0), comg1 * comg2 + somg1 * somg2
        )
        sig1 = np.arctan2(ssig1, csig1)
        c2sm = np.cos(2.0 * sig1 + sig12)
        lam = omg12 - _lambda_correction(f, salp0, sig12, c2sm)
        return lam, salp0, sig12, c2sm, calp2cb2

    # Bisection on gamma = pi/2 - alpha1 in [-pi/2, pi/2] (lambda decreases with gamma).
    # Bisecting gamma rather than alpha1 keeps full relative precision in cos(alpha1) near
    # the equatorial direction, where lambda is most sensitive for points near the equator.
    lo = np.full_like(lam12, -0.5 * math.pi)
    hi = np.full_like(lam12, 0.5 * math.pi)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        lam, *_ = trace(np.cos(mid), np.sin(mid))
        left = lam < lam12
        done = np.all((mid == lo) | (mid == hi))
        hi = np.where(left, mid, hi)
        lo = np.where(left, lo, mid)
        if done:
            break
    gam = 0.5 * (lo + hi)
    salp1, calp1 = np.cos(gam), np.sin(gam)
    _, salp0, sig12, c2sm, calp2cb2 = trace(salp1, calp1)

    calp0_2 = 1.0 - salp0 * salp0
    u2 = calp0_2 * ellipsoid.ep2
    ca, cb = _series_ab(u2)
    s12 = b * ca * (sig12 - _delta_sigma(cb, sig12, c2sm))
    salp2, calp2 = salp0, calp2cb2  # both scaled by cb2 > 0

    # Both points on the equator, not too far apart: the equator itself.
    equatorial = (p1 == 0.0) & (p2 == 0.0) & (lam12 <= (1.0 - f) * math.pi)
    s12 = np.where(equatorial, a * lam12, s12)
    salp1 = np.where(equatorial, 1.0, salp1)
    calp1 = np.where(equatorial, 0.0, calp1)
    salp2 = np.where(equatorial, 1.0, salp2)
    calp2 = np.where(equatorial, 0.0, calp2)
    # Coincident points.
    coincident = (lam12 == 0.0) & (p1 == p2)
    s12 = np.where(coincident, 0.0, s12)

    # Undo the canonical reflection (Karney 2013, sec. 4).
    s1a, c1a, s2a, c2a = salp1, calp1, salp2, calp2
    salp1 = np.where(swap, s2a, s1a) * swapp * lonsign
    calp1 = np.where(swap, c2a, c1a) * swapp * latsign
    salp2 = np.where(swap, s1a, s2a) * swapp * lonsign
    calp2 = np.where(swap, c1a, c2a) * swapp * latsign
    az1 = np.where(coincident, 0.0, wrap_two_pi(np.arctan2(salp1, calp1)))
    az2 = np.where(coincident, 0.0, wrap_two_pi(np.arctan2(salp2, calp2)))
    return s12, az1, az2


def geodesic_direct(
    lat: ArrayLike,
    lon: ArrayLike,
    az: ArrayLike,
    distance_m: ArrayLike,
    ellipsoid: Ellipsoid = WGS84,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Point reached along the geodesic from (lat, lon) with azimuth ``az`` after ``distance_m``.

    Vincenty's direct formulas (his eqs. 1-9), iterated on the arc length ``sigma`` to
    convergence (always converges).

    Returns
    -------
    lat2, lon2, az2 : ndarray
        End point [rad] (lon2 in (-pi, pi]) and forward azimuth there [rad] in [0, 2 pi).
    """
    f = ellipsoid.f
    b = ellipsoid.b_m
    p1, l1, a1, s = np.broadcast_arrays(_f(lat), _f(lon), _f(az), _f(distance_m))
    su1, cu1 = _reduced(p1, f)
    cu1 = np.where(cu1 <= _TINY, 0.0, cu1)
    sa1, ca1 = np.sin(a1), np.cos(a1)
    sig1 = np.arctan2(su1, cu1 * ca1)
    salp = cu1 * sa1
    calp2 = 1.0 - salp * salp
    ca, cb = _series_ab(calp2 * ellipsoid.ep2)
    sig0 = s / (b * ca)
    sig = sig0
    for _ in range(50):
        c2sm = np.cos(2.0 * sig1 + sig)
        new = sig0 + _delta_sigma(cb, sig, c2sm)
        done = np.max(np.abs(new - sig), initial=0.0) < 1e-15
        sig = new
        if done:
            break
    c2sm = np.cos(2.0 * sig1 + sig)
    ss, cs = np.sin(sig), np.cos(sig)
    tmp = su1 * ss - cu1 * cs * ca1
    lat2 = np.arctan2(su1 * cs + cu1 * ss * ca1, (1.0 - f) * np.hypot(salp, tmp))
    lam = np.arctan2(ss * sa1, cu1 * cs - su1 * ss * ca1)
    dlon = lam - _lambda_correction(f, salp, sig, c2sm)
    az2 = np.arctan2(salp, -tmp)
    return lat2, wrap_pi(l1 + dlon), wrap_two_pi(az2)
