"""Gravity: point mass, J2 zonal harmonic and normal gravity on the ellipsoid.

Reference numpy implementations (the flight kernels may re-implement them in numba and test
against these). Positions ``r`` are ``(..., 3)`` in metres, in ECEF or ECI: the J2 field is
axisymmetric about z, so it has the same form in both frames. Accelerations in m/s^2.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import J2_EARTH, MU_EARTH_M3_S2, WGS84_A_M

__all__ = [
    "gravity_j2",
    "gravity_point_mass",
    "normal_gravity",
    "potential_j2",
]

FloatArray = NDArray[np.float64]

# Somigliana normal gravity, WGS84 (NIMA TR8350.2, eq. 4-1 and Table 3.4).
_GAMMA_E = 9.7803253359  # equatorial normal gravity [m/s^2]
_GAMMA_P = 9.8321849378  # polar normal gravity [m/s^2]
_K_SOMIGLIANA = 0.00193185265241  # (b gamma_p) / (a gamma_e) - 1 [-]
_E2 = 6.69437999014e-3  # WGS84 first eccentricity squared [-]
_M_GEOD = 0.00344978650684  # omega^2 a^2 b / GM [-]
_F = 1.0 / 298.257223563


def gravity_point_mass(r: ArrayLike, mu: float = MU_EARTH_M3_S2) -> FloatArray:
    """Point-mass gravitational acceleration ``a = -mu r / |r|^3`` [m/s^2]."""
    r = np.asarray(r, dtype=np.float64)
    rn = np.linalg.norm(r, axis=-1, keepdims=True)
    return -mu * r / rn**3


def potential_j2(
    r: ArrayLike, mu: float = MU_EARTH_M3_S2, j2: float = J2_EARTH, re: float = WGS84_A_M
) -> FloatArray:
    """Gravitational potential with J2, ``U = -mu/r [1 - J2 (re/r)^2 (3 z^2/r^2 - 1)/2]`` [m^2/s^2].

    Sign convention: acceleration ``a = -grad U`` (U is negative, a potential energy per mass).
    """
    r = np.asarray(r, dtype=np.float64)
    rn = np.linalg.norm(r, axis=-1)
    s2 = (r[..., 2] / rn) ** 2
    return -mu / rn * (1.0 - 0.5 * j2 * (re / rn) ** 2 * (3.0 * s2 - 1.0))


def gravity_j2(
    r: ArrayLike, mu: float = MU_EARTH_M3_S2, j2: float = J2_EARTH, re: float = WGS84_A_M
) -> FloatArray:
    """Point mass plus J2 acceleration [m/s^2] (``-grad`` of :func:`potential_j2`).

    With ``k = 1.5 J2 mu re^2 / r^5`` and ``s = (z/r)^2``::

        a_x = -mu x / r^3 + k x (5 s - 1)
        a_y = -mu y / r^3 + k y (5 s - 1)
        a_z = -mu z / r^3 + k z (5 s - 3)
    """
    r = np.asarray(r, dtype=np.float64)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    r2 = x * x + y * y + z * z
    rn = np.sqrt(r2)
    mu_r3 = mu / (r2 * rn)
    s = z * z / r2
    k = 1.5 * j2 * mu * re * re / (r2 * r2 * rn)
    cxy = -mu_r3 + k * (5.0 * s - 1.0)
    cz = -mu_r3 + k * (5.0 * s - 3.0)
    return np.stack((cxy * x, cxy * y, cz * z), axis=-1)


def normal_gravity(lat: ArrayLike, alt: ArrayLike = 0.0) -> FloatArray:
    """WGS84 normal gravity magnitude [m/s^2] at geodetic latitude [rad] and altitude [m].

    Somigliana on the ellipsoid, ``g0 = g_e (1 + k sin^2 lat) / sqrt(1 - e^2 sin^2 lat)``, then
    the second-order free-air correction (TR8350.2 eq. 4-3)::

        g = g0 [1 - 2/a (1 + f + m - 2 f sin^2 lat) h + 3 h^2 / a^2]

    Valid near the surface (say |h| < 20 km); use :func:`gravity_j2` in flight.
    """
    lat = np.asarray(lat, dtype=np.float64)
    h = np.asarray(alt, dtype=np.float64)
    s2 = np.sin(lat) ** 2
    g0 = _GAMMA_E * (1.0 + _K_SOMIGLIANA * s2) / np.sqrt(1.0 - _E2 * s2)
    a = WGS84_A_M
    return g0 * (1.0 - 2.0 / a * (1.0 + _F + _M_GEOD - 2.0 * _F * s2) * h + 3.0 * h * h / (a * a))
