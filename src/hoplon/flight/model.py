"""``EarthModel``: which Earth the flight kernels integrate over, as a flat ``env`` vector.

The model is a frozen dataclass (API layer); ``to_array()`` turns it into a float64 vector
that the numba kernels read by the ``ENV_*`` indices below, and ``atmosphere_tables()`` gives
the tabulated atmosphere the kernels interpolate.

Choices
-------
- ``shape="wgs84"``: WGS84 ellipsoid, geodetic altitude (Bowring, two iterations), J2 gravity
  by default. ``shape="sphere"``: sphere of ``radius_m`` (default 6371 km), altitude
  ``|r| - R``, point-mass gravity by default.
- ``gravity``: ``None`` picks the default for the shape; ``"j2"``, ``"point"`` or ``"none"``
  (gravity off, for tests of thrust alone).
- ``rotating=False`` sets the rotation rate used by the kernels to 0 (inertial Earth).
- ``atmosphere=False`` switches drag and lift off (vacuum).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Literal

import numpy as np

from hoplon.earth.constants import (
    J2_EARTH,
    MU_EARTH_M3_S2,
    OMEGA_EARTH_RAD_S,
    R_EARTH_MEAN_M,
    WGS84_A_M,
    WGS84_E2,
)
from hoplon.earth.frames import WGS84, Ellipsoid
from hoplon.errors import InputError

# Indices into the env vector read by the kernels.
ENV_MU = 0  #: gravitational parameter [m^3/s^2]
ENV_OMEGA = 1  #: rotation rate used in the equations of motion [rad/s] (0 if not rotating)
ENV_A = 2  #: equatorial radius (or sphere radius) of the reference surface [m]
ENV_E2 = 3  #: first eccentricity squared of the reference surface [-] (0 for the sphere)
ENV_J2 = 4  #: J2 [-]
ENV_J2_R = 5  #: reference radius of J2 [m]
ENV_GRAVITY = 6  #: 0 none, 1 point mass, 2 point mass + J2
ENV_ATMOSPHERE = 7  #: 1 drag/lift on, 0 vacuum
ENV_ATM_H0 = 8  #: first altitude of the atmosphere table [m]
ENV_ATM_DH = 9  #: step of the atmosphere table [m]
ENV_ATM_N = 10  #: number of table rows
ENV_SPHERE = 11  #: 1 spherical altitude |r| - R, 0 geodetic altitude on the ellipsoid
ENV_SIZE = 12

GRAVITY_CODES = {"none": 0, "point": 1, "j2": 2}


@functools.lru_cache(maxsize=8)
def _atmosphere_tables(step_m: float) -> tuple[np.ndarray, float, float]:
    """Rows [ln rho (kg/m^3), speed of sound (m/s)] on the uniform grid of ``log_density_table``.

    Returns the (2, N) table, the first altitude and the grid step [m].
    """
    from hoplon.earth import atmosphere

    alt, ln_rho = atmosphere.log_density_table(step_m)
    alt = np.asarray(alt, dtype=np.float64)
    table = np.empty((2, alt.size), dtype=np.float64)
    table[0] = ln_rho
    table[1] = atmosphere.speed_of_sound(alt)
    table.setflags(write=False)
    h0 = float(alt[0])
    dh = float((alt[-1] - alt[0]) / (alt.size - 1))
    return table, h0, dh


@dataclass(frozen=True)
class EarthModel:
    """The Earth a batch of objects flies over.

    Parameters
    ----------
    rotating : bool
        Integrate in the rotating Earth-fixed frame with Coriolis and centrifugal terms
        (True) or treat the Earth-fixed frame as inertial (False, rotation rate 0).
    shape : {"wgs84", "sphere"}
        Reference surface for altitude (and for the J2 reference radius of "wgs84").
    gravity : {"j2", "point", "none"} or None
        Gravity model; None picks "j2" for "wgs84" and "point" for "sphere".
    atmosphere : bool
        Drag and lift in the U.S. Standard Atmosphere 1976 (co-rotating with the Earth).
    mu_m3_s2 : float
        Gravitational parameter [m^3/s^2].
    omega_rad_s : float
        Earth rotation rate [rad/s] (used only when ``rotating``).
    j2 : float
        Second zonal harmonic [-].
    radius_m : float
        Sphere radius for ``shape="sphere"`` [m].
    atmosphere_step_m : float
        Grid step of the tabulated atmosphere the kernels interpolate [m].
    """

    rotating: bool = True
    shape: Literal["wgs84", "sphere"] = "wgs84"
    gravity: Literal["j2", "point", "none"] | None = None
    atmosphere: bool = True
    mu_m3_s2: float = MU_EARTH_M3_S2
    omega_rad_s: float = OMEGA_EARTH_RAD_S
    j2: float = J2_EARTH
    radius_m: float = R_EARTH_MEAN_M
    atmosphere_step_m: float = 100.0

    def __post_init__(self) -> None:
        if self.shape not in ("wgs84", "sphere"):
            raise InputError("shape", f"unknown Earth shape {self.shape!r}", "wgs84, sphere")
        if self.gravity is not None and self.gravity not in GRAVITY_CODES:
            raise InputError(
                "gravity", f"unknown gravity model {self.gravity!r}", "j2, point, none"
            )
        for name in ("mu_m3_s2", "radius_m", "atmosphere_step_m"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value > 0):
                raise InputError(name, f"must be a positive finite number, got {value}")
        if not math.isfinite(self.omega_rad_s) or not math.isfinite(self.j2):
            raise InputError("omega_rad_s/j2", "must be finite")

    # Convenience names used in the design notes.
    @property
    def mu(self) -> float:
        """Gravitational parameter [m^3/s^2]."""
        return self.mu_m3_s2

    @property
    def omega(self) -> float:
        """Rotation rate used in the equations of motion [rad/s] (0 when not rotating)."""
        return self.omega_rad_s if self.rotating else 0.0

    @property
    def gravity_model(self) -> str:
        """The resolved gravity model name ("j2", "point" or "none")."""
        if self.gravity is not None:
            return self.gravity
        return "j2" if self.shape == "wgs84" else "point"

    @property
    def equatorial_radius_m(self) -> float:
        """Equatorial radius of the reference surface [m]."""
        return WGS84_A_M if self.shape == "wgs84" else self.radius_m

    @property
    def e2(self) -> float:
        """First eccentricity squared of the reference surface [-]."""
        return WGS84_E2 if self.shape == "wgs84" else 0.0

    @property
    def ellipsoid(self) -> Ellipsoid:
        """The reference surface as a ``hoplon.earth.frames.Ellipsoid``."""
        if self.shape == "wgs84":
            return WGS84
        return Ellipsoid(self.radius_m, 0.0)

    def atmosphere_tables(self) -> np.ndarray:
        """Tables the kernels interpolate: shape (2, N), rows [ln rho, speed of sound].

        A vacuum model gets a (2, 2) dummy table that the kernels never read.
        """
        if not self.atmosphere:
            return np.zeros((2, 2), dtype=np.float64)
        return _atmosphere_tables(float(self.atmosphere_step_m))[0]

    def to_array(self) -> np.ndarray:
        """Flat float64 env vector for the kernels (indices ``ENV_*`` of this module)."""
        env = np.zeros(ENV_SIZE, dtype=np.float64)
        env[ENV_MU] = self.mu_m3_s2
        env[ENV_OMEGA] = self.omega
        env[ENV_A] = self.equatorial_radius_m
        env[ENV_E2] = self.e2
        env[ENV_J2] = self.j2
        env[ENV_J2_R] = WGS84_A_M if self.shape == "wgs84" else self.radius_m
        env[ENV_GRAVITY] = GRAVITY_CODES[self.gravity_model]
        env[ENV_SPHERE] = 1.0 if self.shape == "sphere" else 0.0
        if self.atmosphere:
            table, h0, dh = _atmosphere_tables(float(self.atmosphere_step_m))
            env[ENV_ATMOSPHERE] = 1.0
            env[ENV_ATM_H0] = h0
            env[ENV_ATM_DH] = dh
            env[ENV_ATM_N] = table.shape[1]
        return env
