"""Coverage maps: where a sensor detects a target at a given altitude.

The map is a regular latitude/longitude grid of target positions at altitude ``H``
(geodetic). A radar covers a point when the target there is visible
(:meth:`~hoplon.sensors.radar.RadarArray.visible`) and its SNR reaches the SNR required for
the radar's ``pd_required`` against the reference RCS; an infrared constellation covers a
point when a boosting object there is visible to at least one satellite at time ``t``.

The covered area is the sum of covered cell areas on a sphere of radius ``R + H``
(``R`` = mean Earth radius, area at the target altitude; use ``H = 0`` for ground area)::

    A = sum (R + H)^2 cos(lat) dlat dlon
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import WGS84, geodetic_to_ecef
from hoplon.earth.horizon import horizon_range
from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.radar import Radar

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class CoverageMap:
    """Coverage of one sensor at one altitude.

    Attributes
    ----------
    name : str
    kind : str
        ``"radar"`` or ``"infrared"``.
    altitude_m : float
    lat_rad, lon_rad : (ny,), (nx,) float
        Grid axes (cell centres); longitudes may run past +-pi near the antimeridian.
    covered : (ny, nx) bool
    area_m2 : float
        Covered area at the target altitude.
    detection_range_m : float
        Radar: range for ``pd_required`` against ``rcs_m2`` (capped at the instrumented
        range); NaN for infrared.
    rcs_m2 : float
        Reference RCS (NaN for infrared).
    site_lat_rad, site_lon_rad : float
        Radar site (NaN for infrared).
    """

    name: str
    kind: str
    altitude_m: float
    lat_rad: FloatArray
    lon_rad: FloatArray
    covered: NDArray[np.bool_]
    area_m2: float
    detection_range_m: float = math.nan
    rcs_m2: float = math.nan
    site_lat_rad: float = math.nan
    site_lon_rad: float = math.nan


def _cell_area(lat: FloatArray, lon: FloatArray, altitude_m: float) -> FloatArray:
    dlat = abs(lat[1] - lat[0]) if lat.size > 1 else math.pi
    dlon = abs(lon[1] - lon[0]) if lon.size > 1 else 2 * math.pi
    return (
        (R_EARTH_MEAN_M + altitude_m) ** 2
        * np.cos(lat)[:, None]
        * dlat
        * dlon
        * np.ones((1, lon.size))
    )


def radar_coverage(radar: Radar, altitude_m: float, rcs_m2: float, n: int = 301) -> CoverageMap:
    """Coverage of a radar against a target of ``rcs_m2`` at ``altitude_m`` (``n x n`` grid
    on a box around the site just larger than the reach).

    The reach is ``min(detection range, horizon line of sight to H)``.
    """
    det_range = radar.detection_range_m(rcs_m2)
    Re = radar.k_factor * R_EARTH_MEAN_M
    reach = min(
        det_range, float(horizon_range(radar.alt_m, Re) + horizon_range(altitude_m, Re)) + 1.0
    )
    half = 1.05 * max(reach, 1.0) / R_EARTH_MEAN_M  # angular half-size [rad]
    half_lat = min(half, math.pi / 2)
    lat = np.linspace(
        max(radar.lat_rad - half_lat, -math.pi / 2 + 1e-6),
        min(radar.lat_rad + half_lat, math.pi / 2 - 1e-6),
        n,
    )
    lat_far = min(abs(radar.lat_rad) + half_lat, math.pi / 2)
    coslat = math.cos(lat_far)
    half_lon = math.pi if coslat < 1e-3 else min(1.05 * half / coslat, math.pi)
    lon = np.linspace(radar.lon_rad - half_lon, radar.lon_rad + half_lon, n)
    LAT, LON = np.meshgrid(lat, lon, indexing="ij")
    r = geodetic_to_ecef(LAT, LON, altitude_m, WGS84)
    arr = radar.as_array()
    vis = arr.visible(r)[..., 0]
    snr = arr.snr_db(r, rcs_m2)[..., 0]
    covered = vis & (snr >= radar.required_snr_db())
    area = float(np.sum(_cell_area(lat, lon, altitude_m)[covered]))
    return CoverageMap(
        name=radar.name,
        kind="radar",
        altitude_m=altitude_m,
        lat_rad=lat,
        lon_rad=lon,
        covered=covered,
        area_m2=area,
        detection_range_m=det_range,
        rcs_m2=rcs_m2,
        site_lat_rad=radar.lat_rad,
        site_lon_rad=radar.lon_rad,
    )


def infrared_coverage(
    sensor: InfraredConstellation,
    altitude_m: float,
    t_s: float = 0.0,
    n_lat: int = 181,
    n_lon: int = 361,
) -> CoverageMap:
    """Global coverage of boosting objects at ``altitude_m`` by any satellite at ``t_s``."""
    lat = np.linspace(-math.pi / 2, math.pi / 2, n_lat)
    lon = np.linspace(-math.pi, math.pi, n_lon)
    LAT, LON = np.meshgrid(lat, lon, indexing="ij")
    r = geodetic_to_ecef(LAT, LON, altitude_m, WGS84)
    covered = sensor.visible(t_s, r, True).any(axis=-1)
    # trapezoid-like weights: half cells at the poles and the +-180 deg seam
    w = _cell_area(lat, lon, altitude_m)
    w[:, [0, -1]] *= 0.5
    w[[0, -1], :] *= 0.5
    area = float(np.sum(w[covered]))
    return CoverageMap(
        name=sensor.name,
        kind="infrared",
        altitude_m=altitude_m,
        lat_rad=lat,
        lon_rad=lon,
        covered=covered,
        area_m2=area,
    )


def coverage(
    sensor: Radar | InfraredConstellation,
    altitude_m: float,
    rcs_m2: float | None = None,
    t_s: float = 0.0,
) -> CoverageMap:
    """Coverage map of a radar (against ``rcs_m2``) or an infrared constellation."""
    if isinstance(sensor, Radar):
        return radar_coverage(sensor, altitude_m, 1.0 if rcs_m2 is None else rcs_m2)
    return infrared_coverage(sensor, altitude_m, t_s)
