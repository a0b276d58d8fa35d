"""Entity tracks and events: validation, interpolation, conversion from a Trajectory."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.flight.trajectory import Trajectory
from hoplon.interop.entities import (
    DEFAULT_DIS_TYPES,
    EntityTrack,
    SimEvent,
    entity_from_trajectory,
    force_id_for,
)


def _track(**kw) -> EntityTrack:
    t = np.array([0.0, 1.0, 2.0])
    r = np.array([[7e6, 0, 0], [7e6, 100, 0], [7e6, 200, 0.0]])
    v = np.array([[0, 100, 0], [0, 100, 0], [0, 100, 0.0]])
    args = {"entity_id": 5, "name": "X", "force": "red", "kind": "threat"}
    args.update({"t_s": t, "r_ecef_m": r, "v_ecef_mps": v})
    args.update(kw)
    return EntityTrack(**args)


def test_defaults_and_immutability() -> None:
    tr = _track()
    assert tr.dis_type == DEFAULT_DIS_TYPES["threat"] and tr.force_id == 2
    assert not tr.r_ecef_m.flags.writeable
    with pytest.raises(AttributeError):
        tr.name = "Y"  # type: ignore[misc]
    assert force_id_for("blue") == 1 and force_id_for("green") == 1
    assert force_id_for("Neutral") == 3 and force_id_for("red") == 2


@pytest.mark.parametrize(
    "kw",
    [
        {"entity_id": 0},
        {"entity_id": 65535},
        {"kind": "ship"},
        {"t_s": [0.0, 2.0, 1.0]},
        {"r_ecef_m": np.zeros((2, 3))},
        {"v_ecef_mps": np.full((3, 3), np.nan)},
        {"dis_type": (2, 1, 0)},
        {"dis_type": (2, 1, 70000, 0, 0, 0, 0)},
    ],
)
def test_bad_tracks(kw) -> None:
    with pytest.raises(InputError):
        _track(**kw)


def test_state_at_hermite_exact_for_constant_velocity() -> None:
    tr = _track()
    r, v = tr.state_at(np.array([0.5, 1.25, 2.0, 3.0]))
    np.testing.assert_allclose(r[:3, 1], [50.0, 125.0, 200.0], atol=1e-9)
    assert np.isnan(r[3]).all() and np.isnan(v[3]).all()
    static = EntityTrack(7, "R", "blue", "sensor", [5.0], [[7e6, 0, 0]])
    r, _ = static.state_at(np.array([4.0, 5.0, 500.0]))
    assert np.isnan(r[0]).all() and (r[1:] == [7e6, 0, 0]).all()


def test_bad_events() -> None:
    with pytest.raises(InputError):
        SimEvent(1.0, "boom", 1, [0, 0, 0])
    with pytest.raises(InputError):
        SimEvent(1.0, "fire", 1, [0, 0])
    with pytest.raises(InputError):
        SimEvent(1.0, "fire", 1, [0, 0, 0], target_id=70000)


def test_entity_from_trajectory() -> None:
    t = np.linspace(0.0, 10.0, 6)
    y = np.zeros((6, 7))
    y[:, 0] = 6.4e6
    y[:, 4] = 300.0
    y[:, 1] = 300.0 * t
    y[:, 6] = 1000.0
    traj = Trajectory(t_s=t, y=y, name="SRBM-1")
    tr = entity_from_trajectory(traj, 3, force="red", kind="threat")
    assert tr.name == "SRBM-1" and tr.entity_id == 3
    np.testing.assert_array_equal(tr.r_ecef_m, y[:, :3])
    np.testing.assert_array_equal(tr.v_ecef_mps, y[:, 3:6])
    np.testing.assert_array_equal(tr.t_s, t)
