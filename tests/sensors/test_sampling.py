"""Observing flight trajectories with radars and infrared satellites."""

from __future__ import annotations

import math

import numpy as np

from hoplon.earth.frames import WGS84, geodetic_to_ecef
from hoplon.flight.trajectory import Trajectory
from hoplon.sensors.infrared import InfraredConstellation
from hoplon.sensors.measurements import MeasurementKind
from hoplon.sensors.orbits import geo_elements
from hoplon.sensors.radar import Radar
from hoplon.sensors.sampling import (
    observe_trajectories_infrared,
    observe_trajectories_radar,
    sample_states,
)

D = math.pi / 180


def straight(
    lat_deg: float,
    lon_deg: float,
    alt_m: float,
    v_up: float,
    t_end: float,
    burnout: float | None = None,
) -> Trajectory:
    """Constant-velocity vertical climb (analytic states and derivatives)."""
    t = np.linspace(0.0, t_end, 21)
    r0 = geodetic_to_ecef(lat_deg * D, lon_deg * D, alt_m, WGS84)
    up = r0 / np.linalg.norm(r0)
    y = np.zeros((t.size, 7))
    y[:, :3] = r0 + np.outer(t, v_up * up)
    y[:, 3:6] = v_up * up
    y[:, 6] = 1000.0
    ydot = np.zeros_like(y)
    ydot[:, :3] = v_up * up
    return Trajectory(t_s=t, y=y, ydot=ydot, burnout_time_s=burnout)


def test_sample_states_nan_outside() -> None:
    tr = straight(10, 20, 1e5, 1000.0, 100.0)
    s = sample_states([tr, tr], [-5.0, 0.0, 50.0, 150.0])
    assert s.shape == (2, 4, 7)
    assert np.isnan(s[:, 0]).all() and np.isnan(s[:, 3]).all() and np.isfinite(s[:, 1:3]).all()


def test_radar_observes_trajectories() -> None:
    radar = Radar(
        "r",
        10 * D,
        20 * D,
        0.0,
        snr_constant_m2=1e3 * (1e6) ** 4,
        max_range_m=2e6,
        swerling=0,
        revisit_s=10.0,
        sigma_range_rate_mps=1.0,
    )
    trs = [straight(11, 20, 1e5, 1000.0, 100.0), straight(10, 21, 2e5, 500.0, 60.0)]
    b = observe_trajectories_radar(radar, trs, [1.0, 1.0], np.random.default_rng(0), 0.0, 100.0)
    assert b.kind == MeasurementKind.RAE_RATE
    # 11 looks of the first, 7 of the second; all detected at these SNRs
    assert (b.truth_id == 0).sum() == 11 and (b.truth_id == 1).sum() == 7
    assert np.all(np.diff(b.time_s) >= 0)
    np.testing.assert_allclose(
        b.z[b.truth_id == 1, 3].mean(), 500 * math.sin(np.median(b.z[b.truth_id == 1, 2])), rtol=0.2
    )


def test_infrared_sees_only_boost() -> None:
    ir = InfraredConstellation("ir", geo_elements([20 * D]), pd=1.0, revisit_s=10.0)
    trs = [straight(10, 20, 20e3, 1000.0, 100.0, burnout=45.0)]
    b = observe_trajectories_infrared(ir, trs, np.random.default_rng(1), 0.0, 100.0)
    assert b.kind == MeasurementKind.LOS_ECEF
    np.testing.assert_allclose(b.time_s, [0, 10, 20, 30, 40])
