"""Trajectory shaping and targeting: minimum-energy, maximum-range, lofted and depressed shots.

One entry point, :func:`plan_trajectory`, is what ``hoplon trajectory`` calls. It solves for
the launch parameters with the chosen Earth model (rotation and atmosphere included):

- a **missile** (catalogue name) is shaped with its pitch-over (kick) angle and, for
  minimum-energy shots to a nearer target, early thrust termination (energy management);
- a **burnout-state shot** (``burnout_speed_mps``, instantaneous boost at the launch point and
  ``burnout_altitude_m``) is shaped with its flight-path angle (and, for minimum energy to a
  target, its speed);
- the **reconstruction** "given ground range R and apogee A" finds the burnout speed and
  angle (Kepler initial guess, then Newton on the numerical flight).

On a rotating Earth the launch azimuth is iterated until the impact lies on the target's
bearing; impacts land within ~1 km of the target for missiles and ~100 m for burnout-state
shots.

Shapes
------
``"min-energy"``
    Least energy to reach the range. Missile: the max-range pitch programme with thrust
    terminated early so the RV falls on the target. Burnout state: the range-maximising angle;
    to a target, also the least burnout speed (at most ``burnout_speed_mps``) that reaches it.
    Without a target or range: the maximum range (which is the minimum-energy trajectory for
    that range).
``"max-range"``
    Full energy at the range-maximising angle; a target only sets the azimuth (the impact is
    at the maximum range on that bearing).
``"lofted"``
    The steep solution: hits the target (or range) with full energy at the high angle, or
    reaches the given apogee.
``"depressed"``
    The flat solution: hits the target (or range) with full energy at the low angle, or
    reaches the given (low) apogee.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from scipy.optimize import brentq, minimize_scalar

from hoplon.earth.frames import geodetic_to_ecef
from hoplon.errors import InfeasibleError, InputError
from hoplon.flight.model import EarthModel
from hoplon.threats import _geo, kepler
from hoplon.threats.ballistic import BallisticBatch, burnout_state_batch, fly_ballistic_batch
from hoplon.threats.specs import BallisticMissile, CruiseMissile, GlideVehicle

if TYPE_CHECKING:
    from hoplon.flight.trajectory import Trajectory

__all__ = [
    "BURNOUT_BETA_KG_M2",
    "SHAPES",
    "burnout_max_range",
    "missile_max_range",
    "plan_trajectory",
]

SHAPES = ("min-energy", "max-range", "lofted", "depressed")

#: Ballistic coefficient of the object flown in burnout-state shots [kg/m^2]: 1,000 lb/ft^2,
#: a generic modern RV (P. Zarchan, *Tactical and Strategic Missile Guidance*, 6th ed.).
BURNOUT_BETA_KG_M2 = 1000.0 * 47.880258888889 / 9.80665

#: Impact-to-target tolerances [m].
MISSILE_TOL_M = 250.0
BURNOUT_TOL_M = 25.0

_KICK_GRID = np.radians(np.linspace(0.5, 85.0, 48))
_GAMMA_GRID = np.radians(np.linspace(1.0, 89.0, 45))


def _km(x: float) -> str:
    return f"{x / 1e3:,.0f} km"


# ------------------------------------------------------------------------------------------
# Evaluators: parameters -> batch of flights
# ------------------------------------------------------------------------------------------


@dataclass
class _Missile:
    missile: BallisticMissile
    lat: float
    lon: float
    model: EarthModel

    def run(
        self, kick: np.ndarray, cutoff: np.ndarray, az: np.ndarray, record: bool = False
    ) -> BallisticBatch:
        kick, cutoff, az = np.broadcast_arrays(
            np.atleast_1d(kick), np.atleast_1d(cutoff), np.atleast_1d(az)
        )
        return fly_ballistic_batch(
            self.missile, self.lat, self.lon, az, kick_angle_rad=kick, cutoff_time_s=cutoff,
            model=self.model, record=record,
        )  # fmt: skip


@dataclass
class _Burnout:
    lat: float
    lon: float
    alt: float
    model: EarthModel

    def run(
        self, v: np.ndarray, gamma: np.ndarray, az: np.ndarray, record: bool = False
    ) -> BallisticBatch:
        return burnout_state_batch(
            self.lat, self.lon, az, v, gamma, burnout_altitude_m=self.alt,
            beta_kg_m2=BURNOUT_BETA_KG_M2, model=self.model, record=record,
        )  # fmt: skip


def _ranges(b: BallisticBatch) -> np.ndarray:
    return b.ground_range_m()


def _max_on_grid(
    f_batch: Callable[[np.ndarray], np.ndarray], grid: np.ndarray, xatol: float
) -> tuple[float, float, np.ndarray]:
    """Maximise a function known on a grid (batched), refine with a bounded scalar search.

    Returns (x*, f(x*), f on the grid).
    """
    vals = f_batch(grid)
    finite = np.where(np.isfinite(vals), vals, -np.inf)
    i = int(np.argmax(finite))
    if not np.isfinite(finite[i]):
        return math.nan, math.nan, vals
    lo, hi = grid[max(i - 1, 0)], grid[min(i + 1, grid.size - 1)]
    res = minimize_scalar(
        lambda x: -float(np.nan_to_num(f_batch(np.array([x]))[0], nan=-1e30)),
        bounds=(lo, hi),
        method="bounded",
        options={"xatol": xatol},
    )
    x, fx = float(res.x), -float(res.fun)
    if fx < finite[i]:
        x, fx = float(grid[i]), float(finite[i])
    return x, fx, vals


def _root_on_branch(
    f_scalar: Callable[[float], float], xs: np.ndarray, fs: np.ndarray, xtol: float
) -> float | None:
    """Root of f between consecutive grid points of one monotone branch (first sign change)."""
    for j in range(xs.size - 1):
        a, b = fs[j], fs[j + 1]
        if np.isfinite(a) and np.isfinite(b) and a * b <= 0.0:
            if a == 0.0:
                return float(xs[j])
            return float(brentq(f_scalar, xs[j], xs[j + 1], xtol=xtol, rtol=1e-12))
    return None


# ------------------------------------------------------------------------------------------
# Missiles
# ------------------------------------------------------------------------------------------


def missile_max_range(
    missile: BallisticMissile,
    launch_lat_rad: float,
    launch_lon_rad: float,
    azimuth_rad: float,
    model: EarthModel | None = None,
) -> tuple[float, float]:
    """Maximum ground range of ``missile`` on an azimuth and the kick angle that gives it.

    Full burn; the kick angle is scanned on a grid (one batched flight) and refined with a
    bounded scalar search.

    Returns
    -------
    range_m, kick_angle_rad : float
    """
    shot = _Missile(missile, launch_lat_rad, launch_lon_rad, model or EarthModel())
    kick, rng, _ = _max_on_grid(
        lambda k: _ranges(shot.run(k, math.inf, azimuth_rad)), _KICK_GRID, 1e-5
    )
    return rng, kick


def _aim(
    solve: Callable[[float], tuple[BallisticBatch, tuple[float, ...]]],
    az0: float,
    target: tuple[float, float] | None,
    model: EarthModel,
    lat0: float,
    lon0: float,
    tol_m: float,
    max_iter: int = 8,
) -> tuple[BallisticBatch, tuple[float, ...], float]:
    """Iterate the launch azimuth until the impact lies on the target's bearing.

    ``solve(az)`` shapes the shot for that azimuth and returns the flown batch (one object) and
    its parameters. Without a target one solve is done.
    """
    az = az0
    batch, p = solve(az)
    if target is None:
        return batch, p, az
    tlat, tlon = target
    for _ in range(max_iter):
        lat, lon = batch.impact_lat_lon()
        miss, _ = _geo.inverse(lat[0], lon[0], tlat, tlon, model)
        if float(miss) <= tol_m:
            break
        _, az_imp = _geo.inverse(lat0, lon0, lat[0], lon[0], model)
        _, az_tgt = _geo.inverse(lat0, lon0, tlat, tlon, model)
        az = float(np.mod(az + _geo.wrap_pi(az_tgt - az_imp), 2 * math.pi))
        batch, p = solve(az)
    return batch, p, az


def _plan_missile(
    missile: BallisticMissile,
    lat0: float,
    lon0: float,
    az0: float,
    target: tuple[float, float] | None,
    distance: float | None,
    shape: str,
    apogee: float | None,
    model: EarthModel,
) -> tuple[BallisticBatch, dict[str, object]]:
    shot = _Missile(missile, lat0, lon0, model)
    inf = math.inf

    r_max, k_max = missile_max_range(missile, lat0, lon0, az0, model)
    if not math.isfinite(r_max):
        raise InfeasibleError("--missile", f"{missile.name}: no pitch programme reaches the ground")
    apo_at_max = float(shot.run(k_max, inf, az0).apogee_altitude_m()[0])

    if distance is not None and distance > r_max and shape != "max-range":
        raise InfeasibleError(
            "--range" if target is None else "--to",
            f"range {_km(distance)} is beyond the {_km(r_max)} that {missile.name} reaches",
            f"up to {_km(r_max)}",
        )

    def range_at(kick: float, cut: float, az: float) -> float:
        return float(_ranges(shot.run(kick, cut, az))[0])

    def apogee_at(kick: float, cut: float, az: float) -> float:
        return float(shot.run(kick, cut, az).apogee_altitude_m()[0])

    lofted_side = _KICK_GRID <= k_max
    depressed_side = _KICK_GRID >= k_max

    def branch_kick(az: float, d: float, lofted: bool) -> float:
        b = shot.run(_KICK_GRID, inf, az)
        r = _ranges(b)
        side = lofted_side if lofted else depressed_side
        xs, fs = _KICK_GRID[side], r[side] - d
        k = _root_on_branch(lambda x: range_at(x, inf, az) - d, xs, fs, 1e-9)
        if k is None:
            which = "lofted" if lofted else "depressed"
            reach = np.nanmin(r[side]) if np.any(np.isfinite(r[side])) else math.nan
            raise InfeasibleError(
                "--shape",
                f"no {which} trajectory of {missile.name} has range {_km(d)} "
                f"(its {which} trajectories reach {_km(reach)} to {_km(r_max)})",
                "min-energy",
            )
        return k

    info: dict[str, object] = {"max_range_m": r_max}

    if apogee is not None and distance is None:
        # Full burn; the kick sets the apogee. Apogees above the max-range one are lofted.
        apo_lo_kick = _KICK_GRID[0]
        apo_top = apogee_at(apo_lo_kick, inf, az0)
        lofted = apogee >= apo_at_max
        if shape == "lofted" and not lofted:
            raise InfeasibleError(
                "--apogee",
                f"apogee {_km(apogee)} is below the {_km(apo_at_max)} of the max-range "
                f"trajectory of {missile.name}; a lofted trajectory goes higher",
                f"{_km(apo_at_max)} to {_km(apo_top)}",
            )
        if shape == "depressed" and lofted:
            raise InfeasibleError(
                "--apogee",
                f"apogee {_km(apogee)} is above the {_km(apo_at_max)} of the max-range "
                f"trajectory of {missile.name}; a depressed trajectory stays lower",
                f"below {_km(apo_at_max)}",
            )
        if apogee > apo_top:
            raise InfeasibleError(
                "--apogee",
                f"apogee {_km(apogee)} is above the {_km(apo_top)} that {missile.name} reaches",
                f"up to {_km(apo_top)}",
            )
        b = shot.run(_KICK_GRID, inf, az0)
        ag = b.apogee_altitude_m()
        side = lofted_side if lofted else depressed_side
        k = _root_on_branch(
            lambda x: apogee_at(x, inf, az0) - apogee, _KICK_GRID[side], ag[side] - apogee, 1e-9
        )
        if k is None:
            raise InfeasibleError(
                "--apogee",
                f"no trajectory of {missile.name} has apogee {_km(apogee)}",
                f"{_km(float(np.nanmin(ag)))} to {_km(apo_top)}",
            )
        batch = shot.run(k, inf, az0, record=True)
        return batch, info

    if distance is None and shape == "min-energy":
        # Minimum energy at full burn: the free flight starts on the Kepler max-range angle.
        k_me = _me_kick(shot, az0, inf)
        if k_me is not None:
            info["kepler_minimum_energy_burnout"] = True
            return shot.run(k_me, inf, az0, record=True), info

    if distance is None or shape == "max-range":
        # Maximum range on the azimuth (min-energy without a range is the same trajectory).
        def solve_max(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
            _, k = missile_max_range(missile, lat0, lon0, az, model)
            return shot.run(k, inf, az), (k,)

        if target is not None:
            # The target only sets the bearing: aim the impact azimuth at it.
            _, (k,), az = _aim_bearing(solve_max, az0, target, model, lat0, lon0)
        else:
            k, az = k_max, az0
        return shot.run(k, inf, az, record=True), info

    d = distance
    if target is None:
        # A range on an azimuth: aim at the point that far along the geodesic.
        tlat, tlon = _geo.direct(lat0, lon0, az0, d, model)
        target = (float(tlat), float(tlon))

    def target_distance() -> float:
        return float(_geo.inverse(lat0, lon0, target[0], target[1], model)[0])

    if shape == "min-energy":
        burn = missile.burn_time_s
        where = "--range" if distance is None else "--to"

        def solve_cut(k: float, az: float) -> float:
            """Cutoff on a fixed programme that flies the range d (max-range fallback)."""
            if range_at(k, inf, az) <= d:
                return inf
            t_lo = _min_cutoff(shot, k, az)
            if range_at(k, t_lo, az) >= d:
                raise InfeasibleError(
                    where,
                    f"range {_km(d)} is shorter than the {_km(range_at(k, t_lo, az))} "
                    f"that {missile.name} flies with its shortest burn",
                    "a longer range or --shape lofted",
                )
            return float(brentq(lambda tc: range_at(k, tc, az) - d, t_lo, burn, xtol=1e-6))

        prev: dict[str, float] = {}

        def solve_me(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
            if prev:
                # Azimuth iterations move the solution little: keep the kick, re-solve the
                # cutoff for the range near the previous one.
                k, t0 = prev["k"], prev["t"]
                if math.isfinite(t0):
                    lo, hi = max(t0 - 3.0, _min_cutoff(shot, k, az)), min(t0 + 3.0, burn)
                    f_lo, f_hi = range_at(k, lo, az) - d, range_at(k, hi, az) - d
                    if f_lo * f_hi <= 0.0:
                        t = float(brentq(lambda tc: range_at(k, tc, az) - d, lo, hi, xtol=1e-6))
                        return shot.run(k, t, az), (k, t, prev["on_me"])
            batch, p = _solve_me_full(az)
            prev.update(k=p[0], t=p[1], on_me=p[2])
            return batch, p

        def _solve_me_full(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
            k_full = _me_kick(shot, az, inf)
            if k_full is None or range_at(k_full, inf, az) < d:
                # Beyond the minimum-energy reach at full burn (or no programme gives the
                # Kepler angle): the range-maximising programme with thrust termination.
                _, k = missile_max_range(missile, lat0, lon0, az, model)
                t = solve_cut(k, az)
                return shot.run(k, t, az), (k, t, 0.0)

            def f(tc: float) -> float:
                kk = _me_kick(shot, az, tc)
                return math.nan if kk is None else range_at(kk, tc, az) - d

            ts = np.linspace(_min_cutoff(shot, k_full, az), burn, 6)
            fs = np.array([f(x) for x in ts])
            t = _root_on_branch(f, ts, fs, 1e-5)
            if t is None:
                if np.all(fs[np.isfinite(fs)] > 0):
                    raise InfeasibleError(
                        where,
                        f"range {_km(d)} is shorter than the minimum-energy trajectories of "
                        f"{missile.name} reach with its shortest burn",
                        "a longer range or --shape lofted",
                    )
                _, k = missile_max_range(missile, lat0, lon0, az, model)
                t = solve_cut(k, az)
                return shot.run(k, t, az), (k, t, 0.0)
            k = _me_kick(shot, az, t)
            assert k is not None
            return shot.run(k, t, az), (k, t, 1.0)

        _, (k, t, on_me), az = _aim(solve_me, az0, target, model, lat0, lon0, MISSILE_TOL_M)
        info["cutoff_time_s"] = t
        info["kepler_minimum_energy_burnout"] = bool(on_me)
        return shot.run(k, t, az, record=True), info

    lofted = shape == "lofted"
    if apogee is not None:
        if not lofted and shape != "depressed":
            lofted = True
        return _missile_range_and_apogee(shot, d, apogee, lofted, az0, target, k_max, info)

    def solve_branch(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
        k = branch_kick(az, target_distance(), lofted)
        return shot.run(k, inf, az), (k,)

    batch, (k,), az = _aim(solve_branch, az0, target, model, lat0, lon0, MISSILE_TOL_M)
    return shot.run(k, inf, az, record=True), info


def _me_gap(b: BallisticBatch) -> np.ndarray:
    """Burnout flight-path angle minus the Kepler max-range angle of the burnout state [rad].

    Geocentric angles; the re-entry radius is the launch point's geocentric radius.
    """
    r_vec = b.burnout_y[:, 0:3]
    v_vec = b.burnout_y[:, 3:6]
    r = np.linalg.norm(r_vec, axis=1)
    v = np.linalg.norm(v_vec, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        gamma = np.arcsin(np.clip(np.sum(r_vec * v_vec, axis=1) / (r * v), -1.0, 1.0))
    lat, lon = b.launch_lat_rad, b.launch_lon_rad
    r_surface = np.linalg.norm(
        geodetic_to_ecef(lat, lon, np.zeros_like(lat), _geo.ellipsoid_of(b.model)), axis=-1
    )
    _, g_star = kepler.max_range_angle_general(v, r, r_surface, b.model.mu_m3_s2)
    return gamma - g_star


def _me_kick(shot: _Missile, az: float, cut: float) -> float | None:
    """Kick angle whose burnout (at ``cut``) is on the Kepler minimum-energy angle, or None."""

    def boost(k: np.ndarray) -> BallisticBatch:
        return fly_ballistic_batch(
            shot.missile, shot.lat, shot.lon, az, kick_angle_rad=k, cutoff_time_s=cut,
            model=shot.model, coast=False,
        )  # fmt: skip

    b = boost(np.broadcast_to(_KICK_GRID, _KICK_GRID.shape).copy())
    gap = np.where(b.boost_failed, np.nan, _me_gap(b))
    return _root_on_branch(lambda x: float(_me_gap(boost(np.array([x])))[0]), _KICK_GRID, gap, 1e-8)


def _min_cutoff(shot: _Missile, kick: float, az: float) -> float:
    """Shortest burn [s] after which the pitch-over is complete and the RV still climbs."""
    p = shot.missile.pitch
    return min(p.vertical_time_s + p.kick_time_s + 1.0, 0.5 * shot.missile.burn_time_s)


def _aim_bearing(
    solve: Callable[[float], tuple[BallisticBatch, tuple[float, ...]]],
    az0: float,
    target: tuple[float, float],
    model: EarthModel,
    lat0: float,
    lon0: float,
) -> tuple[BallisticBatch, tuple[float, ...], float]:
    """Like :func:`_aim` but only the bearing of the impact must match the target's."""
    az = az0
    batch, p = solve(az)
    _, az_tgt = _geo.inverse(lat0, lon0, target[0], target[1], model)
    for _ in range(6):
        lat, lon = batch.impact_lat_lon()
        _, az_imp = _geo.inverse(lat0, lon0, lat[0], lon[0], model)
        err = float(_geo.wrap_pi(az_tgt - az_imp))
        if abs(err) < 1e-6:
            break
        az = float(np.mod(az + err, 2 * math.pi))
        batch, p = solve(az)
    return batch, p, az


def _missile_range_and_apogee(
    shot: _Missile,
    d: float,
    apogee: float,
    lofted: bool,
    az0: float,
    target: tuple[float, float],
    k_max: float,
    info: dict[str, object],
) -> tuple[BallisticBatch, dict[str, object]]:
    """Range and apogee together: kick on the chosen branch plus thrust termination."""
    lat0, lon0, model = shot.lat, shot.lon, shot.model
    burn = shot.missile.burn_time_s
    inf = math.inf

    def kick_for(az: float, cut: float) -> float | None:
        b = shot.run(_KICK_GRID, cut, az)
        r = _ranges(b)
        if not np.any(np.isfinite(r)):
            return None
        k_peak = _KICK_GRID[int(np.nanargmax(r))]  # the branch split at this cutoff
        side = _KICK_GRID <= k_peak if lofted else _KICK_GRID >= k_peak
        return _root_on_branch(
            lambda x: float(_ranges(shot.run(x, cut, az))[0]) - d,
            _KICK_GRID[side],
            r[side] - d,
            1e-9,
        )

    def reach(cut: float) -> float:
        return float(np.nanmax(_ranges(shot.run(_KICK_GRID, cut, az0))))

    def apogee_for(az: float, cut: float) -> float:
        k = kick_for(az, cut)
        if k is None:
            return math.nan
        return float(shot.run(k, cut, az).apogee_altitude_m()[0])

    a_full = apogee_for(az0, inf)
    if not math.isfinite(a_full):
        raise InfeasibleError("--range", f"range {_km(d)} is out of reach of {shot.missile.name}")
    if (lofted and apogee > a_full) or (not lofted and apogee < a_full):
        raise InfeasibleError(
            "--apogee",
            f"apogee {_km(apogee)} with range {_km(d)} needs "
            f"{'more' if lofted else 'a flatter shot than'} {shot.missile.name} "
            f"{'has' if lofted else 'can fly'}: its {'lofted' if lofted else 'depressed'} "
            f"trajectory to that range peaks at {_km(a_full)}",
            f"{'below' if lofted else 'above'} {_km(a_full)}, or another --shape",
        )
    # The shortest burn that still reaches d (there the lofted and depressed branches meet
    # near the minimum-energy apogee), by bisection; then solve the cut for the apogee.
    lo, hi = _min_cutoff(shot, 0.0, az0), burn
    if reach(lo) < d:
        for _ in range(30):
            mid = 0.5 * (lo + hi)
            lo, hi = (mid, hi) if reach(mid) < d else (lo, mid)
            if hi - lo < 1e-3:
                break
        lo = hi
    cuts = np.linspace(lo, burn, 10)
    vals = np.array([apogee_for(az0, c) - apogee for c in cuts])
    cut = _root_on_branch(lambda c: apogee_for(az0, c) - apogee, cuts, vals, 1e-4)
    if cut is None:
        raise InfeasibleError(
            "--apogee",
            f"no thrust termination of {shot.missile.name} gives apogee {_km(apogee)} "
            f"at range {_km(d)}",
        )

    def solve(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
        k = kick_for(az, cut)
        if k is None:
            raise InfeasibleError("--range", f"range {_km(d)} is out of reach")
        return shot.run(k, cut, az), (k,)

    _batch, (k,), az = _aim(solve, az0, target, model, lat0, lon0, MISSILE_TOL_M)
    info["cutoff_time_s"] = cut
    return shot.run(k, cut, az, record=True), info


# ------------------------------------------------------------------------------------------
# Burnout-state shots
# ------------------------------------------------------------------------------------------


def burnout_max_range(
    speed_mps: float,
    launch_lat_rad: float,
    launch_lon_rad: float,
    azimuth_rad: float,
    *,
    burnout_altitude_m: float = 0.0,
    model: EarthModel | None = None,
) -> tuple[float, float]:
    """Maximum ground range of a burnout state of given speed, and its flight-path angle.

    Returns
    -------
    range_m, gamma_rad : float
    """
    shot = _Burnout(launch_lat_rad, launch_lon_rad, burnout_altitude_m, model or EarthModel())
    g, r, _ = _max_on_grid(
        lambda x: _ranges(shot.run(speed_mps, x, azimuth_rad)), _GAMMA_GRID, 1e-6
    )
    return r, g


def _plan_burnout(
    v: float | None,
    lat0: float,
    lon0: float,
    h: float,
    az0: float,
    target: tuple[float, float] | None,
    distance: float | None,
    shape: str | None,
    apogee: float | None,
    model: EarthModel,
) -> tuple[BallisticBatch, dict[str, object]]:
    shot = _Burnout(lat0, lon0, h, model)
    R = model.radius_m if model.shape == "sphere" else 6371.0e3
    r_bo = R + h
    mu = model.mu_m3_s2
    info: dict[str, object] = {}

    if v is None:
        # Reconstruction (range and apogee given) or min-energy speed to a range.
        assert distance is not None
        if target is None:
            tlat, tlon = _geo.direct(lat0, lon0, az0, distance, model)
            target = (float(tlat), float(tlon))
        if apogee is not None:
            if shape in ("lofted", "depressed"):
                _, v_me, g_me = kepler.minimum_energy(distance / R, r_bo, R, mu)
                a_me = float(kepler.apogee_radius(v_me, r_bo, g_me, mu)) - R
                if shape == "lofted" and apogee < a_me:
                    raise InfeasibleError(
                        "--apogee",
                        f"apogee {_km(apogee)} is below the {_km(a_me)} that a {_km(distance)} "
                        "range needs on a minimum-energy trajectory; a lofted one goes higher",
                        f"above {_km(a_me)}, or --shape depressed",
                    )
                if shape == "depressed" and apogee > a_me:
                    raise InfeasibleError(
                        "--apogee",
                        f"apogee {_km(apogee)} is above the {_km(a_me)} of the minimum-energy "
                        f"trajectory for {_km(distance)}; a depressed one stays lower",
                        f"below {_km(a_me)}, or --shape lofted",
                    )
            return _reconstruct(shot, distance, apogee, az0, target, r_bo, R, mu, info)
        return _burnout_min_energy(shot, None, distance, az0, target, r_bo, R, mu, info)

    r_max, g_max = burnout_max_range(v, lat0, lon0, az0, burnout_altitude_m=h, model=model)
    info["max_range_m"] = r_max
    if not math.isfinite(r_max):
        raise InfeasibleError(
            "--burnout-speed", f"burnout speed {v:,.0f} m/s does not come back to the ground"
        )
    if apogee is not None and distance is None:
        if shape in ("min-energy", "max-range"):
            raise InputError(
                "--apogee", f"--apogee fixes the angle; it cannot be combined with --shape {shape}"
            )
        a_max = float(shot.run(v, g_max, az0).apogee_altitude_m()[0])
        a_top = float(shot.run(v, math.radians(89.9), az0).apogee_altitude_m()[0])
        lofted = apogee >= a_max if shape is None else shape == "lofted"
        if lofted and not a_max <= apogee <= a_top:
            raise InfeasibleError(
                "--apogee",
                f"apogee {_km(apogee)} is outside the {_km(a_max)} to {_km(a_top)} that lofted "
                f"shots at {v:,.0f} m/s reach",
                f"{_km(a_max)} to {_km(a_top)}",
            )
        if not lofted and apogee > a_max:
            raise InfeasibleError(
                "--apogee",
                f"apogee {_km(apogee)} is above the {_km(a_max)} of the max-range trajectory; "
                "a depressed trajectory stays lower",
                f"below {_km(a_max)}",
            )
        grid = _GAMMA_GRID[_GAMMA_GRID >= g_max] if lofted else _GAMMA_GRID[_GAMMA_GRID <= g_max]
        ag = shot.run(v, grid, az0).apogee_altitude_m()
        g = _root_on_branch(
            lambda x: float(shot.run(v, x, az0).apogee_altitude_m()[0]) - apogee,
            grid, ag - apogee, 1e-10,
        )  # fmt: skip
        if g is None:
            raise InfeasibleError("--apogee", f"no flight-path angle gives apogee {_km(apogee)}")
        return shot.run(v, g, az0, record=True), info

    if distance is None or shape == "max-range":
        if target is not None:

            def solve_max(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
                _, g = burnout_max_range(v, lat0, lon0, az, burnout_altitude_m=h, model=model)
                return shot.run(v, g, az), (g,)

            _, (g,), az = _aim_bearing(solve_max, az0, target, model, lat0, lon0)
            return shot.run(v, g, az, record=True), info
        return shot.run(v, g_max, az0, record=True), info

    if distance > r_max:
        raise InfeasibleError(
            "--range" if target is None else "--to",
            f"range {_km(distance)} is beyond the {_km(r_max)} this burnout speed reaches",
            f"up to {_km(r_max)}",
        )
    if target is None:
        tlat, tlon = _geo.direct(lat0, lon0, az0, distance, model)
        target = (float(tlat), float(tlon))
    if apogee is not None:
        raise InputError(
            "--apogee",
            "with --burnout-speed and a range or target the apogee is fixed by the shape",
            "drop --apogee, or drop --burnout-speed to reconstruct speed and angle",
        )
    if shape in (None, "min-energy"):
        return _burnout_min_energy(shot, v, distance, az0, target, r_bo, R, mu, info)

    lofted = shape == "lofted"
    psi = distance / R
    low, high = kepler.flight_path_angles_for_range(psi, kepler.q_parameter(v, r_bo, mu), r_bo, R)

    def solve(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
        d = float(_geo.inverse(lat0, lon0, target[0], target[1], model)[0])
        _, g_opt = burnout_max_range(v, lat0, lon0, az, burnout_altitude_m=h, model=model)
        grid = _GAMMA_GRID[_GAMMA_GRID > g_opt] if lofted else _GAMMA_GRID[_GAMMA_GRID < g_opt]
        grid = np.concatenate([[g_opt], grid]) if lofted else np.concatenate([grid, [g_opt]])
        r = _ranges(shot.run(v, grid, az))
        g = _root_on_branch(lambda x: float(_ranges(shot.run(v, x, az))[0]) - d, grid, r - d, 1e-12)
        if g is None:
            which = "lofted" if lofted else "depressed"
            raise InfeasibleError(
                "--shape",
                f"no {which} trajectory at {v:,.0f} m/s has range {_km(d)}",
                "min-energy, or another burnout speed",
            )
        return shot.run(v, g, az), (g,)

    _batch, (g,), az = _aim(solve, az0, target, model, lat0, lon0, BURNOUT_TOL_M)
    info["kepler_gamma_rad"] = float(high if lofted else low)
    return shot.run(v, g, az, record=True), info


def _burnout_min_energy(
    shot: _Burnout,
    v_cap: float | None,
    distance: float,
    az0: float,
    target: tuple[float, float],
    r_bo: float,
    R: float,
    mu: float,
    info: dict[str, object],
) -> tuple[BallisticBatch, dict[str, object]]:
    """Least burnout speed (at most ``v_cap``) whose range-maximising angle reaches the target."""
    lat0, lon0, model = shot.lat, shot.lon, shot.model
    _, v_k, g_k = kepler.minimum_energy(distance / R, r_bo, R, mu)
    info["kepler_speed_mps"] = float(v_k)
    info["kepler_gamma_rad"] = float(g_k)

    def max_range(v: float, az: float) -> tuple[float, float]:
        return burnout_max_range(v, lat0, lon0, az, burnout_altitude_m=shot.alt, model=model)

    def solve(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
        d = float(_geo.inverse(lat0, lon0, target[0], target[1], model)[0])
        lo, hi = 0.5 * float(v_k), 1.0 * float(v_k)
        while max_range(hi, az)[0] < d or not math.isfinite(max_range(hi, az)[0]):
            hi *= 1.15
            if hi > 12e3:
                raise InfeasibleError("--range", f"range {_km(d)} cannot be reached")
        while max_range(lo, az)[0] > d:
            lo *= 0.7
        v = brentq(lambda s: max_range(s, az)[0] - d, lo, hi, xtol=1e-4)
        if v_cap is not None and v > v_cap * (1 + 1e-9):
            raise InfeasibleError(
                "--burnout-speed",
                f"range {_km(d)} needs a burnout speed of {v:,.0f} m/s, more than {v_cap:,.0f}",
            )
        g = max_range(v, az)[1]
        return shot.run(v, g, az), (v, g)

    _batch, (v, g), az = _aim(solve, az0, target, model, lat0, lon0, BURNOUT_TOL_M)
    return shot.run(v, g, az, record=True), info


def _reconstruct(
    shot: _Burnout,
    distance: float,
    apogee: float,
    az0: float,
    target: tuple[float, float],
    r_bo: float,
    R: float,
    mu: float,
    info: dict[str, object],
) -> tuple[BallisticBatch, dict[str, object]]:
    """Burnout speed and angle for ground range and apogee: Kepler guess, then Newton."""
    lat0, lon0, model = shot.lat, shot.lon, shot.model
    v0, g0 = kepler.burnout_from_range_apogee(distance / R, R + apogee, r_bo, R, mu)
    if not (np.isfinite(v0) and np.isfinite(g0)):
        raise InfeasibleError(
            "--apogee",
            f"apogee {_km(apogee)} is not above the burnout altitude {_km(r_bo - R)}",
        )
    info["kepler_speed_mps"] = float(v0)
    info["kepler_gamma_rad"] = float(g0)

    def residual(v: np.ndarray, g: np.ndarray, az: float, d: float) -> np.ndarray:
        b = shot.run(v, g, az)
        return np.stack([_ranges(b) - d, b.apogee_altitude_m() - apogee], axis=-1)

    def solve(az: float) -> tuple[BallisticBatch, tuple[float, ...]]:
        d = float(_geo.inverse(lat0, lon0, target[0], target[1], model)[0])
        x = np.array([float(v0), float(g0)])
        for _ in range(30):
            h = np.array([1e-3 * x[0], 1e-5])
            vs = np.array([x[0], x[0] + h[0], x[0]])
            gs = np.array([x[1], x[1], x[1] + h[1]])
            F = residual(vs, gs, az, d)
            if not np.all(np.isfinite(F)):
                raise InfeasibleError(
                    "--apogee",
                    f"no burnout state flies {_km(d)} with apogee {_km(apogee)} in this model",
                )
            f0 = F[0]
            if abs(f0[0]) < 1.0 and abs(f0[1]) < 1.0:
                break
            J = np.stack([(F[1] - f0) / h[0], (F[2] - f0) / h[1]], axis=-1)
            step = np.linalg.solve(J, -f0)
            # damp large steps
            scale = min(1.0, 0.2 * x[0] / max(abs(step[0]), 1e-12), 0.2 / max(abs(step[1]), 1e-12))
            x = x + scale * step
            x[1] = min(max(x[1], 1e-3), math.pi / 2 - 1e-3)
        else:
            raise InfeasibleError(
                "--apogee",
                f"no burnout state flies {_km(d)} with apogee {_km(apogee)} (no convergence)",
            )
        return shot.run(x[0], x[1], az), (x[0], x[1])

    _batch, (v, g), az = _aim(solve, az0, target, model, lat0, lon0, BURNOUT_TOL_M)
    return shot.run(v, g, az, record=True), info


# ------------------------------------------------------------------------------------------
# Entry point
# ------------------------------------------------------------------------------------------


def plan_trajectory(
    *,
    missile: str | None = None,
    burnout_speed_mps: float | None = None,
    burnout_altitude_m: float = 0.0,
    launch_lat_rad: float,
    launch_lon_rad: float,
    target_lat_rad: float | None = None,
    target_lon_rad: float | None = None,
    azimuth_rad: float | None = None,
    shape: str | None = None,
    ground_range_m: float | None = None,
    apogee_altitude_m: float | None = None,
    model: EarthModel | None = None,
) -> Trajectory:
    """Plan and fly one threat trajectory (what ``hoplon trajectory`` calls).

    Which inputs go together
    ------------------------
    What flies (exactly one):
      - ``missile``: a catalogue name (``hoplon.threats.catalogue.list_missiles``);
      - ``burnout_speed_mps`` (with ``burnout_altitude_m``): an instantaneous-boost shot from
        the launch point with a generic RV (beta = :data:`BURNOUT_BETA_KG_M2`);
      - neither, with a range (``ground_range_m`` or a target) **and** ``apogee_altitude_m``:
        reconstruct the burnout speed and angle (a burnout-state shot).
    Where to (exactly one of): a target (``target_lat_rad`` and ``target_lon_rad``) or an
    ``azimuth_rad``; with an azimuth, ``ground_range_m`` optionally sets the range. A target
    and ``ground_range_m`` together are an error.
    Shape (``shape``, default ``"min-energy"``; see the module docstring):
      - ballistic missiles and burnout-state shots: all four shapes;
      - ``apogee_altitude_m`` alone (no range): a missile or a burnout speed reaching that
        apogee at full energy (lofted above the max-range apogee, depressed below it);
      - ``apogee_altitude_m`` with a range: missile + lofted/depressed (kick angle and
        thrust termination), or the reconstruction (no missile, no burnout speed);
      - ``lofted``/``depressed`` with range and apogee and neither missile nor speed: the
        apogee must lie above/below the Kepler minimum-energy apogee for that range;
      - cruise missiles fly a geodesic to the target (or along the azimuth for the range,
        default their maximum range) and ignore the shape;
      - glide vehicles fly their nominal boost and glide on an azimuth, or, with a target or
        range, terminate the booster's thrust early and iterate the azimuth to end on it;
        they ignore the shape.

    Parameters
    ----------
    missile : str, optional
        Catalogue name.
    burnout_speed_mps, burnout_altitude_m : float
        Burnout-state shot [m/s, m].
    launch_lat_rad, launch_lon_rad : float
        Launch (or burnout) point, geodetic [rad].
    target_lat_rad, target_lon_rad : float, optional
        Target, geodetic [rad].
    azimuth_rad : float, optional
        Launch azimuth clockwise from north [rad] (when there is no target).
    shape : {"min-energy", "max-range", "lofted", "depressed"}, optional
    ground_range_m : float, optional
        Ground range along the azimuth [m].
    apogee_altitude_m : float, optional
        Apogee altitude [m].
    model : EarthModel, optional
        Earth model (default: rotating WGS84 with J2 and the US76 atmosphere).

    Returns
    -------
    Trajectory
        Sampled launch-to-impact flight; ``metadata`` holds the shape, the solved launch
        parameters (azimuth, kick angle, cutoff time or burnout speed/angle), burnout
        figures, target and miss distance.

    Raises
    ------
    InputError
        Invalid combination or value; ``field`` is the CLI option (``--missile``, ``--to``,
        ``--range``, ``--apogee``, ``--burnout-speed``, ``--shape``, ``--azimuth``).
    InfeasibleError
        The request is well formed but physically out of reach; the message says what is.
    """
    model = EarthModel() if model is None else model
    _check_finite("--from", launch_lat_rad, launch_lon_rad)
    if shape is not None:
        shape = str(shape).strip().lower()
        if shape not in SHAPES:
            raise InputError("--shape", f"unknown shape {shape!r}", ", ".join(SHAPES))
    has_target = target_lat_rad is not None or target_lon_rad is not None
    if has_target and (target_lat_rad is None or target_lon_rad is None):
        raise InputError("--to", "needs both latitude and longitude")
    if has_target:
        _check_finite("--to", target_lat_rad, target_lon_rad)
    if has_target and azimuth_rad is not None:
        raise InputError("--azimuth", "give a target (--to) or an azimuth, not both")
    if has_target and ground_range_m is not None:
        raise InputError("--range", "give a target (--to) or a range, not both")
    if not has_target and azimuth_rad is None:
        raise InputError("--to", "give a target (--to) or an azimuth (--azimuth)")
    if azimuth_rad is not None:
        _check_finite("--azimuth", azimuth_rad)
    if ground_range_m is not None and not (math.isfinite(ground_range_m) and ground_range_m > 0):
        raise InputError("--range", f"must be a positive distance, got {ground_range_m} m", "> 0")
    if apogee_altitude_m is not None and not (
        math.isfinite(apogee_altitude_m) and apogee_altitude_m > 0
    ):
        raise InputError(
            "--apogee", f"must be a positive altitude, got {apogee_altitude_m} m", "> 0"
        )
    if burnout_speed_mps is not None and not (
        math.isfinite(burnout_speed_mps) and burnout_speed_mps > 0
    ):
        raise InputError(
            "--burnout-speed", f"must be a positive speed, got {burnout_speed_mps} m/s", "> 0"
        )
    if not (math.isfinite(burnout_altitude_m) and 0.0 <= burnout_altitude_m < 2e6):
        raise InputError(
            "--burnout-altitude", f"must lie in [0, 2000] km, got {burnout_altitude_m} m"
        )
    if missile is not None and burnout_speed_mps is not None:
        raise InputError("--burnout-speed", "give a missile or a burnout speed, not both")

    lat0, lon0 = float(launch_lat_rad), float(launch_lon_rad)
    target = (float(target_lat_rad), float(target_lon_rad)) if has_target else None
    if target is not None:
        distance, az0 = (float(x) for x in _geo.inverse(lat0, lon0, *target, model))
        if distance < 1.0:
            raise InputError("--to", "the target is at the launch point")
    else:
        distance, az0 = ground_range_m, float(azimuth_rad)  # type: ignore[arg-type]

    if missile is None and burnout_speed_mps is None:
        if apogee_altitude_m is None or distance is None:
            raise InputError(
                "--missile",
                "give a missile, a burnout speed, or a range (or target) with an apogee",
                "--missile NAME | --burnout-speed V | --range R --apogee A",
            )
        if shape not in (None, "lofted", "depressed"):
            raise InputError(
                "--shape", f"{shape} does not apply when range and apogee are both given"
            )

    kind = "burnout"
    if missile is not None:
        from hoplon.threats.catalogue import get_missile

        spec = get_missile(missile)
        if isinstance(spec, CruiseMissile):
            return _plan_cruise(spec, lat0, lon0, az0, target, distance, model)
        if isinstance(spec, GlideVehicle):
            return _plan_glide(spec, lat0, lon0, az0, target, distance, model)
        assert isinstance(spec, BallisticMissile)
        kind = "missile"
        batch, info = _plan_missile(
            spec, lat0, lon0, az0, target, distance, shape or "min-energy", apogee_altitude_m,
            model,
        )  # fmt: skip
        name = spec.name
    else:
        batch, info = _plan_burnout(
            burnout_speed_mps, lat0, lon0, burnout_altitude_m, az0, target, distance, shape,
            apogee_altitude_m, model,
        )  # fmt: skip
        name = "burnout-state"

    if not batch.impacted[0]:
        raise InfeasibleError(
            "--burnout-speed" if kind == "burnout" else "--missile",
            "the trajectory does not come back to the ground (orbital or escape speed)",
        )
    meta: dict[str, object] = {
        "kind": kind,
        "shape": shape or ("min-energy" if apogee_altitude_m is None else "apogee"),
        **info,
    }
    if target is not None or ground_range_m is not None:
        if target is None:
            tlat, tlon = _geo.direct(lat0, lon0, az0, float(ground_range_m), model)
            target = (float(tlat), float(tlon))
        ilat, ilon = batch.impact_lat_lon()
        meta["target_lat_rad"], meta["target_lon_rad"] = target
        meta["miss_distance_m"] = float(_geo.inverse(ilat[0], ilon[0], *target, model)[0])
    if kind == "burnout":
        meta.pop("kick_angle_rad", None)
    return batch.trajectory(0, name=name, **meta)


def _check_finite(field: str, *values: float | None) -> None:
    for v in values:
        if v is None or not math.isfinite(float(v)):
            raise InputError(field, f"must be a finite number, got {v}")


def _plan_cruise(
    spec: CruiseMissile,
    lat0: float,
    lon0: float,
    az0: float,
    target: tuple[float, float] | None,
    distance: float | None,
    model: EarthModel,
) -> Trajectory:
    from hoplon.threats.cruise import fly_cruise

    if target is None:
        if distance is None:
            distance = spec.max_range_m
        tlat, tlon = _geo.direct(lat0, lon0, az0, distance, model)
        target = (float(tlat), float(tlon))
    traj = fly_cruise(spec, [(lat0, lon0), target], model=model)
    lat, lon, _ = traj.lla()[-1]
    traj.metadata.update(
        target_lat_rad=target[0],
        target_lon_rad=target[1],
        miss_distance_m=float(_geo.inverse(lat, lon, *target, model)[0]),
        shape="cruise",
    )
    return traj


def _plan_glide(
    spec: GlideVehicle,
    lat0: float,
    lon0: float,
    az0: float,
    target: tuple[float, float] | None,
    distance: float | None,
    model: EarthModel,
) -> Trajectory:
    """Glide vehicle: nominal flight on the azimuth, or booster thrust termination and azimuth
    iterated so that the glide ends on the target (within :data:`MISSILE_TOL_M`)."""
    from hoplon.threats.glide import fly_glide

    if target is None and distance is None:
        return fly_glide(spec, lat0, lon0, az0, model=model)
    if target is None:
        tlat, tlon = _geo.direct(lat0, lon0, az0, float(distance), model)
        target = (float(tlat), float(tlon))
    d = float(_geo.inverse(lat0, lon0, *target, model)[0])
    where = "--to" if distance is None else "--range"
    burn = spec.booster.burn_time_s
    t_lo = _min_cutoff(_Missile(spec.booster, lat0, lon0, model), 0.0, az0)

    def fly(cut: float, az: float) -> Trajectory:
        return fly_glide(spec, lat0, lon0, az, cutoff_time_s=cut, model=model)

    az, cut = az0, burn
    traj = fly(cut, az)
    for _ in range(8):
        r_full = fly(burn, az).ground_range_m()
        if d > r_full:
            raise InfeasibleError(
                where, f"range {_km(d)} is beyond the {_km(r_full)} that {spec.name} glides",
                f"up to {_km(r_full)}",
            )  # fmt: skip
        r_lo = fly(t_lo, az).ground_range_m()
        if d < r_lo:
            raise InfeasibleError(
                where, f"range {_km(d)} is shorter than the {_km(r_lo)} that {spec.name} glides "
                "with its shortest burn", f"{_km(r_lo)} to {_km(r_full)}",
            )  # fmt: skip
        cut = float(brentq(lambda c, a=az: fly(c, a).ground_range_m() - d, t_lo, burn, xtol=1e-4))
        traj = fly(cut, az)
        lat, lon, _ = traj.lla()[-1]
        if float(_geo.inverse(lat, lon, *target, model)[0]) <= MISSILE_TOL_M:
            break
        _, az_imp = _geo.inverse(lat0, lon0, lat, lon, model)
        _, az_tgt = _geo.inverse(lat0, lon0, *target, model)
        az = float(np.mod(az + _geo.wrap_pi(az_tgt - az_imp), 2 * math.pi))
    lat, lon, _ = traj.lla()[-1]
    traj.metadata.update(
        target_lat_rad=target[0],
        target_lon_rad=target[1],
        miss_distance_m=float(_geo.inverse(lat, lon, *target, model)[0]),
        shape="glide",
    )
    return traj
