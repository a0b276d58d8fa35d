"""The confirmed tracks a lockstep engine's command cycles read: each lane's selection (and
any lanes' together) is what :func:`~hoplon.sim.engine.confirmed_tracks` gives of the lane's
own tracks, made once per frame, and stays what it was when the tracks change."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.scenario import load
from hoplon.sim import batch as batch_module
from hoplon.sim import compile_world
from hoplon.sim.batch import BatchEngine
from hoplon.sim.engine import MIN_TRACK_UPDATES, confirmed_part, confirmed_tracks, track_rows
from hoplon.tracking.state import TrackSet, TrackStatus


def _same(a: tuple, b: tuple) -> None:
    """Two selections (ids, x, P, times, sensor sets[, bounds]): equal, float for float."""
    assert len(a) == len(b)
    assert a[0] == b[0] and all(type(i) is int for i in a[0])
    for u, v in zip(a[1:4], b[1:4], strict=True):
        assert u.dtype == v.dtype and u.shape == v.shape
        assert np.array_equal(u, v)
    assert a[4] == b[4]
    if len(a) > 5:
        assert a[5] == b[5]


def _random_tracks(rng: np.random.Generator, n: int) -> TrackSet:
    tracks = TrackSet.from_states(
        rng.normal(size=(n, 6)),
        rng.normal(size=(n, 6, 6)),
        rng.uniform(0.0, 10.0, n),
        track_id=rng.permutation(3 * n + 1)[:n].astype(np.int64),
        sensors=[frozenset(rng.choice(4, rng.integers(1, 3)).tolist()) for _ in range(n)],
    )
    tracks.status[:] = rng.choice([0, 1, 1, 1], n)
    tracks.hits[:] = rng.integers(1, 10, n)
    return tracks


def _reference(tracks: TrackSet, min_hits: int, bounds: list[int] | None) -> tuple:
    """confirmed_tracks the plain way (a mask, then each field picked)."""
    mask = tracks.status == TrackStatus.CONFIRMED
    if min_hits > 0:
        mask &= tracks.hits >= min_hits
    idx = np.flatnonzero(mask)
    cut = None
    if bounds is not None:
        cut = np.concatenate([[0], np.cumsum(mask)])[bounds].tolist()
    return (
        tracks.track_id[idx].tolist(),
        tracks.x[idx, :6],
        tracks.P[idx, :6, :6],
        tracks.time_s[idx],
        [tracks.sensors[i] for i in idx.tolist()],
        cut,
    )


@pytest.mark.parametrize("n", [0, 1, 2, 7, 40])
def test_parts_of_a_selection_are_the_selections_with_more_hits(n) -> None:
    rng = np.random.default_rng(n)
    tracks = _random_tracks(rng, n)
    bounds = [0, *np.sort(rng.integers(0, n + 1, 5)).tolist(), n]
    every = confirmed_tracks(tracks, 0, bounds)
    _same(every, _reference(tracks, 0, bounds))
    for min_hits in (1, 3, MIN_TRACK_UPDATES, 9, 11):
        expected = _reference(tracks, min_hits, bounds)
        _same(confirmed_tracks(tracks, min_hits, bounds), expected)
        rows = np.flatnonzero(tracks.hits[tracks.status == TrackStatus.CONFIRMED] >= min_hits)
        _same(confirmed_part(every, rows), expected)
    # every row (taken whole): the same, and copies
    tracks.status[:] = TrackStatus.CONFIRMED
    whole = track_rows(tracks, np.arange(n), bounds)
    _same(whole, _reference(tracks, 0, bounds))
    if n:
        assert not np.shares_memory(whole[1], tracks.x)
        assert not np.shares_memory(whole[2], tracks.P)
        assert not np.shares_memory(whole[3], tracks.time_s)
    assert confirmed_tracks(tracks, 0)[5] is None


@pytest.fixture(scope="module")
def coalition_world():
    return compile_world(load("two_partner"))


def test_each_lanes_confirmed_tracks_are_its_own_selection(coalition_world, monkeypatch) -> None:
    """At every command cycle: all lanes' selection, a few lanes' and one lane's are what
    confirmed_tracks gives of the lane's own tracks (as its tracker holds them), for the
    sharing (min_hits 0) and the picture (MIN_TRACK_UPDATES); and what was returned does
    not change when the tracks do."""
    engine = BatchEngine(coalition_world, [3, 1, 40, 7])
    cycle = batch_module.command_cycle
    kept: list[tuple[tuple, tuple]] = []
    checked = {"cycles": 0, "rows": 0}

    def checking(t, force, lanes):
        L = len(engine.lanes)
        trackers = [e.trackers[force] for e in engine.lanes]
        for min_hits in (0, MIN_TRACK_UPDATES):
            own = [
                confirmed_tracks(engine.trackers[force].lane_tracks(k), min_hits)[:5]
                for k in range(L)
            ]
            every = trackers[0].confirmed_lanes(trackers, min_hits)
            assert every is trackers[0].confirmed_lanes(list(trackers), min_hits)  # (cached)
            cut = every[5]
            assert cut[0] == 0 and len(cut) == L + 1
            for k in range(L):
                _same(trackers[k].confirmed(min_hits), own[k])
                part = tuple(v[cut[k] : cut[k + 1]] for v in every[:5])
                _same(part, own[k])
            some = [L - 1, 0, 2] if L > 2 else [0]
            sub = trackers[0].confirmed_lanes([trackers[k] for k in some], min_hits)
            expected = [sum(len(own[k][0]) for k in some[:j]) for j in range(len(some) + 1)]
            assert sub[5] == expected
            for j, k in enumerate(some):
                _same(tuple(v[sub[5][j] : sub[5][j + 1]] for v in sub[:5]), own[k])
            kept.append((every, tuple(np.copy(v) for v in every[1:4])))
            checked["rows"] += len(every[0])
            for k in range(L):
                n = engine.trackers[force].lane_tracks(k)
                assert len(n) == trackers[k].n_tracks
                assert np.array_equal(trackers[k].tracks.x, n.x)
        checked["cycles"] += 1
        cycle(t, force, lanes)

    monkeypatch.setattr(batch_module, "command_cycle", checking)
    engine.run()
    assert checked["cycles"] > 20 and checked["rows"] > 100
    for every, copies in kept:  # later tracker updates did not change what was returned
        for v, c in zip(every[1:4], copies, strict=True):
            assert np.array_equal(v, c)
