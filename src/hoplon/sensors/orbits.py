"""Keplerian orbits propagated analytically (two-body), vectorised over satellites and times.

Elements (classical): semi-major axis ``a`` [m], eccentricity ``e``, inclination ``i``,
right ascension of the ascending node ``Omega``, argument of perigee ``omega`` and mean
anomaly at epoch ``M0`` [rad]. At time ``t`` [s since the epoch]::

    n = sqrt(mu / a^3),   M = M0 + n t,   E - e sin E = M  (Newton),
    x_pf = a (cos E - e),  y_pf = a sqrt(1 - e^2) sin E,
    r_eci = R3(-Omega) R1(-i) R3(-omega) (x_pf, y_pf, 0)

(Vallado, *Fundamentals of Astrodynamics and Applications*, 4th ed., algorithms 2 and 10).
The ECI frame is that of :mod:`hoplon.earth.frames` (Earth rotation angle ``theta0 + w t``),
so ``eci_to_ecef`` gives ECEF positions. No perturbations (J2 drift of a Molniya orbit is
frozen by its critical inclination; of a GEO slot it is negligible over a scenario).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import MU_EARTH_M3_S2, OMEGA_EARTH_RAD_S
from hoplon.earth.frames import eci_to_ecef

FloatArray = NDArray[np.float64]

#: Semi-major axis of a geostationary orbit [m]: (mu / w^2)^(1/3) = 42 164 km.
GEO_A_M = (MU_EARTH_M3_S2 / OMEGA_EARTH_RAD_S**2) ** (1.0 / 3.0)
#: Molniya orbit: half a sidereal day period, e = 0.74, i = 63.4 deg, omega = 270 deg
#: (Vallado 2013, sect. 11.4; public).
MOLNIYA_A_M = (MU_EARTH_M3_S2 * (math.pi / OMEGA_EARTH_RAD_S) ** 2 / (4 * math.pi**2)) ** (
    1.0 / 3.0
)
MOLNIYA_E = 0.74
MOLNIYA_I_RAD = math.radians(63.4)
MOLNIYA_ARGP_RAD = math.radians(270.0)


@dataclass(frozen=True)
class KeplerElements:
    """Classical elements of ``S`` satellites, each field an ``(S,)`` array (SI, rad)."""

    a_m: FloatArray
    e: FloatArray
    i_rad: FloatArray
    raan_rad: FloatArray
    argp_rad: FloatArray
    M0_rad: FloatArray

    @staticmethod
    def of(
        a_m: ArrayLike,
        e: ArrayLike,
        i_rad: ArrayLike,
        raan_rad: ArrayLike,
        argp_rad: ArrayLike,
        M0_rad: ArrayLike,
    ) -> KeplerElements:
        """Broadcast the six elements to ``(S,)`` float arrays; checks ranges."""
        arrs = np.broadcast_arrays(
            *(
                np.atleast_1d(np.asarray(x, dtype=float))
                for x in (a_m, e, i_rad, raan_rad, argp_rad, M0_rad)
            )
        )
        a, ecc = arrs[0], arrs[1]
        if np.any(ecc < 0.0) or np.any(ecc >= 1.0):
            raise ValueError("eccentricity must be in [0, 1) for a closed orbit")
        if np.any(a * (1.0 - ecc) <= 6.3e6):
            raise ValueError("perigee radius is inside the Earth")
        return KeplerElements(*(x.copy() for x in arrs))

    @staticmethod
    def concatenate(parts: list[KeplerElements]) -> KeplerElements:
        """Join several element sets into one (satellite order kept)."""
        names = ("a_m", "e", "i_rad", "raan_rad", "argp_rad", "M0_rad")
        return KeplerElements(*(np.concatenate([getattr(p, f) for p in parts]) for f in names))

    def __len__(self) -> int:
        return int(self.a_m.shape[0])

    @property
    def period_s(self) -> FloatArray:
        """Orbital period ``2 pi sqrt(a^3 / mu)`` [s]."""
        return 2.0 * np.pi * np.sqrt(self.a_m**3 / MU_EARTH_M3_S2)


def geo_elements(longitude_rad: ArrayLike, theta0_rad: float = 0.0) -> KeplerElements:
    """Geostationary satellites over the given longitudes (at the epoch, ``t = 0``).

    With ``e = i = 0`` the true longitude ``Omega + omega + M0`` is set to
    ``longitude + theta0`` so that the satellite sits over ``longitude`` in ECEF.
    """
    lon = np.atleast_1d(np.asarray(longitude_rad, dtype=float))
    z = np.zeros_like(lon)
    return KeplerElements.of(GEO_A_M, z, z, z, z, lon + theta0_rad)


def molniya_elements(raan_rad: ArrayLike, M0_rad: ArrayLike = 0.0) -> KeplerElements:
    """Molniya (HEO) satellites: apogee over the northern hemisphere (omega = 270 deg)."""
    raan = np.atleast_1d(np.asarray(raan_rad, dtype=float))
    return KeplerElements.of(MOLNIYA_A_M, MOLNIYA_E, MOLNIYA_I_RAD, raan, MOLNIYA_ARGP_RAD, M0_rad)


def solve_kepler(M: ArrayLike, e: ArrayLike, tol: float = 1e-14) -> FloatArray:
    """Eccentric anomaly ``E`` with ``E - e sin E = M`` (vectorised Newton, starts at
    ``E = M + e sin M``; at most 30 iterations, converged to ``tol`` for ``e < 1``)."""
    M = np.mod(np.asarray(M, dtype=float), 2.0 * np.pi)
    e = np.asarray(e, dtype=float)
    E = np.where(e > 0.8, np.pi * np.ones_like(M), M + e * np.sin(M))
    for _ in range(30):
        f = E - e * np.sin(E) - M
        dE = f / (1.0 - e * np.cos(E))
        E = E - dE
        if np.max(np.abs(dE), initial=0.0) < tol:
            break
    return E


def position_eci(el: KeplerElements, t_s: ArrayLike) -> FloatArray:
    """ECI positions [m] of every satellite at every time: shape ``t.shape + (S, 3)``."""
    t = np.asarray(t_s, dtype=float)[..., None]
    n = np.sqrt(MU_EARTH_M3_S2 / el.a_m**3)
    E = solve_kepler(el.M0_rad + n * t, el.e)
    x = el.a_m * (np.cos(E) - el.e)
    y = el.a_m * np.sqrt(1.0 - el.e**2) * np.sin(E)
    cO, sO = np.cos(el.raan_rad), np.sin(el.raan_rad)
    ci, si = np.cos(el.i_rad), np.sin(el.i_rad)
    cw, sw = np.cos(el.argp_rad), np.sin(el.argp_rad)
    # Columns P and Q of the perifocal -> ECI rotation
    P = np.stack((cO * cw - sO * sw * ci, sO * cw + cO * sw * ci, sw * si), -1)
    Q = np.stack((-cO * sw - sO * cw * ci, -sO * sw + cO * cw * ci, cw * si), -1)
    return x[..., None] * P + y[..., None] * Q


def position_ecef(el: KeplerElements, t_s: ArrayLike, theta0_rad: float = 0.0) -> FloatArray:
    """ECEF positions [m], shape ``t.shape + (S, 3)``."""
    t = np.asarray(t_s, dtype=float)
    r_eci = position_eci(el, t)
    r, _ = eci_to_ecef(r_eci, None, t[..., None], theta0_rad)
    return r
