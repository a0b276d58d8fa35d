"""Defended-area footprints: the ground a battery (or the architecture) can defend.

For a threat type launched from a launch region (one point or a few), the *footprint* of a
battery is the set of aim points on the ground that the battery can defend: for every launch
point that can reach the aim point, an intercept of the threat flying at it is feasible
with the track the battery's command node holds. Its area (km^2) is the analyst's figure of
merit; the difference between the footprints with and without track sharing is the
*cooperation value* of sharing.

Method
------
1. **Aim grid.** A ``ny x nx`` latitude/longitude grid over a box around the batteries
   (default: centred on the batteries, half-width the largest of
   ``distance to centre + max_range + 2 max_intercept_altitude``, enough for an intercept at
   the ceiling of a threat falling at ~27 deg or steeper). Every cell centre is an aim point.
2. **Threat paths, all at once.** The boost is flown once with the staged missile model
   (:func:`hoplon.threats.ballistic.fly_ballistic_batch`, nominal pitch programme, full
   burn), giving the burnout altitude ``h_b``, burnout speed ``v_max`` and burn time ``T_b``.
   Each path then starts from a burnout state above its launch point: the vacuum
   minimum-energy solution (Bate, Mueller & White ch. 6,
   :func:`hoplon.threats.kepler.minimum_energy`)

       gamma* = phi/2,   Q* = 2 (1 - cos psi) / (a + R),   v = sqrt(Q* mu / r_b)

   for the range angle ``psi`` to a *virtual* aim point, and the free flight of all
   ``m = ny nx`` paths is integrated in one batch (:func:`hoplon.flight.propagate`,
   Dormand-Prince, rotating WGS84 Earth with J2 and drag of the RV in the US76 atmosphere).
   The virtual aim point is corrected by the miss in range angle and azimuth,
   ``psi_v += psi_t - psi_impact``, ``az_v += az_t - az_impact``, and the batch flown again
   (``iterations`` times, 4 by default: misses fall from ~30 km to under a metre). The boost is
   represented by a vertical rise from the launch point to ``h_b`` with constant
   acceleration over ``T_b`` (used for detection only; intercepts are sought in free flight).
   An aim point is *reachable* when its minimum-energy burnout speed is at most ``v_max``;
   unreachable cells are not threatened and count as neither defended nor undefended.
   The paths, sampled every ``dt_s`` from burnout (``t = 0``) to the last sample before
   impact, are the *predicted paths* the defence would hold (perfect prediction).
3. **Track time.** For each path and radar, the first detection time ``t_d`` is the first
   sample at which the radar's single-dwell Pd against the RV's RCS is at least ``pd_min``
   (0 where the path is not visible: range, field of regard, horizon). A track exists
   ``n_revisits`` revisit periods later (default the scenario's ``tracking.confirm_n``). A
   battery's command node holds it ``t_track = min over available radars (t_d + n_revisits
   revisit + latency)``. *Available radars*: those of the battery's own force (latency 0);
   with sharing, also a partner's radar when a link joins the partner to the battery's force,
   the partner's sharing policy lets that radar's tracks go to it
   (:meth:`hoplon.command.network.Network.allowed`) and the battery may engage on remote
   tracks; the latency is the link's. That is how sharing enlarges a footprint.
4. **Feasible intercept.** The earliest launch is ``t_track + decision delay + interceptor
   reaction time`` (decision delay: the force's reaction time plus one command cycle, the
   longest wait for the next decision). The aim point is defended by the battery when
   :func:`hoplon.weapons.pip.solve_pip` finds a feasible intercept on the free-flight path
   with launch no earlier than that (flyout table and envelope of the battery's interceptor
   type). A battery with no interceptors defends nothing.
5. **Union and area.** A cell is defended by a battery when every launch point that reaches
   it is defended; by the architecture when, for every launch point that reaches it, some
   battery defends it (this contains the union of the batteries' masks, and equals it for one
   launch point). The area is the sum of the defended cells' areas on the WGS84 ellipsoid,
   ``A = dlambda (S(phi_2) - S(phi_1))`` with the ellipsoidal zone function
   ``S(phi) = b^2/2 [sin phi / (1 - e^2 sin^2 phi) + atanh(e sin phi) / e]``
   (``R^2 sin phi`` on a sphere), i.e. the cos(latitude) weighting done exactly.

Limits: one nominal boost (burnout altitude and speed do not vary with range or azimuth),
minimum-energy shots only, perfect track prediction (no track error, no discrimination),
every battery may fire (no saturation, inventory only tested for being non-zero),
infrared satellites do not provide engagement-quality tracks and are ignored, no relaying
of tracks over several links. A footprint is as fine as its grid: cells are defended or not
by their centres.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import R_EARTH_MEAN_M
from hoplon.earth.frames import WGS84, Ellipsoid, ecef_to_geodetic, geodetic_to_ecef
from hoplon.earth.geodesy import central_angle, initial_azimuth, wrap_pi
from hoplon.errors import InfeasibleError, InputError

if TYPE_CHECKING:
    from hoplon.flight.model import EarthModel
    from hoplon.scenario.schema import ScenarioSpec
    from hoplon.sensors.radar import Radar
    from hoplon.threats.specs import BallisticMissile
    from hoplon.weapons.interceptor import InterceptorType

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]

__all__ = [
    "AimGrid",
    "Architecture",
    "DefenceBattery",
    "DefenceRadar",
    "Footprint",
    "FootprintStudy",
    "ThreatFan",
    "aim_grid",
    "architecture_from_scenario",
    "ballistic_fan",
    "cell_area_m2",
    "compute_footprint",
    "default_box",
    "defended_paths",
    "first_detection_s",
    "prepare_footprint",
    "track_time_s",
    "zone_area_m2",
]


# =============================================================================================
# Aim grid and cell areas
# =============================================================================================


def zone_area_m2(lat_rad: ArrayLike, ellipsoid: Ellipsoid = WGS84) -> FloatArray:
    """Area between the equator and latitude ``phi`` per radian of longitude [m^2/rad].

    ``S(phi) = b^2/2 [sin phi / (1 - e^2 sin^2 phi) + atanh(e sin phi) / e]`` on an
    ellipsoid of semi-minor axis ``b`` and eccentricity ``e`` (``R^2 sin phi`` when e = 0);
    the area of a cell is ``(lambda_2 - lambda_1) (S(phi_2) - S(phi_1))``.
    """
    s = np.sin(np.asarray(lat_rad, dtype=np.float64))
    a = ellipsoid.a_m
    e2 = ellipsoid.e2
    if e2 == 0.0:
        return a * a * s
    e = math.sqrt(e2)
    b2 = a * a * (1.0 - e2)
    return 0.5 * b2 * (s / (1.0 - e2 * s * s) + np.arctanh(e * s) / e)


def cell_area_m2(
    lat_edges_rad: ArrayLike, lon_edges_rad: ArrayLike, ellipsoid: Ellipsoid = WGS84
) -> FloatArray:
    """Areas ``(ny, nx)`` [m^2] of the cells of a latitude/longitude grid given by its edges."""
    lat_e = np.asarray(lat_edges_rad, dtype=np.float64)
    lon_e = np.asarray(lon_edges_rad, dtype=np.float64)
    dS = np.diff(zone_area_m2(lat_e, ellipsoid))
    dlon = np.diff(lon_e)
    return np.abs(dS)[:, None] * np.abs(dlon)[None, :]


@dataclass(frozen=True)
class AimGrid:
    """A latitude/longitude grid of aim points (cell centres), by its cell edges [rad]."""

    lat_edges_rad: FloatArray
    lon_edges_rad: FloatArray

    def __post_init__(self) -> None:
        for name in ("lat_edges_rad", "lon_edges_rad"):
            e = np.asarray(getattr(self, name), dtype=np.float64)
            if e.ndim != 1 or e.size < 2 or not np.all(np.isfinite(e)) or np.any(np.diff(e) <= 0):
                raise InputError(name, "must be an increasing 1-D array of >= 2 finite edges")
            object.__setattr__(self, name, e)
        if self.lat_edges_rad[0] < -math.pi / 2 - 1e-12 or self.lat_edges_rad[-1] > math.pi / 2:
            raise InputError("lat_edges_rad", "must lie in [-90, 90] deg")

    @property
    def lat_rad(self) -> FloatArray:
        """Latitudes of the cell centres (ny,) [rad]."""
        e = self.lat_edges_rad
        return 0.5 * (e[:-1] + e[1:])

    @property
    def lon_rad(self) -> FloatArray:
        """Longitudes of the cell centres (nx,) [rad]."""
        e = self.lon_edges_rad
        return 0.5 * (e[:-1] + e[1:])

    @property
    def shape(self) -> tuple[int, int]:
        """``(ny, nx)``."""
        return (self.lat_edges_rad.size - 1, self.lon_edges_rad.size - 1)

    def points(self) -> tuple[FloatArray, FloatArray]:
        """Latitudes and longitudes of all aim points, row-major ``(ny nx,)`` [rad]."""
        la, lo = np.meshgrid(self.lat_rad, self.lon_rad, indexing="ij")
        return la.ravel(), lo.ravel()

    def cell_area_m2(self, ellipsoid: Ellipsoid = WGS84) -> FloatArray:
        """Cell areas ``(ny, nx)`` [m^2]."""
        return cell_area_m2(self.lat_edges_rad, self.lon_edges_rad, ellipsoid)


def aim_grid(
    center_lat_rad: float, center_lon_rad: float, half_extent_m: float, n: int = 40
) -> AimGrid:
    """An ``n x n`` grid over the box ``centre +- half_extent`` (north-south and east-west).

    The box spans ``+- half_extent / R`` in latitude and ``+- half_extent / (R cos lat0)`` in
    longitude (R the mean Earth radius), clipped to the poles.
    """
    if int(n) != n or n < 1:
        raise InputError("--grid", f"must be a positive integer, got {n}", ">= 1")
    if not (math.isfinite(half_extent_m) and half_extent_m > 0):
        raise InputError("--extent", f"must be positive, got {half_extent_m} m", "> 0")
    dlat = half_extent_m / R_EARTH_MEAN_M
    dlon = min(half_extent_m / (R_EARTH_MEAN_M * max(math.cos(center_lat_rad), 1e-3)), math.pi)
    lat_lo = max(center_lat_rad - dlat, -math.pi / 2)
    lat_hi = min(center_lat_rad + dlat, math.pi / 2)
    return AimGrid(
        np.linspace(lat_lo, lat_hi, int(n) + 1),
        np.linspace(center_lon_rad - dlon, center_lon_rad + dlon, int(n) + 1),
    )


# =============================================================================================
# Threat paths to every aim point
# =============================================================================================


@dataclass(frozen=True)
class ThreatFan:
    """Predicted paths of ``m`` threats on a common time grid, one per (launch, aim point).

    Attributes
    ----------
    t_s : (k,)
        Sample times [s] since burnout (negative during the boost).
    r_ecef : (m, k, 3)
        Positions [m]; NaN after impact and for unreachable aim points.
    free_flight_start : int
        Index of ``t = 0`` (burnout) in ``t_s``.
    reachable : (m,) bool
        The missile can reach the aim point (minimum-energy burnout speed <= full-burn speed).
    launch_index : (m,) int
        Which launch point each path starts from.
    aim_lat_rad, aim_lon_rad : (m,)
        Aim points.
    miss_m : (m,)
        Distance from the impact to the aim point [m] (NaN where unreachable).
    burnout_speed_mps : (m,)
        Burnout speed of each path [m/s].
    """

    t_s: FloatArray
    r_ecef: FloatArray
    free_flight_start: int
    reachable: BoolArray
    launch_index: NDArray[np.int64]
    aim_lat_rad: FloatArray
    aim_lon_rad: FloatArray
    miss_m: FloatArray
    burnout_speed_mps: FloatArray

    def __len__(self) -> int:
        return int(self.r_ecef.shape[0])


def _nominal_boost(
    missile: BallisticMissile, lat: float, lon: float, az: float, model: EarthModel
) -> tuple[float, float, float]:
    """Burnout altitude [m], Earth-relative burnout speed [m/s] and burn time [s]."""
    from hoplon.threats.ballistic import fly_ballistic_batch

    b = fly_ballistic_batch(missile, lat, lon, az, model=model, coast=False)
    if b.boost_failed[0]:
        raise InfeasibleError("--threat", f"{missile.name}: the nominal boost hit the ground")
    h_b = float(ecef_to_geodetic(b.burnout_y[:, :3], model.ellipsoid)[2][0])
    return h_b, float(b.burnout_speed_mps()[0]), float(b.burnout_t_s[0])


def ballistic_fan(
    missile: BallisticMissile,
    launch_lat_rad: ArrayLike,
    launch_lon_rad: ArrayLike,
    aim_lat_rad: ArrayLike,
    aim_lon_rad: ArrayLike,
    *,
    model: EarthModel | None = None,
    dt_s: float = 1.0,
    iterations: int = 4,
) -> ThreatFan:
    """Minimum-energy paths from each launch point to each aim point, flown in one batch.

    Parameters
    ----------
    missile : BallisticMissile
        Catalogue missile (its nominal boost gives burnout altitude, speed and burn time).
    launch_lat_rad, launch_lon_rad : (L,)
        Launch points (geodetic) [rad].
    aim_lat_rad, aim_lon_rad : (n,)
        Aim points [rad]; every launch point is paired with every aim point (``m = L n``
        paths, launch-major).
    model : EarthModel, optional
        Earth of the free flight (default rotating WGS84, J2, US76 atmosphere).
    dt_s : float
        Sample interval of the paths [s].
    iterations : int
        Aim corrections (see the module notes).

    Returns
    -------
    ThreatFan
    """
    from hoplon.flight import EarthModel, initial_state, make_params, propagate
    from hoplon.threats import kepler

    model = EarthModel() if model is None else model
    lat_L = np.atleast_1d(np.asarray(launch_lat_rad, dtype=np.float64))
    lon_L = np.atleast_1d(np.asarray(launch_lon_rad, dtype=np.float64))
    aim_la = np.atleast_1d(np.asarray(aim_lat_rad, dtype=np.float64))
    aim_lo = np.atleast_1d(np.asarray(aim_lon_rad, dtype=np.float64))
    if lat_L.shape != lon_L.shape or lat_L.ndim != 1 or lat_L.size == 0:
        raise InputError("launch", "give one or more launch points (latitude, longitude)")
    if aim_la.shape != aim_lo.shape or aim_la.ndim != 1 or aim_la.size == 0:
        raise InputError("aim points", "give matching 1-D latitude and longitude arrays")
    if not (math.isfinite(dt_s) and dt_s > 0):
        raise InputError("dt_s", f"must be positive, got {dt_s}", "> 0 s")
    if int(iterations) != iterations or iterations < 1:
        raise InputError("iterations", f"must be an integer >= 1, got {iterations}")
    L, n = lat_L.size, aim_la.size
    launch_index = np.repeat(np.arange(L, dtype=np.int64), n)
    la0, lo0 = lat_L[launch_index], lon_L[launch_index]
    tla, tlo = np.tile(aim_la, L), np.tile(aim_lo, L)
    m = L * n

    # One nominal boost, towards the middle of the aim points from the first launch point.
    az_mid = float(initial_azimuth(lat_L[0], lon_L[0], np.mean(aim_la), np.mean(aim_lo)))
    h_b, v_max, t_b = _nominal_boost(missile, float(lat_L[0]), float(lon_L[0]), az_mid, model)
    r_b = R_EARTH_MEAN_M + h_b

    psi_t = central_angle(la0, lo0, tla, tlo)
    az_t = initial_azimuth(la0, lo0, tla, tlo)
    v_needed = kepler.minimum_energy(psi_t, r_b, R_EARTH_MEAN_M)[1]
    reachable = np.isfinite(v_needed) & (v_needed <= v_max) & (psi_t > 0)
    idx = np.nonzero(reachable)[0]

    beta = missile.rv_beta_kg_m2
    mass = missile.payload_mass_kg
    psi_v, az_v = psi_t[idx].copy(), az_t[idx].copy()
    t_end = 4.0 * 3600.0
    res = None
    v_bo = np.full(m, np.nan)
    miss = np.full(m, np.nan)
    for it in range(int(iterations) + 1):
        last = it == int(iterations)
        if idx.size == 0:
            break
        _, v, g = kepler.minimum_energy(psi_v, r_b, R_EARTH_MEAN_M)
        y0 = initial_state(la0[idx], lo0[idx], h_b, v, g, az_v, mass, model)
        P = make_params(idx.size, beta_kg_m2=beta)
        res = propagate(
            y0, P, model=model, t0=0.0, t_end=t_end, dt=dt_s, method="dopri5",
            stop_altitude_m=0.0, record=last,
        )  # fmt: skip
        la_i, lo_i, _ = ecef_to_geodetic(res.impact_y[:, :3], model.ellipsoid)
        miss[idx] = R_EARTH_MEAN_M * central_angle(tla[idx], tlo[idx], la_i, lo_i)
        v_bo[idx] = v
        if not last:
            psi_v = psi_v + (psi_t[idx] - central_angle(la0[idx], lo0[idx], la_i, lo_i))
            az_v = az_v + wrap_pi(az_t[idx] - initial_azimuth(la0[idx], lo0[idx], la_i, lo_i))
            hit = np.isfinite(res.impact_t)
            if hit.any():
                t_end = float(np.max(res.impact_t[hit])) * 1.2 + 10.0 * dt_s

    # Boost: vertical rise with constant acceleration to h_b over t_b (detection only).
    n_boost = math.floor(t_b / dt_s + 1e-9)
    t_boost = -dt_s * np.arange(n_boost, 0, -1, dtype=np.float64)
    if res is not None and res.t is not None:
        # Keep the grid samples k dt (the last recorded sample of each path is the impact,
        # off the grid: it is dropped).
        k_ff = int(np.max(res.n_samples)) - 1
        k_ff = max(k_ff, 2)
        t_ff = dt_s * np.arange(k_ff, dtype=np.float64)
        r_ff = np.full((m, k_ff, 3), np.nan)
        rr = res.y[:, :k_ff, 0:3]
        tt = res.t[:, :k_ff]
        on_grid = np.abs(tt - t_ff[None, : tt.shape[1]]) < 1e-6 * dt_s
        on_grid &= np.arange(tt.shape[1])[None, :] < (res.n_samples[:, None] - 1)
        block = np.where(on_grid[..., None], rr, np.nan)
        r_ff[idx, : block.shape[1]] = block
    else:
        t_ff = dt_s * np.arange(2, dtype=np.float64)
        r_ff = np.full((m, 2, 3), np.nan)
    frac = (t_boost + t_b) / t_b
    h_boost = h_b * np.clip(frac, 0.0, 1.0) ** 2  # (n_boost,)
    r_boost = geodetic_to_ecef(la0[:, None], lo0[:, None], h_boost[None, :], model.ellipsoid)
    r_boost = np.where(reachable[:, None, None], r_boost, np.nan)
    return ThreatFan(
        t_s=np.concatenate([t_boost, t_ff]),
        r_ecef=np.concatenate([r_boost, r_ff], axis=1),
        free_flight_start=n_boost,
        reachable=reachable,
        launch_index=launch_index,
        aim_lat_rad=tla,
        aim_lon_rad=tlo,
        miss_m=miss,
        burnout_speed_mps=v_bo,
    )


# =============================================================================================
# Detection, tracks and feasibility
# =============================================================================================


def first_detection_s(
    t_s: ArrayLike,
    r_ecef: ArrayLike,
    radars: Sequence[Radar],
    rcs_m2: float,
    pd_min: float = 0.5,
    chunk: int = 256,
) -> FloatArray:
    """First time each path is detectable by each radar, ``(m, S)`` [s] (inf: never).

    Detectable: single-dwell Pd ``>= pd_min`` (Pd is 0 where the point is not visible).
    """
    from hoplon.sensors.radar import RadarArray

    t = np.asarray(t_s, dtype=np.float64)
    r = np.asarray(r_ecef, dtype=np.float64)
    m = r.shape[0]
    S = len(radars)
    out = np.full((m, S), np.inf)
    if S == 0 or m == 0:
        return out
    if not (0.0 < pd_min <= 1.0):
        raise InputError("pd_min", f"must lie in (0, 1], got {pd_min}", "(0, 1]")
    arr = RadarArray.stack(list(radars))
    for i0 in range(0, m, chunk):
        block = r[i0 : i0 + chunk]
        alive = np.isfinite(block[..., 0])
        pts = np.where(alive[..., None], block, 1.0e7)  # dummy far point where no path
        with np.errstate(invalid="ignore", divide="ignore"):
            pd = arr.pd(pts, rcs_m2)  # (c, k, S)
        det = (pd >= pd_min) & alive[..., None]
        any_det = det.any(axis=1)
        first = np.argmax(det, axis=1)
        out[i0 : i0 + chunk] = np.where(any_det, t[first], np.inf)
    return out


def track_time_s(
    t_detect_s: ArrayLike,
    revisit_s: ArrayLike,
    n_revisits: int,
    latency_s: ArrayLike,
) -> FloatArray:
    """When each battery's command node first holds a track of each path, ``(m, b)`` [s].

    ``t_track[i, j] = min_s (t_detect[i, s] + n_revisits revisit[s] + latency[j, s])``, with
    ``latency = inf`` for a radar whose tracks never reach battery ``j``.

    Parameters
    ----------
    t_detect_s : (m, S)
    revisit_s : (S,)
    n_revisits : int
    latency_s : (b, S)
    """
    td = np.asarray(t_detect_s, dtype=np.float64)
    rv = np.asarray(revisit_s, dtype=np.float64)
    lat = np.asarray(latency_s, dtype=np.float64)
    b = lat.shape[0]
    if td.shape[1] == 0:
        return np.full((td.shape[0], b), np.inf)
    t = td[:, None, :] + n_revisits * rv[None, None, :] + lat[None, :, :]
    return np.min(t, axis=-1)


@dataclass(frozen=True)
class DefenceBattery:
    """A battery as the footprint sees it.

    ``decision_delay_s`` is the force's reaction time plus one command cycle; the
    interceptor's own ``reaction_time_s`` is added to it.
    """

    name: str
    force: str
    interceptor: InterceptorType
    site_ecef_m: FloatArray
    site_alt_m: float
    inventory: int
    engage_on_remote: bool
    decision_delay_s: float = 0.0


@dataclass(frozen=True)
class DefenceRadar:
    """A radar and the force that owns it."""

    name: str
    force: str
    radar: Radar


def defended_paths(
    fan: ThreatFan,
    batteries: Sequence[DefenceBattery],
    t_launch_min_s: ArrayLike,
    *,
    envelopes: Sequence[Any] | None = None,
    tables: Sequence[Any] | None = None,
) -> BoolArray:
    """Whether each battery can intercept each path, ``(m, b)`` bool.

    Feasible intercept on the free-flight part of the path
    (:func:`hoplon.weapons.pip.solve_pip`) with launch no earlier than ``t_launch_min_s``
    ``(m, b)``. Batteries without interceptors defend nothing.

    Parameters
    ----------
    envelopes, tables : sequences of length b, optional
        Override the interceptor's envelope or flyout table per battery (default:
        ``interceptor.envelope`` and the cached :func:`hoplon.weapons.flyout.flyout_table`).
    """
    from hoplon.weapons.flyout import flyout_table
    from hoplon.weapons.pip import ThreatPath, solve_pip

    m = len(fan)
    b = len(batteries)
    tl = np.broadcast_to(np.asarray(t_launch_min_s, dtype=np.float64), (m, b))
    out = np.zeros((m, b), dtype=bool)
    k0 = fan.free_flight_start
    t = fan.t_s[k0:]
    r = fan.r_ecef[:, k0:]
    alive = np.isfinite(r[..., 0]).any(axis=1)
    for j, bat in enumerate(batteries):
        if bat.inventory <= 0:
            continue
        rows = np.nonzero(alive & np.isfinite(tl[:, j]))[0]
        if rows.size == 0:
            continue
        env = bat.interceptor.envelope if envelopes is None else envelopes[j]
        tab = flyout_table(bat.interceptor) if tables is None else tables[j]
        sol = solve_pip(
            ThreatPath(t_s=t, r_ecef=r[rows]),
            np.asarray(bat.site_ecef_m, dtype=np.float64)[None, :],
            tab,
            env,
            tl[rows, j][:, None],
            site_alt_m=np.array([bat.site_alt_m]),
        )
        out[rows, j] = sol.feasible[:, 0]
    return out


# =============================================================================================
# Architecture from a scenario
# =============================================================================================


@dataclass(frozen=True)
class Architecture:
    """Batteries, radars and who receives whose tracks.

    Attributes
    ----------
    batteries, radars : tuples
    shared_latency_s : (b, S)
        Delay [s] from a radar's track to the battery's command node when tracks are shared:
        0 for the battery's own force, the link latency for a partner radar whose tracks the
        partner's policy sends over a direct link (and the battery may engage on remote),
        inf otherwise.
    n_revisits : int
        Revisits from first detection to a track.
    """

    batteries: tuple[DefenceBattery, ...]
    radars: tuple[DefenceRadar, ...]
    shared_latency_s: FloatArray
    n_revisits: int = 3

    def own(self) -> BoolArray:
        """``(b, S)``: the radar belongs to the battery's force."""
        return np.array(
            [[r.force == bat.force for r in self.radars] for bat in self.batteries], dtype=bool
        ).reshape(len(self.batteries), len(self.radars))

    def latency_s(self, sharing: bool, without_radars: Iterable[str] = ()) -> FloatArray:
        """``(b, S)`` delays with or without sharing, radars in ``without_radars`` removed."""
        lat = np.array(self.shared_latency_s, dtype=np.float64, copy=True)
        if not sharing:
            lat = np.where(self.own(), 0.0, np.inf)
        gone = set(without_radars)
        unknown = gone - {r.name for r in self.radars}
        if unknown:
            raise InputError(
                "without_radars",
                f"unknown radar {sorted(unknown)[0]!r}",
                ", ".join(r.name for r in self.radars),
            )
        for s, r in enumerate(self.radars):
            if r.name in gone:
                lat[:, s] = np.inf
        return lat.reshape(len(self.batteries), len(self.radars))


def architecture_from_scenario(
    spec: ScenarioSpec, *, n_revisits: int | None = None
) -> Architecture:
    """Batteries, radars and sharing of a scenario (built with :func:`compile_world`)."""
    from hoplon.command.network import TrackMessage
    from hoplon.sim.world import compile_world

    world = compile_world(spec.model_copy(update={"threats": []}))
    forces = world.forces
    batteries = tuple(
        DefenceBattery(
            name=b.key,
            force=forces[b.force],
            interceptor=b.interceptor,
            site_ecef_m=np.asarray(b.site_ecef_m, dtype=np.float64),
            site_alt_m=float(b.site_alt_m),
            inventory=int(b.inventory),
            engage_on_remote=bool(b.engage_on_remote),
            decision_delay_s=float(world.force_reaction_s[b.force] + world.force_cycle_s[b.force]),
        )
        for b in world.batteries
    )
    radars = tuple(DefenceRadar(r.key, forces[r.force], r.radar) for r in world.radars)
    net = world.network
    lat = np.full((len(batteries), len(radars)), np.inf)
    for j, bat in enumerate(batteries):
        for s, rad in enumerate(radars):
            if rad.force == bat.force:
                lat[j, s] = 0.0
                continue
            link = net.links.get((rad.force, bat.force))
            if link is None or not bat.engage_on_remote:
                continue
            msg = TrackMessage(
                track_id="footprint", sender=rad.force, time_s=0.0, origin_sensors={rad.name}
            )
            if net.allowed(bat.force, msg):
                lat[j, s] = link.latency_s
    n_rev = spec.tracking.confirm_n if n_revisits is None else int(n_revisits)
    if n_rev < 0:
        raise InputError("n_revisits", f"must be >= 0, got {n_rev}", ">= 0")
    return Architecture(batteries, radars, lat, n_rev)


def default_box(batteries: Sequence[DefenceBattery]) -> tuple[float, float, float]:
    """Centre latitude, longitude [rad] and half-extent [m] of a box around the batteries.

    Centre: the normalised mean of the sites' unit vectors. Half-extent: the largest
    ``distance(centre, site) + max_range + 2 max_intercept_altitude`` over the batteries.
    """
    if not batteries:
        raise InputError("--battery", "no battery to draw a footprint for")
    sites = np.array([b.site_ecef_m for b in batteries], dtype=np.float64)
    u = sites / np.linalg.norm(sites, axis=1, keepdims=True)
    c = u.mean(axis=0)
    c /= np.linalg.norm(c)
    lat_c = math.asin(float(c[2]))
    lon_c = math.atan2(float(c[1]), float(c[0]))
    lat_s, lon_s, _ = ecef_to_geodetic(sites)
    d = R_EARTH_MEAN_M * central_angle(lat_c, lon_c, lat_s, lon_s)
    reach = np.array(
        [
            b.interceptor.max_range_m + 2.0 * b.interceptor.max_intercept_altitude_m
            for b in batteries
        ]
    )
    return lat_c, lon_c, float(np.max(d + reach))


# =============================================================================================
# Footprint
# =============================================================================================


@dataclass(frozen=True)
class Footprint:
    """Defended area of batteries against one threat type from a launch region.

    Attributes
    ----------
    grid : AimGrid
    threat : str
    launch_lat_rad, launch_lon_rad : (L,)
    sharing : bool
    battery_names : tuple of str
    battery_defended : (b, ny, nx) bool
        Cells each battery defends (against every launch point that reaches them).
    defended : (ny, nx) bool
        Cells the batteries together defend.
    reachable : (ny, nx) bool
        Cells some launch point reaches (the threatened region).
    cell_area_m2 : (ny, nx)
    radars : tuple of (name, force, lat_rad, lon_rad)
        Radars of the architecture (for maps).
    battery_sites : tuple of (lat_rad, lon_rad)
    """

    grid: AimGrid
    threat: str
    launch_lat_rad: FloatArray
    launch_lon_rad: FloatArray
    sharing: bool
    battery_names: tuple[str, ...]
    battery_defended: BoolArray
    defended: BoolArray
    reachable: BoolArray
    cell_area_m2: FloatArray
    radars: tuple[tuple[str, str, float, float], ...] = ()
    battery_sites: tuple[tuple[float, float], ...] = ()
    assets: tuple[tuple[str, float, float, float], ...] = field(default_factory=tuple)

    @property
    def lat_rad(self) -> FloatArray:
        return self.grid.lat_rad

    @property
    def lon_rad(self) -> FloatArray:
        return self.grid.lon_rad

    @property
    def area_km2(self) -> float:
        """Defended area of the architecture [km^2]."""
        return float(np.sum(self.cell_area_m2[self.defended])) / 1e6

    @property
    def battery_area_km2(self) -> dict[str, float]:
        """Defended area of each battery [km^2]."""
        return {
            name: float(np.sum(self.cell_area_m2[self.battery_defended[j]])) / 1e6
            for j, name in enumerate(self.battery_names)
        }

    @property
    def threatened_area_km2(self) -> float:
        """Area of the cells the threat can reach [km^2]."""
        return float(np.sum(self.cell_area_m2[self.reachable])) / 1e6

    @property
    def touches_edge(self) -> bool:
        """Whether a defended cell lies on the grid's border (the box may be too small)."""
        d = self.defended
        return bool(d[0].any() or d[-1].any() or d[:, 0].any() or d[:, -1].any())

    def summary(self) -> dict[str, Any]:
        """JSON-ready figures (degrees and km^2 at this edge)."""
        ny, nx = self.grid.shape
        return {
            "threat": self.threat,
            "launch": [
                {"lat_deg": math.degrees(a), "lon_deg": math.degrees(o)}
                for a, o in zip(self.launch_lat_rad, self.launch_lon_rad, strict=True)
            ],
            "sharing": self.sharing,
            "grid": {
                "ny": ny,
                "nx": nx,
                "lat_deg": [
                    math.degrees(self.grid.lat_edges_rad[0]),
                    math.degrees(self.grid.lat_edges_rad[-1]),
                ],
                "lon_deg": [
                    math.degrees(self.grid.lon_edges_rad[0]),
                    math.degrees(self.grid.lon_edges_rad[-1]),
                ],
            },
            "area_km2": self.area_km2,
            "battery_area_km2": self.battery_area_km2,
            "threatened_area_km2": self.threatened_area_km2,
            "touches_edge": self.touches_edge,
        }


class FootprintStudy:
    """Threat paths and detection times for one threat, launch region and grid, computed
    once; :meth:`footprint` then gives footprints for any sharing setting, battery subset or
    radar subset cheaply.
    """

    def __init__(
        self,
        architecture: Architecture,
        fan: ThreatFan,
        grid: AimGrid,
        threat: str,
        launch_lat_rad: ArrayLike,
        launch_lon_rad: ArrayLike,
        *,
        rcs_m2: float,
        pd_min: float = 0.5,
        assets: tuple[tuple[str, float, float, float], ...] = (),
    ) -> None:
        self.architecture = architecture
        self.fan = fan
        self.grid = grid
        self.threat = threat
        self.launch_lat_rad = np.atleast_1d(np.asarray(launch_lat_rad, dtype=np.float64))
        self.launch_lon_rad = np.atleast_1d(np.asarray(launch_lon_rad, dtype=np.float64))
        self.assets = assets
        radars = [r.radar for r in architecture.radars]
        self.t_detect_s = first_detection_s(fan.t_s, fan.r_ecef, radars, rcs_m2, pd_min)
        self.revisit_s = np.array([r.revisit_s for r in radars], dtype=np.float64)

    def defended_paths(
        self,
        *,
        sharing: bool = True,
        without_radars: Iterable[str] = (),
        batteries: Sequence[str] | None = None,
    ) -> tuple[BoolArray, tuple[DefenceBattery, ...]]:
        """``(m, b)`` path-by-battery defended flags and the batteries used."""
        arch = self.architecture
        names = [b.name for b in arch.batteries]
        if batteries is None:
            cols = list(range(len(names)))
        else:
            cols = []
            for n in batteries:
                if n not in names:
                    raise InputError("--battery", f"unknown battery {n!r}", ", ".join(names))
                cols.append(names.index(n))
        bats = tuple(arch.batteries[c] for c in cols)
        lat = arch.latency_s(sharing, without_radars)[cols]
        t_track = track_time_s(self.t_detect_s, self.revisit_s, arch.n_revisits, lat)
        delay = np.array(
            [b.decision_delay_s + b.interceptor.reaction_time_s for b in bats], dtype=np.float64
        )
        return defended_paths(self.fan, bats, t_track + delay[None, :]), bats

    def footprint(
        self,
        *,
        sharing: bool = True,
        without_radars: Iterable[str] = (),
        batteries: Sequence[str] | None = None,
    ) -> Footprint:
        """The footprint with or without sharing, of all batteries or the named ones."""
        ok, bats = self.defended_paths(
            sharing=sharing, without_radars=without_radars, batteries=batteries
        )
        ny, nx = self.grid.shape
        L = self.launch_lat_rad.size
        reach = self.fan.reachable.reshape(L, ny * nx)
        per = ok.reshape(L, ny * nx, len(bats))
        # Defended against a launch point that reaches the cell, or that launch point cannot
        # reach it; and some launch point reaches it.
        threatened = reach.any(axis=0)
        bat_mask = (np.all(per | ~reach[..., None], axis=0) & threatened[:, None]).T
        arch_mask = np.all(per.any(axis=-1) | ~reach, axis=0) & threatened
        radars = tuple(
            (r.name, r.force, float(r.radar.lat_rad), float(r.radar.lon_rad))
            for r in self.architecture.radars
        )
        sites = []
        for b in bats:
            la, lo, _ = ecef_to_geodetic(np.asarray(b.site_ecef_m))
            sites.append((float(la), float(lo)))
        return Footprint(
            grid=self.grid,
            threat=self.threat,
            launch_lat_rad=self.launch_lat_rad,
            launch_lon_rad=self.launch_lon_rad,
            sharing=bool(sharing),
            battery_names=tuple(b.name for b in bats),
            battery_defended=bat_mask.reshape(len(bats), ny, nx),
            defended=arch_mask.reshape(ny, nx),
            reachable=threatened.reshape(ny, nx),
            cell_area_m2=self.grid.cell_area_m2(),
            radars=radars,
            battery_sites=tuple(sites),
            assets=self.assets,
        )


def _ballistic(threat: str) -> BallisticMissile:
    from hoplon.threats.catalogue import get_missile
    from hoplon.threats.specs import BallisticMissile

    spec = get_missile(threat)
    if not isinstance(spec, BallisticMissile):
        raise InputError(
            "--threat",
            f"{threat!r} is not a ballistic missile (footprints are for ballistic threats)",
            "srbm-300, mrbm-1300, irbm-4000, icbm-10000",
        )
    return spec


def prepare_footprint(
    spec: ScenarioSpec | Architecture,
    threat: str,
    launch: Sequence[tuple[float, float]],
    *,
    battery: str | Sequence[str] | None = None,
    grid_n: int = 40,
    center: tuple[float, float] | None = None,
    half_extent_m: float | None = None,
    dt_s: float = 1.0,
    pd_min: float = 0.5,
    n_revisits: int | None = None,
    model: EarthModel | None = None,
) -> FootprintStudy:
    """Fly the threat to every aim point and detect it: the expensive part, done once.

    Parameters
    ----------
    spec : ScenarioSpec or Architecture
        The defence (a scenario's threats are ignored).
    threat : str
        Catalogue name of a ballistic missile.
    launch : sequence of (lat_rad, lon_rad)
        Launch points of the region.
    battery : str or list of str, optional
        Draw the default box around these batteries only.
    grid_n : int
        Cells per side of the aim grid.
    center, half_extent_m : optional
        The box (default :func:`default_box`).
    dt_s, pd_min, n_revisits, model
        Path sampling [s], detection threshold, revisits to a track (default the scenario's
        ``tracking.confirm_n``), Earth model of the free flight.
    """
    from hoplon.sensors.rcs import rcs_for

    missile = _ballistic(threat)
    if isinstance(spec, Architecture):
        arch = spec
        assets: tuple[tuple[str, float, float, float], ...] = ()
    else:
        arch = architecture_from_scenario(spec, n_revisits=n_revisits)
        assets = tuple(
            (k, float(a.site.lat), float(a.site.lon), float(a.radius))
            for k, a in spec.assets.items()
        )
    pts = list(launch)
    if not pts:
        raise InputError("--from", "give at least one launch point", "LAT,LON")
    names = [b.name for b in arch.batteries]
    if battery is None:
        chosen = list(arch.batteries)
    else:
        wanted = [battery] if isinstance(battery, str) else list(battery)
        for w in wanted:
            if w not in names:
                raise InputError("--battery", f"unknown battery {w!r}", ", ".join(names) or "none")
        chosen = [b for b in arch.batteries if b.name in wanted]
    if center is None or half_extent_m is None:
        lat_c, lon_c, half = default_box(chosen)
        if center is not None:
            lat_c, lon_c = center
        if half_extent_m is not None:
            half = half_extent_m
    else:
        (lat_c, lon_c), half = center, half_extent_m
    grid = aim_grid(lat_c, lon_c, half, grid_n)
    aim_la, aim_lo = grid.points()
    lat_L = np.array([p[0] for p in pts], dtype=np.float64)
    lon_L = np.array([p[1] for p in pts], dtype=np.float64)
    fan = ballistic_fan(missile, lat_L, lon_L, aim_la, aim_lo, model=model, dt_s=dt_s)
    return FootprintStudy(
        arch, fan, grid, missile.name, lat_L, lon_L,
        rcs_m2=rcs_for("rv"), pd_min=pd_min, assets=assets,
    )  # fmt: skip


def compute_footprint(
    spec: ScenarioSpec | Architecture,
    threat: str,
    launch: Sequence[tuple[float, float]],
    *,
    sharing: bool = True,
    battery: str | None = None,
    **kwargs: Any,
) -> Footprint:
    """One footprint: :func:`prepare_footprint` then :meth:`FootprintStudy.footprint`."""
    study = prepare_footprint(spec, threat, launch, battery=battery, **kwargs)
    return study.footprint(sharing=sharing, batteries=None if battery is None else [battery])
