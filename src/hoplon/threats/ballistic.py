"""Fly staged ballistic missiles: boost stage by stage, RV separation, free flight to impact.

The boost is a chain of ``hoplon.flight.propagate`` calls whose boundaries are the exact
events of the flight: end of the pitch-over, each stage's burnout, and an optional early
thrust termination (``cutoff_time_s``, per object). At each staging the spent stage's dry
mass is dropped; at burnout (or cutoff) the RV separates and flies on with its own ballistic
coefficient until it reaches the ground (altitude 0 on the model's surface).

Everything is batched: ``fly_ballistic_batch`` flies n copies of one missile with their own
azimuth, kick angle and cutoff time (used by trajectory shaping to scan and solve);
``fly_ballistic`` flies one and returns a :class:`hoplon.flight.trajectory.Trajectory`.

Boost model (per object, SI):
  m' = -mdot;  a = F/m u_thrust + g + a_drag (+ Coriolis/centrifugal on a rotating Earth),
  a_drag = -rho |v| v Cd(M) A / (2 m), A the area of the current bottom stage.
Pitch programme: vertical to t_v, pitch falls linearly by the kick angle over the kick time,
then a zero-lift gravity turn (thrust along the air-relative velocity).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike

from hoplon.errors import InputError
from hoplon.flight import params as fp
from hoplon.flight.model import EarthModel
from hoplon.flight.propagate import BatchResult, initial_state, propagate
from hoplon.threats import _geo
from hoplon.threats.specs import BallisticMissile, PitchProgram, Stage

if TYPE_CHECKING:
    from hoplon.flight.trajectory import Trajectory

__all__ = [
    "BallisticBatch",
    "BallisticMissile",
    "PitchProgram",
    "Stage",
    "burnout_state_batch",
    "fly_ballistic",
    "fly_ballistic_batch",
]

#: Longest free flight considered before giving up on an impact [s].
MAX_COAST_S = 4.0 * 3600.0


@dataclass
class BallisticBatch:
    """Outcome of flying n copies of a missile (or n burnout states).

    Arrays are shaped (n,) or (n, 7) (states [x, y, z, vx, vy, vz, m], ECEF, Earth-relative
    velocity). ``segments`` holds, when recorded, each propagate call with the indices of the
    objects it flew, in time order.
    """

    model: EarthModel
    launch_lat_rad: np.ndarray
    launch_lon_rad: np.ndarray
    azimuth_rad: np.ndarray
    kick_angle_rad: np.ndarray
    cutoff_time_s: np.ndarray
    burnout_t_s: np.ndarray
    burnout_y: np.ndarray
    impacted: np.ndarray
    impact_t_s: np.ndarray
    impact_y: np.ndarray
    apogee_y: np.ndarray
    boost_failed: np.ndarray
    segments: list[tuple[np.ndarray, BatchResult, str]] = field(default_factory=list)

    def __len__(self) -> int:
        return int(self.burnout_t_s.shape[0])

    def impact_lat_lon(self) -> tuple[np.ndarray, np.ndarray]:
        """Geodetic latitude and longitude of the impact points [rad] (NaN if none)."""
        lat, lon, _ = _geo.lat_lon_alt(self.impact_y[:, :3], self.model)
        return lat, lon

    def ground_range_m(self) -> np.ndarray:
        """Surface distance launch -> impact [m] (NaN where no impact)."""
        lat, lon = self.impact_lat_lon()
        ok = self.impacted & np.isfinite(lat)
        out = np.full(len(self), np.nan)
        if np.any(ok):
            d, _ = _geo.inverse(
                self.launch_lat_rad[ok], self.launch_lon_rad[ok], lat[ok], lon[ok], self.model
            )
            out[ok] = d
        return out

    def impact_azimuth_rad(self) -> np.ndarray:
        """Initial azimuth of the geodesic launch -> impact [rad]."""
        lat, lon = self.impact_lat_lon()
        ok = self.impacted & np.isfinite(lat)
        out = np.full(len(self), np.nan)
        if np.any(ok):
            _, az = _geo.inverse(
                self.launch_lat_rad[ok], self.launch_lon_rad[ok], lat[ok], lon[ok], self.model
            )
            out[ok] = az
        return out

    def apogee_altitude_m(self) -> np.ndarray:
        """Highest altitude of each flight [m] (NaN where no apogee was located)."""
        _, _, alt = _geo.lat_lon_alt(self.apogee_y[:, :3], self.model)
        return alt

    def burnout_speed_mps(self) -> np.ndarray:
        """Earth-relative speed at burnout [m/s]."""
        return np.linalg.norm(self.burnout_y[:, 3:6], axis=1)

    def burnout_flight_path_angle_rad(self) -> np.ndarray:
        """Flight-path angle at burnout above the local horizontal (ellipsoid normal) [rad]."""
        lat, lon, _ = _geo.lat_lon_alt(self.burnout_y[:, :3], self.model)
        up = np.stack([np.cos(lat) * np.cos(lon), np.cos(lat) * np.sin(lon), np.sin(lat)], axis=-1)
        v = self.burnout_y[:, 3:6]
        s = np.linalg.norm(v, axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.arcsin(np.clip(np.sum(up * v, axis=1) / s, -1.0, 1.0))

    def parts(self, i: int) -> list[Trajectory]:
        """The recorded phases of object ``i`` (one Trajectory per propagate call)."""
        out = []
        for idx, res, label in self.segments:
            where = np.nonzero(idx == i)[0]
            if where.size == 0 or res.t is None:
                continue
            j = int(where[0])
            if int(res.n_samples[j]) == 0:
                continue
            out.append(res.trajectory(j, name=label))
        if not out:
            raise InputError("record", "no samples were recorded", "record=True")
        return out

    def metadata(self, i: int) -> dict[str, float]:
        """Burnout and shaping figures of object ``i`` (SI)."""
        return {
            "burnout_time_s": float(self.burnout_t_s[i]),
            "burnout_speed_mps": float(self.burnout_speed_mps()[i]),
            "burnout_flight_path_angle_rad": float(self.burnout_flight_path_angle_rad()[i]),
            "burnout_altitude_m": float(_geo.lat_lon_alt(self.burnout_y[i, :3], self.model)[2]),
            "azimuth_rad": float(self.azimuth_rad[i]),
            "kick_angle_rad": float(self.kick_angle_rad[i]),
            "cutoff_time_s": float(self.cutoff_time_s[i]),
        }

    def trajectory(self, i: int, name: str = "", **extra: object) -> Trajectory:
        """Object ``i`` as one :class:`~hoplon.flight.trajectory.Trajectory` (phases joined).

        ``burnout_time_s`` is set, and ``metadata`` holds :meth:`metadata` plus ``extra``.
        """
        from hoplon.flight.trajectory import concatenate

        traj = concatenate(self.parts(i), name=name, burnout_time_s=float(self.burnout_t_s[i]))
        traj.metadata = {**self.metadata(i), **extra}
        return traj


def _broadcast(n: int, name: str, value: ArrayLike) -> np.ndarray:
    arr = np.asarray(value, dtype=np.float64)
    try:
        return np.array(np.broadcast_to(arr, (n,)), dtype=np.float64)
    except ValueError:
        raise InputError(name, f"cannot broadcast shape {arr.shape} to ({n},)") from None


def _stage_masses(missile: BallisticMissile) -> list[float]:
    """Mass at ignition of each stage [kg]."""
    out = []
    m = missile.launch_mass_kg
    for s in missile.stages:
        out.append(m)
        m -= s.total_mass_kg
    return out


def fly_ballistic_batch(
    missile: BallisticMissile,
    launch_lat_rad: float,
    launch_lon_rad: float,
    azimuth_rad: ArrayLike,
    *,
    kick_angle_rad: ArrayLike | None = None,
    cutoff_time_s: ArrayLike | None = None,
    launch_alt_m: float = 0.0,
    model: EarthModel | None = None,
    dt_s: float = 0.5,
    coast_dt_s: float = 2.0,
    record: bool = False,
    coast: bool = True,
) -> BallisticBatch:
    """Fly n copies of ``missile`` from one launch point.

    Parameters
    ----------
    missile : BallisticMissile
    launch_lat_rad, launch_lon_rad, launch_alt_m : float
        Launch point (geodetic on the model's surface).
    azimuth_rad : float or (n,) array
        Launch azimuth, clockwise from north [rad].
    kick_angle_rad : float or (n,) array, optional
        Pitch-over angle (default: the missile's nominal ``pitch.kick_angle_rad``).
    cutoff_time_s : float or (n,) array, optional
        Early thrust termination time since launch [s]; ``inf`` or None: burn to depletion.
    model : EarthModel, optional
        Default: rotating WGS84 Earth with J2 and the US76 atmosphere.
    dt_s, coast_dt_s : float
        RK4 step of the boost [s]; sample interval of the adaptive free flight [s].
    record : bool
        Keep the samples (needed for :meth:`BallisticBatch.trajectory`).
    coast : bool
        Fly the RV to impact (False: stop at burnout; impact fields stay NaN).

    Returns
    -------
    BallisticBatch
    """
    if not isinstance(missile, BallisticMissile):
        raise InputError("missile", f"expected a BallisticMissile, got {type(missile).__name__}")
    model = EarthModel() if model is None else model
    az_in = np.atleast_1d(np.asarray(azimuth_rad, dtype=np.float64))
    n = int(
        np.broadcast(
            az_in,
            np.atleast_1d(np.asarray(0.0 if kick_angle_rad is None else kick_angle_rad)),
            np.atleast_1d(np.asarray(0.0 if cutoff_time_s is None else cutoff_time_s)),
        ).size
    )
    az = _broadcast(n, "azimuth_rad", az_in)
    kick = _broadcast(
        n,
        "kick_angle_rad",
        missile.pitch.kick_angle_rad if kick_angle_rad is None else kick_angle_rad,
    )
    cut = _broadcast(n, "cutoff_time_s", math.inf if cutoff_time_s is None else cutoff_time_s)
    if np.any(~np.isfinite(az)):
        raise InputError("azimuth_rad", "must be finite")
    if np.any((kick < 0) | (kick >= math.pi / 2) | ~np.isfinite(kick)):
        raise InputError("kick_angle_rad", "must lie in [0, 90) deg", "[0, 90) deg")
    if np.any(np.isnan(cut) | (cut <= 0)):
        raise InputError("cutoff_time_s", "must be positive", "> 0 s, inf for full burn")
    total_burn = missile.burn_time_s
    cut = np.minimum(cut, total_burn)

    pitch = missile.pitch
    t_kick_end = pitch.vertical_time_s + pitch.kick_time_s
    stage_ends = np.cumsum([s.burn_time_s for s in missile.stages])
    bounds = sorted({*stage_ends.tolist(), *([t_kick_end] if t_kick_end < total_burn else [])})
    m_ign = _stage_masses(missile)
    cd_table = np.asarray(missile.body_cd_table, dtype=np.float64)

    y = initial_state(
        launch_lat_rad, launch_lon_rad, launch_alt_m, 0.0, math.pi / 2, 0.0,
        missile.launch_mass_kg, model,
    )  # fmt: skip
    y = np.repeat(y, n, axis=0)
    t = np.zeros(n)
    failed = np.zeros(n, dtype=bool)
    segments: list[tuple[np.ndarray, BatchResult, str]] = []
    stop_boost = min(0.0, launch_alt_m) - 1.0

    seg_start = 0.0
    failed_boost = failed  # same array object, updated in place below
    for b in bounds:
        k = int(np.searchsorted(stage_ends, b - 1e-9))  # stage burning in [seg_start, b]
        stage = missile.stages[k]
        active = (cut > seg_start + 1e-9) & ~failed
        idx = np.nonzero(active)[0]
        if idx.size:
            if k > 0 and abs(seg_start - stage_ends[k - 1]) < 1e-9:
                y[idx, 6] = m_ign[k]  # drop the spent stage
            steer = fp.STEER_PITCH_PROGRAM if b <= t_kick_end + 1e-9 else fp.STEER_VELOCITY
            P = fp.make_params(
                idx.size,
                thrust_n=stage.thrust_n,
                mdot_kg_s=stage.mdot_kg_s,
                steering=steer,
                pitch0_rad=math.pi / 2,
                pitch_rate_rad_s=-kick[idx] / pitch.kick_time_s,
                pitch_min_rad=math.pi / 2 - kick[idx],
                azimuth_rad=az[idx],
                t_start_s=pitch.vertical_time_s,
                ref_area_m2=stage.ref_area_m2,
            )
            # make_params validates without the Cd table, so the flag is set afterwards
            # (propagate validates again with the table).
            P[:, fp.USE_CD_TABLE] = 1.0
            res = propagate(
                y[idx], P, model=model, t0=seg_start, t_end=np.minimum(b, cut[idx]), dt=dt_s,
                method="rk4", stop_altitude_m=stop_boost, record=record, cd_table=cd_table,
            )  # fmt: skip
            y[idx] = res.y_final
            t[idx] = res.t_final
            failed[idx] |= res.status != 0
            segments.append((idx, res, f"stage {k + 1}"))
        seg_start = b

    burnout_t = t.copy()
    burnout_y = y.copy()
    if not coast:
        failed = np.ones(n, dtype=bool) | failed
        out = _coast(
            missile.payload_mass_kg, missile.rv_beta_kg_m2, burnout_t, burnout_y, failed, model,
            coast_dt_s, record, segments, launch=(launch_lat_rad, launch_lon_rad, az, kick, cut),
        )  # fmt: skip
        out.boost_failed = failed_boost
        return out
    return _coast(
        missile.payload_mass_kg, missile.rv_beta_kg_m2, burnout_t, burnout_y, failed, model,
        coast_dt_s, record, segments,
        launch=(launch_lat_rad, launch_lon_rad, az, kick, cut),
    )  # fmt: skip


def _coast(
    mass_kg: float | np.ndarray,
    beta_kg_m2: float | np.ndarray,
    t0: np.ndarray,
    y0: np.ndarray,
    failed: np.ndarray,
    model: EarthModel,
    coast_dt_s: float,
    record: bool,
    segments: list[tuple[np.ndarray, BatchResult, str]],
    *,
    launch: tuple[float, float, np.ndarray, np.ndarray, np.ndarray],
    lift_to_drag: float = 0.0,
    bank_angle_rad: float = 0.0,
    ascent_vacuum: bool = False,
) -> BallisticBatch:
    """Free flight (RV) from the burnout states to impact; assemble the batch result.

    With ``ascent_vacuum`` the flight to apogee is drag-free and drag acts from apogee on.
    """
    n = t0.size
    y = y0.copy()
    y[:, 6] = mass_kg
    impact_t = np.full(n, np.nan)
    impact_y = np.full((n, 7), np.nan)
    apogee_y = np.full((n, 7), np.nan)
    impacted = np.zeros(n, dtype=bool)
    idx = np.nonzero(~failed)[0]
    beta = _broadcast(n, "beta_kg_m2", beta_kg_m2)
    start_t, start_y = t0.copy(), y.copy()
    if idx.size and ascent_vacuum and model.atmosphere:
        # Drag-free ascent to apogee (its losses belong to the boost the burnout state
        # summarises); the drag phase starts at apogee.
        P0 = fp.make_params(idx.size)
        kw = {"model": model, "dt": coast_dt_s, "method": "dopri5", "rtol": 1e-9, "atol": 1e-6}
        res0 = propagate(
            y[idx], P0, t0=t0[idx], t_end=t0[idx] + MAX_COAST_S, stop_altitude_m=0.0,
            record=False, **kw,
        )  # fmt: skip
        up = np.isfinite(res0.apogee_t) & (res0.apogee_t > t0[idx])
        sub = idx[up]
        if sub.size:
            apogee_y[sub] = res0.apogee_y[up]
            start_t[sub] = res0.apogee_t[up]
            start_y[sub] = res0.apogee_y[up]
            if record:
                res1 = propagate(
                    y[sub], fp.make_params(sub.size), t0=t0[sub], t_end=start_t[sub],
                    stop_altitude_m=None, record=True, **kw,
                )  # fmt: skip
                segments.append((sub, res1, "ascent"))
    if idx.size:
        P = fp.make_params(
            idx.size,
            beta_kg_m2=beta[idx],
            lift_to_drag=lift_to_drag,
            bank_angle_rad=bank_angle_rad,
        )
        res = propagate(
            start_y[idx], P, model=model, t0=start_t[idx], t_end=start_t[idx] + MAX_COAST_S,
            dt=coast_dt_s, method="dopri5", rtol=1e-9, atol=1e-6, stop_altitude_m=0.0,
            record=record,
        )  # fmt: skip
        impacted[idx] = res.impacted
        impact_t[idx] = res.impact_t
        impact_y[idx] = res.impact_y
        found = np.isfinite(res.apogee_t)
        apogee_y[idx[found]] = res.apogee_y[found]
        segments.append((idx, res, "free flight"))
    lat, lon, az, kick, cut = launch
    return BallisticBatch(
        model=model,
        launch_lat_rad=_broadcast(n, "launch_lat_rad", lat),
        launch_lon_rad=_broadcast(n, "launch_lon_rad", lon),
        azimuth_rad=_broadcast(n, "azimuth_rad", az),
        kick_angle_rad=_broadcast(n, "kick_angle_rad", kick),
        cutoff_time_s=_broadcast(n, "cutoff_time_s", cut),
        burnout_t_s=t0,
        burnout_y=y0,
        impacted=impacted,
        impact_t_s=impact_t,
        impact_y=impact_y,
        apogee_y=apogee_y,
        boost_failed=failed,
        segments=segments if record else [],
    )


def burnout_state_batch(
    launch_lat_rad: float,
    launch_lon_rad: float,
    azimuth_rad: ArrayLike,
    speed_mps: ArrayLike,
    flight_path_angle_rad: ArrayLike,
    *,
    burnout_altitude_m: float = 0.0,
    beta_kg_m2: float = math.inf,
    mass_kg: float = 1000.0,
    model: EarthModel | None = None,
    coast_dt_s: float = 2.0,
    record: bool = False,
    ascent_vacuum: bool = True,
) -> BallisticBatch:
    """Free flight of n objects from given burnout states over one point (instantaneous boost).

    The burnout point is (lat, lon, burnout altitude); the velocity is Earth-relative with
    the given speed, flight-path angle and azimuth. The object flies with ballistic
    coefficient ``beta_kg_m2`` (inf: no drag) to the ground. With ``ascent_vacuum`` (default)
    drag acts only from apogee on: a burnout state stands for a finished boost, whose
    atmospheric losses it already contains, so only the re-entry feels the air.
    """
    model = EarthModel() if model is None else model
    az, v, g = np.broadcast_arrays(
        *(
            np.atleast_1d(np.asarray(a, dtype=np.float64))
            for a in (azimuth_rad, speed_mps, flight_path_angle_rad)
        )
    )
    n = az.size
    y0 = initial_state(launch_lat_rad, launch_lon_rad, burnout_altitude_m, v, g, az, mass_kg, model)
    return _coast(
        mass_kg, beta_kg_m2, np.zeros(n), y0, np.zeros(n, dtype=bool), model, coast_dt_s,
        record, [],
        launch=(launch_lat_rad, launch_lon_rad, az, np.full(n, np.nan), np.zeros(n)),
        ascent_vacuum=ascent_vacuum,
    )  # fmt: skip


def fly_ballistic(
    missile: BallisticMissile,
    launch_lat_rad: float,
    launch_lon_rad: float,
    azimuth_rad: float,
    *,
    kick_angle_rad: float | None = None,
    cutoff_time_s: float | None = None,
    launch_alt_m: float = 0.0,
    model: EarthModel | None = None,
    dt_s: float = 0.5,
    coast_dt_s: float = 2.0,
) -> Trajectory:
    """Fly one missile and return its sampled :class:`~hoplon.flight.trajectory.Trajectory`.

    The trajectory's metadata carries the burnout time, speed, flight-path angle and
    altitude, the azimuth, kick angle and cutoff time (SI units).
    """
    batch = fly_ballistic_batch(
        missile, launch_lat_rad, launch_lon_rad, azimuth_rad, kick_angle_rad=kick_angle_rad,
        cutoff_time_s=cutoff_time_s, launch_alt_m=launch_alt_m, model=model, dt_s=dt_s,
        coast_dt_s=coast_dt_s, record=True,
    )  # fmt: skip
    if batch.boost_failed[0]:
        raise InputError(
            "missile", f"{missile.name}: the boost hit the ground (bad pitch programme)"
        )
    return batch.trajectory(0, name=missile.name, missile=missile.name)
