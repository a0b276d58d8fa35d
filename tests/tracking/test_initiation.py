from __future__ import annotations

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.initiation import MofN, TwoPointInitiator, merge_converted
from hoplon.tracking.state import TrackSet, TrackStatus


def test_m_of_n_logic():
    rule = MofN(2, 3)
    hist = np.array([0b1, 0b11, 0b101, 0b100, 0b1000])
    np.testing.assert_array_equal(rule.confirmed(hist), [False, True, True, False, False])
    np.testing.assert_array_equal(
        rule.hopeless(np.array([0b1, 0b100]), np.array([2, 3])), [False, True]
    )
    with pytest.raises(InputError, match="m"):
        MofN(4, 3)
    with pytest.raises(InputError, match="n"):
        MofN(1, 0)


def test_two_point_initiation():
    init = TwoPointInitiator(max_speed_mps=1000.0)
    cov = np.broadcast_to(np.eye(3) * 100.0, (2, 3, 3))
    p1 = np.array([[0.0, 0.0, 0.0], [1e5, 0.0, 0.0]])
    x, P, _ = init.initiate(0.0, p1, cov, [frozenset({1})] * 2)
    assert len(x) == 0
    p2 = p1 + np.array([[500.0, 0, 0], [0, 5000.0, 0]])  # second is too fast
    x, P, sensors = init.initiate(1.0, p2, cov, [frozenset({2})] * 2)
    assert len(x) == 1
    np.testing.assert_allclose(x[0], [500.0, 0, 0, 500.0, 0, 0])
    np.testing.assert_allclose(P[0, 3:, 3:], np.eye(3) * 200.0)
    assert sensors[0] == frozenset({1, 2})
    assert np.all(np.linalg.eigvalsh(P[0]) > 0)


def test_merge_converted_fuses_compatible_reports_of_different_sensors():
    pos = np.array([[0.0, 0, 0], [5.0, 0, 0], [1e4, 0, 0], [3.0, 0, 0]])
    cov = np.broadcast_to(np.eye(3) * 100.0, (4, 3, 3))
    p, c, s = merge_converted(pos, cov, np.array([1, 2, 1, 1]), gate=16.0)
    assert len(p) == 3  # the last one is from sensor 1 again: not merged into cluster 0
    np.testing.assert_allclose(p[0], [2.5, 0, 0])
    assert s[0] == frozenset({1, 2})
    np.testing.assert_allclose(c[0], np.eye(3) * 50.0)


def test_deleter_rules():
    tracks = TrackSet.from_states(np.zeros((3, 6)), np.broadcast_to(np.eye(6), (3, 6, 6)), 0.0)
    tracks.status[:] = [TrackStatus.CONFIRMED, TrackStatus.CONFIRMED, TrackStatus.TENTATIVE]
    tracks.misses[:] = [5, 1, 2]
    tracks.P[1] *= 1e8
    tracks.history[:] = [0, 0, 0b100]
    tracks.age[:] = [9, 9, 3]
    gone = Deleter(max_misses=5, max_position_sigma_m=1e3).to_delete(tracks, MofN(2, 3))
    np.testing.assert_array_equal(gone, [True, True, True])
    with pytest.raises(InputError, match="max_misses"):
        Deleter(max_misses=0)
