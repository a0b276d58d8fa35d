"""DIS orientation: Euler angles (psi, theta, phi) of an entity flying along its velocity.

IEEE 1278.1 gives an entity's orientation as the Euler angles of its body axes (x forward,
y right, z down) with respect to the *world* (ECEF) axes, in the z-y-x order: yaw ``psi``
about Z, then pitch ``theta`` about the new Y, then roll ``phi`` about the new X. The body
rows in ECEF are then::

    x_b = ( cT cP,              cT sP,             -sT   )
    y_b = ( sF sT cP - cF sP,   sF sT sP + cF cP,   sF cT )
    z_b = ( cF sT cP + sF sP,   cF sT sP - sF cP,   cF cT )

(c = cos, s = sin, P = psi, T = theta, F = phi). Hoplon's missiles have no attitude state,
so the body x axis is the velocity direction and the wings are level in the local NED
frame: ``y_b`` is horizontal (``y_b = unit(d x x_b)`` with ``d`` the local down), zero roll
relative to the local horizon. An entity at rest faces local north, level.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from hoplon.earth.frames import ecef_to_geodetic, enu_matrix


def ned_axes(r_ecef_m: ArrayLike) -> np.ndarray:
    """Local north, east, down unit vectors in ECEF at positions ``r`` [m], shape (..., 3, 3)."""
    lat, lon, _ = ecef_to_geodetic(np.asarray(r_ecef_m, dtype=np.float64))
    m = enu_matrix(lat, lon)  # rows e, n, u
    return np.stack((m[..., 1, :], m[..., 0, :], -m[..., 2, :]), axis=-2)


def body_axes_from_velocity(r_ecef_m: ArrayLike, v_ecef_mps: ArrayLike) -> np.ndarray:
    """Body axes (rows x_b, y_b, z_b in ECEF) along the velocity, wings level; (..., 3, 3)."""
    r = np.asarray(r_ecef_m, dtype=np.float64)
    v = np.asarray(v_ecef_mps, dtype=np.float64)
    ned = ned_axes(r)
    n, e, d = ned[..., 0, :], ned[..., 1, :], ned[..., 2, :]
    speed = np.linalg.norm(v, axis=-1, keepdims=True)
    moving = speed > 1e-9
    x = np.where(moving, v / np.where(moving, speed, 1.0), n)
    y = np.cross(d, x)
    ny = np.linalg.norm(y, axis=-1, keepdims=True)
    vertical = ny < 1e-9  # flying straight up or down: heading undefined, take y = east
    y = np.where(vertical, e, y / np.where(vertical, 1.0, ny))
    z = np.cross(x, y)
    return np.stack((x, y, z), axis=-2)


def euler_from_axes(axes: ArrayLike) -> np.ndarray:
    """DIS Euler angles (psi, theta, phi) [rad] of body axes given as rows in ECEF, (..., 3).

    ``psi = atan2(x_b[1], x_b[0])``, ``theta = -asin(x_b[2])``,
    ``phi = atan2(y_b[2], z_b[2])``. At gimbal lock (body x along the ECEF z axis,
    ``theta = -+90 deg``) only ``psi -+ phi`` is defined: ``phi = 0`` and
    ``psi = atan2(-y_b[0], y_b[1])``.
    """
    a = np.asarray(axes, dtype=np.float64)
    x, y, z = a[..., 0, :], a[..., 1, :], a[..., 2, :]
    lock = np.hypot(x[..., 0], x[..., 1]) < 1e-12
    psi = np.where(lock, np.arctan2(-y[..., 0], y[..., 1]), np.arctan2(x[..., 1], x[..., 0]))
    theta = np.where(
        lock, -np.copysign(np.pi / 2, x[..., 2]), -np.arcsin(np.clip(x[..., 2], -1.0, 1.0))
    )
    phi = np.where(lock, 0.0, np.arctan2(y[..., 2], z[..., 2]))
    return np.stack((psi, theta, phi), axis=-1)


def axes_from_euler(euler: ArrayLike) -> np.ndarray:
    """Body axes (rows x_b, y_b, z_b in ECEF) from DIS Euler angles (psi, theta, phi) [rad]."""
    e = np.asarray(euler, dtype=np.float64)
    cp, sp = np.cos(e[..., 0]), np.sin(e[..., 0])
    ct, st = np.cos(e[..., 1]), np.sin(e[..., 1])
    cf, sf = np.cos(e[..., 2]), np.sin(e[..., 2])
    x = np.stack((ct * cp, ct * sp, -st), axis=-1)
    y = np.stack((sf * st * cp - cf * sp, sf * st * sp + cf * cp, sf * ct), axis=-1)
    z = np.stack((cf * st * cp + sf * sp, cf * st * sp - sf * cp, cf * ct), axis=-1)
    return np.stack((x, y, z), axis=-2)


def euler_from_velocity(r_ecef_m: ArrayLike, v_ecef_mps: ArrayLike) -> np.ndarray:
    """DIS orientation (psi, theta, phi) [rad] of an entity flying along ``v``, wings level."""
    return euler_from_axes(body_axes_from_velocity(r_ecef_m, v_ecef_mps))
