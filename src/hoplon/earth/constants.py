"""Physical constants of the Earth models, in SI units.

Sources
-------
- WGS84: NIMA TR8350.2, 3rd ed. (2000), Table 3.1 and 3.5.
- J2 (unnormalised, = -sqrt(5) * C20bar of EGM96): 1.08262998905e-3 (TR8350.2 Table 5.1 gives
  C20bar = -0.484166774985e-3).
- Mean radius and mu used by the validation tables: ../shared/validation/REFERENCES.md.
"""

from __future__ import annotations

import math

#: WGS84 semi-major axis [m].
WGS84_A_M = 6378137.0
#: WGS84 flattening [-].
WGS84_F = 1.0 / 298.257223563
#: WGS84 semi-minor axis [m].
WGS84_B_M = WGS84_A_M * (1.0 - WGS84_F)
#: WGS84 first eccentricity squared [-].
WGS84_E2 = WGS84_F * (2.0 - WGS84_F)
#: Earth's gravitational parameter GM (WGS84, with atmosphere) [m^3/s^2].
MU_EARTH_M3_S2 = 3.986004418e14
#: Earth's rotation rate (WGS84) [rad/s].
OMEGA_EARTH_RAD_S = 7.292115e-5
#: Second zonal harmonic J2 (unnormalised) [-].
J2_EARTH = 1.08262998905e-3
#: Mean Earth radius (IUGG R1) used for the spherical Earth [m].
R_EARTH_MEAN_M = 6371000.0
#: Standard gravity [m/s^2].
G0_MPS2 = 9.80665
#: Speed of light [m/s].
SPEED_OF_LIGHT_MPS = 299792458.0
#: Boltzmann constant [J/K].
BOLTZMANN_J_K = 1.380649e-23

DEG = math.pi / 180.0
