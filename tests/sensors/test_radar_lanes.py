"""``observe_radar_lanes`` is each lane's own ``Radar.observe``, bit for bit, and the
compiled geometry of ``observe_radar`` is the numpy reference formulation, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from hoplon.earth.frames import enu_to_ecef, geodetic_to_ecef
from hoplon.sensors.radar import (
    _TABLE_DB,
    Radar,
    _geometry,
    _geometry_reference,
    _pd_kernel,
    _reports,
    _reports_reference,
    observe_radar_lanes,
    pd_lookup,
)

# zero RCS (SNR -inf) on purpose
pytestmark = pytest.mark.filterwarnings("ignore:divide by zero encountered in log10")

FIELDS = ("time_s", "z", "R", "sensor_position_ecef_m", "sensor_id", "owner", "snr_db", "truth_id")


def _radar(**kw) -> Radar:
    base = dict(
        name="r",
        lat_rad=math.radians(32.0),
        lon_rad=math.radians(35.0),
        alt_m=120.0,
        snr_constant_m2=1e20,
        max_range_m=600e3,
        boresight_az_rad=math.radians(40.0),
        azimuth_span_rad=math.radians(150.0),
        min_elevation_rad=math.radians(1.0),
        max_elevation_rad=math.radians(80.0),
        sensor_id=3,
        owner=1,
    )
    base.update(kw)
    return Radar(**base)


def _targets(radar: Radar, rng: np.random.Generator, n: int) -> np.ndarray:
    """Targets around the radar: in and out of range, field of regard and line of sight."""
    e = rng.uniform(-900e3, 900e3, n)
    nn = rng.uniform(-900e3, 900e3, n)
    u = rng.uniform(-20e3, 400e3, n)
    r = enu_to_ecef(np.stack([e, nn, u], -1), radar.lat_rad, radar.lon_rad, radar.alt_m)
    r[: min(n, 3)] = geodetic_to_ecef(radar.lat_rad, radar.lon_rad, radar.alt_m)  # at the site
    return r


RADARS = [
    _radar(),
    _radar(azimuth_span_rad=2 * math.pi, k_factor=1.0, min_elevation_rad=-0.02, alt_m=-5.0),
    _radar(range_resolution_m=30.0, beamwidth_rad=0.02, false_alarms=True, n_cells=3e6),
    _radar(lat_rad=math.radians(-70.0), lon_rad=math.radians(-170.0), swerling=3, pfa=1e-4),
]


@pytest.mark.parametrize("radar", RADARS)
@pytest.mark.parametrize("n", [1, 2, 3, 5, 17, 400])
def test_geometry_equals_numpy_reference(radar: Radar, n: int) -> None:
    rng = np.random.default_rng(n)
    r = _targets(radar, rng, n)
    rcs = rng.lognormal(0.0, 2.0, n)
    rcs[: n // 5] = 0.0  # SNR -inf
    for sigma in (rcs, 0.3, np.array([0.3])):
        got = _geometry(radar, r, sigma, None)
        want = _geometry_reference(radar, r, sigma, None)
        for g, w in zip(got[:5], want[:5], strict=True):
            np.testing.assert_array_equal(g, w, strict=True)
        assert got[5] is None and want[5] is None
        idx = np.flatnonzero(got[4] > 0.3)
        noise = rng.standard_normal((idx.size, 3))
        for g, w in zip(
            _reports(radar, r, got, idx, noise),
            _reports_reference(radar, r, want, idx, noise),
            strict=True,
        ):
            np.testing.assert_array_equal(g, w, strict=True)


def test_geometry_with_nan_rows_equals_reference() -> None:
    radar = RADARS[0]
    r = _targets(radar, np.random.default_rng(5), 20)
    r[4, 1] = np.nan
    rcs = np.full(20, 2.0)
    rcs[7] = np.nan
    got, want = _geometry(radar, r, rcs, None), _geometry_reference(radar, r, rcs, None)
    for g, w in zip(got[:5], want[:5], strict=True):
        np.testing.assert_array_equal(g, w, strict=True)


def test_pd_kernel_equals_np_interp() -> None:
    radar = RADARS[0]
    lg = np.concatenate(
        [
            np.random.default_rng(0).uniform(-5.0, 7.0, 20000),
            _TABLE_DB / 10.0,
            [-np.inf, np.inf, np.nan, -4.0, 6.0, 6.00000001, -4.00000001],
        ]
    )
    ref = pd_lookup(10.0 * lg, radar.pfa, radar.n_pulses, radar.swerling, radar.method)
    vis = np.random.default_rng(1).random(lg.size) < 0.9
    snr, out = lg.copy(), np.empty(lg.size)
    _pd_kernel(snr, vis, _TABLE_DB, radar._consts().table, out)
    np.testing.assert_array_equal(snr, 10.0 * lg)
    np.testing.assert_array_equal(out, np.where(vis, ref, 0.0))


def _lanes_and_reference(radar, counts, seed, shared=False):
    rng = np.random.default_rng(seed)
    start = np.concatenate([[0], np.cumsum(counts)])
    r = _targets(radar, rng, int(start[-1]))
    rcs = rng.lognormal(0.0, 1.5, int(start[-1]))
    tid = np.concatenate([rng.permutation(30)[:k] for k in counts]).astype(np.int64)
    seeds = [1000 * seed + k for k in range(len(counts))]
    if shared:
        one = np.random.default_rng(seed)
        rngs = [one] * len(counts)
        ref_one = np.random.default_rng(seed)
        ref_rngs = [ref_one] * len(counts)
    else:
        rngs = [np.random.default_rng(s) for s in seeds]
        ref_rngs = [np.random.default_rng(s) for s in seeds]
    t = 123.25
    batch, lane = observe_radar_lanes(radar, t, r, rcs, start, rngs, tid)
    ref = [
        radar.observe(t, r[lo:hi], rcs[lo:hi], g, truth_id=tid[lo:hi])
        for g, lo, hi in zip(ref_rngs, start[:-1], start[1:], strict=True)
    ]
    return (batch, lane, rngs), (ref, ref_rngs)


@pytest.mark.parametrize("radar", RADARS)
@pytest.mark.parametrize("shared", [False, True])
def test_lanes_equal_per_lane_observe_bit_for_bit(radar: Radar, shared: bool) -> None:
    counts = [3, 0, 4, 7, 1, 0, 12, 5, 30]
    if radar.false_alarms:  # observe on no targets has no dwell, hence no false alarms
        counts = [c or 2 for c in counts]
    (batch, lane, rngs), (ref, ref_rngs) = _lanes_and_reference(radar, counts, 11, shared)
    assert batch.kind == ref[0].kind
    for f in FIELDS:
        want = np.concatenate([getattr(b, f) for b in ref])
        got = getattr(batch, f)
        assert got.dtype == want.dtype, f
        np.testing.assert_array_equal(got, want, err_msg=f, strict=True)
    np.testing.assert_array_equal(lane, np.repeat(np.arange(len(counts)), [len(b) for b in ref]))
    assert lane.dtype == np.int64
    # every stream is left where its own observe left it
    for g, h in zip(rngs, ref_rngs, strict=True):
        assert g.bit_generator.state == h.bit_generator.state


def test_lanes_with_no_rows() -> None:
    radar = RADARS[0]
    batch, lane = observe_radar_lanes(
        radar, 0.0, np.empty((0, 3)), np.empty(0), np.zeros(3, np.int64),
        [np.random.default_rng(k) for k in range(2)], np.empty(0, np.int64),
    )  # fmt: skip
    assert len(batch) == 0 and lane.size == 0


@pytest.mark.parametrize("radar", [r for r in RADARS if not r.false_alarms])
def test_lanes_with_kept_altitudes_and_states(radar: Radar) -> None:
    """Altitudes kept across radars (``alt``) and streams' states given (``states``) change
    nothing: a second radar (the same one) reading the kept altitudes gives what it gives
    alone."""
    from hoplon.sensors.lane_draws import lane_states

    counts = [3, 0, 4, 7, 1, 0, 12, 5, 30]
    rng = np.random.default_rng(5)
    start = np.concatenate([[0], np.cumsum(counts)])
    r = _targets(radar, rng, int(start[-1]))
    rcs = rng.lognormal(0.0, 1.5, int(start[-1]))
    tid = np.concatenate([rng.permutation(30)[:k] for k in counts]).astype(np.int64)
    seeds = range(100, 100 + len(counts))
    rows = np.arange(len(r) + 4)[2:-2]  # rows of a larger table of targets
    cache = np.full(len(r) + 4, np.nan)
    for _ in range(2):  # first working the altitudes out, then reading them
        rngs = [np.random.default_rng(s) for s in seeds]
        ref_rngs = [np.random.default_rng(s) for s in seeds]
        got = observe_radar_lanes(
            radar, 7.5, r, rcs, start, rngs, tid, lane_states(rngs), (cache, rows)
        )
        want = observe_radar_lanes(radar, 7.5, r, rcs, start, ref_rngs, tid)
        for f in FIELDS:
            np.testing.assert_array_equal(getattr(got[0], f), getattr(want[0], f), strict=True)
        np.testing.assert_array_equal(got[1], want[1], strict=True)
        assert np.isnan(cache[[0, 1, -2, -1]]).all()
        assert not np.isnan(cache[rows]).all()
