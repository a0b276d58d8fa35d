"""A small notional engagement as entity tracks and events (shared by the interop tests)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth.frames import enu_to_ecef, enu_vector_to_ecef
from hoplon.interop.entities import EntityTrack, SimEvent

LAT0, LON0 = math.radians(32.0), math.radians(35.0)


def _arc(
    t: np.ndarray, p0_enu: np.ndarray, v0_enu: np.ndarray, g: float = 9.8
) -> tuple[np.ndarray, np.ndarray]:
    """Flat-Earth parabola in the ENU frame at (LAT0, LON0), as ECEF position/velocity."""
    p = p0_enu + v0_enu * t[:, None] - 0.5 * g * np.array([0, 0, 1.0]) * t[:, None] ** 2
    v = v0_enu - g * np.array([0, 0, 1.0]) * t[:, None]
    return enu_to_ecef(p, LAT0, LON0, 0.0), enu_vector_to_ecef(v, LAT0, LON0)


@pytest.fixture()
def engagement() -> tuple[list[EntityTrack], list[SimEvent]]:
    """A threat from the north-east, an interceptor from a battery, one radar, one asset."""
    t_threat = np.arange(0.0, 150.0 + 1e-9, 2.0)  # killed at 150 s
    r_t, v_t = _arc(t_threat, np.array([150e3, 250e3, 0.0]), np.array([-700.0, -1200.0, 980.0]))
    threat = EntityTrack(1, "TBM-1", "red", "threat", t_threat, r_t, v_t)
    t_hit = 150.0
    r_hit = threat.state_at(t_hit)[0]
    t_int = np.arange(100.0, t_hit + 1e-9, 1.0)
    # interceptor: straight line from the battery to the intercept point
    r_bat = enu_to_ecef(np.array([5e3, 5e3, 0.0]), LAT0, LON0, 0.0)
    frac = ((t_int - t_int[0]) / (t_hit - t_int[0]))[:, None]
    r_i = r_bat + frac * (r_hit - r_bat)
    v_i = np.tile((r_hit - r_bat) / (t_hit - t_int[0]), (t_int.size, 1))
    interceptor = EntityTrack(10, "INT-1", "blue", "interceptor", t_int, r_i, v_i)
    battery = EntityTrack(20, "Battery Alpha", "blue", "battery", [0.0], r_bat[None, :])
    radar_pos = enu_to_ecef(np.array([-20e3, 10e3, 30.0]), LAT0, LON0, 0.0)
    radar = EntityTrack(30, "Radar Grün", "green", "sensor", [0.0], radar_pos[None, :])
    asset = EntityTrack(
        40, "City", "blue", "asset", [0.0], enu_to_ecef(np.zeros(3), LAT0, LON0, 0.0)[None, :]
    )
    t_fall = 2 * 600.0 / 9.8
    t2 = np.append(np.arange(0.0, t_fall, 2.0), t_fall)
    r2, v2 = _arc(t2, np.array([100e3, 50e3, 0.0]), np.array([-400.0, -200.0, 600.0]))
    threat2 = EntityTrack(2, "TBM-2", "red", "threat", t2 + 20.0, r2, v2)
    events = [
        SimEvent(0.0, "launch", 1, r_t[0], v_ecef_mps=v_t[0]),
        SimEvent(100.0, "fire", 10, r_i[0], target_id=1, shooter_id=20, v_ecef_mps=v_i[0]),
        SimEvent(t_hit, "intercept", 10, r_hit, target_id=1, shooter_id=20, result="kill"),
        SimEvent(20.0, "launch", 2, r2[0], v_ecef_mps=v2[0]),
        SimEvent(20.0 + t_fall, "impact", 2, r2[-1], v_ecef_mps=v2[-1], result="ground_impact"),
    ]
    return [threat, threat2, interceptor, battery, radar, asset], events
