"""WGS84 helpers the tracking kernels use, from :mod:`hoplon.earth.frames`."""

from __future__ import annotations

import functools

import numpy as np
from numpy.typing import NDArray

from hoplon.earth.frames import ecef_to_geodetic, enu_matrix, geodetic_to_ecef

FloatArray = NDArray[np.float64]

__all__ = ["ecef_to_geodetic", "enu_matrix", "enu_matrix_at", "geodetic_to_ecef"]


def enu_matrix_at(site_ecef_m: FloatArray) -> FloatArray:
    """ECEF->ENU rotation ``(..., 3, 3)`` at ECEF site positions ``(..., 3)``.

    Single sites are cached (sensor sites repeat at every update)."""
    site = np.asarray(site_ecef_m, dtype=float)
    if site.shape == (3,):
        return _enu_matrix_cached(float(site[0]), float(site[1]), float(site[2])).copy()
    lat, lon, _ = ecef_to_geodetic(site)
    return enu_matrix(lat, lon)


@functools.lru_cache(maxsize=256)
def _enu_matrix_cached(x: float, y: float, z: float) -> FloatArray:
    lat, lon, _ = ecef_to_geodetic(np.array([x, y, z]))
    return enu_matrix(lat, lon)
