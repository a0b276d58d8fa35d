"""Space-based infrared early warning: satellites on Keplerian orbits that see boosting missiles.

A satellite of an :class:`InfraredConstellation` sees an object when

- the object is boosting (its plume is the signature; a boolean given by the caller),
- the object is above the cloud-top altitude ``h_c`` (geodetic altitude, e.g. 10 km), and
- the segment satellite -> object stays above the Earth plus a layer of ``h_c``
  (:func:`hoplon.earth.horizon.segment_clears_ellipsoid`): the line of sight passes over
  the limb, or looks down on the object from above the clouds;
- optionally, the range is within ``max_range_m``.

A visible object is detected on each look (every ``revisit_s``) with probability ``pd``.
Measurements are unit line-of-sight vectors in ECEF (``MeasurementKind.LOS_ECEF``) with
isotropic angular noise ``sigma`` [rad] perpendicular to the line of sight::

    u_meas = normalise(u + sigma (n1 e1 + n2 e2)),   n1, n2 ~ N(0, 1)
    R = sigma^2 (I - u u^T) + (1e-6 sigma)^2 u u^T

(``e1``, ``e2`` unit vectors perpendicular to ``u``; the tiny term along ``u`` keeps ``R``
invertible). Each satellite is a separate sensor: ``sensor_id = base + j``.

The launch report (:meth:`InfraredConstellation.launch_report`) is the processed product of
an early-warning system: launch time, launch point, launch azimuth and a coarse state, issued
once the object has been detected on ``min_looks`` looks. Its errors are notional Gaussian
errors with documented standard deviations (defaults: launch point 5 km per horizontal axis,
launch time 5 s, azimuth 5 deg, state position 2 km and velocity 200 m/s per axis), of the
order described in open sources on DSP/SBIRS-class systems (e.g. Forden, *Science & Global
Security* 9 (2001), on early-warning accuracies). They are not figures of any real system.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.earth.constants import WGS84_A_M, WGS84_B_M
from hoplon.earth.frames import WGS84, ecef_to_geodetic, enu_matrix, geodetic_to_ecef
from hoplon.earth.horizon import segment_clears_ellipsoid
from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind
from hoplon.sensors.orbits import KeplerElements, position_ecef

FloatArray = NDArray[np.float64]
BoolArray = NDArray[np.bool_]
IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class LaunchReport:
    """A coarse launch report for one boosting object (estimates, with their sigmas).

    Attributes
    ----------
    report_time_s : float
        When the report is issued (time of the ``min_looks``-th detection).
    launch_time_s, sigma_launch_time_s : float
        Estimated launch time and its standard deviation.
    launch_lat_rad, launch_lon_rad, sigma_launch_position_m : float
        Estimated launch point and its horizontal standard deviation (per axis).
    launch_azimuth_rad, sigma_launch_azimuth_rad : float
        Estimated azimuth of the ground track from the launch point (clockwise from north).
    position_ecef_m, velocity_ecef_mps : (3,) float
        Coarse state at ``report_time_s``.
    P : (6, 6) float
        Covariance of that state.
    sensor_id, owner : int
        Reporting sensor (first satellite that saw it) and its owner.
    truth_id : int
        Scoring only.
    """

    report_time_s: float
    launch_time_s: float
    sigma_launch_time_s: float
    launch_lat_rad: float
    launch_lon_rad: float
    sigma_launch_position_m: float
    launch_azimuth_rad: float
    sigma_launch_azimuth_rad: float
    position_ecef_m: FloatArray
    velocity_ecef_mps: FloatArray
    P: FloatArray
    sensor_id: int
    owner: int
    truth_id: int = -1


@dataclass(frozen=True)
class InfraredConstellation:
    """Configuration of ``S`` infrared early-warning satellites (SI units)."""

    name: str
    elements: KeplerElements
    theta0_rad: float = 0.0
    cloud_top_m: float = 10e3
    sigma_los_rad: float = 50e-6
    pd: float = 0.95
    revisit_s: float = 10.0
    max_range_m: float = math.inf
    min_looks: int = 2
    sigma_launch_time_s: float = 5.0
    sigma_launch_position_m: float = 5e3
    sigma_launch_azimuth_rad: float = math.radians(5.0)
    sigma_state_position_m: float = 2e3
    sigma_state_velocity_mps: float = 200.0
    sensor_id: int = 0
    owner: int = 0

    def __len__(self) -> int:
        return len(self.elements)

    def blind_reason(self) -> str | None:
        """Why this constellation can never see anything, or ``None``."""
        if len(self.elements) == 0:
            return "it has no satellites"
        if self.pd <= 0.0:
            return "its detection probability is zero"
        if self.max_range_m <= 0.0:
            return "its maximum range is zero"
        return None

    def positions_ecef(self, t_s: ArrayLike) -> FloatArray:
        """Satellite positions [m, ECEF], shape ``t.shape + (S, 3)``."""
        return position_ecef(self.elements, t_s, self.theta0_rad)

    def visible(self, t_s: ArrayLike, r_ecef: ArrayLike, boosting: ArrayLike) -> BoolArray:
        """Whether each object ``(..., 3)`` at time ``t_s`` (``(...)``) is seen by each
        satellite -> ``(..., S)``. ``boosting`` broadcasts against ``(...)``."""
        r = np.asarray(r_ecef, dtype=float)
        t = np.broadcast_to(np.asarray(t_s, dtype=float), r.shape[:-1])
        sat = self.positions_ecef(t)  # (..., S, 3)
        _, _, h = ecef_to_geodetic(r, WGS84)
        above = (h >= self.cloud_top_m) & np.broadcast_to(np.asarray(boosting, bool), h.shape)
        rt = r[..., None, :]
        clear = segment_clears_ellipsoid(
            sat, rt, self.cloud_top_m, WGS84_A_M, WGS84_B_M, end_inside_ok=True
        )
        ok = above[..., None] & clear
        if math.isfinite(self.max_range_m):
            ok &= np.linalg.norm(rt - sat, axis=-1) <= self.max_range_m
        return ok

    def observe(
        self,
        t_s: ArrayLike,
        r_ecef: ArrayLike,
        boosting: ArrayLike,
        rng: np.random.Generator,
        truth_id: ArrayLike | None = None,
    ) -> MeasurementBatch:
        """Angle-only (LOS_ECEF) reports of ``n`` object rows ``(n, 3)`` at times ``(n,)``.

        One report per (row, satellite) detection; see the module docstring for the noise.
        """
        r = np.atleast_2d(np.asarray(r_ecef, dtype=float))
        n = r.shape[0]
        t = np.broadcast_to(np.asarray(t_s, dtype=float), (n,)).copy()
        tid = np.arange(n) if truth_id is None else np.asarray(truth_id, dtype=np.int64)
        vis = self.visible(t, r, boosting)  # (n, S)
        det = vis & (rng.random(vis.shape) < self.pd)
        i, j = np.nonzero(det)
        return _los_reports(self, t, r, tid, i, j, rng.standard_normal((i.size, 2)))

    def launch_report(
        self,
        t_s: ArrayLike,
        r_ecef: ArrayLike,
        v_ecef: ArrayLike,
        boosting: ArrayLike,
        rng: np.random.Generator,
        truth_id: int = -1,
    ) -> LaunchReport | None:
        """Launch report for one object sampled at its look times.

        Parameters
        ----------
        t_s : (k,) float
            Look times, increasing; ``t_s[0]`` is taken as the launch time and
            ``r_ecef[0]`` as the launch point (pass the trajectory from lift-off).
        r_ecef, v_ecef : (k, 3) float
            True state at the look times.
        boosting : (k,) bool
            Whether the object is boosting at each look.

        Returns
        -------
        LaunchReport or None
            ``None`` if fewer than ``min_looks`` looks detect the object.
        """
        t = np.asarray(t_s, dtype=float)
        r = np.asarray(r_ecef, dtype=float)
        v = np.asarray(v_ecef, dtype=float)
        vis = self.visible(t, r, boosting)  # (k, S)
        det = vis & (rng.random(vis.shape) < self.pd)
        looks = np.cumsum(det.any(axis=-1))
        hit = np.nonzero(looks >= self.min_looks)[0]
        if hit.size == 0:
            return None
        k = int(hit[0])
        first_sat = int(np.nonzero(det[np.nonzero(det.any(axis=-1))[0][0]])[0][0])
        lat0, lon0, _ = ecef_to_geodetic(r[0], WGS84)
        M = enu_matrix(lat0, lon0)
        # launch point: horizontal ENU error
        de, dn = rng.normal(0.0, self.sigma_launch_position_m, 2)
        p_est = geodetic_to_ecef(lat0, lon0, 0.0, WGS84) + M[0] * de + M[1] * dn
        lat_e, lon_e, _ = ecef_to_geodetic(p_est, WGS84)
        d_enu = M @ (r[k] - r[0])
        az_true = math.atan2(d_enu[0], d_enu[1]) if np.hypot(d_enu[0], d_enu[1]) > 0 else 0.0
        az = (az_true + rng.normal(0.0, self.sigma_launch_azimuth_rad)) % (2.0 * math.pi)
        sp, sv = self.sigma_state_position_m, self.sigma_state_velocity_mps
        pos = r[k] + rng.normal(0.0, sp, 3)
        vel = v[k] + rng.normal(0.0, sv, 3)
        P = np.diag([sp**2] * 3 + [sv**2] * 3)
        return LaunchReport(
            report_time_s=float(t[k]),
            launch_time_s=float(t[0] + rng.normal(0.0, self.sigma_launch_time_s)),
            sigma_launch_time_s=self.sigma_launch_time_s,
            launch_lat_rad=float(lat_e),
            launch_lon_rad=float(lon_e),
            sigma_launch_position_m=self.sigma_launch_position_m,
            launch_azimuth_rad=float(az),
            sigma_launch_azimuth_rad=self.sigma_launch_azimuth_rad,
            position_ecef_m=pos,
            velocity_ecef_mps=vel,
            P=P,
            sensor_id=self.sensor_id + first_sat,
            owner=self.owner,
            truth_id=int(truth_id),
        )


def observe_infrared_lanes(
    constellation: InfraredConstellation,
    t_s: float,
    r_ecef: ArrayLike,
    boosting: ArrayLike,
    lane_start: ArrayLike,
    rngs: list[np.random.Generator],
    truth_id: ArrayLike,
) -> tuple[MeasurementBatch, IntArray]:
    """One look at ``t_s`` in each of several independent trials ("lanes") at once.

    The objects of lane ``k`` are rows ``lane_start[k]:lane_start[k+1]`` of ``r_ecef``,
    ``boosting`` and ``truth_id`` (``lane_start`` has one more entry than ``rngs``); lane
    ``k`` draws from ``rngs[k]``. The geometry is computed once for all rows; the draws of
    each lane are exactly those :meth:`InfraredConstellation.observe` makes for that lane's
    objects alone (a detection draw per (object, satellite), then two normals per
    detection), so every lane gets the reports it would get on its own.

    Returns
    -------
    MeasurementBatch, (m,) int
        The reports of all lanes (lane by lane, each in ``observe``'s order) and the lane
        of each report.
    """
    c = constellation
    r = np.atleast_2d(np.asarray(r_ecef, dtype=float))
    n = r.shape[0]
    t = np.full(n, float(t_s))
    tid = np.asarray(truth_id, dtype=np.int64)
    bounds = np.asarray(lane_start, dtype=np.int64)
    vis = c.visible(t, r, boosting)  # (n, S)
    rows: list[IntArray] = []
    cols: list[IntArray] = []
    normals: list[FloatArray] = []
    per_lane: list[int] = []
    for k, rng in enumerate(rngs):
        lo, hi = int(bounds[k]), int(bounds[k + 1])
        det = vis[lo:hi] & (rng.random((hi - lo, vis.shape[1])) < c.pd)
        i, j = np.nonzero(det)
        normals.append(rng.standard_normal((i.size, 2)))
        rows.append(lo + i)
        cols.append(j)
        per_lane.append(i.size)
    i = np.concatenate(rows) if rows else np.empty(0, np.int64)
    j = np.concatenate(cols) if cols else np.empty(0, np.int64)
    normal = np.concatenate(normals) if normals else np.empty((0, 2))
    batch = _los_reports(c, t, r, tid, i, j, normal)
    return batch, np.repeat(np.arange(len(rngs)), per_lane)


def _los_reports(
    c: InfraredConstellation,
    t: FloatArray,
    r: FloatArray,
    tid: np.ndarray,
    i: np.ndarray,
    j: np.ndarray,
    normal: FloatArray,
) -> MeasurementBatch:
    """Reports of detections ``(target i, satellite j)`` with the standard normal draws
    ``normal`` (m, 2) of their noise."""
    sat = c.positions_ecef(t[i])  # (m, S, 3)
    sat = sat[np.arange(i.size), j]
    u, R = _los(sat, r[i], c.sigma_los_rad, normal)
    return MeasurementBatch(
        kind=MeasurementKind.LOS_ECEF,
        time_s=t[i],
        z=u,
        R=R,
        sensor_position_ecef_m=sat,
        sensor_id=(c.sensor_id + j).astype(np.int64),
        owner=np.full(i.size, c.owner, dtype=np.int64),
        snr_db=np.full(i.size, np.nan),
        truth_id=tid[i].astype(np.int64),
    )


def los_measurement(
    sensor_ecef: FloatArray, target_ecef: FloatArray, sigma_rad: float, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray]:
    """Noisy unit LOS vectors ``(m, 3)`` and covariances ``(m, 3, 3)`` (module docstring)."""
    m = np.broadcast_shapes(np.shape(sensor_ecef), np.shape(target_ecef))[0]
    return _los(sensor_ecef, target_ecef, sigma_rad, rng.standard_normal((m, 2)))


def _los(
    sensor_ecef: FloatArray, target_ecef: FloatArray, sigma_rad: float, normal: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """:func:`los_measurement` with its standard normal draws ``(m, 2)`` given."""
    d = target_ecef - sensor_ecef
    u = d / np.linalg.norm(d, axis=-1, keepdims=True)
    # a vector not parallel to u, then two perpendicular unit vectors
    helper = np.where(np.abs(u[:, 2:3]) < 0.9, [[0.0, 0.0, 1.0]], [[1.0, 0.0, 0.0]])
    e1 = np.cross(u, helper)
    e1 /= np.linalg.norm(e1, axis=-1, keepdims=True)
    e2 = np.cross(u, e1)
    n = normal * sigma_rad
    z = u + n[:, :1] * e1 + n[:, 1:] * e2
    z /= np.linalg.norm(z, axis=-1, keepdims=True)
    uuT = u[:, :, None] * u[:, None, :]
    R = sigma_rad**2 * (np.eye(3) - uuT) + (1e-6 * sigma_rad) ** 2 * uuT
    return z, R
