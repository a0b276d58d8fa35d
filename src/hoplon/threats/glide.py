"""Hypersonic boost-glide vehicle: rocket boost, then an unpowered lifting glide.

1. Boost on the booster (``hoplon.threats.ballistic``), the glider separating at burnout.
2. Ballistic descent with lift available (L/D, bank 0): lift grows with density, so the
   vehicle pulls up as it enters the atmosphere.
3. From ``pull_up_altitude_m`` on (first crossing on the way down), the glide continues with
   the commanded bank angle: a banked lift vector turns the velocity, giving cross-range.
   Positive bank turns right (clockwise seen from above), so cross-range is to the right.

Lift and drag (``hoplon.flight``): a_D = rho v^2 / (2 beta), a_L = (L/D) a_D, lift in the
plane of local up and v, rotated by the bank angle about v.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from hoplon.errors import InfeasibleError, InputError
from hoplon.flight import params as fp
from hoplon.flight.model import EarthModel
from hoplon.flight.propagate import propagate
from hoplon.threats import _geo
from hoplon.threats.ballistic import MAX_COAST_S, fly_ballistic_batch
from hoplon.threats.specs import GlideVehicle

if TYPE_CHECKING:
    from hoplon.flight.trajectory import Trajectory

__all__ = ["cross_range_m", "fly_glide"]


def fly_glide(
    spec: GlideVehicle,
    launch_lat_rad: float,
    launch_lon_rad: float,
    azimuth_rad: float,
    *,
    bank_angle_rad: float = 0.0,
    kick_angle_rad: float | None = None,
    cutoff_time_s: float | None = None,
    model: EarthModel | None = None,
    dt_s: float = 0.5,
    glide_dt_s: float = 2.0,
) -> Trajectory:
    """Fly a boost-glide vehicle on an azimuth; return the joined Trajectory.

    Parameters
    ----------
    spec : GlideVehicle
    launch_lat_rad, launch_lon_rad, azimuth_rad : float
        Launch point and azimuth [rad].
    bank_angle_rad : float
        Bank angle of the glide after pull-up [rad], |bank| < 90 deg; positive: right.
    kick_angle_rad : float, optional
        Booster pitch-over angle (default: the booster's nominal).
    cutoff_time_s : float, optional
        Early thrust termination of the booster [s] (energy management for shorter ranges).
    model : EarthModel, optional
        Must have an atmosphere for the glide to mean anything.
    """
    from hoplon.flight.trajectory import concatenate

    if not isinstance(spec, GlideVehicle):
        raise InputError("--missile", f"{getattr(spec, 'name', spec)!r} is not a glide vehicle")
    if not (math.isfinite(bank_angle_rad) and abs(bank_angle_rad) < math.pi / 2):
        raise InputError("bank_angle_rad", "must lie in (-90, 90) deg")
    model = EarthModel() if model is None else model
    boost = fly_ballistic_batch(
        spec.booster, launch_lat_rad, launch_lon_rad, azimuth_rad, kick_angle_rad=kick_angle_rad,
        cutoff_time_s=cutoff_time_s, model=model, dt_s=dt_s, record=True,
    )  # fmt: skip
    if boost.boost_failed[0]:
        raise InputError("kick_angle_rad", f"{spec.name}: the boost hits the ground")
    parts = [p for p in boost.parts(0) if p.name != "free flight"]
    t0 = float(boost.burnout_t_s[0])
    y = boost.burnout_y[:1].copy()
    y[:, 6] = spec.booster.payload_mass_kg
    common = {"model": model, "dt": glide_dt_s, "method": "dopri5", "rtol": 1e-8, "atol": 1e-6}
    # Phase 2: descend with lift (bank 0) until the pull-up altitude is crossed downwards.
    P = fp.make_params(1, beta_kg_m2=spec.beta_kg_m2, lift_to_drag=spec.lift_to_drag)
    _, _, alt_bo = _geo.lat_lon_alt(y[0, :3], model)
    if float(alt_bo) > spec.pull_up_altitude_m:
        res = propagate(
            y, P, t0=t0, t_end=t0 + MAX_COAST_S, stop_altitude_m=spec.pull_up_altitude_m, **common
        )
        if not res.impacted[0]:
            raise InfeasibleError("--missile", f"{spec.name}: the glider does not come down")
        parts.append(res.trajectory(0, name="entry"))
        t0, y = float(res.impact_t[0]), res.impact_y[:1].copy()
    # Phase 3: banked glide to the ground.
    P = fp.make_params(
        1, beta_kg_m2=spec.beta_kg_m2, lift_to_drag=spec.lift_to_drag, bank_angle_rad=bank_angle_rad
    )
    res = propagate(y, P, t0=t0, t_end=t0 + MAX_COAST_S, stop_altitude_m=0.0, **common)
    if not res.impacted[0]:
        raise InfeasibleError("--missile", f"{spec.name}: the glide does not end on the ground")
    parts.append(res.trajectory(0, name="glide"))
    traj = concatenate(parts, name=spec.name, burnout_time_s=float(boost.burnout_t_s[0]))
    traj.metadata = {
        **boost.metadata(0),
        "kind": "glide",
        "lift_to_drag": spec.lift_to_drag,
        "bank_angle_rad": bank_angle_rad,
        "cross_range_m": cross_range_m(traj, launch_lat_rad, launch_lon_rad, azimuth_rad),
    }
    return traj


def cross_range_m(
    traj: Trajectory, launch_lat_rad: float, launch_lon_rad: float, azimuth_rad: float
) -> float:
    """Signed distance of the impact from the launch azimuth's great circle [m] (+: right).

    On the sphere of radius R: x = R asin(sin(d/R) sin(az_impact - az_launch)), with d the
    launch-impact distance. The WGS84 distance and azimuth are used with the mean radius,
    which is accurate to well under 1 % for cross-ranges of a few hundred km.
    """
    lat, lon, _ = _geo.lat_lon_alt(traj.y[-1, :3], traj.model)
    d, az = _geo.inverse(launch_lat_rad, launch_lon_rad, lat, lon, traj.model)
    R = traj.model.radius_m
    return float(R * np.arcsin(np.sin(d / R) * np.sin(_geo.wrap_pi(az - azimuth_rad))))
