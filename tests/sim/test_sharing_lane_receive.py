"""One lane's delivery (merged into its rows of the box alone) against the same delivery
through the merge of the whole box, bit for bit; a lane's rows against a mask's."""

from __future__ import annotations

import numpy as np

from hoplon.sim.sharing import C_ARRIVAL, LANE_SHIFT, SharedTracks, track_keys


def _fill(net: SharedTracks, rng: np.random.Generator, n_lanes: int) -> None:
    for lane in range(n_lanes):
        for _ in range(4):  # chunks of a few rows: few ids and coarse times, many ties
            n = int(rng.integers(1, 5))
            R = net.rows(
                rng.integers(0, 4, n).astype(float),
                rng.random((n, 6)),
                rng.random((n, 6, 6)),
                int(rng.integers(0, 3)),
                [frozenset({int(rng.integers(0, 2))}) for _ in range(n)],
            )
            R[:, C_ARRIVAL] = rng.integers(0, 20, n)
            net.send(0, R, track_keys(lane, int(rng.integers(0, 2)), rng.integers(0, 5, n)))


def test_one_lane_receive_equals_the_whole_box_merge() -> None:
    n_lanes = 5
    one, every = SharedTracks(2, n_lanes), SharedTracks(2, n_lanes)
    for net in (one, every):
        _fill(net, np.random.default_rng(2), n_lanes)
        net.last[:] = np.inf
    rng = np.random.default_rng(3)
    for step in range(40):
        t = float(rng.integers(0, 22))
        lane = int(rng.integers(0, n_lanes))
        inclusive = bool(step % 2)
        mask = np.zeros(n_lanes, dtype=bool)
        mask[lane] = True
        one.receive(0, t, inclusive, lane)
        every.receive(0, t, inclusive, mask)  # (a mask: the merge of the whole box)
        np.testing.assert_array_equal(one.box[0][0], every.box[0][0])
        np.testing.assert_array_equal(one.box[0][1], every.box[0][1])
        assert one.n_boxed == every.n_boxed
        bR, bK = one.box[0]
        for k in range(n_lanes):
            m = (bK >> LANE_SHIFT) == k
            R, K = one.lane_rows(0, k)
            np.testing.assert_array_equal(R, bR[m])
            np.testing.assert_array_equal(K, bK[m])
        if step == 20:
            for net in (one, every):
                _fill(net, np.random.default_rng(4), n_lanes)
    assert len(one.box[0][1]) > 2 * n_lanes  # not a degenerate check
