"""``Trajectory``: sampled states of one object, with interpolation, geodetic views and a summary.

States are ``y (k, 7) = [x, y, z, vx, vy, vz, m]`` (ECEF m, Earth-relative m/s, kg) at times
``t_s (k,)`` (non-decreasing; a repeated time marks a phase boundary, e.g. staging, where the
derivative jumps).

Interpolation (``state_at``): cubic Hermite on each sample interval. Position uses the sampled
velocity as its derivative; velocity and mass use the derivative ``dy/dt`` recomputed from
the model's equations of motion with the object's parameters (``hoplon.flight.forces``).
For a ballistic arc sampled every second the position error is far below 1 m.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from hoplon.earth.frames import ecef_to_eci, ecef_to_geodetic
from hoplon.errors import InputError
from hoplon.flight.model import EarthModel
from hoplon.flight.params import make_params

CSV_COLUMNS = (
    "t_s",
    "x_m",
    "y_m",
    "z_m",
    "vx_mps",
    "vy_mps",
    "vz_mps",
    "mass_kg",
    "lat_deg",
    "lon_deg",
    "alt_m",
)


@dataclass
class Trajectory:
    """Sampled flight of one object.

    Parameters
    ----------
    t_s : (k,) array
        Sample times [s], non-decreasing.
    y : (k, 7) array
        States [x, y, z, vx, vy, vz, m] (ECEF m, Earth-relative m/s, kg).
    model : EarthModel
        The Earth the states were integrated over.
    name : str
        Label (e.g. the threat's id).
    params : (N_PARAMS,) array, optional
        Flight parameters of the object (for derivatives); None: no drag, no thrust.
    cd_table : (k, 2) array, optional
        Cd(Mach) table used by ``params``.
    ydot : (k, 7) array, optional
        Stored derivatives dy/dt; computed from the model on first use when None.
    burnout_time_s : float, optional
        Burnout time (end of powered flight) [s], used by ``summary``.
    phase_boundaries_s : tuple of float
        Times where one phase ends and the next begins [s].
    metadata : dict
        Anything else (status, stage names, ...).
    """

    t_s: np.ndarray
    y: np.ndarray
    model: EarthModel = field(default_factory=EarthModel)
    name: str = ""
    params: np.ndarray | None = None
    cd_table: np.ndarray | None = None
    ydot: np.ndarray | None = None
    burnout_time_s: float | None = None
    phase_boundaries_s: tuple[float, ...] = ()
    metadata: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.t_s = np.ascontiguousarray(self.t_s, dtype=np.float64)
        self.y = np.ascontiguousarray(self.y, dtype=np.float64)
        if self.t_s.ndim != 1 or self.y.shape != (self.t_s.size, 7):
            raise InputError("y", f"must have shape ({self.t_s.size}, 7), got {self.y.shape}")
        if self.t_s.size == 0:
            raise InputError("t_s", "a trajectory needs at least one sample")
        if np.any(np.diff(self.t_s) < 0):
            raise InputError("t_s", "must be non-decreasing")

    # ------------------------------------------------------------------ basic views
    def __len__(self) -> int:
        return int(self.t_s.size)

    @property
    def position_m(self) -> np.ndarray:
        """(k, 3) ECEF positions [m]."""
        return self.y[:, 0:3]

    @property
    def velocity_mps(self) -> np.ndarray:
        """(k, 3) Earth-relative ECEF velocities [m/s]."""
        return self.y[:, 3:6]

    @property
    def mass_kg(self) -> np.ndarray:
        """(k,) masses [kg]."""
        return self.y[:, 6]

    @property
    def speed_mps(self) -> np.ndarray:
        """(k,) Earth-relative speeds [m/s]."""
        return np.linalg.norm(self.y[:, 3:6], axis=1)

    def lla(self) -> np.ndarray:
        """(k, 3) [lat_rad, lon_rad, alt_m] on the model's surface (geocentric lat on a sphere)."""
        return np.stack(_geodetic(self.y[:, 0:3], self.model), axis=-1)

    @property
    def altitude_m(self) -> np.ndarray:
        """(k,) altitude above the model's surface [m]."""
        return _geodetic(self.y[:, 0:3], self.model)[2]

    @property
    def duration_s(self) -> float:
        """Time from the first to the last sample [s]."""
        return float(self.t_s[-1] - self.t_s[0])

    # ------------------------------------------------------------------ interpolation
    def derivatives(self) -> np.ndarray:
        """(k, 7) dy/dt at the samples (stored, or recomputed from the model once)."""
        if self.ydot is None:
            from hoplon.flight.integrators import deriv_rows
            from hoplon.flight.params import validate_cd_table

            p = make_params(1)[0] if self.params is None else np.asarray(self.params, float)
            out = np.empty_like(self.y)
            deriv_rows(
                self.t_s,
                self.y,
                np.ascontiguousarray(p),
                self.model.to_array(),
                np.ascontiguousarray(self.model.atmosphere_tables()),
                validate_cd_table(self.cd_table),
                out,
            )
            self.ydot = out
        return self.ydot

    def state_at(self, t: float | np.ndarray) -> np.ndarray:
        """States at times ``t`` [s] by cubic Hermite interpolation, shape ``(*t.shape, 7)``.

        Times outside [t_s[0], t_s[-1]] give NaN. At a repeated sample time (phase boundary)
        the state after the boundary is returned.
        """
        tq = np.asarray(t, dtype=np.float64)
        flat = tq.reshape(-1)
        out = np.full((flat.size, 7), np.nan)
        ts = self.t_s
        if ts.size == 1:
            out[flat == ts[0]] = self.y[0]
            return out.reshape((*tq.shape, 7))
        inside = (flat >= ts[0]) & (flat <= ts[-1])
        tt = flat[inside]
        k = np.clip(np.searchsorted(ts, tt, side="right") - 1, 0, ts.size - 2)
        # skip zero-length intervals (query exactly at the last sample after a repeat)
        zero = ts[k + 1] <= ts[k]
        k = np.where(zero, np.maximum(k - 1, 0), k)
        h = ts[k + 1] - ts[k]
        s = np.where(h > 0, (tt - ts[k]) / np.where(h > 0, h, 1.0), 0.0)[:, None]
        h = h[:, None]
        y0, y1 = self.y[k], self.y[k + 1]
        d = self.derivatives()
        d0, d1 = d[k].copy(), d[k + 1].copy()
        # position: derivatives are the sampled velocities
        d0[:, 0:3] = y0[:, 3:6]
        d1[:, 0:3] = y1[:, 3:6]
        h00 = (1 + 2 * s) * (1 - s) ** 2
        h10 = s * (1 - s) ** 2
        h01 = s * s * (3 - 2 * s)
        h11 = s * s * (s - 1)
        out[inside] = h00 * y0 + h10 * h * d0 + h01 * y1 + h11 * h * d1
        return out.reshape((*tq.shape, 7))

    def eci(self, t: float | np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Positions and inertial velocities in ECI [m, m/s] at the samples (or at ``t``).

        ECI is aligned with ECEF at t = 0 (``hoplon.earth.frames.ecef_to_eci`` with
        theta0 = 0); the rotation rate is the model's (0 for a non-rotating model).
        """
        if t is None:
            tq, states = self.t_s, self.y
        else:
            tq = np.asarray(t, dtype=np.float64)
            states = self.state_at(tq)
        r, v = ecef_to_eci(states[..., 0:3], states[..., 3:6], tq, omega=self.model.omega)
        return r, v

    # ------------------------------------------------------------------ events and summary
    def apogee(self) -> tuple[float, np.ndarray]:
        """Time [s] and state of the highest point, refined between samples."""
        alt = self.altitude_m
        k = int(np.argmax(alt))
        if self.t_s.size < 3 or k in (0, self.t_s.size - 1):
            return float(self.t_s[k]), self.y[k].copy()
        lo, hi = float(self.t_s[k - 1]), float(self.t_s[k + 1])
        # golden-section search for the altitude maximum on the Hermite interpolant
        g = (math.sqrt(5.0) - 1.0) / 2.0
        a, b = lo, hi
        c, d = b - g * (b - a), a + g * (b - a)

        def f(tt: float) -> float:
            return float(_geodetic(self.state_at(tt)[None, 0:3], self.model)[2][0])

        fc, fd = f(c), f(d)
        for _ in range(60):
            if fc > fd:
                b, d, fd = d, c, fc
                c = b - g * (b - a)
                fc = f(c)
            else:
                a, c, fc = c, d, fd
                d = a + g * (b - a)
                fd = f(d)
            if b - a < 1e-6:
                break
        tm = 0.5 * (a + b)
        return tm, self.state_at(tm)

    def summary(self) -> dict[str, float]:
        """Key figures of the flight (SI units and degrees, as the key names say).

        The launch point is the first sample, the impact point the last sample. Burnout is
        taken at ``burnout_time_s`` when known, else at the first sample. ``ground_range_m``
        is the geodesic launch -> impact distance on the model's surface.
        """
        lat, lon, _ = _geodetic(self.y[:, 0:3], self.model)
        t_apo, y_apo = self.apogee()
        apo_alt = float(_geodetic(y_apo[None, 0:3], self.model)[2][0])
        if self.burnout_time_s is not None:
            tb = float(self.burnout_time_s)
            yb = self.state_at(tb)
        else:
            tb = float(self.t_s[0])
            yb = self.y[0]
        latb, lonb, altb = (float(v[0]) for v in _geodetic(yb[None, 0:3], self.model))
        up = np.array(
            [math.cos(latb) * math.cos(lonb), math.cos(latb) * math.sin(lonb), math.sin(latb)]
        )
        vb = float(np.linalg.norm(yb[3:6]))
        gamma = math.degrees(math.asin(float(np.dot(up, yb[3:6])) / vb)) if vb > 0 else 0.0
        speed = self.speed_mps
        return {
            "launch_lat_deg": math.degrees(float(lat[0])),
            "launch_lon_deg": math.degrees(float(lon[0])),
            "impact_lat_deg": math.degrees(float(lat[-1])),
            "impact_lon_deg": math.degrees(float(lon[-1])),
            "impact_speed_mps": float(speed[-1]),
            "ground_range_m": self.ground_range_m(),
            "apogee_altitude_m": apo_alt,
            "apogee_time_s": t_apo,
            "flight_time_s": self.duration_s,
            "burnout_time_s": tb,
            "burnout_speed_mps": vb,
            "burnout_flight_path_angle_deg": gamma,
            "burnout_altitude_m": altb,
            "max_speed_mps": float(np.max(speed)),
        }

    def ground_range_m(self) -> float:
        """Geodesic distance from the first to the last sample's sub-point on the surface [m]."""
        lat, lon, _ = _geodetic(self.y[[0, -1], 0:3], self.model)
        return surface_distance_m(lat[0], lon[0], lat[1], lon[1], self.model)

    # ------------------------------------------------------------------ export
    def table(self) -> dict[str, np.ndarray]:
        """Columns of ``CSV_COLUMNS`` as arrays (units in the names)."""
        lat, lon, alt = _geodetic(self.y[:, 0:3], self.model)
        cols = [self.t_s, *self.y.T, np.degrees(lat), np.degrees(lon), alt]
        return dict(zip(CSV_COLUMNS, cols, strict=True))

    def to_csv(self, path: str | Path) -> Path:
        """Write the samples as CSV with the columns ``CSV_COLUMNS``."""
        path = Path(path)
        data = np.column_stack(list(self.table().values()))
        np.savetxt(
            path, data, delimiter=",", header=",".join(CSV_COLUMNS), comments="", fmt="%.10g"
        )
        return path

    def to_parquet(self, path: str | Path) -> Path:
        """Write the samples as Parquet (needs the optional extra ``parquet``)."""
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "writing Parquet needs pyarrow: pip install 'hoplon[parquet]'"
            ) from exc
        path = Path(path)
        table = pa.table(self.table())
        table = table.replace_schema_metadata({"name": self.name, "model": repr(self.model)})
        pq.write_table(table, path)
        return path


def concatenate(
    parts: Sequence[Trajectory], name: str | None = None, burnout_time_s: float | None = None
) -> Trajectory:
    """Join consecutive trajectory pieces (e.g. stages) into one.

    Each piece keeps its derivatives (computed with its own parameters), so the joined
    trajectory interpolates each phase with its own forces; the joins become
    ``phase_boundaries_s``. ``burnout_time_s`` defaults to the latest burnout of the parts.
    """
    if not parts:
        raise InputError("parts", "need at least one trajectory")
    for a, b in itertools.pairwise(parts):
        if b.t_s[0] < a.t_s[-1] - 1e-9:
            raise InputError("parts", "pieces must follow each other in time")
    t = np.concatenate([p.t_s for p in parts])
    t = np.maximum.accumulate(t)
    y = np.concatenate([p.y for p in parts])
    ydot = np.concatenate([p.derivatives() for p in parts])
    bounds = [float(p.t_s[-1]) for p in parts[:-1]]
    for p in parts:
        bounds.extend(p.phase_boundaries_s)
    if burnout_time_s is None:
        known = [p.burnout_time_s for p in parts if p.burnout_time_s is not None]
        burnout_time_s = max(known) if known else None
    meta: dict = {}
    for p in parts:
        meta.update(p.metadata)
    return Trajectory(
        t_s=t,
        y=y,
        model=parts[0].model,
        name=parts[0].name if name is None else name,
        params=parts[-1].params,
        cd_table=parts[-1].cd_table,
        ydot=ydot,
        burnout_time_s=burnout_time_s,
        phase_boundaries_s=tuple(sorted(set(bounds))),
        metadata=meta,
    )


def _geodetic(r: np.ndarray, model: EarthModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(lat_rad, lon_rad, alt_m) of ECEF positions on the model's surface."""
    r = np.asarray(r, dtype=np.float64)
    if model.shape == "sphere":
        rn = np.linalg.norm(r, axis=-1)
        return (
            np.arcsin(np.clip(r[..., 2] / rn, -1.0, 1.0)),
            np.arctan2(r[..., 1], r[..., 0]),
            rn - model.radius_m,
        )
    return ecef_to_geodetic(r, model.ellipsoid)


def surface_distance_m(
    lat1: float, lon1: float, lat2: float, lon2: float, model: EarthModel
) -> float:
    """Shortest distance on the model's surface between two points [m] (angles in rad).

    Sphere: great circle of radius R (haversine). WGS84: the geodesic of
    ``hoplon.earth.geodesy.geodesic_inverse``.
    """
    if model.shape == "sphere":
        dlat = lat2 - lat1
        dlon = lon2 - lon1
        hav = math.sin(dlat / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(dlon / 2) ** 2
        return 2.0 * model.radius_m * math.asin(min(1.0, math.sqrt(hav)))
    from hoplon.earth import geodesy

    return float(geodesy.geodesic_inverse(lat1, lon1, lat2, lon2, model.ellipsoid)[0])
