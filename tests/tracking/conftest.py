"""Small synthetic scenarios for the tracking tests (ballistic truth, radar reports)."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind
from hoplon.tracking._geo import enu_matrix, geodetic_to_ecef
from hoplon.tracking.models import Ballistic, RadarRAE

DEG = np.pi / 180.0


def ballistic_truth(
    n: int,
    duration_s: float,
    rng: np.random.Generator,
    dt_s: float = 1.0,
    lat0_deg: float = 40.0,
    lon0_deg: float = 20.0,
    spread_deg: float = 3.0,
) -> tuple[np.ndarray, np.ndarray]:
    """``n`` ballistic objects (rotating Earth, point-mass gravity): times (k,) and states
    (k, n, 6), starting at 150-250 km height climbing at 1.5-2.5 km/s."""
    lat = (lat0_deg + rng.uniform(-spread_deg, spread_deg, n)) * DEG
    lon = (lon0_deg + rng.uniform(-spread_deg, spread_deg, n)) * DEG
    h = rng.uniform(150e3, 250e3, n)
    r = geodetic_to_ecef(lat, lon, h)
    az = rng.uniform(0, 2 * np.pi, n)
    v_h = rng.uniform(1.5e3, 3.0e3, n)
    v_u = rng.uniform(1.5e3, 2.5e3, n)
    v_enu = np.stack([v_h * np.sin(az), v_h * np.cos(az), v_u], axis=-1)
    M = enu_matrix(lat, lon)
    v = np.einsum("nji,nj->ni", M, v_enu)
    x = np.concatenate([r, v], axis=1)
    model = Ballistic(max_step_s=1.0)
    times = np.arange(0.0, duration_s + 0.5 * dt_s, dt_s)
    out = np.empty((len(times), n, 6))
    out[0] = x
    for k in range(1, len(times)):
        x = model.function(x, dt_s)
        out[k] = x
    return times, out


def radar_sites() -> np.ndarray:
    return geodetic_to_ecef(
        np.array([38.0, 42.0, 40.0]) * DEG, np.array([18.0, 19.0, 23.0]) * DEG, np.zeros(3)
    )


def radar_reports(
    times: np.ndarray,
    states: np.ndarray,
    sites: np.ndarray,
    rng: np.random.Generator,
    sigma: tuple[float, float, float] = (30.0, 1e-3, 1e-3),
    owner: int = 0,
    sensor_ids: list[int] | None = None,
) -> list[MeasurementBatch]:
    """One RAE batch per radar: every object every time step (no horizon)."""
    k, n, _ = states.shape
    R1 = np.diag(np.square(sigma))
    out = []
    for s, site in enumerate(sites):
        z = RadarRAE().function(states.reshape(k * n, 6), site)
        z = z + rng.normal(size=z.shape) * np.asarray(sigma)
        m = k * n
        out.append(
            MeasurementBatch(
                kind=MeasurementKind.RAE,
                time_s=np.repeat(times, n),
                z=z,
                R=np.broadcast_to(R1, (m, 3, 3)).copy(),
                sensor_position_ecef_m=np.broadcast_to(site, (m, 3)).copy(),
                sensor_id=np.full(m, s if sensor_ids is None else sensor_ids[s], dtype=np.int64),
                owner=np.full(m, owner, dtype=np.int64),
                truth_id=np.tile(np.arange(n), k),
            )
        )
    return out


@pytest.fixture(scope="session")
def trk() -> SimpleNamespace:
    """The scenario helpers of this module (tests run with --import-mode=importlib)."""
    return SimpleNamespace(
        ballistic_truth=ballistic_truth, radar_sites=radar_sites, radar_reports=radar_reports
    )
