"""The packed, compiled interpolation equals ``Trajectory.state_at`` bit for bit."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.flight.hermite import TrajectoryTable, states_at
from hoplon.scenario import load
from hoplon.sim import compile_world


@pytest.fixture(scope="module")
def trajectories():
    world = compile_world(load("two_partner"))
    return world.trajectory_groups[1]


def _queries(traj, rng: np.random.Generator) -> np.ndarray:
    ts = traj.t_s
    return np.concatenate(
        [
            rng.uniform(ts[0] - 50.0, ts[-1] + 50.0, 400),  # inside and outside
            ts,  # exactly at every sample (repeated samples at phase boundaries included)
            ts[:-1] + 0.5 * np.diff(ts),
            [ts[0], ts[-1], np.nextafter(ts[-1], np.inf), np.nan],
        ]
    )


def test_states_equal_state_at(trajectories) -> None:
    rng = np.random.default_rng(0)
    table = TrajectoryTable.of(trajectories)
    groups, times, expected = [], [], []
    for g, traj in enumerate(trajectories):
        q = _queries(traj, rng)
        groups.append(np.full(q.size, g))
        times.append(q)
        expected.append(traj.state_at(q))
    order = rng.permutation(sum(q.size for q in times))  # mixed groups in one call
    group = np.concatenate(groups)[order]
    tq = np.concatenate(times)[order]
    np.testing.assert_array_equal(states_at(table, group, tq), np.concatenate(expected)[order])


def test_repeated_sample_times_take_the_state_after_the_boundary(trajectories) -> None:
    traj = next((t for t in trajectories if np.any(np.diff(t.t_s) == 0)), None)
    if traj is None:
        pytest.skip("no trajectory with a phase boundary")
    table = TrajectoryTable.of([traj])
    k = int(np.flatnonzero(np.diff(traj.t_s) == 0)[0])
    q = np.array([traj.t_s[k], traj.t_s[-1]])
    np.testing.assert_array_equal(states_at(table, np.zeros(2, int), q), traj.state_at(q))


def test_single_sample_and_empty() -> None:
    from hoplon.flight.trajectory import Trajectory

    base = TrajectoryTable.of([])
    assert base.start.tolist() == [0]
    rng = np.random.default_rng(1)
    y = rng.normal(size=(1, 7))
    one = Trajectory(t_s=np.array([3.0]), y=y, ydot=np.zeros((1, 7)))
    table = TrajectoryTable.of([one])
    q = np.array([3.0, 2.0, np.nan])
    np.testing.assert_array_equal(states_at(table, np.zeros(3, int), q), one.state_at(q))
    assert states_at(table, np.zeros(0, int), np.zeros(0)).shape == (0, 7)
