"""Kinematic cruise missile: constant speed along geodesic legs with an altitude profile.

The missile flies waypoint to waypoint along geodesics of the model's surface at constant
speed V (along its 3-D path). The altitude h(s) over the ground distance s flown is piecewise
linear:

- climb from the launch at ``climb_angle_rad`` to ``cruise_altitude_m``;
- cruise at that altitude;
- optional pop-up: climb at ``climb_angle_rad`` to ``popup_altitude_m`` near the target;
- terminal dive at ``dive_angle_rad`` onto the last waypoint (altitude 0).

On a segment of flight-path angle g the ground speed is V cos g and the climb rate V sin g.
A route too short for the full profile keeps the same angles and lowers the peak.
The state is sampled every ``dt_s`` plus at every profile and leg break, with Earth-relative
ECEF velocity from the local geodesic azimuth; the stored derivatives are those of the
kinematics (finite differences of the velocity), not of a force model.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from hoplon.earth.frames import enu_vector_to_ecef, geodetic_to_ecef
from hoplon.errors import InfeasibleError, InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import _geo
from hoplon.threats.specs import CruiseMissile

if TYPE_CHECKING:
    from hoplon.flight.trajectory import Trajectory

__all__ = ["altitude_profile", "fly_cruise"]


def altitude_profile(total_m: float, spec: CruiseMissile) -> tuple[np.ndarray, np.ndarray]:
    """Break points (s_m, h_m) of the piecewise-linear altitude over ground distance.

    Parameters
    ----------
    total_m : float
        Ground distance of the route [m].
    spec : CruiseMissile

    Returns
    -------
    s, h : arrays
        Ground distances [m] from 0 to ``total_m`` and altitudes [m] there (h = 0 at both ends).
    """
    tc, td = math.tan(spec.climb_angle_rad), math.tan(spec.dive_angle_rad)
    hc = spec.cruise_altitude_m
    s = [0.0]
    h = [0.0]
    if spec.popup_altitude_m > hc:
        hp = spec.popup_altitude_m
        need = hc / tc + (hp - hc) / tc + hp / td
        if need <= total_m:
            s += [hc / tc, total_m - hp / td - (hp - hc) / tc, total_m - hp / td, total_m]
            h += [hc, hc, hp, 0.0]
            return np.array(s), np.array(h)
    need = hc / tc + hc / td
    if need <= total_m:
        s += [hc / tc, total_m - hc / td, total_m]
        h += [hc, hc, 0.0]
    else:
        # too short: climb and dive meet at the peak h* with h*/tc + h*/td = total
        hp = total_m / (1.0 / tc + 1.0 / td)
        s += [hp / tc, total_m]
        h += [hp, 0.0]
    return np.array(s), np.array(h)


def fly_cruise(
    spec: CruiseMissile,
    waypoints: Sequence[tuple[float, float]],
    *,
    model: EarthModel | None = None,
    dt_s: float = 1.0,
    t0_s: float = 0.0,
) -> Trajectory:
    """Fly a cruise missile through ``waypoints`` [(lat_rad, lon_rad), ...] (launch first).

    Raises
    ------
    InputError
        Fewer than two waypoints, or a non-finite one (field ``"--to"``).
    InfeasibleError
        The route is longer than the missile's ``max_range_m`` (field ``"--to"``).
    """
    from hoplon.flight.trajectory import Trajectory

    model = EarthModel() if model is None else model
    if not isinstance(spec, CruiseMissile):
        raise InputError("--missile", f"{getattr(spec, 'name', spec)!r} is not a cruise missile")
    pts = np.asarray(waypoints, dtype=np.float64)
    if pts.ndim != 2 or pts.shape[0] < 2 or pts.shape[1] != 2 or not np.all(np.isfinite(pts)):
        raise InputError("--to", "a route needs at least two finite (lat, lon) waypoints")
    if not (math.isfinite(dt_s) and dt_s > 0):
        raise InputError("dt_s", f"must be positive, got {dt_s}")
    dist, az = _geo.inverse(pts[:-1, 0], pts[:-1, 1], pts[1:, 0], pts[1:, 1], model)
    dist, az = np.atleast_1d(dist), np.atleast_1d(az)
    total = float(np.sum(dist))
    if total <= 0.0:
        raise InputError("--to", "the route has zero length")
    if total > spec.max_range_m * (1 + 1e-9):
        raise InfeasibleError(
            "--to",
            f"route {total / 1e3:,.0f} km is beyond the {spec.max_range_m / 1e3:,.0f} km "
            f"that {spec.name} flies",
            f"up to {spec.max_range_m / 1e3:,.0f} km",
        )
    leg_start = np.concatenate([[0.0], np.cumsum(dist)])

    sp, hp = altitude_profile(total, spec)
    gamma = np.arctan2(np.diff(hp), np.diff(sp))
    V = spec.speed_mps
    seg_t = np.diff(sp) / (V * np.cos(gamma))
    tp = np.concatenate([[0.0], np.cumsum(seg_t)])
    T = float(tp[-1])
    # leg break times (ground distance -> time through the profile)
    t_leg = np.interp(leg_start, sp, tp)
    t_grid = np.unique(np.concatenate([np.arange(0.0, T, dt_s), tp, t_leg, [T]]))
    # Corners (profile breaks and waypoints) get two samples at the same time: the velocity
    # before and after (a repeated time marks a phase boundary in a Trajectory).
    corners = np.unique(np.concatenate([tp[1:-1], t_leg[1:-1]]))
    t = np.concatenate([t_grid, corners])
    before = np.concatenate([np.zeros(t_grid.size, bool), np.ones(corners.size, bool)])
    order = np.lexsort((~before, t))
    t, before = t[order], before[order]
    eps_t, eps_s = 1e-9 * max(T, 1.0), 1e-6  # snap round-off at the corners
    side_k = np.where(
        before,
        np.searchsorted(tp, t - eps_t, side="left"),
        np.searchsorted(tp, t + eps_t, side="right"),
    )
    k = np.clip(side_k - 1, 0, gamma.size - 1)
    s = np.interp(t, tp, sp)
    g = gamma[k]
    h = np.interp(s, sp, hp)
    side_l = np.where(
        before,
        np.searchsorted(leg_start, s - eps_s, side="left"),
        np.searchsorted(leg_start, s + eps_s, side="right"),
    )
    leg = np.clip(side_l - 1, 0, dist.size - 1)
    lat, lon, az_here = _geo.direct_az(pts[leg, 0], pts[leg, 1], az[leg], s - leg_start[leg], model)
    ell = _geo.ellipsoid_of(model)
    r = geodetic_to_ecef(lat, lon, h, ell)
    v_enu = np.stack(
        [V * np.cos(g) * np.sin(az_here), V * np.cos(g) * np.cos(az_here), V * np.sin(g)],
        axis=-1,
    )
    v = enu_vector_to_ecef(v_enu, lat, lon)
    y = np.empty((t.size, 7))
    y[:, 0:3] = r
    y[:, 3:6] = v
    y[:, 6] = spec.mass_kg
    ydot = np.zeros_like(y)
    ydot[:, 0:3] = v
    ydot[:, 3:6] = _piecewise_gradient(v, t)
    return Trajectory(
        t_s=t + t0_s,
        y=y,
        model=model,
        name=spec.name,
        ydot=ydot,
        phase_boundaries_s=tuple(float(x) + t0_s for x in tp[1:-1]),
        metadata={
            "kind": "cruise",
            "speed_mps": V,
            "cruise_altitude_m": spec.cruise_altitude_m,
            "route_length_m": total,
        },
    )


def _piecewise_gradient(v: np.ndarray, t: np.ndarray) -> np.ndarray:
    """dv/dt by finite differences within each run of strictly increasing times."""
    out = np.zeros_like(v)
    cuts = np.concatenate([[0], np.nonzero(np.diff(t) <= 0.0)[0] + 1, [t.size]])
    for a, b in itertools.pairwise(cuts):
        if b - a > 1:
            out[a:b] = np.gradient(v[a:b], t[a:b], axis=0)
    return out
