"""Small WGS84 helpers the tracking kernels need (ENU rotation, geodetic altitude).

Kept private to ``hoplon.tracking`` so that the tracking kernels do not depend on the call
signatures of :mod:`hoplon.earth.frames`; the formulas are the standard ones (NIMA TR8350.2).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from hoplon.earth.constants import WGS84_A_M, WGS84_B_M, WGS84_E2

FloatArray = NDArray[np.float64]


def ecef_to_geodetic(r: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Geodetic latitude [rad], longitude [rad] and height [m] of ECEF points ``(..., 3)``.

    Bowring's closed form followed by two Newton-style refinements; accurate to well below
    a millimetre for heights from -10 km to 10 000 km.
    """
    r = np.asarray(r, dtype=float)
    x, y, z = r[..., 0], r[..., 1], r[..., 2]
    a, b, e2 = WGS84_A_M, WGS84_B_M, WGS84_E2
    ep2 = (a * a - b * b) / (b * b)
    p = np.hypot(x, y)
    lon = np.arctan2(y, x)
    theta = np.arctan2(z * a, p * b)
    lat = np.arctan2(z + ep2 * b * np.sin(theta) ** 3, p - e2 * a * np.cos(theta) ** 3)
    for _ in range(2):
        s = np.sin(lat)
        n = a / np.sqrt(1.0 - e2 * s * s)
        h = np.where(np.abs(np.cos(lat)) > 1e-12, p / np.cos(lat) - n, np.abs(z) - b)
        lat = np.arctan2(z, p * (1.0 - e2 * n / (n + h)))
    s, c = np.sin(lat), np.cos(lat)
    n = a / np.sqrt(1.0 - e2 * s * s)
    h = p * c + z * s - a * a / n
    return lat, lon, h


def geodetic_to_ecef(lat: FloatArray, lon: FloatArray, h: FloatArray) -> FloatArray:
    """ECEF position ``(..., 3)`` [m] of geodetic latitude, longitude [rad] and height [m]."""
    lat, lon, h = np.broadcast_arrays(*(np.asarray(v, dtype=float) for v in (lat, lon, h)))
    s = np.sin(lat)
    n = WGS84_A_M / np.sqrt(1.0 - WGS84_E2 * s * s)
    return np.stack(
        [
            (n + h) * np.cos(lat) * np.cos(lon),
            (n + h) * np.cos(lat) * np.sin(lon),
            (n * (1.0 - WGS84_E2) + h) * s,
        ],
        axis=-1,
    )


def enu_matrix(lat: FloatArray, lon: FloatArray) -> FloatArray:
    """Rotation ``M`` (..., 3, 3) with ``d_enu = M @ d_ecef`` at geodetic ``lat``, ``lon`` [rad]."""
    lat = np.asarray(lat, dtype=float)
    lon = np.asarray(lon, dtype=float)
    sl, cl, so, co = np.sin(lat), np.cos(lat), np.sin(lon), np.cos(lon)
    z = np.zeros_like(sl * so)
    return np.stack(
        [
            np.stack([-so + z, co + z, z], axis=-1),
            np.stack([-sl * co, -sl * so, cl + z], axis=-1),
            np.stack([cl * co, cl * so, sl + z], axis=-1),
        ],
        axis=-2,
    )


def enu_matrix_at(site_ecef_m: FloatArray) -> FloatArray:
    """ECEF->ENU rotation ``(..., 3, 3)`` at ECEF site positions ``(..., 3)``."""
    lat, lon, _ = ecef_to_geodetic(site_ecef_m)
    return enu_matrix(lat, lon)
