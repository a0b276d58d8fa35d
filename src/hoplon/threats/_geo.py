"""Small geometry helpers shared by the threat flyers: the model's ellipsoid and surface paths.

Distances and azimuths are geodesics on the model's surface (WGS84 ellipsoid, or the sphere
of ``model.radius_m``), from ``hoplon.earth.geodesy``.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.frames import WGS84, Ellipsoid, ecef_to_geodetic
from hoplon.flight.model import EarthModel

Array = NDArray[np.float64]


def ellipsoid_of(model: EarthModel) -> Ellipsoid:
    """The reference surface of ``model`` as an :class:`Ellipsoid`."""
    return WGS84 if model.shape == "wgs84" else Ellipsoid(model.radius_m, 0.0)


def lat_lon_alt(r_ecef: ArrayLike, model: EarthModel) -> tuple[Array, Array, Array]:
    """Latitude, longitude [rad] and altitude [m] of ECEF positions on the model's surface."""
    return ecef_to_geodetic(np.asarray(r_ecef, dtype=np.float64), ellipsoid_of(model))


def inverse(
    lat1: ArrayLike, lon1: ArrayLike, lat2: ArrayLike, lon2: ArrayLike, model: EarthModel
) -> tuple[Array, Array]:
    """Surface distance [m] and initial azimuth [rad] from point 1 to point 2."""
    from hoplon.earth.geodesy import geodesic_inverse

    dist, az1, _ = geodesic_inverse(lat1, lon1, lat2, lon2, ellipsoid_of(model))
    return np.asarray(dist, dtype=np.float64), np.asarray(az1, dtype=np.float64)


def direct(
    lat1: ArrayLike, lon1: ArrayLike, az1: ArrayLike, dist: ArrayLike, model: EarthModel
) -> tuple[Array, Array]:
    """Latitude and longitude [rad] reached from point 1 along azimuth ``az1`` after ``dist`` m."""
    lat, lon, _ = direct_az(lat1, lon1, az1, dist, model)
    return lat, lon


def direct_az(
    lat1: ArrayLike, lon1: ArrayLike, az1: ArrayLike, dist: ArrayLike, model: EarthModel
) -> tuple[Array, Array, Array]:
    """As :func:`direct`, plus the forward azimuth [rad] at the end point."""
    from hoplon.earth.geodesy import geodesic_direct

    out = geodesic_direct(lat1, lon1, az1, dist, ellipsoid_of(model))
    return tuple(np.asarray(o, dtype=np.float64) for o in out[:3])  # type: ignore[return-value]


def wrap_pi(x: ArrayLike) -> Array:
    """Angle wrapped to (-pi, pi]."""
    return np.pi - np.mod(np.pi - np.asarray(x, dtype=np.float64), 2.0 * np.pi)
