"""The array store of shared tracks against the per-trial rules it replaces: deliveries in
arrival order, then sending order; a report replaces the one held when not older; tracks
held in the order first delivered; each lane alone gives what it gives among others."""

from __future__ import annotations

import numpy as np

from hoplon.sim.sharing import C_ARRIVAL, C_TIME, C_X, LANE_SHIFT, SharedTracks, track_keys


def _reference(sends: list[tuple[float, int, float, float]], t_cuts: list[float]) -> list:
    """Per-trial rules with a dict: sends (arrival, track id, time, value), delivered at
    each cut (arrival <= cut); returns the box (track id, time, value) after each cut."""
    pending = list(enumerate(sends))
    box: dict[int, tuple[float, float]] = {}
    out = []
    for cut in t_cuts:
        due = sorted((s[0], n, s) for n, s in pending if s[0] <= cut)
        pending = [(n, s) for n, s in pending if not s[0] <= cut]
        for _, _, (_, tid, time, value) in due:
            old = box.get(tid)
            if old is None or time >= old[0]:
                box[tid] = (time, value)
        out.append([(tid, *v) for tid, v in box.items()])
    return out


def _store_run(net: SharedTracks, lanes: dict[int, list], t_cuts: list[float]) -> dict:
    rng = np.random.default_rng(1)
    for lane, sends in lanes.items():
        for i in range(0, len(sends), 3):  # chunks of a few rows
            part = sends[i : i + 3]
            times = np.array([s[2] for s in part])
            x = np.zeros((len(part), 6))
            x[:, 0] = [s[3] for s in part]
            R = net.rows(times, x, rng.random((len(part), 6, 6)), 1, [frozenset({0})] * len(part))
            R[:, C_ARRIVAL] = [s[0] for s in part]
            net.send(0, R, track_keys(lane, 1, [s[1] for s in part]))
    out: dict[int, list] = {lane: [] for lane in lanes}
    for cut in t_cuts:
        net.receive(0, cut, True, None)
        bR, bK = net.box[0]
        for lane in lanes:
            m = (bK >> LANE_SHIFT) == lane
            rows = [
                (int(k) & ((1 << 40) - 1), float(r[C_TIME]), float(r[C_X]))
                for r, k in zip(bR[m], bK[m], strict=True)
            ]
            out[lane].append(rows)
    return out


def test_store_delivers_as_the_per_trial_rules() -> None:
    rng = np.random.default_rng(0)
    lanes = {}
    for lane in range(4):
        # few track ids and coarse times: many repeats and ties
        sends = [
            (float(rng.integers(0, 20)), int(rng.integers(0, 5)), float(rng.integers(0, 4)), v)
            for v in rng.random(30)
        ]
        lanes[lane] = sends
    cuts = [3.0, 7.0, 7.0, 12.0, 25.0]
    together = _store_run(SharedTracks(2, 4), lanes, cuts)
    for lane, sends in lanes.items():
        assert together[lane] == _reference(sends, cuts)
        alone = _store_run(SharedTracks(2, 4), {lane: sends}, cuts)
        assert alone[lane] == together[lane]
