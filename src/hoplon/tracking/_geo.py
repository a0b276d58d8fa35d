"""WGS84 helpers the tracking kernels use, from :mod:`hoplon.earth.frames`."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hoplon.earth.frames import ecef_to_geodetic, enu_matrix, geodetic_to_ecef

FloatArray = NDArray[np.float64]

__all__ = ["ecef_to_geodetic", "enu_matrix", "enu_matrix_at", "geodetic_to_ecef"]


def enu_matrix_at(site_ecef_m: FloatArray) -> FloatArray:
    """ECEF->ENU rotation ``(..., 3, 3)`` at ECEF site positions ``(..., 3)``."""
    lat, lon, _ = ecef_to_geodetic(site_ecef_m)
    return enu_matrix(lat, lon)
