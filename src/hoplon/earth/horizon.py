"""Radar horizon and line of sight over a (refracting) Earth, vectorised.

Refraction of a standard atmosphere bends rays down; the classical model replaces the
Earth of radius ``R`` by one of effective radius ``R_e = k R`` over which rays are straight
lines (Skolnik, *Introduction to Radar Systems*, 3rd ed., 8.2; ITU-R P.834). With a
refractivity gradient ``dN/dh`` [1/m] (``N`` as a fraction, e.g. -39e-9 per metre, the
MATLAB ``effearthradius`` default)::

    R_e = R / (1 + R dN/dh)          (k = 1 / (1 + R dN/dh) ~ 4/3)

The horizon (tangent) range of an antenna at height ``h`` over a sphere of radius ``R_e``::

    R_h = sqrt(2 R_e h + h^2)

and two points at heights ``h1``, ``h2`` see each other over a smooth sphere up to a
slant range of ``R_h(h1) + R_h(h2)``.

The 4/3 model is fitted to the troposphere; it overstates the line of sight to targets
above it (exo-atmospheric missiles). Use ``k = 1`` (geometric Earth) for those, or the
``k`` of the caller's choice: the functions here take ``k`` or ``R_e`` explicitly.

For space sensors, :func:`segment_clears_ellipsoid` tests whether the straight segment
between two points passes above an ellipsoid inflated by a layer (the limb, or a cloud
top): scaling coordinates by ``1/(a + h)``, ``1/(b + h)`` maps the inflated ellipsoid to the
unit sphere, where the closest point of the segment to the centre is found in closed form.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M, WGS84_A_M, WGS84_B_M

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

#: MATLAB ``effearthradius`` default refractivity gradient [1/m] (-39 N-units per km).
DEFAULT_REFRACTIVITY_GRADIENT_PER_M = -39e-9
#: The classical 4/3-Earth factor.
FOUR_THIRDS = 4.0 / 3.0


def effective_earth_radius(
    refractivity_gradient_per_m: ArrayLike = DEFAULT_REFRACTIVITY_GRADIENT_PER_M,
    earth_radius_m: ArrayLike = R_EARTH_MEAN_M,
) -> FloatArray:
    """Effective Earth radius [m]: ``R_e = R / (1 + R dN/dh)``.

    Raises
    ------
    ValueError
        If ``1 + R dN/dh <= 0`` (ducting: rays bend more than the Earth curves).
    """
    R = np.asarray(earth_radius_m, dtype=float)
    denom = 1.0 + R * np.asarray(refractivity_gradient_per_m, dtype=float)
    if np.any(denom <= 0.0):
        raise ValueError("refractivity gradient gives ducting (1 + R dN/dh <= 0)")
    return R / denom


def k_factor(
    refractivity_gradient_per_m: ArrayLike = DEFAULT_REFRACTIVITY_GRADIENT_PER_M,
    earth_radius_m: ArrayLike = R_EARTH_MEAN_M,
) -> FloatArray:
    """Effective Earth radius factor ``k = R_e / R = 1 / (1 + R dN/dh)`` [-]."""
    return effective_earth_radius(refractivity_gradient_per_m, earth_radius_m) / np.asarray(
        earth_radius_m, dtype=float
    )


def horizon_range(height_m: ArrayLike, effective_radius_m: ArrayLike) -> FloatArray:
    """Tangent range [m] to the horizon from height ``h``: ``sqrt(2 R_e h + h^2)``.

    Negative heights give 0.
    """
    h = np.maximum(np.asarray(height_m, dtype=float), 0.0)
    return np.sqrt(2.0 * np.asarray(effective_radius_m, dtype=float) * h + h * h)


def rule_of_thumb_horizon_range(height_m: ArrayLike) -> FloatArray:
    """Radar horizon [m] by the 4/3-Earth rule of thumb ``R_h ~ 4.12 sqrt(h[m])`` km."""
    return 4.12e3 * np.sqrt(np.maximum(np.asarray(height_m, dtype=float), 0.0))


def max_los_range(
    height1_m: ArrayLike, height2_m: ArrayLike, effective_radius_m: ArrayLike
) -> FloatArray:
    """Largest slant range [m] at which two heights see each other: ``R_h(h1) + R_h(h2)``."""
    return horizon_range(height1_m, effective_radius_m) + horizon_range(
        height2_m, effective_radius_m
    )


def los_clear(
    height1_m: ArrayLike,
    height2_m: ArrayLike,
    central_angle_rad: ArrayLike,
    k: ArrayLike = FOUR_THIRDS,
    earth_radius_m: ArrayLike = R_EARTH_MEAN_M,
) -> BoolArray:
    """Whether two points see each other over a smooth sphere with refraction.

    The points are at heights ``h1``, ``h2`` above a sphere of radius ``R`` and separated
    by the geocentric angle ``theta``. In the effective-Earth model the ground distance is
    kept, so the angle becomes ``theta' = theta / k`` on a sphere of radius ``R_e = k R``
    with straight rays. The segment between ``r1 = R_e + h1`` and ``r2 = R_e + h2`` at angle
    ``theta'`` clears the sphere if its closest point to the centre lies at the ends, or
    at distance ``r1 r2 sin(theta') / |r2 - r1| >= R_e``.
    """
    k_ = np.asarray(k, dtype=float)
    Re = k_ * np.asarray(earth_radius_m, dtype=float)
    h1 = np.maximum(np.asarray(height1_m, dtype=float), 0.0)
    h2 = np.maximum(np.asarray(height2_m, dtype=float), 0.0)
    th = np.abs(np.asarray(central_angle_rad, dtype=float)) / k_
    r1, r2 = Re + h1, Re + h2
    # Vectors p1 = (r1, 0), p2 = (r2 cos th, r2 sin th); d = p2 - p1
    dx, dy = r2 * np.cos(th) - r1, r2 * np.sin(th)
    d2 = dx * dx + dy * dy
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(-(r1 * dx) / d2, 0.0, 1.0)
    s = np.where(d2 > 0.0, s, 0.0)
    cx, cy = r1 + s * dx, s * dy
    clear = cx * cx + cy * cy >= Re * Re * (1.0 - 1e-12)
    return clear & (th < np.pi)


def segment_clears_ellipsoid(
    p1: ArrayLike,
    p2: ArrayLike,
    layer_m: ArrayLike = 0.0,
    a_m: float = WGS84_A_M,
    b_m: float = WGS84_B_M,
    end_inside_ok: bool = False,
) -> BoolArray:
    """Whether the segment ``p1 -> p2`` (ECEF, (..., 3)) stays outside an inflated ellipsoid.

    The ellipsoid has semi-axes ``a + layer``, ``a + layer``, ``b + layer`` (a layer of
    ``layer_m`` above WGS84: 0 for the hard Earth, ~10 km for a cloud top, ~50-100 km for a
    limb threshold). In coordinates scaled so that it is the unit sphere, the closest point
    of the segment to the centre is ``q1 + s (q2 - q1)`` with
    ``s = clip(-q1.(q2 - q1) / |q2 - q1|^2, 0, 1)``; the segment clears if that point's norm
    is at least 1. Endpoints inside the layer never clear, except that with
    ``end_inside_ok`` a segment whose closest point is the end ``p2`` itself counts as clear
    (for a target whose own altitude is checked separately against the geodetic layer: the
    inflated ellipsoid departs from a constant-altitude surface by up to ``layer e^2``).
    """
    layer = np.asarray(layer_m, dtype=float)[..., None]
    scale = np.stack(
        np.broadcast_arrays(a_m + layer[..., 0], a_m + layer[..., 0], b_m + layer[..., 0]), -1
    )
    q1 = np.asarray(p1, dtype=float) / scale
    q2 = np.asarray(p2, dtype=float) / scale
    d = q2 - q1
    d2 = np.sum(d * d, axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.clip(-np.sum(q1 * d, axis=-1) / d2, 0.0, 1.0)
    s = np.where(d2 > 0.0, s, 0.0)
    c = q1 + s[..., None] * d
    clear = np.sum(c * c, axis=-1) >= 1.0
    if end_inside_ok:
        clear = clear | (s >= 1.0)
    return clear


def central_angle(r1_ecef: ArrayLike, r2_ecef: ArrayLike) -> FloatArray:
    """Geocentric angle [rad] between two ECEF position vectors (atan2 form, accurate)."""
    a = np.asarray(r1_ecef, dtype=float)
    b = np.asarray(r2_ecef, dtype=float)
    cross = np.linalg.norm(np.cross(a, b), axis=-1)
    return np.arctan2(cross, np.sum(a * b, axis=-1))
