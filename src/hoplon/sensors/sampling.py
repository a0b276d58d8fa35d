"""Observe flight trajectories: sample truth at look times, then one batched observation.

Sampling interpolates each :class:`hoplon.flight.Trajectory` at the sensor's look times
(``Trajectory.state_at``; NaN outside its span); detection and noise are then drawn for all
``(objects x looks)`` rows at once by the sensor's ``observe``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import ArrayLike, NDArray

from hoplon.sensors.measurements import MeasurementBatch

if TYPE_CHECKING:
    from hoplon.flight.trajectory import Trajectory
    from hoplon.sensors.infrared import InfraredConstellation
    from hoplon.sensors.radar import Radar

FloatArray = NDArray[np.float64]


def sample_states(trajectories: Sequence[Trajectory], t_s: ArrayLike) -> FloatArray:
    """States ``(n_obj, n_t, 7)`` of each trajectory at times ``t_s`` (NaN outside span)."""
    t = np.asarray(t_s, dtype=float)
    return (
        np.stack([tr.state_at(t) for tr in trajectories])
        if trajectories
        else np.empty((0, t.size, 7))
    )


def _rows(
    states: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray, NDArray[np.int64], NDArray[np.bool_]]:
    n_obj, n_t = states.shape[:2]
    flat = states.reshape(n_obj * n_t, 7)
    ok = np.all(np.isfinite(flat[:, :6]), axis=1)
    tid = np.repeat(np.arange(n_obj, dtype=np.int64), n_t)
    tt = np.tile(t, n_obj)
    return flat[ok], tt[ok], flat[ok, :3], tid[ok], ok


def observe_trajectories_radar(
    radar: Radar,
    trajectories: Sequence[Trajectory],
    rcs_m2: ArrayLike,
    rng: np.random.Generator,
    t_start_s: float,
    t_end_s: float,
    phase_s: float = 0.0,
) -> MeasurementBatch:
    """All reports of ``radar`` on the trajectories between ``t_start_s`` and ``t_end_s``.

    ``rcs_m2`` is one RCS per trajectory ``(n_obj,)`` (or a scalar). ``truth_id`` is the
    trajectory's index. False alarms (if enabled) come once per look.
    """
    t = radar.scan_times(t_start_s, t_end_s, phase_s)
    states = sample_states(trajectories, t)
    rows, tt, r, tid, _ = _rows(states, t)
    rcs = np.broadcast_to(np.asarray(rcs_m2, dtype=float), (len(trajectories),))[tid]
    return radar.observe(tt, r, rcs, rng, truth_id=tid, v_ecef=rows[:, 3:6])


def observe_trajectories_infrared(
    sensor: InfraredConstellation,
    trajectories: Sequence[Trajectory],
    rng: np.random.Generator,
    t_start_s: float,
    t_end_s: float,
    phase_s: float = 0.0,
) -> MeasurementBatch:
    """All LOS reports of an IR constellation; an object boosts until its
    ``burnout_time_s`` (never, if unknown)."""
    t = np.arange(t_start_s + phase_s, t_end_s + 1e-9, sensor.revisit_s)
    states = sample_states(trajectories, t)
    _, tt, r, tid, _ = _rows(states, t)
    burnout = np.array(
        [-np.inf if tr.burnout_time_s is None else float(tr.burnout_time_s) for tr in trajectories]
    )
    boosting = tt <= burnout[tid] if tid.size else np.zeros(0, bool)
    return sensor.observe(tt, r, boosting, rng, truth_id=tid)
