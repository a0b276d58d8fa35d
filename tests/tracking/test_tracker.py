from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from hoplon.errors import InputError
from hoplon.sensors.measurements import MeasurementBatch, MeasurementKind
from hoplon.tracking.deletion import Deleter
from hoplon.tracking.metrics import rmse, track_continuity
from hoplon.tracking.models import AnglesAE, Ballistic
from hoplon.tracking.state import TrackSet, TrackStatus
from hoplon.tracking.tracker import Tracker


@pytest.fixture(scope="module")
def scenario(trk):
    rng = np.random.default_rng(11)
    times, X = trk.ballistic_truth(15, 40.0, rng)
    return times, X, trk.radar_reports(times, X, trk.radar_sites(), rng)


def _run(batches, **kw):
    tr = Tracker(Ballistic(q=1.0), **kw)
    tr.process(batches)
    return tr


def test_tracks_every_object_without_breaks_or_swaps(scenario):
    times, X, batches = scenario
    tr = _run(batches)
    h = tr.history().confirmed()
    k, n, _ = X.shape
    res = track_continuity(
        np.repeat(times, n),
        np.tile(np.arange(n), k),
        X[:, :, :3].reshape(-1, 3),
        h.time_s,
        h.track_id,
        h.x[:, :3],
        max_distance_m=5e3,
    )
    assert res.breaks == 0 and res.swaps == 0
    assert all(c > 0.9 for c in res.coverage.values())
    assert all(v == 1 for v in res.tracks_per_truth.values())
    final = tr.tracks
    assert len(final) == n and np.all(final.status == TrackStatus.CONFIRMED)
    # position error at the end
    d = np.linalg.norm(final.x[:, None, :3] - X[-1][None, :, :3], axis=-1)
    assert rmse(final.x[:, :3], X[-1][d.argmin(axis=1), :3]) < 100.0
    assert all(s == frozenset({0, 1, 2}) for s in final.sensors)


def test_tracker_never_reads_truth_id(scenario):
    _, _, batches = scenario
    rng = np.random.default_rng(0)
    scrambled = [dataclasses.replace(b, truth_id=rng.permutation(b.truth_id)) for b in batches]
    a, b = _run(batches).tracks, _run(scrambled).tracks
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.track_id, b.track_id)


def test_ukf_tracker_agrees_with_ekf(scenario):
    _, _, batches = scenario
    a, b = _run(batches).tracks, _run(batches, filter="ukf").tracks
    assert len(a) == len(b)
    assert np.max(np.abs(a.x[:, :3] - b.x[:, :3])) < 20.0


def test_track_coasts_then_is_deleted(scenario):
    _times, X, batches = scenario
    t_cut = 20.0
    cut = [b.select(~((b.truth_id == 3) & (b.time_s > t_cut))) for b in batches]
    tr = _run(cut, deleter=Deleter(max_misses=4))
    h = tr.history()
    assert len(tr.tracks) == X.shape[1] - 1
    # the lost track coasted for 3 frames after its last update, then was deleted
    lost = set(h.track_id) - set(tr.tracks.track_id)
    assert len(lost) == 1
    tid = lost.pop()
    last_seen = h.time_s[h.track_id == tid].max()
    assert last_seen == pytest.approx(t_cut + 3.0)


def test_angle_only_updates_of_known_tracks(trk):
    rng = np.random.default_rng(5)
    times, X = trk.ballistic_truth(3, 10.0, rng)
    site = trk.radar_sites()[0]
    P0 = np.diag([1e3**2] * 3 + [50.0**2] * 3)
    x0 = X[0] + rng.multivariate_normal(np.zeros(6), P0, 3)
    known = TrackSet.from_states(
        x0, np.broadcast_to(P0, (3, 6, 6)), 0.0, status=TrackStatus.CONFIRMED
    )
    k, n, _ = X.shape
    z = AnglesAE().function(X[1:].reshape(-1, 6), site) + rng.normal(size=((k - 1) * n, 2)) * 1e-4
    ir = MeasurementBatch(
        kind=MeasurementKind.ANGLES,
        time_s=np.repeat(times[1:], n),
        z=z,
        R=np.broadcast_to(np.eye(2) * 1e-8, ((k - 1) * n, 2, 2)).copy(),
        sensor_position_ecef_m=np.broadcast_to(site, ((k - 1) * n, 3)).copy(),
        sensor_id=np.full((k - 1) * n, 7),
        owner=np.zeros((k - 1) * n, dtype=np.int64),
    )
    tr = Tracker(Ballistic(q=1.0), initial_tracks=known)
    tracks = tr.process(ir)
    assert len(tracks) == 3
    assert all(7 in s for s in tracks.sensors)
    # cross-range uncertainty shrinks: the position covariance trace went down
    assert np.all(np.trace(tracks.P[:, :3, :3], axis1=1, axis2=2) < np.trace(P0[:3, :3]))


def test_bad_inputs_raise_input_error(scenario):
    _, _, batches = scenario
    b = batches[0].select(np.arange(10))
    bad = dataclasses.replace(b, R=b.R * np.array([1.0, -1.0, 1.0])[:, None])
    with pytest.raises(InputError, match="R"):
        Tracker(Ballistic()).process(bad)
    with pytest.raises(InputError, match="gate"):
        Tracker(Ballistic(), gate=-1.0)
    with pytest.raises(InputError, match="filter"):
        Tracker(Ballistic(), filter="pf")
