"""``observe_infrared_lanes``: one look in many trials at once is each trial's own look."""

from __future__ import annotations

import numpy as np
import pytest

from hoplon.earth.frames import geodetic_to_ecef
from hoplon.sensors.infrared import InfraredConstellation, observe_infrared_lanes
from hoplon.sensors.orbits import KeplerElements, geo_elements, molniya_elements

FIELDS = ("time_s", "z", "R", "sensor_position_ecef_m", "sensor_id", "owner", "snr_db", "truth_id")


def _constellation(**kw) -> InfraredConstellation:
    el = geo_elements(np.radians([0.0, 60.0, 150.0, 250.0]))
    el = KeplerElements.concatenate([el, molniya_elements(np.radians([30.0]), np.radians([90.0]))])
    return InfraredConstellation("ir", el, sensor_id=40, owner=2, **kw)


def _objects(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Objects spread over the globe, some under the cloud tops, some not boosting."""
    lat = np.arcsin(rng.uniform(-1.0, 1.0, n))
    lon = rng.uniform(-np.pi, np.pi, n)
    alt = rng.uniform(0.0, 300e3, n)
    return geodetic_to_ecef(lat, lon, alt), rng.random(n) < 0.8


def _lanes_and_reference(c, t, counts, seed):
    rng = np.random.default_rng(seed)
    start = np.concatenate([[0], np.cumsum(counts)])
    r, boosting = _objects(rng, int(start[-1]))
    boosting[start[2] : start[3]] = False  # a lane whose objects are all coasting
    tid = np.concatenate([rng.permutation(20)[:k] for k in counts]).astype(np.int64)
    seeds = [1000 * seed + k for k in range(len(counts))]
    rngs = [np.random.default_rng(s) for s in seeds]
    batch, lane = observe_infrared_lanes(c, t, r, boosting, start, rngs, tid)
    ref_rngs = [np.random.default_rng(s) for s in seeds]
    ref = [
        c.observe(t, r[lo:hi], boosting[lo:hi], g, truth_id=tid[lo:hi])
        for g, lo, hi in zip(ref_rngs, start[:-1], start[1:], strict=True)
    ]
    return (r, boosting), (batch, lane, rngs), (ref, ref_rngs)


@pytest.mark.parametrize("pd", [0.6, 1.0])
@pytest.mark.parametrize("t", [0.0, 1234.5, 40000.0])
def test_lanes_equal_per_lane_observe_bit_for_bit(pd: float, t: float) -> None:
    c = _constellation(pd=pd)
    counts = [3, 0, 4, 7, 1, 0, 12, 5]
    (r, boosting), (batch, lane, rngs), (ref, ref_rngs) = _lanes_and_reference(
        c, t, counts, seed=int(t) + int(10 * pd)
    )
    assert batch.kind == ref[0].kind
    for f in FIELDS:
        want = np.concatenate([getattr(b, f) for b in ref])
        got = getattr(batch, f)
        assert got.dtype == want.dtype, f
        np.testing.assert_array_equal(got, want, err_msg=f, strict=True)
    np.testing.assert_array_equal(lane, np.repeat(np.arange(len(counts)), [len(b) for b in ref]))
    # each lane drew exactly what it draws alone (same number of draws, same order)
    for g, h in zip(rngs, ref_rngs, strict=True):
        assert g.bit_generator.state == h.bit_generator.state
        assert g.random() == h.random()
    # not degenerate: detections in several lanes by several satellites, none by the
    # lanes with nothing boosting
    assert len(set(lane.tolist())) >= 3
    assert len(np.unique(batch.sensor_id)) >= 2
    assert not np.isin(lane, [1, 2, 5]).any()
    if pd < 1.0:  # some visible objects were missed on this look
        vis = c.visible(t, r, boosting).sum()
        assert 0 < len(batch) < vis


def test_no_lanes_and_empty_lanes() -> None:
    c = _constellation()
    batch, lane = observe_infrared_lanes(c, 5.0, np.empty((0, 3)), np.empty(0, bool), [0], [], [])
    assert len(batch) == 0 and lane.shape == (0,)
    rngs = [np.random.default_rng(1), np.random.default_rng(2)]
    before = [g.bit_generator.state for g in rngs]
    batch, lane = observe_infrared_lanes(
        c, 5.0, np.empty((0, 3)), np.empty(0, bool), [0, 0, 0], rngs, np.empty(0, np.int64)
    )
    assert len(batch) == 0 and lane.shape == (0,)
    assert [g.bit_generator.state for g in rngs] == before
