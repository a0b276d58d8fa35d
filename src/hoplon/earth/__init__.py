"""Where is it: WGS84 and spherical Earth frames, gravity, atmosphere, line of sight.

Public API (SI units, radians, arrays broadcast over leading axes, positions ``(..., 3)``):

- :mod:`hoplon.earth.frames`: ``Ellipsoid``, ``WGS84``, ``SPHERE``, geodetic/ECEF/ENU/AER
  conversions, ECEF <-> ECI by Earth rotation, ``gmst_rad``.
- :mod:`hoplon.earth.gravity`: point mass, J2, Somigliana normal gravity.
- :mod:`hoplon.earth.atmosphere`: U.S. Standard Atmosphere 1976 (``us76``, ``density``,
  ``speed_of_sound``, ``log_density_table``).
- :mod:`hoplon.earth.geodesy`: great circles on a sphere, geodesics on the ellipsoid.
"""

from hoplon.earth.atmosphere import (
    AtmosphereState,
    density,
    log_density_table,
    pressure,
    speed_of_sound,
    temperature,
    us76,
)
from hoplon.earth.frames import (
    SPHERE,
    WGS84,
    Ellipsoid,
    aer_to_ecef,
    aer_to_enu,
    ecef_to_aer,
    ecef_to_eci,
    ecef_to_enu,
    ecef_to_geodetic,
    ecef_vector_to_enu,
    eci_to_ecef,
    enu_matrix,
    enu_to_aer,
    enu_to_ecef,
    enu_vector_to_ecef,
    geodetic_to_ecef,
    gmst_rad,
    julian_date,
    rotation_z,
)
from hoplon.earth.geodesy import (
    central_angle,
    destination,
    geodesic_direct,
    geodesic_inverse,
    great_circle_distance,
    initial_azimuth,
    wrap_pi,
    wrap_two_pi,
)
from hoplon.earth.gravity import gravity_j2, gravity_point_mass, normal_gravity, potential_j2

__all__ = [
    "SPHERE",
    "WGS84",
    "AtmosphereState",
    "Ellipsoid",
    "aer_to_ecef",
    "aer_to_enu",
    "central_angle",
    "density",
    "destination",
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
    "geodesic_direct",
    "geodesic_inverse",
    "geodetic_to_ecef",
    "gmst_rad",
    "gravity_j2",
    "gravity_point_mass",
    "great_circle_distance",
    "initial_azimuth",
    "julian_date",
    "log_density_table",
    "normal_gravity",
    "potential_j2",
    "pressure",
    "rotation_z",
    "speed_of_sound",
    "temperature",
    "us76",
    "wrap_pi",
    "wrap_two_pi",
]
